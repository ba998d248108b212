package account

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

// Seconds reads strings and numbers, as servers send either.
func TestSecondsJSON(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want Seconds
		err  bool
	}{{`"4"`, "4", false}, {`8`, "8", false}, {`5.5`, "5.5", false}, {`true`, "", true}, {`"x"`, "x", false}} {
		var s Seconds
		err := json.Unmarshal([]byte(tt.in), &s)
		if s != tt.want || (err != nil) != tt.err {
			t.Errorf("Unmarshal(%s) = %q, %v; want %q (error %v)", tt.in, s, err, tt.want, tt.err)
		}
	}
	if v, err := Seconds("x").Value(); err == nil {
		t.Errorf(`Seconds("x").Value() = %v, want an error`, v)
	}
}

// Resolve fills in what a request leaves out from its model and checks
// what it gives against the model.
func TestResolve(t *testing.T) {
	models := []VideoModel{
		{ID: "animatic", Sizes: []string{"640x360", "1280x720"}, FPS: []int{24}, MinSeconds: 1, MaxSeconds: 20},
		{ID: "wan", MaxWidth: 832, MaxHeight: 832, FPS: []int{16}, Seconds: []string{"5"}},
	}
	for _, tt := range []struct {
		req  VideoRequest
		want VideoSpec
		err  string
	}{
		{VideoRequest{Prompt: "x"}, VideoSpec{Model: "animatic", Width: 640, Height: 360, FPS: 24, Frames: 96, Seconds: 4}, ""},
		{VideoRequest{Prompt: "x", Model: "wan"}, VideoSpec{Model: "wan", Width: 832, Height: 832, FPS: 16, Frames: 80, Seconds: 5}, ""},
		{VideoRequest{Prompt: "x", NumFrames: 48}, VideoSpec{Model: "animatic", Width: 640, Height: 360, FPS: 24, Frames: 48, Seconds: 2}, ""},
		{VideoRequest{Prompt: "x", Width: 1280, Height: 720, Seconds: "2.5"}, VideoSpec{Model: "animatic", Width: 1280, Height: 720, FPS: 24, Frames: 60, Seconds: 2.5}, ""},
		{VideoRequest{Prompt: "x", Model: "wan", Size: "1024x576"}, VideoSpec{}, "up to 832x832"},
		{VideoRequest{Prompt: "x", Model: "wan", Seconds: "4"}, VideoSpec{}, "clips of 5 seconds"},
		{VideoRequest{Prompt: "x", Model: "veo"}, VideoSpec{}, "animatic, wan"},
	} {
		got, err := tt.req.Resolve(models)
		switch {
		case tt.err != "" && (err == nil || !strings.Contains(err.Error(), tt.err)):
			t.Errorf("Resolve(%+v) = %v, want an error with %q", tt.req, err, tt.err)
		case tt.err == "" && (err != nil || got != tt.want):
			t.Errorf("Resolve(%+v) = %+v, %v; want %+v", tt.req, got, err, tt.want)
		}
	}
	if _, err := (&VideoRequest{Prompt: "x", Model: "veo"}).Resolve(models); !errors.Is(err, ErrUnknownModel) {
		t.Errorf("an unknown model's error %v does not match ErrUnknownModel", err)
	}
}
