// Package synccmd is the slate command's "sync" and "projects": where
// sync between an account's devices stands, pausing and resuming it, one
// pass now with a progress bar, and a project's revisions on the server
// (pull one now, list them, restore one). It runs the sync engine
// (sharing/projectsync) without the studio.
package synccmd

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/slatestudio/slate/account"
	"github.com/slatestudio/slate/internal/termbar"
	"github.com/slatestudio/slate/library"
	"github.com/slatestudio/slate/sharing"
	"github.com/slatestudio/slate/sharing/projectsync"
)

// Env is what "slate sync" and "slate projects" take from outside.
type Env struct {
	DataDir func() (string, error)
	// Open makes the sharing service for a library with o; tests give it
	// their own token store.
	Open func(lib *library.Library, o sharing.Options) *sharing.Service
	// IsTTY: progress bars are drawn in place.
	IsTTY bool
}

// DefaultEnv is the data folder of SLATE_HOME (or the default) and the
// session store beside it.
func DefaultEnv() Env {
	return Env{DataDir: library.DefaultDir, Open: sharing.New}
}

// openEngine opens the library, the session of the last log-in and the
// sync engine over them.
func openEngine(ctx context.Context, env Env) (*library.Library, *sharing.Service, *projectsync.Engine, error) {
	dir, err := env.DataDir()
	if err != nil {
		return nil, nil, nil, err
	}
	lib, err := library.Open(ctx, dir, library.Options{})
	if err != nil {
		return nil, nil, nil, err
	}
	var eng *projectsync.Engine
	svc := env.Open(lib, sharing.Options{OnChange: func(ctx context.Context, ch account.Change) error { return eng.OnChange(ctx, ch) }})
	if _, _, err := svc.Restore(ctx); err != nil {
		lib.Close()
		return nil, nil, nil, err
	}
	eng = projectsync.New(projectsync.Options{Library: lib, Sharing: svc})
	return lib, svc, eng, nil
}

// syncWords says where sync stands, in plain words.
func syncWords(st projectsync.Status) string {
	var s string
	switch st.State {
	case projectsync.Off:
		return "off: not logged in to an account server (slate account login)"
	case projectsync.Synced:
		return "synced"
	case projectsync.Uploading:
		s = "uploading"
	case projectsync.Downloading:
		s = "downloading"
	case projectsync.Waiting:
		s = "waiting for the network"
		if st.Err != "" {
			s = "waiting: " + st.Err
		}
	case projectsync.Paused:
		s = "paused (slate sync resume starts it again)"
	case projectsync.Conflict:
		return fmt.Sprintf("conflict: the other version was kept as %q", st.Conflict)
	case projectsync.Failed:
		s = "not synced: " + st.Err
	default:
		s = string(st.State)
	}
	if st.Total > 0 && (st.State == projectsync.Uploading || st.State == projectsync.Downloading) {
		s += fmt.Sprintf(" %d %%", st.Percent())
	}
	if st.Pending > 0 && st.State != projectsync.Failed {
		s += fmt.Sprintf(" (%d to go)", st.Pending)
	}
	return s
}

// Sync runs "slate sync status|pause|resume|now" and returns the exit
// status.
func Sync(ctx context.Context, args []string, stdout, stderr io.Writer, env Env) int {
	if len(args) != 1 {
		fmt.Fprint(stderr, "slate sync: say what to do: status, pause, resume or now\n")
		return 2
	}
	cmd := args[0]
	switch cmd {
	case "status", "pause", "resume", "now":
	default:
		fmt.Fprintf(stderr, "slate sync: unknown command %q; use status, pause, resume or now\n", cmd)
		return 2
	}
	lib, _, eng, err := openEngine(ctx, env)
	if err != nil {
		fmt.Fprintf(stderr, "slate sync %s: %v\n", cmd, err)
		return 1
	}
	defer lib.Close()
	switch cmd {
	case "pause":
		err = eng.Pause(ctx)
		if err == nil {
			fmt.Fprintln(stdout, "Sync paused: nothing is sent or fetched until you resume it (slate sync resume).")
		}
	case "resume":
		err = eng.Resume(ctx)
		if err == nil {
			fmt.Fprintln(stdout, "Sync resumed: changes go out the next time the studio or slate sync now runs.")
		}
	case "status":
		err = printSyncStatus(ctx, stdout, lib, eng)
	case "now":
		err = syncNow(ctx, stdout, eng, env.IsTTY)
		if err == nil {
			err = printSyncStatus(ctx, stdout, lib, eng)
		}
	}
	if err != nil {
		if ctx.Err() != nil {
			fmt.Fprintf(stderr, "slate sync %s: stopped; what was sent is kept, and the next sync goes on from there\n", cmd)
			return 1
		}
		fmt.Fprintf(stderr, "slate sync %s: %v\n", cmd, err)
		return 1
	}
	return 0
}

// printSyncStatus writes the overall status and each project's.
func printSyncStatus(ctx context.Context, w io.Writer, lib *library.Library, eng *projectsync.Engine) error {
	st, err := eng.Status(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "Sync: %s\n", syncWords(st))
	projects, err := eng.Projects(ctx)
	if err != nil {
		return err
	}
	infos, err := lib.Projects(ctx)
	if err != nil {
		return err
	}
	for _, pi := range infos {
		if ps, ok := projects[pi.ID]; ok {
			fmt.Fprintf(w, "  %s: %s\n", pi.Title, syncWords(ps))
		}
	}
	return nil
}

