package cli

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/slatestudio/slate/consent"
	"github.com/slatestudio/slate/library"
	"github.com/slatestudio/slate/render"
	"github.com/slatestudio/slate/render/rendertest"
	"github.com/slatestudio/slate/sharing"
	"github.com/slatestudio/slate/timeline"
)

// consentEnv is testRenderEnv with the demo's Mara made someone else's
// member in its library, and one-second shots.
func consentEnv(t *testing.T) (renderEnv, string) {
	t.Helper()
	env := testRenderEnv(t)
	dir, _ := env.dataDir()
	lib, err := library.Open(t.Context(), dir, library.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer lib.Close()
	m := &library.CastMember{ID: "mara", Name: "Mara", Handle: "@mara", Owner: "acct-mara", OwnerName: "mara", Consent: consent.Everyone}
	if err := lib.PutRemoteMember(context.Background(), m); err != nil {
		t.Fatal(err)
	}
	project := smallProject(t, func(p *timeline.Project) {
		for _, sh := range p.Shots {
			sh.Duration, sh.Cues = time.Second, nil
			for j := range sh.Lines {
				sh.Lines[j].Text, sh.Lines[j].Start = "Hello.", 100*time.Millisecond
			}
		}
	})
	return env, project
}

// Without consent (nobody logged in), a film featuring Mara is refused
// before anything is rendered, and no file is written; a film of shots
// she is not in is made as before.
func TestRenderNeedsConsent(t *testing.T) {
	env, project := consentEnv(t)
	dir := t.TempDir()
	out := filepath.Join(dir, "film.mp4")
	code, stdout, stderr := renderArgsRun(context.Background(), env, project, "-o", out, "--shots", "1-2")
	want := "slate render: needs consent from @mara: log in to the account server to ask for it\n"
	if code != 1 || stdout != "" || stderr != want {
		t.Errorf("slate render of shots 1-2: exit %d, stdout %q, stderr\n%q\nwant exit 1 and\n%q", code, stdout, stderr, want)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("a refused render left %v", entries)
	}
	if code, _, stderr := renderArgsRun(context.Background(), env, "--quiet", project, "-o", out, "--shots", "1"); code != 0 {
		t.Errorf("slate render of shot 1, which does not feature Mara: exit %d\n%s", code, stderr)
	}
}

// With consent the film is written and its use recorded by its sha256.
func TestRenderUnderConsent(t *testing.T) {
	env, project := consentEnv(t)
	c := &rendertest.Consent{}
	env.consent = func(context.Context, *library.Library) usesConsent { return offlineUses{c} }
	out := filepath.Join(t.TempDir(), "film.mp4")
	code, _, stderr := renderArgsRun(context.Background(), env, "--quiet", project, "-o", out, "--shots", "2")
	if code != 0 {
		t.Fatalf("slate render: exit %d\n%s", code, stderr)
	}
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(data)
	p, err := library.ReadFile(project)
	if err != nil {
		t.Fatal(err)
	}
	var final []render.Made
	for _, u := range c.Uses() {
		if u.Made.Scope == consent.Final {
			final = append(final, u.Made)
		}
	}
	// A .slate file carries no ID: the grant names the file's project.
	want := render.Made{ProjectID: fileProjectID(project), ProjectTitle: p.Title, Scope: consent.Final, SHA256: hex.EncodeToString(sum[:]), Path: out}
	if len(final) != 1 || final[0] != want {
		t.Errorf("final uses = %+v, want one: %+v", final, want)
	}
	if uses := c.Uses(); len(uses) != 2 {
		t.Errorf("%d uses recorded, want 2: shot 2's clip and the film", len(uses))
	}
}

// offlineUses is a fake consent with nothing to register with a server:
// the uses c records stay with it.
type offlineUses struct{ *rendertest.Consent }

func (offlineUses) Outbox(context.Context) (int, error)          { return 0, nil }
func (offlineUses) Sync(context.Context) (sharing.Report, error) { return sharing.Report{}, nil }
