package studio

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"

	"github.com/slatestudio/slate/account"
	"github.com/slatestudio/slate/account/client"
	"github.com/slatestudio/slate/sharing"
	"github.com/slatestudio/slate/studio/libraryui"
	"github.com/slatestudio/slate/studio/syncui"
	"github.com/slatestudio/slate/studio/uikit"
)

// SyncSource is sync between devices as the studio shows it and pauses
// it: package sharing/projectsync's Engine, which cmd/slate hands to
// SetSync.
type SyncSource = syncui.Source

// syncView is the studio's part of sync between devices: the status
// line's sync bar, the words on the timeline's cards, and what follows
// the source. Its fields are touched on the UI goroutine only.
type syncView struct {
	bar *syncui.Bar
	// follow reads the source; nil until SetSync.
	follow *syncui.Follower
	// start follows a source under the studio's context (New's).
	start func(SyncSource)
	// clipWords is what each shot's card says of its clip's sync, by
	// shot ID.
	clipWords map[string]string
	// notice is what the last notice of conflict copies said.
	notice string
	// src is the source followed, read off the UI goroutine too (the
	// Library's films, filmSync); nil until SetSync.
	src atomic.Pointer[SyncSource]
}

// SetSync shows src's sync between devices: each project's on its row in
// the Library, each clip's on its card, the whole studio's on the status
// line with Pause sync and Resume sync (and Account ▸ Pause sync), and a
// notice for each conflict copy made. Call it once, on the UI goroutine
// or before ShowAndRun.
func (s *Studio) SetSync(src SyncSource) { s.sync.start(src) }

// newSync makes the sync bar; the studio's ctx is what following a
// source runs under.
func (s *Studio) newSync(ctx context.Context) {
	s.sync.bar = syncui.NewBar(func(pause bool) { s.pauseSync(ctx, pause) })
	s.sync.start = func(src SyncSource) {
		if s.sync.follow != nil || src == nil {
			return
		}
		s.sync.src.Store(&src)
		s.sync.follow = syncui.Follow(ctx, syncui.Deps{
			Source: src, Runner: s.session, Library: s.deps.Library, Log: s.deps.Log,
			Show: s.showSync,
		})
		s.syncShots()
		s.refreshSyncMenu()
	}
}

// syncShots tells the follower the open project's shots, whose clips'
// sync the cards show.
func (s *Studio) syncShots() {
	if s.sync.follow == nil {
		return
	}
	p := s.Project()
	shots := make([]syncui.Shot, len(p.Shots))
	for i, sh := range p.Shots {
		shots[i] = syncui.Shot{ID: sh.ID, Key: s.session.KeyOf(i)}
	}
	s.sync.follow.SetShots(p.ID, shots)
}

// clipSync is what shot id's card says of its clip's sync.
func (s *Studio) clipSync(id string) string { return s.sync.clipWords[id] }

// filmSync is what the Library's list of films says of film sum's sync.
func (s *Studio) filmSync(ctx context.Context, sum string) string {
	src := s.sync.src.Load()
	if src == nil {
		return ""
	}
	return syncui.ClipWords((*src).Clip(ctx, sum))
}

// showSync puts what the follower read on screen.
func (s *Studio) showSync(v syncui.View) {
	if s.quitting {
		return
	}
	s.sync.bar.Show(v.Overall)
	marks := make(map[string]libraryui.SyncMark, len(v.Projects))
	for id, st := range v.Projects {
		text, warn := syncui.ProjectWords(st)
		marks[id] = libraryui.SyncMark{Text: text, Warn: warn}
	}
	s.library.SetSync(marks)
	s.sync.clipWords = make(map[string]string, len(v.Clips))
	for id, st := range v.Clips {
		s.sync.clipWords[id] = syncui.ClipWords(st)
	}
	s.timeline.ThumbnailReady()
	s.refreshSyncMenu()
	if len(v.Notices) > 0 {
		var lines []string
		for _, n := range v.Notices {
			lines = append(lines, syncui.NoticeText(n, v.CopyTitles[n.Copy]))
		}
		s.sync.notice = strings.Join(lines, "\n\n")
		s.deps.Log.Info("studio", "conflict copies", s.sync.notice)
		title := "A conflict copy was made"
		if len(v.Notices) > 1 {
			title = fmt.Sprintf("%d conflict copies were made", len(v.Notices))
		}
		uikit.ShowInformation(title, s.sync.notice, s.win)
	}
}

// pauseSync pauses sync between devices, or resumes it: the status line's
// button and Account ▸ Pause sync.
func (s *Studio) pauseSync(ctx context.Context, pause bool) {
	if s.sync.follow == nil {
		return
	}
	s.sync.follow.Pause(ctx, pause, func(err error) {
		what := "Sync was not resumed"
		if pause {
			what = "Sync was not paused"
		}
		s.problem(what, fmt.Sprintf("%v. Try again in a moment.", err))
	})
}

// refreshSyncMenu names Account ▸ Pause sync after what it would do, and
// disables it while there is no sync to pause.
func (s *Studio) refreshSyncMenu() {
	m := &s.menu
	if m.pauseSync == nil {
		return
	}
	m.pauseSync.Label, m.pauseSync.Disabled = "Pause sync", s.sync.follow == nil
	if s.sync.bar.Paused() {
		m.pauseSync.Label = "Resume sync"
	}
	if mm := s.win.MainMenu(); mm != nil {
		mm.Refresh()
	}
}

// showStorage opens Account ▸ Storage…: what the account's films use on
// the server.
func (s *Studio) showStorage(ctx context.Context) *syncui.StorageWindow {
	return syncui.ShowStorage(ctx, syncui.StorageDeps{
		App: s.app, Runner: s.session, Storage: s.storage, CloseWindow: s.closeWindow,
	})
}

// loggedInClient is how the storage window reaches the account server:
// sharing.Service's logged-in client, and its Ended for what the server
// says.
type loggedInClient interface {
	Client() (*client.Client, error)
	Ended(ctx context.Context, err error)
}

// storage reads what the account uses on the server.
func (s *Studio) storage(ctx context.Context) (account.Storage, error) {
	svc, ok := s.deps.Sharing.(loggedInClient)
	if !ok {
		return account.Storage{}, syncui.ErrNotLoggedIn
	}
	c, err := svc.Client()
	if errors.Is(err, sharing.ErrNotLoggedIn) {
		return account.Storage{}, fmt.Errorf("%w: %w", syncui.ErrNotLoggedIn, err)
	} else if err != nil {
		return account.Storage{}, err
	}
	st, err := c.Storage(ctx)
	svc.Ended(ctx, err)
	return st, err
}
