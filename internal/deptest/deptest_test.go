package deptest

import (
	"bytes"
	"encoding/json"
	"io"
	"os/exec"
	"path"
	"slices"
	"strings"
	"testing"
)

const module = "github.com/slatestudio/slate"

type pkg struct {
	ImportPath string
	Name       string
	Dir        string
	GoFiles    []string
	CgoFiles   []string
	Imports    []string
	Deps       []string
	Standard   bool
}

// listPackages runs go list over the whole module.
func listPackages(t *testing.T) []pkg {
	t.Helper()
	cmd := exec.Command("go", "list", "-json", module+"/...")
	cmd.Dir = "../.."
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	var pkgs []pkg
	dec := json.NewDecoder(bytes.NewReader(out))
	for {
		var p pkg
		if err := dec.Decode(&p); err == io.EOF {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		pkgs = append(pkgs, p)
	}
	if len(pkgs) < 8 {
		t.Fatalf("go list found only %d packages", len(pkgs))
	}
	return pkgs
}

func rel(path string) string {
	return strings.TrimPrefix(strings.TrimPrefix(path, module), "/")
}

// under reports whether a module-relative package path is name or inside it.
func under(path, name string) bool {
	return path == name || strings.HasPrefix(path, name+"/")
}

// rule says which of the module's packages a package may import, and which
// outside packages it must not depend on, even indirectly.
type rule struct {
	pkg       string   // module-relative package (and its subpackages)
	may       []string // module-relative packages it may import
	forbidden []string // import path prefixes it must not depend on
	// alone: the rule holds for pkg itself, not for the packages under it.
	alone bool
	// stdOnly: besides may, pkg imports the standard library alone.
	stdOnly bool
}

var gui = []string{"fyne.io/"}

// fyneApp is the package that starts a real Fyne app (a window on a
// display). Written from its parts: this file names it, never imports it.
var fyneApp = path.Join("fyne.io/fyne/v2", "app")

var rules = []rule{
	{pkg: "timeline", may: []string{"internal/jsonpos"}, forbidden: append([]string{"os/exec", "database/sql"}, gui...)},
	{pkg: "consent", may: nil, forbidden: append([]string{"os/exec", "database/sql"}, gui...)},
	{pkg: "media", alone: true, may: []string{"media/audio", "internal/atomicfile", "internal/diskfull", "internal/tempfile", "internal/userfile"}, forbidden: gui},
	// The sound samples are plumbing-like: pure Go that runs no programs
	// and knows nothing of media (which imports it), render or the studio.
	{pkg: "media/audio", may: []string{"internal/atomicfile", "internal/diskfull"}, forbidden: append([]string{"os/exec", module + "/render", module + "/studio"}, gui...)},
	{pkg: "library", may: []string{"timeline", "consent", "internal/atomicfile", "internal/clock", "internal/filehash", "internal/sqlitedb", "internal/tempfile", "internal/userfile"}, forbidden: gui},
	{pkg: "render", may: []string{"render", "account", "timeline", "library", "media", "consent", "ml", "voices", "internal/atomicfile", "internal/clock", "internal/filehash", "internal/tempfile", "internal/userfile"}, forbidden: gui},
	{pkg: "capture", may: []string{"capture", "media", "ml", "library", "timeline", "consent", "internal/atomicfile", "internal/miniaudio", "internal/clock"}, forbidden: gui},
	{pkg: "capture/vad", may: []string{"ml", "media"}, forbidden: gui},
	{pkg: "capture/face", may: nil, forbidden: append([]string{"os/exec"}, gui...)},
	{pkg: "capture/liveness", may: []string{"capture", "media", "ml"}, forbidden: gui},
	{pkg: "ml", may: []string{"ml", "internal/atomicfile", "internal/jsonpos", "internal/userfile"}, forbidden: gui},
	// Model packs are files and manifests: no studio, no render.
	{pkg: "ml/pack", may: []string{"ml", "internal/atomicfile", "internal/jsonpos", "internal/userfile"}, forbidden: append([]string{"os/exec"}, gui...)},
	// Test models are built from the standard library alone, so any test
	// may use them, ml's own included.
	{pkg: "ml/mltest", may: nil, forbidden: gui},
	// The on-device backend runs models through ml and writes clips
	// through media, like every backend; it does not reach into the
	// library itself (render does, for jobs and clips).
	{pkg: "render/onnx", may: []string{"render", "timeline", "media", "ml"}, forbidden: gui},
	// The remote backend speaks the /v1/videos wire (account's model
	// listing) to a render service, and conforms what it gets with media.
	// render itself may use the wire's vocabulary for the same reason.
	{pkg: "render/remote", may: []string{"render", "timeline", "media", "consent", "account", "internal/clock"}, forbidden: append([]string{module + "/account/server"}, gui...)},
	// The render worker is slate-server's side of rendering: the server's
	// jobs (account.RenderJob) run on the studio's backends; it and the
	// server meet in cmd/slate-server, neither importing the other.
	{pkg: "render/worker", may: []string{"render", "render/animatic", "render/onnx", "timeline", "media", "ml", "voices", "account", "internal/clock", "internal/tempfile"}, forbidden: append([]string{module + "/account/server", module + "/account/client", module + "/sharing"}, gui...)},
	// voices speaks lines: Piper voices on ml, phonemes and espeak-ng through media.
	{pkg: "voices", may: []string{"media", "ml", "internal/atomicfile", "internal/jsonpos", "internal/userfile"}, forbidden: append([]string{"database/sql"}, gui...)},
	{pkg: "playback", may: []string{"internal/miniaudio"}, forbidden: gui},
	// The wire vocabulary is pure: shared by the server and its client, it
	// stores, runs and serves nothing, and needs nothing but the standard
	// library, consent's types (the rules, themselves pure) and plumbing
	// that does no I/O (where in a body a JSON error lies).
	{pkg: "account", alone: true, stdOnly: true, may: []string{"consent", "internal/jsonpos"}, forbidden: append([]string{"os/exec", "database/sql"}, gui...)},
	// The server never imports the studio's packages, nor its own client.
	{pkg: "account/server", may: []string{"account", "account/server", "consent", "timeline", "internal/atomicfile", "internal/clock", "internal/filehash", "internal/sqlitedb"}, forbidden: append(studioSide, gui...)},
	// The client is what the studio links: no database, no server code.
	{pkg: "account/client", may: []string{"account", "consent", "internal/atomicfile", "internal/clock"}, forbidden: append([]string{"database/sql", "github.com/mattn/go-sqlite3", module + "/account/server", module + "/library"}, gui...)},
	// The real server, started for other packages' tests.
	{pkg: "account/accounttest", may: []string{"account/server", "account/client"}, forbidden: gui},
	// sharing is the studio's glue to the account server: it reaches the
	// server only through account/client, never the server's own code.
	{pkg: "sharing", may: []string{"account", "account/client", "consent", "library", "render", "sharing", "timeline", "internal/clock", "internal/filehash"}, forbidden: append([]string{module + "/account/server"}, gui...)},
	// The render servers a studio keeps: the library's table, keys in
	// account/client's store (the keyring), backends from render/remote.
	{pkg: "servers", may: []string{"account", "account/client", "library", "render", "timeline"}, forbidden: append([]string{module + "/account/server"}, gui...)},
	// The slate command's subcommands run the domain and render packages
	// from a terminal; the studio window is passed in by cmd/slate, so the
	// CLI links no Fyne at all.
	{pkg: "internal/cli", may: []string{"account", "capture", "consent", "library", "media", "ml", "render", "servers", "sharing", "timeline", "voices", "internal/cli/synccmd", "internal/clock", "internal/termbar"}, forbidden: append([]string{module + "/studio", module + "/account/server"}, gui...)},
	// The server's command turns flags into account/server's Config. It
	// links library only through render, which its render workers'
	// backends are built on; it imports neither itself.
	{pkg: "cmd/slate-server", may: []string{"account/server", "render/worker"}, forbidden: append([]string{module + "/account/client"}, gui...)},
	// The studio's rooms. The session is the state they share, without a
	// window: no Fyne, even indirectly.
	{pkg: "studio/session", may: []string{"library", "render", "timeline"}, forbidden: gui},
	// Each room is given what it uses; none imports the shell (studio) or
	// another room.
	{pkg: "studio/storyboard", may: []string{"studio/session", "studio/uikit", "studio/look", "studio/filepick", "library", "render", "timeline", "internal/clock"}},
	{pkg: "studio/player", may: []string{"studio/session", "studio/uikit", "library", "media", "render", "timeline", "internal/clock"}},
	{pkg: "studio/castui", may: []string{"studio/session", "studio/uikit", "studio/look", "studio/filepick", "capture", "consent", "library", "media", "timeline", "voices", "internal/clock", "internal/userfile"}},
	{pkg: "studio/accountui", may: []string{"studio/session", "studio/uikit", "account", "account/client", "consent", "library", "sharing", "timeline", "internal/clock"}},
	{pkg: "studio/libraryui", may: []string{"studio/session", "studio/uikit", "studio/look", "studio/filepick", "library", "media", "render", "timeline", "internal/atomicfile", "internal/clock"}},
	{pkg: "studio/modelsui", may: []string{"studio/session", "studio/uikit", "studio/look", "studio/filepick", "ml/pack", "voices"}},
	{pkg: "studio/serversui", may: []string{"studio/session", "studio/uikit", "servers"}},
	// Sync between devices as the studio shows it: the words, the status
	// line's bar, the storage window; the engine only through its Source.
	{pkg: "studio/syncui", may: []string{"studio/session", "studio/uikit", "account", "library", "sharing/projectsync"}},
	{pkg: "studio/filepick", may: []string{"internal/userfile"}},
	// The widgets Fyne lacks (tooltips, Enter and Esc in dialogs) import
	// nothing of Slate's.
	{pkg: "studio/uikit", may: []string{}},
	// The studio's theme, which the shell installs and the rooms' progress
	// bars are drawn in: Fyne only.
	{pkg: "studio/look", may: []string{}},
	// The tests' builder makes what a studio works with, not the studio.
	{pkg: "studio/studiotest", may: []string{"studio/session", "studio/uikit", "examples", "library", "media", "render", "timeline", "internal/clock"}},
}

// studioSide is what the account server must never depend on: the studio
// and everything it is built of, and the studio's way to the server.
var studioSide = []string{
	module + "/studio", module + "/capture", module + "/render", module + "/playback",
	module + "/library", module + "/sharing", module + "/media", module + "/account/client",
}

// fyneUsers are the packages that may use Fyne, besides the binaries
// (cmd/...): the studio's shell and its rooms, and the builder of their
// tests. The session is not one of them.
var fyneUsers = []string{"studio", "studio/storyboard", "studio/player", "studio/castui", "studio/accountui", "studio/libraryui", "studio/modelsui", "studio/serversui", "studio/syncui", "studio/filepick", "studio/uikit", "studio/look", "studio/studiotest"}

// serverImporters may import the server package itself; everyone else,
// the studio above all, reaches the server through account/client.
var serverImporters = []string{"account/server", "account/accounttest", "cmd/slate-server", "bench"}

// violations lists every way pkgs break the rules.
func violations(pkgs []pkg) []string {
	var out []string
	for _, p := range pkgs {
		path := rel(p.ImportPath)
		if under(path, "internal/deptest") {
			continue
		}
		for _, r := range rules {
			if !under(path, r.pkg) || r.alone && path != r.pkg {
				continue
			}
			for _, imp := range p.Imports {
				if !strings.HasPrefix(imp, module+"/") {
					// The standard library's paths have no dot in their
					// first element.
					if first, _, _ := strings.Cut(imp, "/"); r.stdOnly && strings.Contains(first, ".") {
						out = append(out, path+" imports "+imp+"; DESIGN.md allows "+r.pkg+" only the standard library and "+strings.Join(r.may, ", "))
					}
					continue
				}
				ip, ok := rel(imp), false
				for _, m := range r.may {
					ok = ok || under(ip, m)
				}
				if !ok {
					out = append(out, path+" imports "+ip+"; DESIGN.md allows "+r.pkg+" only "+strings.Join(r.may, ", "))
				}
			}
			for _, d := range p.Deps {
				for _, f := range r.forbidden {
					if strings.HasPrefix(d, f) {
						out = append(out, path+" depends on "+d+", which DESIGN.md forbids")
					}
				}
			}
		}
		// Only the studio's shell and rooms and the binaries touch Fyne,
		// and only the binaries start a real Fyne app (so GUI tests run
		// headless).
		for _, d := range p.Deps {
			if strings.HasPrefix(d, "fyne.io/") && !slices.Contains(fyneUsers, path) && !under(path, "cmd") {
				out = append(out, path+" depends on Fyne ("+d+"); only the studio's shell and rooms, and cmd, may")
				break
			}
		}
		for _, imp := range p.Imports {
			if imp == module+"/account/server" && !slices.ContainsFunc(serverImporters, func(n string) bool { return under(path, n) }) {
				out = append(out, path+" imports the account server; the studio reaches it only through account/client")
			}
			// cmd/fyne-baseline is the bare Fyne window the start-up
			// benchmark measures the studio against.
			if imp == fyneApp && !under(path, "cmd") {
				out = append(out, path+" imports "+fyneApp+"; only the binaries in cmd may")
			}
		}
	}
	return out
}

func TestDependencyRules(t *testing.T) {
	for _, v := range violations(listPackages(t)) {
		t.Error(v)
	}
}

// The rules must bite: packages with forbidden imports are caught.
func TestRulesCatchViolations(t *testing.T) {
	bad := []pkg{
		{ImportPath: module + "/timeline", Imports: []string{module + "/library"}},
		{ImportPath: module + "/media", Deps: []string{"fyne.io/fyne/v2"}},
		{ImportPath: module + "/media/audio", Imports: []string{module + "/media"}, Deps: []string{module + "/media", "os/exec"}},
		{ImportPath: module + "/render", Imports: []string{fyneApp}},
		{ImportPath: module + "/account", Imports: []string{module + "/library"}},
		{ImportPath: module + "/account", Imports: []string{"github.com/mattn/go-sqlite3"}},
		{ImportPath: module + "/account", Imports: []string{"encoding/json", module + "/consent"}},
		{ImportPath: module + "/library", Imports: []string{module + "/timeline"}},
		{ImportPath: module + "/studio", Imports: []string{module + "/account/server"}},
		{ImportPath: module + "/studio", Imports: []string{module + "/account"}},
		{ImportPath: module + "/account/server", Deps: []string{module + "/account/client"}},
		{ImportPath: module + "/account/server", Deps: []string{module + "/capture"}},
		{ImportPath: module + "/account/server/confusable", Deps: []string{module + "/studio"}},
		{ImportPath: module + "/account/server", Imports: []string{module + "/account", module + "/internal/sqlitedb"}},
		{ImportPath: module + "/account/client", Deps: []string{module + "/account/server"}},
		{ImportPath: module + "/account/client", Deps: []string{"github.com/mattn/go-sqlite3"}},
		{ImportPath: module + "/cmd/slate-server", Imports: []string{module + "/account/client"}, Deps: []string{module + "/account/client"}},
		{ImportPath: module + "/internal/cli", Deps: []string{"fyne.io/fyne/v2"}},
		{ImportPath: module + "/studio/session", Deps: []string{"fyne.io/fyne/v2"}},
		{ImportPath: module + "/studio/storyboard", Imports: []string{module + "/studio", fyneApp}},
		{ImportPath: module + "/studio/player", Imports: []string{module + "/studio/storyboard"}},
		{ImportPath: module + "/studio/newroom", Deps: []string{"fyne.io/fyne/v2"}},
		{ImportPath: module + "/studio/accountui", Imports: []string{module + "/studio", module + "/studio/castui", fyneApp}},
		{ImportPath: module + "/studio/libraryui", Imports: []string{module + "/studio/accountui", module + "/sharing"}},
	}
	want := []string{
		"timeline imports library",
		"media depends on fyne.io/fyne/v2, which",
		"media depends on Fyne",
		"media/audio imports media; DESIGN.md allows media/audio only",
		"media/audio depends on os/exec",
		"render imports fyne.io/fyne/v2/app",
		"account imports library",
		"account imports github.com/mattn/go-sqlite3; DESIGN.md allows account only the standard library",
		"studio imports the account server",
		"account/server depends on github.com/slatestudio/slate/account/client",
		"account/server depends on github.com/slatestudio/slate/capture",
		"account/server/confusable depends on github.com/slatestudio/slate/studio",
		"account/client depends on github.com/slatestudio/slate/account/server",
		"account/client depends on github.com/mattn/go-sqlite3",
		"cmd/slate-server imports account/client",
		"cmd/slate-server depends on github.com/slatestudio/slate/account/client",
		"internal/cli depends on fyne.io/fyne/v2, which",
		"internal/cli depends on Fyne",
		"studio/session depends on fyne.io/fyne/v2, which",
		"studio/session depends on Fyne",
		"studio/storyboard imports studio;",
		"studio/storyboard imports fyne.io/fyne/v2/app",
		"studio/player imports studio/storyboard",
		"studio/newroom depends on Fyne",
		"studio/accountui imports studio;",
		"studio/accountui imports studio/castui",
		"studio/accountui imports fyne.io/fyne/v2/app",
		"studio/libraryui imports studio/accountui",
		"studio/libraryui imports sharing",
	}
	v := violations(bad)
	if len(v) != len(want) {
		t.Errorf("violations = %q; want %d", v, len(want))
	}
	for _, w := range want {
		if !slices.ContainsFunc(v, func(s string) bool { return strings.HasPrefix(s, w) }) {
			t.Errorf("no violation says %q; got %q", w, v)
		}
	}
}
