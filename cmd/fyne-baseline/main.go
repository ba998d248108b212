// Command fyne-baseline is the baseline for Slate's start-up benchmark: the
// smallest Fyne program that opens a window, timed the same way as the
// studio (bench/startup.sh).
package main

import (
	"fmt"
	"os"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/app"
	"fyne.io/fyne/v2/widget"
)

func main() {
	start := time.Now()
	a := app.NewWithID("io.github.slatestudio.slate.hello")
	w := a.NewWindow("Hello")
	w.SetContent(widget.NewLabel("Hello"))
	w.Resize(fyne.NewSize(1440, 900))
	a.Lifecycle().SetOnStarted(func() {
		go func() {
			fyne.Do(func() {
				fmt.Fprintf(os.Stdout, "ready %d\n", time.Since(start).Milliseconds())
				a.Quit()
			})
		}()
	})
	w.ShowAndRun()
}
