package cli

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"path/filepath"
	"strings"
	"testing"

	"github.com/slatestudio/slate/account"
	"github.com/slatestudio/slate/account/client"
	"github.com/slatestudio/slate/library"
	"github.com/slatestudio/slate/media"
	"github.com/slatestudio/slate/render"
	"github.com/slatestudio/slate/render/remote"
	"github.com/slatestudio/slate/servers"
)

// serversHome is a data folder whose render servers answer as infos
// says, by address, and whose keys go to a file beside it; keys records
// the API key each probe was given.
func serversHome(t *testing.T, infos map[string]remote.Info, keys *[]string) serversEnv {
	home := t.TempDir()
	probe := func(_ context.Context, _ *http.Client, s remote.Server) (remote.Info, error) {
		*keys = append(*keys, s.APIKey)
		if info, ok := infos[s.URL]; ok {
			return info, nil
		}
		return remote.Info{}, errors.New("dial tcp: connection refused")
	}
	return serversEnv{
		dataDir: func() (string, error) { return home, nil },
		book: func(lib *library.Library) *servers.Book {
			return servers.New(lib, servers.Options{Store: client.NewFileStore(filepath.Join(home, "keys")), Probe: probe})
		},
	}
}

func serversCmd(env serversEnv, stdin string, args ...string) (int, string, string) {
	var out, errOut bytes.Buffer
	env.stdin = strings.NewReader(stdin)
	code := serversMain(context.Background(), args, &out, &errOut, env)
	return code, out.String(), errOut.String()
}

func TestServersCommands(t *testing.T) {
	var keys []string
	env := serversHome(t, map[string]remote.Info{
		"http://gpu-box:8080": {Kind: remote.KindSlate, Models: []account.VideoModel{
			{ID: "animatic", Sizes: []string{"1280x720"}, FPS: []int{24}, MinSeconds: 1, MaxSeconds: 60, Audio: true, Likeness: true},
		}},
		"https://videos.example.com": {Kind: remote.KindGeneric},
	}, &keys)

	code, out, _ := serversCmd(env, "", "list")
	if code != 0 || !strings.Contains(out, "No render servers yet") {
		t.Errorf("list with none = %d %q", code, out)
	}
	code, out, errOut := serversCmd(env, "sk-123\n", "add", "gpu-box", "http://gpu-box:8080", "--api-key-stdin")
	if code != 0 || !strings.Contains(out, "gpu-box is a Slate render server at http://gpu-box:8080") ||
		!strings.Contains(out, "animatic  1280×720 · 24 fps · 1 to 60 s · with sound") || !strings.Contains(out, "--backend remote:gpu-box/animatic") {
		t.Fatalf("add = %d\n%s%s", code, out, errOut)
	}
	if len(keys) != 1 || keys[0] != "sk-123" {
		t.Errorf("the server was tested with keys %q, want sk-123", keys)
	}
	// A service that lists no models must be described.
	code, _, errOut = serversCmd(env, "", "add", "hosted", "https://videos.example.com")
	if code != 1 || !strings.Contains(errOut, "--sizes 1280x720,720x1280 --seconds 4,8,12") {
		t.Errorf("add of an undescribed service = %d %q, want a refusal saying how to describe it", code, errOut)
	}
	code, out, errOut = serversCmd(env, "", "add", "--models", "wan-2.2", "hosted", "https://videos.example.com", "--sizes", "1280x720,720x1280", "--seconds", "4,8,12", "--audio=false")
	if code != 0 || !strings.Contains(out, "hosted is a /v1/videos video service") || !strings.Contains(out, "wan-2.2  1280×720, 720×1280 · 24 fps · 4, 8 or 12 s · no sound") {
		t.Fatalf("add described = %d\n%s%s", code, out, errOut)
	}
	code, out, _ = serversCmd(env, "", "list")
	if code != 0 || !strings.Contains(out, "gpu-box  a Slate render server       animatic  http://gpu-box:8080         kept") ||
		!strings.Contains(out, "hosted   a /v1/videos video service  wan-2.2   https://videos.example.com  none") {
		t.Errorf("list = %d\n%s", code, out)
	}
	code, out, errOut = serversCmd(env, "", "test", "gpu-box")
	if code != 0 || !strings.Contains(out, "gpu-box answers.") || keys[len(keys)-1] != "sk-123" {
		t.Errorf("test = %d %q %q, keys %q", code, out, errOut, keys)
	}
	code, _, errOut = serversCmd(env, "", "test", "nobody")
	if code != 1 || !strings.Contains(errOut, `no render server is called "nobody" (slate servers list shows them)`) {
		t.Errorf("test nobody = %d %q", code, errOut)
	}
	code, out, _ = serversCmd(env, "", "remove", "gpu-box")
	if code != 0 || !strings.Contains(out, "Removed gpu-box") {
		t.Errorf("remove = %d %q", code, out)
	}
	if _, out, _ = serversCmd(env, "", "list"); strings.Contains(out, "gpu-box") {
		t.Errorf("list after remove still shows gpu-box:\n%s", out)
	}
}

