// Command consentdemo fills a running account server and a studio's data
// folder with the people, consent settings and uses that the consent
// dashboard's screenshot shows (scripts/screenshots.sh):
//
//	go run ./scripts/consentdemo -server http://127.0.0.1:18787 -ben DIR
//
// ana, logged in to the studio at $SLATE_HOME, owns @mara (everyone may
// feature her, with preferences) and @jon (people she approves; he may be
// sent to outside render services). ben, in a
// library of his own, asks to be approved for @jon, renders a draft with
// @mara and registers the use; his @tess is open to everyone, and ana
// renders a draft with her.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"strings"

	"github.com/slatestudio/slate/account/client"
	"github.com/slatestudio/slate/consent"
	"github.com/slatestudio/slate/library"
	"github.com/slatestudio/slate/render"
	"github.com/slatestudio/slate/sharing"
)

const password = "screenshot passphrase"

func main() {
	server := flag.String("server", "http://127.0.0.1:8787", "the account server")
	benDir := flag.String("ben", "", "a `folder` for the second person's library")
	flag.Parse()
	if err := run(context.Background(), *server, *benDir); err != nil {
		fmt.Fprintf(os.Stderr, "consentdemo: %v\n", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, server, benDir string) error {
	if benDir == "" {
		return fmt.Errorf("give -ben a folder")
	}
	anaDir, err := library.DefaultDir()
	if err != nil {
		return err
	}
	ana, err := library.Open(ctx, anaDir, library.Options{})
	if err != nil {
		return err
	}
	defer ana.Close()
	ben, err := library.Open(ctx, benDir, library.Options{})
	if err != nil {
		return err
	}
	defer ben.Close()
	// The names are the libraries' own, so the studio opened on ana's
	// folder afterwards goes by hers too.
	if _, err := ana.SetDeviceName(ctx, "ana's studio"); err != nil {
		return err
	}
	if _, err := ben.SetDeviceName(ctx, "ben's laptop"); err != nil {
		return err
	}
	anaSvc := sharing.New(ana, sharing.Options{})
	benSvc := sharing.New(ben, sharing.Options{Store: client.NewFileStore(benDir)})
	if _, err := anaSvc.SignUp(ctx, server, "ana", password); err != nil {
		return err
	}
	if _, err := benSvc.SignUp(ctx, server, "ben", password); err != nil {
		return err
	}

	tess := &library.CastMember{Name: "Tess Okafor", Handle: "@tess", Consent: consent.Everyone,
		Preferences: "Comedy only, please. No smoking, no weapons."}
	if err := ben.AddCastMember(ctx, tess); err != nil {
		return err
	}
	mara := &library.CastMember{Name: "Mara Quinn", Handle: "@mara", Consent: consent.Everyone,
		Preferences: "Never as a villain. Always in the red scarf."}
	jon := &library.CastMember{Name: "Jon Reyes", Handle: "@jon", Consent: consent.Approved,
		Preferences: "Speaks only in his own voice.", Outside: true}
	for _, m := range []*library.CastMember{mara, jon} {
		if err := ana.AddCastMember(ctx, m); err != nil {
			return err
		}
	}
	if _, err := anaSvc.Sync(ctx); err != nil {
		return err
	}
	if _, err := benSvc.Sync(ctx); err != nil {
		return err
	}

	// Ben asks to feature @jon, and renders a draft with @mara.
	jonThere, err := benSvc.Find(ctx, "@jon")
	if err != nil {
		return err
	}
	if err := benSvc.AskApproval(ctx, jonThere.ID, "For a short about a lighthouse keeper; two shots."); err != nil {
		return err
	}
	maraThere, err := benSvc.Find(ctx, "@mara")
	if err != nil {
		return err
	}
	if err := made(ctx, ben, benSvc, maraThere, "The Lighthouse", "a draft of shot 2 with Mara"); err != nil {
		return err
	}
	// Ana features @tess, whom everyone may.
	tessThere, err := anaSvc.Find(ctx, "@tess")
	if err != nil {
		return err
	}
	if err := made(ctx, ana, anaSvc, tessThere, "Harbour Lights", "a draft of shot 1 with Tess"); err != nil {
		return err
	}
	if _, err := anaSvc.Find(ctx, "@mara"); err == nil {
		return fmt.Errorf("@mara should be ana's own")
	}
	return nil
}

// made records a render of m under a grant, and registers its use.
func made(ctx context.Context, lib *library.Library, svc *sharing.Service, m library.CastMember, title, content string) error {
	need := render.Need{ProjectID: "lighthouse", ProjectTitle: title, ShotID: "shot-2", Scope: consent.Draft, Members: []library.CastMember{m}}
	grants, err := svc.Permit(ctx, need)
	if err != nil {
		return err
	}
	sum, _, err := lib.Blobs().Put(ctx, strings.NewReader(content))
	if err != nil {
		return err
	}
	if err := svc.Made(ctx, grants, render.Made{ProjectID: need.ProjectID, ProjectTitle: title, ShotID: need.ShotID, Scope: consent.Draft, SHA256: sum}); err != nil {
		return err
	}
	_, err = svc.Sync(ctx)
	return err
}
