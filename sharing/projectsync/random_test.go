package projectsync_test

import (
	"context"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/slatestudio/slate/timeline"
)

var seedFlag = flag.Uint64("seed", 0, "run TestRandomSync with this seed only (also SLATE_SYNC_SEED)")

// TestRandomSync is a seeded randomized sync test in the spirit of
// Dropbox's: three devices of one account make projects, edit them,
// render clips, delete, and drop off the network and come back, in a
// random order; at the end, all online and synced, every device holds
// the same projects and clips, and the last value written to each shot's
// prompt is still in some project (kept, or in a conflict copy) unless a
// deletion came after it. A failing seed says how to run it again. Plain
// go test runs 2 seeds of 40 steps on up to 2 projects (so that
// devices meet in them); SLATE_LONG=1 runs 5 seeds of 300 on up to 5.
func TestRandomSync(t *testing.T) {
	seeds, steps, projects := []uint64{1, 2}, 40, 2
	if os.Getenv("SLATE_LONG") != "" {
		seeds, steps, projects = []uint64{1, 2, 3, 4, 5}, 300, 5
	}
	if v := os.Getenv("SLATE_SYNC_SEED"); v != "" {
		n, err := strconv.ParseUint(v, 10, 64)
		if err != nil {
			t.Fatalf("SLATE_SYNC_SEED=%q: give a number", v)
		}
		*seedFlag = n
	}
	if *seedFlag != 0 {
		seeds = []uint64{*seedFlag}
	}
	for _, seed := range seeds {
		t.Run(fmt.Sprint("seed=", seed), func(t *testing.T) {
			defer func() {
				if t.Failed() {
					t.Logf("run this seed again: go test ./sharing/projectsync -run 'TestRandomSync' -seed %d (or SLATE_SYNC_SEED=%d)", seed, seed)
				}
			}()
			randomSync(t, seed, steps, projects)
		})
	}
}

// written is the last prompt written to a shot, and when.
type written struct {
	value string
	step  int
}

func randomSync(t *testing.T, seed uint64, steps, projects int) {
	ctx := context.Background()
	r := rand.New(rand.NewPCG(seed, seed*7919))
	s := startServer(t)
	ds := []*device{newDevice(t, "laptop"), newDevice(t, "desktop"), newDevice(t, "gpu box")}
	logIn(t, s, "olive", ds...)

	// One project every device starts from, so that they meet in it.
	ds[0].project(t, "The Kite", 3)
	settle(t, ds...)

	last := map[string]written{} // "project/shot" → the last prompt written
	deleted := map[string]int{}  // project or "project/shot" → the step of its last deletion
	logf := func(format string, args ...any) {
		if testing.Verbose() {
			t.Logf(format, args...)
		}
	}
	for step := 1; step <= steps; step++ {
		d := ds[r.IntN(len(ds))]
		infos, err := d.lib.Projects(ctx)
		if err != nil {
			t.Fatal(err)
		}
		pick := func() (string, *timeline.Project) {
			if len(infos) == 0 {
				return "", nil
			}
			id := infos[r.IntN(len(infos))].ID
			return id, d.open(t, id).Project()
		}
		switch n := r.IntN(100); {
		case n < 8 && len(infos) < projects:
			doc := d.project(t, fmt.Sprintf("Film %d", step), 1+r.IntN(3))
			logf("%d %s: new project %s", step, d.name, doc.Project().ID)
		case n < 45:
			id, p := pick()
			if p == nil || len(p.Shots) == 0 {
				continue
			}
			sh := p.Shots[r.IntN(len(p.Shots))]
			v := fmt.Sprintf("prompt %d on %s", step, d.name)
			d.edit(t, id, timeline.SetPrompt(sh.ID, v))
			last[id+"/"+sh.ID] = written{v, step}
			logf("%d %s: %s/%s prompt %q", step, d.name, id, sh.ID, v)
		case n < 52:
			id, p := pick()
			if p == nil {
				continue
			}
			sh := timeline.NewShot(fmt.Sprintf("Shot of step %d", step))
			d.edit(t, id, timeline.AddShot(r.IntN(len(p.Shots)+1), sh))
			logf("%d %s: %s add shot %s", step, d.name, id, sh.ID)
		case n < 56:
			id, p := pick()
			if p == nil || len(p.Shots) < 2 {
				continue
			}
			sh := p.Shots[r.IntN(len(p.Shots))]
			d.edit(t, id, timeline.DeleteShots(sh.ID))
			deleted[id+"/"+sh.ID] = step
			logf("%d %s: %s delete shot %s", step, d.name, id, sh.ID)
		case n < 60:
			id, p := pick()
			if p == nil || len(p.Shots) < 2 {
				continue
			}
			d.edit(t, id, timeline.MoveShot(p.Shots[0].ID, len(p.Shots)-1))
		case n < 63:
			id, _ := pick()
			if id == "" {
				continue
			}
			d.edit(t, id, timeline.SetTitle(fmt.Sprintf("Film retitled at %d", step)))
		case n < 73:
			id, p := pick()
			if p == nil || len(p.Shots) == 0 {
				continue
			}
			d.clip(t, id, p.Shots[r.IntN(len(p.Shots))].ID, step, 1000+r.IntN(200_000))
			logf("%d %s: %s clip", step, d.name, id)
		case n < 75:
			id, _ := pick()
			if id == "" {
				continue
			}
			if err := d.lib.DeleteProject(ctx, id); err != nil {
				t.Fatal(err)
			}
			deleted[id] = step
			logf("%d %s: delete project %s", step, d.name, id)
		case n < 83:
			off := !d.net.off.Load()
			d.net.off.Store(off)
			logf("%d %s: offline %v", step, d.name, off)
		default:
			err := d.eng.SyncNow(ctx)
			if err != nil && !d.net.off.Load() {
				t.Fatalf("step %d: %s: SyncNow online: %v", step, d.name, err)
			}
			logf("%d %s: sync (%v)", step, d.name, err)
		}
		// Time moves on between steps, so that "later" is well defined.
		time.Sleep(2 * time.Millisecond)
	}
	for _, d := range ds {
		d.net.off.Store(false)
	}
	settle(t, ds...)
	settle(t, ds...)
	same(t, ds...)
	for _, d := range ds {
		st, err := d.eng.Status(ctx)
		if err != nil || st.Pending != 0 {
			t.Errorf("%s: Status() = %+v, %v; want nothing pending", d.name, st, err)
		}
	}

	copies := 0
	for _, d := range ds {
		copies += len(d.eng.Notices())
	}
	t.Logf("seed %d: %d steps, %d conflict copies made", seed, steps, copies)

	// Nothing acknowledged is lost: the last prompt of each shot is in
	// some project, unless its shot or project was deleted after it.
	final := ds[0]
	infos, _ := final.lib.Projects(ctx)
	var all []string
	for _, pi := range infos {
		for _, sh := range final.open(t, pi.ID).Project().Shots {
			all = append(all, sh.Prompt)
		}
	}
	text := "\x00" + strings.Join(all, "\x00") + "\x00"
	for key, w := range last {
		project, _, _ := strings.Cut(key, "/")
		if deleted[key] > w.step || deleted[project] > w.step {
			continue
		}
		if !strings.Contains(text, "\x00"+w.value+"\x00") {
			t.Errorf("the prompt %q (step %d, shot %s) is in no project on any device", w.value, w.step, key)
		}
	}
}
