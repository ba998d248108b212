package worker

import (
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/slatestudio/slate/account"
	"github.com/slatestudio/slate/media"
	"github.com/slatestudio/slate/render"
	"github.com/slatestudio/slate/render/animatic"
	"github.com/slatestudio/slate/timeline"
)

// FuzzSlateRequest: whatever a client sends as its shot, making it fit to
// render here never panics, and a request it accepts is one the backend
// can be asked about (its key, its capabilities) without panicking.
func FuzzSlateRequest(f *testing.F) {
	p := timeline.New("Harbour")
	p.Cast = []timeline.CastRef{{ID: "ada", Name: "Ada", Character: true, Image: "ab"}}
	sh := timeline.NewShot("Quay")
	sh.Duration = 2 * time.Second
	sh.Cast = []string{"ada"}
	sh.Lines = []timeline.Line{{Speaker: "ada", Text: "Late.", Start: 100 * time.Millisecond}}
	sh.Cues = []timeline.Cue{{Kind: timeline.Music, File: "/home/me/drone.wav", Duration: time.Second}}
	p.Shots = []*timeline.Shot{sh}
	req := render.NewRequest(p, 0, "")
	req.Likeness = map[string]render.Likeness{"ada": {Still: "/home/me/ada.png", StillSHA256: "ab"}}
	enc, err := render.EncodeRequest(req)
	if err != nil {
		f.Fatal(err)
	}
	good, _ := json.Marshal(map[string]any{"version": 1, "backend": "animatic", "request": json.RawMessage(enc), "key": "k"})
	f.Add(good)
	f.Add([]byte(`{"version":1,"backend":"animatic","request":{"index":-1,"shot":{},"cast":[]}}`))
	f.Add([]byte(`{"version":1,"backend":"animatic","request":{"format":{"Width":2,"Height":2,"FPS":24},"shot":null}}`))
	f.Add([]byte(`null`))
	b, err := animatic.New(media.Tools{})
	if err != nil {
		f.Fatal(err)
	}
	w := &Worker{backends: []render.Backend{b}}
	still := func(sum string) (string, error) {
		if sum == "ab" {
			return "/srv/blobs/ab", nil
		}
		return "", errors.New("none")
	}
	f.Fuzz(func(t *testing.T, slate []byte) {
		job := account.RenderJob{ID: "video_f", Slate: slate, TempDir: t.TempDir(), Still: still}
		b, req, err := w.slateRequest(job)
		if err != nil {
			return
		}
		render.Key(b, req)
		b.Capabilities().Check(b.Name(), req)
		if req.PrevClip != "" {
			t.Errorf("the studio's previous clip %q is left in the request", req.PrevClip)
		}
		for _, c := range req.Shot.Cues {
			if c.File != "" {
				t.Errorf("the studio's sound file %q is left in the request", c.File)
			}
		}
		for id, l := range req.Likeness {
			if l.Still != "" && l.Still != "/srv/blobs/ab" {
				t.Errorf("%s's still is %q, not the server's", id, l.Still)
			}
		}
	})
}
