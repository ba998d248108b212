package cli

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/slatestudio/slate/library"
	"github.com/slatestudio/slate/media"
	"github.com/slatestudio/slate/timeline"
)

// The crash tests run this test binary as the slate command itself, so
// that a kill stops a real render process and nothing of the test's:
// with SLATE_TEST_AS_SLATE=1 its arguments are slate's. With
// SLATE_TEST_WAIT=1 it first waits for a line on stdin, so that several
// can be let go at the same moment.
func TestMain(m *testing.M) {
	if os.Getenv("SLATE_TEST_AS_SLATE") == "1" {
		if os.Getenv("SLATE_TEST_WAIT") == "1" {
			bufio.NewReader(os.Stdin).ReadString('\n')
		}
		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
		code := Main(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr, nil)
		stop()
		os.Exit(code)
	}
	os.Exit(m.Run())
}

// slateCommand runs slate (this test binary as slate) with home as its
// data folder.
func slateCommand(home string, args ...string) *exec.Cmd {
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(os.Environ(), "SLATE_TEST_AS_SLATE=1", "SLATE_HOME="+home)
	return cmd
}

// tinyProject writes a project small enough to render many times over:
// three short shots at 320×180, the first two joined by a crossfade (so
// assembly composites frames) and the last two by a cut, each with a line
// of dialogue.
func tinyProject(t *testing.T) string {
	t.Helper()
	p := timeline.New("Crash course")
	p.Width, p.Height = 320, 180
	p.Cast = []timeline.CastRef{{ID: "ana", Name: "Ana"}}
	for i, line := range []string{"Look.", "Over there.", "Gone."} {
		s := timeline.NewShot(fmt.Sprintf("Shot %c", 'A'+i))
		s.ID = fmt.Sprintf("shot-%d", i+1)
		s.Prompt = fmt.Sprintf("a harbour at dusk, view %d", i+1)
		s.Duration = 1500 * time.Millisecond
		s.Camera.Move = timeline.Moves[i%len(timeline.Moves)]
		s.Lines = []timeline.Line{{Speaker: "ana", Text: line, Start: 200 * time.Millisecond}}
		s.Seed = int64(100 + i)
		p.Shots = append(p.Shots, s)
	}
	p.Shots[0].Transition = timeline.Transition{Kind: timeline.Crossfade, Duration: 500 * time.Millisecond}
	path := filepath.Join(t.TempDir(), "tiny.slate")
	if err := library.WriteFile(path, p); err != nil {
		t.Fatal(err)
	}
	return path
}

// filmHashes decodes a film and hashes what it shows and plays: ffmpeg's
// framemd5 of every picture and the md5 of the decoded sound. Two films
// with the same hashes look and sound the same, however they were muxed.
func filmHashes(t *testing.T, tools media.Tools, path string) string {
	t.Helper()
	var parts []string
	for _, args := range [][]string{
		{"-map", "0:v:0", "-f", "framemd5", "-"},
		{"-map", "0:a:0", "-f", "md5", "-"},
	} {
		cmd := exec.Command(tools.FFmpeg, append([]string{"-v", "error", "-nostdin", "-i", path}, args...)...)
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("decode %s: %v\n%s", path, err, stderr.String())
		}
		sum := sha256.Sum256(out)
		parts = append(parts, hex.EncodeToString(sum[:8]))
	}
	return "pictures " + parts[0] + ", sound " + parts[1]
}

// tempLeft lists what a finished render must not leave: anything in the
// output folder but the film and its two pictures, anything in the data
// folder's tmp/, and Slate's temporary names anywhere in the data folder.
func tempLeft(outDir, home string, films ...string) []string {
	var left []string
	entries, _ := os.ReadDir(outDir)
	for _, e := range entries {
		name := e.Name()
		ok := false
		for _, f := range films {
			base := strings.TrimSuffix(filepath.Base(f), ".mp4")
			ok = ok || name == base+".mp4" || name == base+".jpg" || name == base+"-sprite.jpg"
		}
		if !ok {
			left = append(left, filepath.Join(outDir, name))
		}
	}
	filepath.WalkDir(home, func(p string, d fs.DirEntry, err error) error {
		if err != nil || p == home {
			return nil
		}
		rel, _ := filepath.Rel(home, p)
		if strings.HasPrefix(rel, "tmp"+string(filepath.Separator)) || strings.HasPrefix(d.Name(), ".slate-tmp") || strings.HasPrefix(d.Name(), ".assemble") {
			left = append(left, p)
		}
		return nil
	})
	return left
}