func TestServersBadArguments(t *testing.T) {
	var keys []string
	env := serversHome(t, nil, &keys)
	for _, c := range []struct {
		args []string
		want string
	}{
		{nil, "say what to do: add, list, test or remove"},
		{[]string{"frob"}, `unknown command "frob"`},
		{[]string{"test"}, "give the render server's name"},
		{[]string{"add", "gpu-box"}, "give a name and an address"},
		{[]string{"add", "gpu-box", "http://x", "--api-key-stdin"}, "no API key on standard input"},
		{[]string{"add", "gpu-box", "http://x", "--sizes", "1280x720"}, "give its models, sizes and clip lengths together"},
		{[]string{"add", "x", "http://x", "--models", "m", "--sizes", "big", "--seconds", "4"}, `"big" is not a frame size`},
		{[]string{"add", "x", "http://x", "--models", "m", "--sizes", "1280x720", "--seconds", "four"}, `"four" is not a clip length`},
	} {
		code, _, errOut := serversCmd(env, "", c.args...)
		if code != 2 || !strings.Contains(errOut, c.want) {
			t.Errorf("slate servers %q = %d %q, want 2 saying %q", c.args, code, errOut, c.want)
		}
	}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"add", "GPU box", "http://x"}, "cannot name a render server"},
		{[]string{"add", "gpu-box", "gpu-box:8080"}, "is not a server address"},
		{[]string{"add", "gpu-box", "http://gpu-box:8080"}, "check the address and the API key"},
	} {
		code, _, errOut := serversCmd(env, "", c.args...)
		if code != 1 || !strings.Contains(errOut, c.want) {
			t.Errorf("slate servers %q = %d %q, want 1 saying %q", c.args, code, errOut, c.want)
		}
	}
}

// slate render and the studio register a backend for each model of each
// kept server.
func TestRegisterServers(t *testing.T) {
	var keys []string
	env := serversHome(t, map[string]remote.Info{"http://gpu-box:8080": {Kind: remote.KindSlate, Models: []account.VideoModel{{ID: "animatic"}, {ID: "onnx"}}}}, &keys)
	if code, _, errOut := serversCmd(env, "", "add", "gpu-box", "http://gpu-box:8080"); code != 0 {
		t.Fatal(errOut)
	}
	home, _ := env.dataDir()
	lib, err := library.Open(t.Context(), home, library.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer lib.Close()
	reg := render.NewRegistry()
	names, err := RegisterServers(t.Context(), reg, lib, media.Tools{})
	if err != nil || strings.Join(names, " ") != "remote:gpu-box/animatic remote:gpu-box/onnx" || strings.Join(reg.Names(), " ") != "remote:gpu-box/animatic remote:gpu-box/onnx" {
		t.Errorf("RegisterServers = %q, %v; registry %q", names, err, reg.Names())
	}
}
