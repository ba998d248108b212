package servers_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/slatestudio/slate/account"
	"github.com/slatestudio/slate/library"
	"github.com/slatestudio/slate/render"
	"github.com/slatestudio/slate/render/remote"
	"github.com/slatestudio/slate/servers"
)

func TestEditChangesOnlyWhatIsGiven(t *testing.T) {
	ctx := context.Background()
	p := &fakeProbe{infos: map[string]remote.Info{
		"https://videos.example.com": {Kind: remote.KindGeneric},
		"https://listed.example.com": {Kind: remote.KindGeneric, Models: []account.VideoModel{{ID: "veo"}}},
		"http://gpu-box:8080":        slateInfo,
	}}
	b, _, _ := newBook(t, p)
	prof := &remote.Profile{Sizes: []string{"1280x720"}, Seconds: []int{4, 8}, FPS: 24, ImageInput: true}
	if _, err := b.Add(ctx, servers.Spec{Name: "hosted", URL: "https://videos.example.com", APIKey: "k1", Profile: prof, Models: []string{"wan-2.2"}}); err != nil {
		t.Fatal(err)
	}
	yes := true
	s, err := b.Edit(ctx, "hosted", servers.Change{Seconds: "4, 8, 12", Audio: &yes})
	if err != nil {
		t.Fatal(err)
	}
	want := remote.Profile{Sizes: []string{"1280x720"}, Seconds: []int{4, 8, 12}, FPS: 24, Audio: true, ImageInput: true}
	if s.Profile == nil || !slices.Equal(s.Profile.Seconds, want.Seconds) || !slices.Equal(s.Profile.Sizes, want.Sizes) || s.Profile.FPS != 24 || !s.Profile.Audio || !s.Profile.ImageInput {
		t.Fatalf("after Edit the profile is %+v, want %+v", s.Profile, want)
	}
	if len(s.Models) != 1 || s.Models[0].ID != "wan-2.2" || !slices.Equal(s.Models[0].Seconds, []string{"4", "8", "12"}) || !s.Models[0].Audio {
		t.Errorf("after Edit the models are %+v", s.Models)
	}
	if k := p.keys[len(p.keys)-1]; k != "k1" {
		t.Errorf("Edit tested with key %q, want the kept k1", k)
	}
	// The registry's backend renders what the edit says.
	reg := render.NewRegistry()
	if _, err := b.Register(ctx, reg); err != nil {
		t.Fatal(err)
	}
	be, err := reg.Open("remote:hosted/wan-2.2")
	if err != nil {
		t.Fatal(err)
	}
	if c := be.Capabilities(); c.MaxDuration != 12*time.Second {
		t.Errorf("after Edit the backend renders up to %v, want 12s", c.MaxDuration)
	}

	// A new key is tested and kept; the profile stays.
	if s, err = b.Edit(ctx, "hosted", servers.Change{APIKey: "k2"}); err != nil || !slices.Equal(s.Profile.Seconds, []int{4, 8, 12}) {
		t.Fatalf("Edit(key) = %+v, %v", s, err)
	}
	if got, _ := b.Get(ctx, "hosted"); len(got.Models) != 1 {
		t.Errorf("Edit(key) lost the models: %+v", got)
	}
	if _, err := b.Test(ctx, "hosted"); err != nil || p.keys[len(p.keys)-1] != "k2" {
		t.Errorf("after Edit(key) the server is tested with %q (%v), want k2", p.keys[len(p.keys)-1], err)
	}

	// Bad input and a failed test change nothing.
	if _, err := b.Edit(ctx, "hosted", servers.Change{Sizes: "big"}); err == nil || !strings.Contains(err.Error(), "WIDTHxHEIGHT") {
		t.Errorf("Edit(bad size) = %v", err)
	}
	delete(p.infos, "https://videos.example.com")
	if _, err := b.Edit(ctx, "hosted", servers.Change{Seconds: "5", APIKey: "k3"}); err == nil || !strings.Contains(err.Error(), "nothing was changed") {
		t.Errorf("Edit(unreachable) = %v", err)
	}
	p.infos["https://videos.example.com"] = remote.Info{Kind: remote.KindGeneric}
	if got, _ := b.Get(ctx, "hosted"); !slices.Equal(got.Profile.Seconds, []int{4, 8, 12}) {
		t.Errorf("a failed edit changed the profile to %+v", got.Profile)
	}
	if _, err := b.Test(ctx, "hosted"); err != nil || p.keys[len(p.keys)-1] != "k2" {
		t.Errorf("a failed edit changed the key to %q (%v)", p.keys[len(p.keys)-1], err)
	}

	// What a Slate server or a listing service renders comes from it.
	if _, err := b.Add(ctx, servers.Spec{Name: "gpu-box", URL: "http://gpu-box:8080"}); err != nil {
		t.Fatal(err)
	}
	if _, err := b.Edit(ctx, "gpu-box", servers.Change{Seconds: "4"}); err == nil || !strings.Contains(err.Error(), "Slate render server") || !strings.Contains(err.Error(), "slate servers test gpu-box") {
		t.Errorf("Edit(Slate server's profile) = %v", err)
	}
	if _, err := b.Add(ctx, servers.Spec{Name: "listed", URL: "https://listed.example.com"}); err != nil {
		t.Fatal(err)
	}
	if _, err := b.Edit(ctx, "listed", servers.Change{Sizes: "640x480"}); err == nil || !strings.Contains(err.Error(), "lists its own models") {
		t.Errorf("Edit(listing service's profile) = %v", err)
	}
	if s, err := b.Edit(ctx, "listed", servers.Change{KeepModelAudio: &yes}); err != nil || !s.KeepModelAudio {
		t.Errorf("Edit(listing service's keep-audio) = %+v, %v", s, err)
	}
	if _, err := b.Edit(ctx, "nobody", servers.Change{APIKey: "x"}); !errors.Is(err, library.ErrNotFound) {
		t.Errorf("Edit(nobody) = %v, want ErrNotFound", err)
	}
}
