package cli

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/slatestudio/slate/capture"
	"github.com/slatestudio/slate/capture/enrol"
	"github.com/slatestudio/slate/consent"
	"github.com/slatestudio/slate/internal/clock"
	"github.com/slatestudio/slate/internal/termbar"
	"github.com/slatestudio/slate/library"
	"github.com/slatestudio/slate/media"
)

// recordArgs are the parsed arguments of "slate cast record".
type recordArgs struct {
	name, handle        string
	camera, fakeCamera  string
	mic, fakeMic        string
	consentLevel, prefs string
	yes                 bool
	interactiveConsent  bool
}

func parseRecordArgs(args []string) (recordArgs, error) {
	var a recordArgs
	fs := flag.NewFlagSet("cast record", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.StringVar(&a.name, "name", "", "")
	fs.StringVar(&a.handle, "handle", "", "")
	fs.StringVar(&a.camera, "camera", "", "")
	fs.StringVar(&a.fakeCamera, "fake-camera", "", "")
	fs.StringVar(&a.mic, "mic", "", "")
	fs.StringVar(&a.fakeMic, "fake-mic", "", "")
	fs.StringVar(&a.consentLevel, "consent", "", "")
	fs.StringVar(&a.prefs, "preferences", "", "")
	fs.BoolVar(&a.yes, "yes", false, "")
	if err := fs.Parse(args); err != nil {
		return a, err
	}
	switch {
	case fs.NArg() > 0:
		return a, fmt.Errorf("unexpected %q: give the name with --name", fs.Arg(0))
	case strings.TrimSpace(a.name) == "":
		return a, errors.New("say who is being recorded: --name \"Mara Quinn\"")
	case a.camera != "" && a.fakeCamera != "":
		return a, errors.New("--camera and --fake-camera: choose one")
	case a.mic != "" && a.fakeMic != "":
		return a, errors.New("--mic and --fake-mic: choose one")
	}
	if a.handle == "" {
		a.handle = library.HandleFor(a.name)
	}
	if a.consentLevel == "" {
		a.interactiveConsent = !a.yes
		a.consentLevel = string(consent.OnlyMe)
	}
	if _, err := consent.ParseLevel(a.consentLevel); err != nil {
		return a, fmt.Errorf("--consent: %w", err)
	}
	return a, nil
}

// recordCast runs "slate cast record": the guided take in the terminal,
// its checks, the consent choice and saving the member.
func recordCast(ctx context.Context, args []string, lib *library.Library, stdout, stderr io.Writer, stdin io.Reader, isTTY bool) int {
	a, err := parseRecordArgs(args)
	if err != nil {
		fmt.Fprintf(stderr, "slate cast record: %v\n", err)
		return 2
	}
	tools := media.FindTools()
	if err := tools.Check(media.ToolFFmpeg, media.ToolFFprobe); err != nil {
		fmt.Fprintf(stderr, "slate cast record: %v\n", err)
		return 1
	}
	cam, mic, err := capture.OpenDevices(ctx, capture.DeviceChoice{Camera: a.camera, FakeCamera: a.fakeCamera, Mic: a.mic, FakeMic: a.fakeMic}, clock.Real{})
	if err != nil {
		fmt.Fprintf(stderr, "slate cast record: %v\n", err)
		return 1
	}
	defer cam.Close()
	defer mic.Close()

	script := enrol.NewScript()
	vf := cam.Format()
	fmt.Fprintf(stdout, "Recording %s (%s): a %s take at %d×%d, %d fps. Follow the prompts; they change every few seconds.\n",
		a.name, a.handle, strings.TrimSuffix(fmtSeconds(script.Length), " "), vf.Width, vf.Height, vf.FPS)
	for i := 3; i > 0; i-- {
		fmt.Fprintf(stdout, "Starting in %d…\n", i)
		select {
		case <-time.After(time.Second):
		case <-ctx.Done():
			fmt.Fprintln(stderr, "slate cast record: cancelled")
			return 130
		}
	}

	show := newPromptView(stdout, isTTY, script)
	show.start()
	take, err := capture.Record(ctx, cam, mic, clock.Real{}, script, capture.RecordOptions{
		TempDir:  lib.TempDir(),
		Tools:    tools,
		OnPrompt: show.prompt,
		OnLevel:  show.level,
		OnSaving: show.saving,
	})
	show.stop()
	switch {
	case ctx.Err() != nil:
		fmt.Fprintln(stderr, "slate cast record: cancelled; nothing was kept")
		return 130
	case take == nil:
		fmt.Fprintf(stderr, "slate cast record: %v\n", err)
		return 1
	case err != nil:
		// A device failed mid-take: what was recorded is kept and checked.
		fmt.Fprintf(stderr, "slate cast record: the take stopped early: %v\n", err)
	}
	fmt.Fprintf(stdout, "Recorded %d frames (%d dropped); sound and picture end %d ms apart.\n", take.Frames, take.Dropped, take.Drift.Abs().Milliseconds())

	fmt.Fprintln(stdout, "Checking the take…")
	checker, err := enrol.OpenChecker(tools)
	if err != nil {
		fmt.Fprintf(stderr, "slate cast record: %v\n", err)
		return 1
	}
	defer checker.Close()
	rep, err := checker.Check(ctx, *take)
	if err != nil {
		fmt.Fprintf(stderr, "slate cast record: %v\n", err)
		return 1
	}
	for _, r := range rep.Results {
		mark := "ok  "
		switch {
		case r.Skipped:
			mark = "skip"
		case !r.Passed:
			mark = "FAIL"
		}
		fmt.Fprintf(stdout, "  %s %-12s %s\n", mark, r.Name, r.Message)
	}
	if !rep.Passed() {
		kept, kerr := enrol.Keep(lib, take)
		if kerr != nil {
			fmt.Fprintf(stderr, "slate cast record: keeping the take: %v\n", kerr)
		} else {
			fmt.Fprintf(stdout, "The take is kept at %s until you delete it.\n", kept)
		}
		fmt.Fprintln(stderr, "slate cast record: the take did not pass; record again, following the prompts above")
		return 1
	}

	m := &library.CastMember{Name: a.name, Handle: a.handle, Preferences: a.prefs}
	m.Consent, _ = consent.ParseLevel(a.consentLevel)
	if a.interactiveConsent {
		m.Consent = askConsent(stdin, stdout)
	}
	if err := enrol.Save(ctx, lib, take, rep, m); err != nil {
		fmt.Fprintf(stderr, "slate cast record: %v\n", err)
		return 1
	}
	os.Remove(take.Video)
	fmt.Fprintf(stdout, "Saved %s (%s). %s\n", m.Name, m.Handle, m.Consent.Explain())
	return 0
}

// askConsent asks who may use the likeness; Enter keeps it to the owner.
func askConsent(stdin io.Reader, stdout io.Writer) consent.Level {
	fmt.Fprintln(stdout, "Who may feature this likeness?")
	for i, l := range consent.Levels {
		fmt.Fprintf(stdout, "  %d  %s: %s\n", i+1, l.Label(), l.Explain())
	}
	fmt.Fprint(stdout, "Choose 1, 2 or 3 [1]: ")
	line, _ := bufio.NewReader(stdin).ReadString('\n')
	switch strings.TrimSpace(line) {
	case "2":
		return consent.Approved
	case "3":
		return consent.Everyone
	}
	return consent.OnlyMe
}

func fmtSeconds(d time.Duration) string {
	return fmt.Sprintf("%.0f s ", d.Seconds())
}

// promptView shows the script as the take runs: the current prompt with
// the seconds left on it, and a sound level meter.
type promptView struct {
	mu     sync.Mutex
	w      io.Writer
	tty    bool
	script capture.Script
	cur    int // prompt index, -1 before the first
	t0     time.Time
	rms    float64
	done   chan struct{}
	wg     sync.WaitGroup
}

func newPromptView(w io.Writer, tty bool, s capture.Script) *promptView {
	return &promptView{w: w, tty: tty, script: s, cur: -1, rms: -90, done: make(chan struct{})}
}

func (v *promptView) start() {
	v.t0 = time.Now()
	if !v.tty {
		fmt.Fprintln(v.w, "Get ready: say nothing until the first prompt.")
		return
	}
	v.wg.Add(1)
	go func() {
		defer v.wg.Done()
		tick := time.NewTicker(100 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-v.done:
				return
			case <-tick.C:
				v.draw()
			}
		}
	}()
}

