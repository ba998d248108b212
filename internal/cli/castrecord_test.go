package cli

import (
	"bytes"
	"context"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/slatestudio/slate/capture"
	"github.com/slatestudio/slate/capture/enrol"
	"github.com/slatestudio/slate/capture/liveness/livenesstest"
	"github.com/slatestudio/slate/consent"
	"github.com/slatestudio/slate/library"
	"github.com/slatestudio/slate/media"
)

func TestParseRecordArgs(t *testing.T) {
	a, err := parseRecordArgs([]string{"--name", "Mara Quinn", "--fake-camera", "c.mjpeg", "--fake-mic", "m.wav"})
	if err != nil || a.handle != "@mara_quinn" || !a.interactiveConsent || a.consentLevel != "only_me" {
		t.Errorf("parseRecordArgs = %+v, %v", a, err)
	}
	for _, bad := range [][]string{
		{},
		{"--name", "A", "--camera", "/dev/video0", "--fake-camera", "x.mjpeg"},
		{"--name", "A", "--consent", "friends"},
		{"Mara"},
	} {
		if _, err := parseRecordArgs(bad); err == nil {
			t.Errorf("parseRecordArgs(%q) succeeded", bad)
		}
	}
}

// TestCastRecordWithFakes records a cast member from a fake camera and
// microphone that act out the script, at real pace, through the same path
// a webcam takes: the take passes its checks and the member is saved with
// their stills and voice.
func TestCastRecordWithFakes(t *testing.T) {
	if testing.Short() {
		t.Skip("records a take at real pace; skipped with -short")
	}
	tools := media.FindTools()
	requireDeps(t, tools.Check())
	ctx := context.Background()
	dir := t.TempDir()
	script := capture.NewScript(rand.New(rand.NewPCG(42, 42)))
	cam, mic, err := livenesstest.MakeDevices(ctx, tools, dir, script, livenesstest.Options{Width: 320, Height: 240})
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv(enrol.EnvScriptSeed, "42")
	lib, err := library.Open(t.Context(), t.TempDir(), library.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer lib.Close()
	var out, errb bytes.Buffer
	code := recordCast(ctx, []string{"--name", "Sam Pike", "--fake-camera", cam, "--fake-mic", mic, "--consent", "everyone", "--preferences", "never in a hat"},
		lib, &out, &errb, strings.NewReader(""), false)
	t.Logf("stdout:\n%s\nstderr:\n%s", out.String(), errb.String())
	if code != 0 {
		t.Fatalf("slate cast record: exit %d", code)
	}
	for _, want := range []string{"Turn your head", "Read aloud", "Checking the take", "Saved Sam Pike (@sam_pike). Anyone can feature this likeness"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("the output does not say %q", want)
		}
	}
	members, err := lib.CastMembers(ctx)
	if err != nil || len(members) != 1 {
		t.Fatalf("cast members = %+v, %v", members, err)
	}
	m := members[0]
	if m.Consent != consent.Everyone || m.Preferences != "never in a hat" || m.Frontal == "" || m.Left == "" || m.Right == "" || m.Sample == "" || m.Take == "" {
		t.Errorf("saved member = %+v", m)
	}
}