// syncNow makes one full pass, with a bar for the bytes on their way.
func syncNow(ctx context.Context, w io.Writer, eng *projectsync.Engine, isTTY bool) error {
	bars := termbar.New(w, isTTY, nil)
	done := make(chan struct{})
	go func() {
		t := time.NewTicker(200 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-eng.Changed():
			case <-t.C:
			}
			if st, err := eng.Status(ctx); err == nil && st.Total > 0 {
				bars.SetOverall(float64(st.Done)/float64(st.Total), string(st.State))
			}
		}
	}()
	err := eng.SyncNow(ctx)
	close(done)
	if err == nil {
		bars.SetOverall(1, "done")
	}
	bars.Done()
	return err
}

// Projects runs "slate projects pull|history|restore" and returns the
// exit status.
func Projects(ctx context.Context, args []string, stdout, stderr io.Writer, env Env) int {
	if len(args) < 2 {
		fmt.Fprint(stderr, "slate projects: say what to do and with which project: pull NAME, history NAME or restore NAME REV\n")
		return 2
	}
	cmd, name := args[0], args[1]
	var rev int64
	switch {
	case cmd == "restore" && len(args) == 3:
		n, err := strconv.ParseInt(args[2], 10, 64)
		if err != nil || n < 1 {
			fmt.Fprintf(stderr, "slate projects restore: %q is not a revision; give its number from slate projects history %q\n", args[2], name)
			return 2
		}
		rev = n
	case (cmd == "pull" || cmd == "history") && len(args) == 2:
	case cmd == "pull" || cmd == "history" || cmd == "restore":
		fmt.Fprintf(stderr, "slate projects %s: unexpected arguments; use pull NAME, history NAME or restore NAME REV\n", cmd)
		return 2
	default:
		fmt.Fprintf(stderr, "slate projects: unknown command %q; use pull, history or restore\n", cmd)
		return 2
	}
	lib, svc, eng, err := openEngine(ctx, env)
	if err != nil {
		fmt.Fprintf(stderr, "slate projects %s: %v\n", cmd, err)
		return 1
	}
	defer lib.Close()
	if err := projectsCommand(ctx, stdout, svc, eng, cmd, name, rev); err != nil {
		fmt.Fprintf(stderr, "slate projects %s: %v\n", cmd, err)
		return 1
	}
	return 0
}

func projectsCommand(ctx context.Context, w io.Writer, svc *sharing.Service, eng *projectsync.Engine, cmd, name string, rev int64) error {
	c, err := svc.Client()
	if err != nil {
		return err
	}
	latest, err := c.Projects(ctx)
	svc.Ended(ctx, err)
	if err != nil {
		return err
	}
	var p account.ProjectRevision
	var names []string
	for _, r := range latest {
		if r.Deleted {
			continue
		}
		names = append(names, strconv.Quote(r.Title))
		if r.Project == name || strings.EqualFold(r.Title, name) {
			p = r
		}
	}
	if p.Project == "" {
		if len(names) == 0 {
			return fmt.Errorf("no project called %q on the server; this account has no projects there yet", name)
		}
		return fmt.Errorf("no project called %q on the server; there are %s", name, strings.Join(names, ", "))
	}
	switch cmd {
	case "pull":
		if err := eng.Pull(ctx, p.Project); err != nil {
			return err
		}
		fmt.Fprintf(w, "%q is here, at revision %d, with its clips.\n", p.Title, p.Rev)
	case "history":
		revs, err := c.Revisions(ctx, p.Project)
		svc.Ended(ctx, err)
		if err != nil {
			return err
		}
		fmt.Fprintf(w, "Revisions of %q kept on the server, newest first:\n", p.Title)
		for _, r := range revs {
			what := r.Title
			if r.Deleted {
				what = "deleted"
			}
			fmt.Fprintf(w, "  %4d  %s  from %s  %s\n", r.Rev, r.At.Local().Format("2 Jan 2006 15:04"), r.Device, what)
		}
	case "restore":
		// What this device has not sent yet goes first, so the restore
		// comes after it and it stays in the history.
		if err := eng.SyncNow(ctx); err != nil {
			return err
		}
		old, err := c.Revision(ctx, p.Project, rev)
		svc.Ended(ctx, err)
		if err != nil {
			return fmt.Errorf("revision %d of %q: %w (slate projects history %q lists those kept)", rev, p.Title, err, p.Title)
		}
		if old.Deleted || len(old.Document) == 0 {
			return fmt.Errorf("revision %d of %q is its deletion; restore one before it", rev, p.Title)
		}
		cur, err := c.Project(ctx, p.Project)
		svc.Ended(ctx, err)
		if err != nil {
			return err
		}
		put, err := c.PutProject(ctx, p.Project, account.PutProject{BaseRev: cur.Rev, Title: old.Title, Document: old.Document})
		svc.Ended(ctx, err)
		if err != nil {
			return fmt.Errorf("restore %q: %w; try again", p.Title, err)
		}
		if err := eng.Pull(ctx, p.Project); err != nil && !errors.Is(err, context.Canceled) {
			return err
		}
		fmt.Fprintf(w, "%q is back as it was at revision %d, now revision %d on every device.\n", old.Title, rev, put.Rev)
	}
	return nil
}