// renderPhase follows a render's plain progress lines (--quiet) and says
// which part of the work it is in.
type renderPhase struct {
	mu          sync.Mutex
	shots, done map[string]bool
	total       string
	// assembling is closed when every one of the project's shots is
	// rendered and assembly begins.
	assembling chan struct{}
	nShots     int
}

// tinyShots is how many shots tinyProject has.
const tinyShots = 3

func newRenderPhase() *renderPhase {
	return &renderPhase{shots: map[string]bool{}, done: map[string]bool{}, assembling: make(chan struct{}), nShots: tinyShots}
}

func (r *renderPhase) line(l string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	label, state, ok := strings.Cut(l, " … ")
	if !ok {
		return
	}
	if label == "total" {
		r.total = state
		return
	}
	r.shots[label] = true
	if strings.HasPrefix(state, "done") && !r.done[label] {
		r.done[label] = true
		if len(r.done) == r.nShots {
			close(r.assembling)
		}
	}
}

func (r *renderPhase) String() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	switch {
	case r.total == "done":
		return "writing the film's pictures and loudness"
	case r.total == "assembling the film":
		return "joining the pictures"
	case len(r.done) == r.nShots:
		return "mixing the sound"
	case len(r.shots) > 0:
		return "rendering shots"
	}
	return "starting"
}

// startRender starts slate render with its progress followed by a
// renderPhase; exited yields Wait's result once the process is gone.
func startRender(t *testing.T, home, project, out string) (cmd *exec.Cmd, phase *renderPhase, exited chan error) {
	t.Helper()
	cmd = slateCommand(home, "render", project, "-o", out, "--quiet")
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	phase = newRenderPhase()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited = make(chan error, 1)
	go func() {
		lines := bufio.NewScanner(stderr)
		for lines.Scan() {
			phase.line(lines.Text())
		}
		exited <- cmd.Wait()
	}()
	return cmd, phase, exited
}

// timedRender runs a render to the end and says how long its shots took
// to render and the film to assemble.
func timedRender(t *testing.T, home, project, out string) (rendering, assembly time.Duration) {
	t.Helper()
	start := time.Now()
	_, phase, exited := startRender(t, home, project, out)
	select {
	case <-phase.assembling:
	case err := <-exited:
		t.Fatalf("slate render -o %s ended before assembling: %v", out, err)
	}
	rendering = time.Since(start)
	if err := <-exited; err != nil {
		t.Fatalf("slate render -o %s: %v", out, err)
	}
	return rendering, time.Since(start) - rendering
}

// renderOK runs a render to the end and fails the test unless it succeeds.
func renderOK(t *testing.T, home, project, out string) {
	t.Helper()
	cmd := slateCommand(home, "render", project, "-o", out, "--quiet")
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("slate render -o %s: %v\n%s", out, err, b)
	}
}

// crashKills is how many kills renderKilled lands: SLATE_CRASH_KILLS
// (make bench sets 100), else a few.
func crashKills(t *testing.T) int {
	if s := os.Getenv("SLATE_CRASH_KILLS"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 {
			t.Fatalf("SLATE_CRASH_KILLS=%q: want a number of kills", s)
		}
		return n
	}
	return 8
}

// TestRenderCrashes renders a small project once, cleanly, and then
// kills renders of it (killed) and starts several at once (at once),
// comparing every film they make with the clean one.
func TestRenderCrashes(t *testing.T) {
	tools := media.FindTools()
	requireDeps(t, tools.Check())
	project := tinyProject(t)
	work := t.TempDir()
	// A clean film to compare with, and how long rendering and assembly
	// take on this machine now, so that the kills spread over both.
	clean := filepath.Join(work, "clean.mp4")
	rendering, assembly := timedRender(t, filepath.Join(work, "clean-home"), project, clean)
	want := filmHashes(t, tools, clean)
	t.Run("killed", func(t *testing.T) { renderKilled(t, tools, project, rendering, assembly, want) })
	t.Run("at once", func(t *testing.T) { rendersAtOnce(t, tools, project, want) })
}

