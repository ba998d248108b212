package castui

import (
	"context"
	"math/rand/v2"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"

	"github.com/slatestudio/slate/capture"
	"github.com/slatestudio/slate/capture/enrol"
	"github.com/slatestudio/slate/capture/liveness/livenesstest"
	"github.com/slatestudio/slate/consent"
	"github.com/slatestudio/slate/internal/clock/clocktest"
	"github.com/slatestudio/slate/studio/studiotest"
)

// fakeDevices makes a fake camera and microphone acting out the script of
// seed 42 and points the studio at them, as SLATE_FAKE_CAMERA and
// SLATE_FAKE_MIC do.
func fakeDevices(t *testing.T, opts livenesstest.Options) {
	t.Helper()
	tools := studiotest.Tools(t)
	script := capture.NewScript(rand.New(rand.NewPCG(42, 42)))
	opts.Width, opts.Height = 320, 240
	cam, mic, err := livenesstest.MakeDevices(context.Background(), tools, t.TempDir(), script, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv(capture.EnvFakeCamera, cam)
	t.Setenv(capture.EnvFakeMic, mic)
	t.Setenv(enrol.EnvScriptSeed, "42")
}

func wizardHarness(t *testing.T) *rig {
	return newRig(t, nil, clocktest.New(time.Date(2026, 11, 29, 12, 0, 0, 0, time.UTC)))
}

// TestWizardRecordsAndSaves goes through the wizard with fake devices: the
// preview shows the camera, the take runs its prompts, the checks pass,
// and saving with a consent choice adds the member to the cast.
func TestWizardRecordsAndSaves(t *testing.T) {
	fakeDevices(t, livenesstest.Options{})
	h := wizardHarness(t)
	h.panel.Record(t.Context())
	w := h.panel.wizard
	h.ui.Until(t, "the devices to be listed", 20*time.Second, func() bool { return len(w.camera.Options) > 0 && len(w.mic.Options) > 0 })
	if w.start.Disabled() == false {
		t.Error("Start is enabled before a name is given")
	}
	test.Type(w.name, "Ada Lane")
	if w.handle.Text != "@ada_lane" || w.start.Disabled() {
		t.Fatalf("handle %q, start disabled %v", w.handle.Text, w.start.Disabled())
	}
	h.ui.Until(t, "the live preview", 20*time.Second, func() bool { return w.picture.Image != nil })
	test.Tap(w.start)
	seen := map[string]bool{}
	h.ui.Until(t, "the take to be checked", 120*time.Second, func() bool {
		seen[w.prompt.Text] = true
		return w.report != nil
	})
	if !w.report.Passed() {
		for _, r := range w.report.Results {
			t.Logf("%s: %v %s", r.Name, r.Passed, r.Message)
		}
		t.Fatal("the fake take did not pass its checks")
	}
	if w.save.Disabled() || len(w.stills.Objects) != 3 || len(w.results.Objects) != len(w.report.Results) {
		t.Errorf("review: save disabled %v, %d stills, %d results", w.save.Disabled(), len(w.stills.Objects), len(w.results.Objects))
	}
	w.level.SetSelected(consent.Approved.Label())
	w.prefs.SetText("always wears a red scarf")
	test.Tap(w.save)
	h.ui.Until(t, "the member to be saved", 30*time.Second, func() bool { return len(h.s.Cast()) == 1 })
	m := h.s.Cast()[0]
	if m.Name != "Ada Lane" || m.Handle != "@ada_lane" || m.Consent != consent.Approved || m.Preferences != "always wears a red scarf" || m.Frontal == "" || m.Sample == "" {
		t.Errorf("saved member = %+v", m)
	}
	if h.panel.wizard != nil {
		t.Error("the wizard stayed open after saving")
	}
	// Its window is closed as the studio closes its windows (see the
	// studio's TestCloseWindowLater), and the cast panel comes forward.
	if len(h.closing) != 1 || h.closing[0] != w.win {
		t.Errorf("saving asked the studio to close %d windows, want the wizard's", len(h.closing))
	}
	if h.castShown != 1 {
		t.Errorf("saving brought the cast panel forward %d times, want once", h.castShown)
	}
}

// A take that fails (silent microphone) says so, cannot be saved, and can
// be taken again.
func TestWizardFailedTake(t *testing.T) {
	fakeDevices(t, livenesstest.Options{Silent: true})
	h := wizardHarness(t)
	h.panel.Record(t.Context())
	w := h.panel.wizard
	h.ui.Until(t, "the devices to be listed", 20*time.Second, func() bool { return len(w.camera.Options) > 0 })
	test.Type(w.name, "Quiet Person")
	test.Tap(w.start)
	h.ui.Until(t, "the take to be checked", 120*time.Second, func() bool { return w.report != nil })
	if w.report.Passed() || !w.save.Disabled() {
		t.Fatalf("a silent take passed (%v) or can be saved (%v)", w.report.Passed(), !w.save.Disabled())
	}
	if r, _ := w.report.Result("digits"); r.Passed {
		t.Error("the digits check passed on a silent take")
	}
	w.retake(t.Context())
	if w.take != nil || w.body.Objects[len(w.body.Objects)-1] != w.start {
		t.Error("Take again did not go back to the start")
	}
}
