package accountui

import (
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
)

// A server that does not answer is said in a person's words, with what to
// do; what the network said ("dial tcp …: connection refused") is only
// under Details. The dialog says what an account server is for, and that
// Slate works without one.
func TestLoginUnreachableWords(t *testing.T) {
	h := newRig(t)
	dlg := h.a.showLogin(t.Context(), false)
	face := func() string {
		var b strings.Builder
		walkAll(h.win.Canvas().Overlays().Top(), func(o fyne.CanvasObject) {
			if l, ok := o.(*widget.Label); ok && l != dlg.detail && l.Visible() {
				b.WriteString(l.Text + "\n")
			}
		})
		return b.String()
	}
	if got := face(); !strings.Contains(got, "An account server keeps the consent of the people you record") ||
		!strings.Contains(got, "Slate works without one") {
		t.Errorf("the log-in dialog does not say what an account server is for:\n%s", got)
	}
	dlg.server.SetText("http://127.0.0.1:1")
	test.Type(dlg.username, "ana")
	test.Type(dlg.password, "a long passphrase")
	test.Tap(dlg.submit)
	h.ui.Until(t, "the log-in to answer", 30*time.Second, func() bool { return !dlg.busy })
	want := "Slate could not reach the account server at 127.0.0.1:1. Is it running?"
	if !strings.HasPrefix(dlg.problem.Text, want) {
		t.Errorf("the dialog says %q, want it to start %q", dlg.problem.Text, want)
	}
	for _, raw := range []string{"dial tcp", "connection refused", "127.0.0.1:1:", "http://"} {
		if strings.Contains(face(), raw) {
			t.Errorf("the dialog shows %q outside Details:\n%s", raw, face())
		}
	}
	if !dlg.details.Visible() || !strings.Contains(dlg.detail.Text, "connection refused") {
		t.Errorf("Details (shown %v) hold %q, want what the network said", dlg.details.Visible(), dlg.detail.Text)
	}
	// A refusal the server words itself needs no Details.
	dlg.show("Type your username and password.", "")
	if dlg.details.Visible() {
		t.Error("Details are offered with nothing behind them")
	}
}