// renderKilled kills slate render with SIGKILL at random moments, half of
// them while it renders shots and half while it assembles the film. After
// each kill there is no partial film at the output path; the next render
// on the same data folder leaves no temporary file anywhere, and its film
// looks and sounds exactly like the clean one (want).
func renderKilled(t *testing.T, tools media.Tools, project string, rendering, assembly time.Duration, want string) {
	kills := crashKills(t)
	work := t.TempDir()
	outDir := filepath.Join(work, "out")
	os.Mkdir(outDir, 0o755)
	out := filepath.Join(outDir, "film.mp4")
	r := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 9))
	phases := map[string]int{}
	start, missed := time.Now(), 0
	for round := 0; round < kills; {
		// A new data folder each round, so every shot renders again.
		home := filepath.Join(work, fmt.Sprintf("home-%d", round))
		os.Remove(out)
		cmd, phase, exited := startRender(t, home, project, out)
		// The moment: within the rendering of the shots, counted from the
		// start, or within the assembly, counted from its beginning.
		var wait <-chan time.Time
		if r.IntN(2) == 0 {
			wait = time.After(time.Duration(r.Int64N(int64(rendering))))
		} else {
			select {
			case <-phase.assembling:
				wait = time.After(time.Duration(r.Int64N(int64(assembly))))
			case err := <-exited:
				t.Fatalf("round %d: slate render ended before assembling: %v", round, err)
			}
		}
		var where string
		select {
		case <-wait:
			where = phase.String()
			cmd.Process.Kill()
			<-exited
		case err := <-exited:
			// It finished first: not a kill. Try again.
			if err != nil {
				t.Fatalf("round %d: slate render failed without being killed: %v", round, err)
			}
			missed++
			continue
		}
		if cmd.ProcessState.ExitCode() != -1 {
			missed++ // it exited on its own just as the kill came
			continue
		}
		phases[where]++

		// No partial film: either none, or the whole of it.
		if _, err := os.Stat(out); err == nil {
			if got := filmHashes(t, tools, out); got != want {
				t.Fatalf("round %d, killed while %s: the film at the output path is not the whole film: %s, want %s", round, where, got, want)
			}
		}
		renderOK(t, home, project, out)
		if left := tempLeft(outDir, home, out); len(left) > 0 {
			t.Fatalf("round %d, killed while %s: after the next render these are left:\n%s", round, where, strings.Join(left, "\n"))
		}
		if got := filmHashes(t, tools, out); got != want {
			t.Fatalf("round %d, killed while %s: the next render's film differs from a clean one: %s, want %s", round, where, got, want)
		}
		os.RemoveAll(home)
		round++
	}
	names := make([]string, 0, len(phases))
	for p, n := range phases {
		names = append(names, fmt.Sprintf("%s %d", p, n))
	}
	slices.Sort(names)
	t.Logf("%d kills in %v (a clean render took %v to render its shots and %v to assemble; %d runs finished before their kill): %s",
		kills, time.Since(start).Round(time.Second), rendering.Round(10*time.Millisecond), assembly.Round(10*time.Millisecond), missed, strings.Join(names, ", "))
}

