package animatic_test

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/slatestudio/slate/media"
	"github.com/slatestudio/slate/media/audio"
	"github.com/slatestudio/slate/ml"
	"github.com/slatestudio/slate/render"
	"github.com/slatestudio/slate/render/animatic"
	"github.com/slatestudio/slate/render/rendertest"
	"github.com/slatestudio/slate/timeline"
	"github.com/slatestudio/slate/voices"
)

func tools(t *testing.T) media.Tools {
	t.Helper()
	tools := media.FindTools()
	if err := tools.Check(); err != nil {
		if os.Getenv("SLATE_REQUIRE_DEPS") == "1" {
			t.Fatal(err)
		}
		t.Skip(err)
	}
	return tools
}

func TestConformance(t *testing.T) {
	tl := tools(t)
	b, err := animatic.New(tl)
	if err != nil {
		t.Fatal(err)
	}
	rendertest.Run(t, b, tl, rendertest.Options{})
}

// A speaker whose voice is a Piper voice is heard in the clip, spoken by
// that voice.
func TestRendersPiperVoice(t *testing.T) {
	tl := tools(t)
	if _, _, err := ml.FindLibrary(); err != nil {
		if os.Getenv("SLATE_REQUIRE_DEPS") == "1" {
			t.Fatal(err)
		}
		t.Skip(err)
	}
	speaker := voices.NewSpeaker(tl, []string{"../../voices/testdata"})
	defer speaker.Close()
	b, err := animatic.NewWithVoices(tl, speaker)
	if err != nil {
		t.Fatal(err)
	}
	p := timeline.New("Piper")
	p.Width, p.Height, p.FPS = 160, 90, 24
	p.Cast = []timeline.CastRef{{ID: "ana", Name: "Ana", Voice: "piper:tiny"}}
	sh := timeline.NewShot("Talk")
	sh.Duration = 3 * time.Second
	start := 600 * time.Millisecond
	sh.Lines = []timeline.Line{{Speaker: "ana", Text: "The kite is flying high.", Start: start}}
	p.Shots = []*timeline.Shot{sh}
	req := render.NewRequest(p, 0, t.TempDir())
	res, err := b.Render(context.Background(), req, func(float64) {})
	if err != nil {
		t.Fatalf("Render() = %v", err)
	}
	sound, err := tl.DecodeAudio(context.Background(), res.Path, 48000, 1)
	if err != nil {
		t.Fatal(err)
	}
	at := func(d time.Duration) int { return int(d.Seconds() * 48000) }
	before := audio.DBFS(sound.RMS(0, at(start-100*time.Millisecond)))
	during := audio.DBFS(sound.RMS(at(start), at(start+time.Second)))
	if during < -30 || before > -50 {
		t.Errorf("RMS before the line %.1f dBFS, during it %.1f dBFS; want silence then speech", before, during)
	}
	if b.Voices() != render.Voices(speaker) {
		t.Error("Voices() is not the speaker the backend was made with")
	}
}