func (v *promptView) draw() {
	v.mu.Lock()
	defer v.mu.Unlock()
	text, left := "Get ready: say nothing yet", time.Duration(0)
	if len(v.script.Prompts) > 0 {
		left = v.script.Prompts[0].Start - time.Since(v.t0)
	}
	if v.cur >= 0 {
		p := v.script.Prompts[v.cur]
		text, left = p.Text, p.End-time.Since(v.t0)
	}
	meter := termbar.Meter(v.rms, 12)
	fmt.Fprintf(v.w, "\r\x1b[2K  %-44s %3.0f s   level %s", text, max(0, left.Seconds()), meter)
}

func (v *promptView) prompt(i int) {
	v.mu.Lock()
	v.cur = i
	p := v.script.Prompts[i]
	v.mu.Unlock()
	if !v.tty {
		fmt.Fprintf(v.w, "%s (%.0f s)\n", p.Text, (p.End - p.Start).Seconds())
	}
}

func (v *promptView) level(rms, _ float64) {
	v.mu.Lock()
	v.rms = rms
	v.mu.Unlock()
}

func (v *promptView) saving() {
	v.stop()
	fmt.Fprintln(v.w, "Saving the take…")
}

func (v *promptView) stop() {
	v.mu.Lock()
	select {
	case <-v.done:
		v.mu.Unlock()
		return
	default:
		close(v.done)
	}
	v.mu.Unlock()
	v.wg.Wait()
	if v.tty {
		fmt.Fprintln(v.w)
	}
}
