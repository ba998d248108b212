package render_test

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/slatestudio/slate/internal/userfile/userfiletest"
	"github.com/slatestudio/slate/render"
	"github.com/slatestudio/slate/timeline"
)

func TestCheckFilm(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "rain.wav")
	userfiletest.Mkfifo(t, fifo)
	wav := filepath.Join(dir, "bell.wav")
	if err := os.WriteFile(wav, []byte("RIFF"), 0o644); err != nil {
		t.Fatal(err)
	}
	withCue := func(shot int, file string) func(p *timeline.Project) {
		return func(p *timeline.Project) {
			p.Shots[shot].Cues = append(p.Shots[shot].Cues, timeline.Cue{Kind: timeline.Ambience, File: file, Duration: time.Second})
		}
	}
	tests := []struct {
		name  string
		edit  func(p *timeline.Project)
		shots []int
		want  string
	}{
		{"fine", nil, nil, ""},
		{"a sound file", withCue(1, wav), nil, ""},
		{"pipe", withCue(2, fifo), nil, "shot 3 (Shot 3), sound cue 1: " + fifo + " is a named pipe, not a sound file"},
		{"pipe in a shot chosen", withCue(2, fifo), []int{0, 2}, "shot 3 (Shot 3), sound cue 1: " + fifo + " is a named pipe, not a sound file"},
		{"pipe in a shot left out", withCue(2, fifo), []int{0, 1}, ""},
		{"device", withCue(0, "/dev/urandom"), nil, "shot 1 (Shot 1), sound cue 1: /dev/urandom is a device, not a sound file"},
		{"folder", withCue(0, dir), nil, "shot 1 (Shot 1), sound cue 1: " + dir + " is a folder, not a sound file"},
		{"missing", withCue(0, wav+".gone"), nil, "shot 1 (Shot 1), sound cue 1: " + wav + ".gone is not there; put the file back or choose another"},
		{"too long", func(p *timeline.Project) {
			for range 60 {
				s := timeline.NewShot("minute")
				s.Duration = time.Minute
				p.Shots = append(p.Shots, s)
			}
		}, nil, "Three is 1 h 12 s long; a film can be at most 1 h, so shorten it or make it as two projects"},
		{"long, but the shots chosen are not", func(p *timeline.Project) {
			for range 60 {
				s := timeline.NewShot("minute")
				s.Duration = time.Minute
				p.Shots = append(p.Shots, s)
			}
		}, []int{0, 5}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := timeline.New("Three")
			for i := range 3 {
				p.Shots = append(p.Shots, timeline.NewShot("Shot "+string(rune('1'+i))))
			}
			if tt.edit != nil {
				tt.edit(p)
			}
			err := render.CheckFilm(p, tt.shots)
			if got := errString(err); got != tt.want {
				t.Errorf("CheckFilm = %q, want %q", got, tt.want)
			}
		})
	}
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}
