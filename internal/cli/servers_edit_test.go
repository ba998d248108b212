package cli

import (
	"strings"
	"testing"
	"time"

	"github.com/slatestudio/slate/account"
	"github.com/slatestudio/slate/library"
	"github.com/slatestudio/slate/media"
	"github.com/slatestudio/slate/render"
	"github.com/slatestudio/slate/render/remote"
)

func TestServersEdit(t *testing.T) {
	var keys []string
	env := serversHome(t, map[string]remote.Info{
		"http://gpu-box:8080":        {Kind: remote.KindSlate, Models: []account.VideoModel{{ID: "animatic"}}},
		"https://videos.example.com": {Kind: remote.KindGeneric},
	}, &keys)
	if code, _, errOut := serversCmd(env, "", "add", "hosted", "https://videos.example.com", "--models", "wan-2.2", "--sizes", "1280x720", "--seconds", "4,8", "--image-input"); code != 0 {
		t.Fatal(errOut)
	}
	if code, _, errOut := serversCmd(env, "", "add", "gpu-box", "http://gpu-box:8080"); code != 0 {
		t.Fatal(errOut)
	}

	code, out, errOut := serversCmd(env, "", "edit", "hosted", "--seconds", "4,8,12", "--audio")
	if code != 0 || !strings.Contains(out, "Changed hosted.") || !strings.Contains(out, "wan-2.2  1280×720 · 24 fps · 4, 8 or 12 s · with sound · starts from a picture") {
		t.Fatalf("edit --seconds = %d\n%s%s", code, out, errOut)
	}
	code, out, errOut = serversCmd(env, "sk-new\n", "edit", "--api-key-stdin", "hosted")
	if code != 0 || keys[len(keys)-1] != "sk-new" || !strings.Contains(out, "4, 8 or 12 s") {
		t.Fatalf("edit --api-key-stdin = %d %q %q, keys %q", code, out, errOut, keys)
	}
	if _, out, _ = serversCmd(env, "", "list"); !strings.Contains(out, "https://videos.example.com  kept") {
		t.Errorf("list after a new key:\n%s", out)
	}

	// The backends registered afterwards render what the edit says.
	home, _ := env.dataDir()
	lib, err := library.Open(t.Context(), home, library.Options{})
	if err != nil {
		t.Fatal(err)
	}
	reg := render.NewRegistry()
	_, err = RegisterServers(t.Context(), reg, lib, media.Tools{})
	lib.Close()
	if err != nil {
		t.Fatal(err)
	}
	be, err := reg.Open("remote:hosted/wan-2.2")
	if err != nil {
		t.Fatal(err)
	}
	if c := be.Capabilities(); c.MaxDuration != 12*time.Second || !c.ImageConditioning {
		t.Errorf("after edit the backend renders up to %v, from a picture %v; want 12s, true", c.MaxDuration, c.ImageConditioning)
	}

	for _, c := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"edit"}, 2, "give the render server's name and what to change"},
		{[]string{"edit", "hosted"}, 2, "say what to change"},
		{[]string{"edit", "hosted", "--seconds", "four"}, 1, `"four" is not a clip length`},
		{[]string{"edit", "nobody", "--seconds", "4"}, 1, `no render server is called "nobody"`},
		{[]string{"edit", "gpu-box", "--seconds", "4"}, 1, "what it renders comes from the server itself"},
		{[]string{"edit", "hosted", "--api-key-stdin"}, 2, "no API key on standard input"},
	} {
		code, _, errOut := serversCmd(env, "", c.args...)
		if code != c.code || !strings.Contains(errOut, c.want) {
			t.Errorf("slate servers %q = %d %q, want %d saying %q", c.args, code, errOut, c.code, c.want)
		}
	}
	if _, out, _ = serversCmd(env, "", "test", "hosted"); !strings.Contains(out, "4, 8 or 12 s") {
		t.Errorf("failed edits changed hosted:\n%s", out)
	}
}