// rendersAtOnce starts several renders of one project at the same moment
// on a data folder that does not exist yet, some writing the same film and
// some their own: every one succeeds (waiting for the others where it
// must), every film is the clean one (want), and nothing is left over.
func rendersAtOnce(t *testing.T, tools media.Tools, project, want string) {
	work := t.TempDir()
	counts := []int{8}
	if os.Getenv("SLATE_CRASH_KILLS") != "" {
		counts = []int{2, 3, 4, 5, 6, 7, 8}
	}
	for _, n := range counts {
		home := filepath.Join(work, fmt.Sprintf("home-%d", n))
		outDir := filepath.Join(work, fmt.Sprintf("out-%d", n))
		os.Mkdir(outDir, 0o755)
		var outs []string
		cmds := make([]*exec.Cmd, n)
		logs := make([]bytes.Buffer, n)
		stdins := make([]interface{ Close() error }, n)
		for i := range n {
			// Every other one writes the same film.
			out := filepath.Join(outDir, "same.mp4")
			if i%2 == 1 {
				out = filepath.Join(outDir, fmt.Sprintf("own-%d.mp4", i))
			}
			if !slices.Contains(outs, out) {
				outs = append(outs, out)
			}
			cmds[i] = slateCommand(home, "render", project, "-o", out, "--quiet")
			cmds[i].Env = append(cmds[i].Env, "SLATE_TEST_WAIT=1")
			cmds[i].Stdout, cmds[i].Stderr = &logs[i], &logs[i]
			w, err := cmds[i].StdinPipe()
			if err != nil {
				t.Fatal(err)
			}
			stdins[i] = w
			if err := cmds[i].Start(); err != nil {
				t.Fatal(err)
			}
		}
		// All started and waiting: let them go together.
		for _, w := range stdins {
			w.Close()
		}
		var wg sync.WaitGroup
		errs := make([]error, n)
		for i, c := range cmds {
			wg.Go(func() { errs[i] = c.Wait() })
		}
		wg.Wait()
		for i, err := range errs {
			if err != nil {
				t.Errorf("%d renders at once: render %d failed: %v\n%s", n, i+1, err, logs[i].String())
			}
		}
		if t.Failed() {
			return
		}
		for _, out := range outs {
			if got := filmHashes(t, tools, out); got != want {
				t.Errorf("%d renders at once: %s is %s, want the clean film's %s", n, out, got, want)
			}
		}
		if left := tempLeft(outDir, home, outs...); len(left) > 0 {
			t.Errorf("%d renders at once left:\n%s", n, strings.Join(left, "\n"))
		}
	}
}

// TestRenderDamagedCache damages a cached clip the two ways a disk or a
// crash does, 64 bytes flipped in its middle or its second half gone, and
// renders again: slate render says which shot's clip was damaged, renders
// it again, and makes the same film as before; the damaged file is kept
// in blobs/damaged/.
func TestRenderDamagedCache(t *testing.T) {
	env := testRenderEnv(t)
	home, _ := env.dataDir()
	project := tinyProject(t)
	out := filepath.Join(t.TempDir(), "film.mp4")
	if code, _, stderr := renderArgsRun(context.Background(), env, project, "-o", out, "--quiet"); code != 0 {
		t.Fatalf("first render: exit %d\n%s", code, stderr)
	}
	want := filmHashes(t, env.tools, out)
	for _, how := range []string{"flipped", "cut"} {
		lib, err := library.Open(t.Context(), home, library.Options{})
		if err != nil {
			t.Fatal(err)
		}
		clips, err := lib.ShotClips(context.Background(), fileProjectID(project), "shot-2")
		path := lib.Blobs().Path(clips[0].SHA256)
		lib.Close()
		if err != nil || len(clips) == 0 {
			t.Fatalf("the clip of shot 2: %v, %v", clips, err)
		}
		damageFile(t, path, how)

		code, _, stderr := renderArgsRun(context.Background(), env, project, "-o", out, "--quiet")
		if code != 0 {
			t.Fatalf("%s: render over a damaged clip: exit %d\n%s", how, code, stderr)
		}
		if !strings.Contains(stderr, "\nthe cached clip of shot 2 was damaged; rendering it again\n") {
			t.Errorf("%s: stderr does not say the clip was damaged:\n%s", how, stderr)
		}
		if strings.Contains(stderr, "level=") {
			t.Errorf("%s: stderr carries a log line besides the words for people:\n%s", how, stderr)
		}
		if strings.Contains(stderr, "shot 2/3 Shot B … done (cached)") || strings.Contains(stderr, "shot 1/3 Shot A … rendering") {
			t.Errorf("%s: want shot 2 rendered again and the others from the cache:\n%s", how, stderr)
		}
		if got := filmHashes(t, env.tools, out); got != want {
			t.Errorf("%s: the film made over a damaged clip is %s, want the clean film's %s", how, got, want)
		}
		damaged, _ := filepath.Glob(filepath.Join(home, "blobs", "damaged", clips[0].SHA256+"*"))
		if len(damaged) == 0 {
			t.Errorf("%s: the damaged clip was not kept in blobs/damaged", how)
		}
	}
}

// damageFile flips 64 bytes in the middle of a file, or cuts off its
// second half.
func damageFile(t *testing.T, path, how string) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if how == "cut" {
		data = data[:len(data)/2]
	} else {
		for i := len(data) / 2; i < min(len(data)/2+64, len(data)); i++ {
			data[i] ^= 0xff
		}
	}
	os.Chmod(path, 0o644)
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
}
