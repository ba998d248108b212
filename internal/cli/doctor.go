package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/slatestudio/slate/capture/vad"
	"github.com/slatestudio/slate/internal/termbar"
	"github.com/slatestudio/slate/library"
	"github.com/slatestudio/slate/media"
	"github.com/slatestudio/slate/ml"
	"github.com/slatestudio/slate/ml/pack"
	"github.com/slatestudio/slate/render/onnx"
	"github.com/slatestudio/slate/voices"
)

// ortRuntime is what doctor reports of a loaded ONNX Runtime.
type ortRuntime interface {
	Version() string
	Path() string
	Providers() []string
	Preferred() string
}

// doctorEnv is everything doctor checks, so tests can hand it a PATH
// without ffmpeg, a missing library or a full disk.
type doctorEnv struct {
	tools     media.Tools
	findORT   func() (path string, tried []string, err error)
	loadORT   func(path string) (ortRuntime, error)
	dataDir   func() (string, error)
	freeSpace func(path string) (uint64, error)
	// findVAD finds the Silero VAD model the cast recording listens with.
	findVAD func() (string, error)
	getenv  func(string) string
	// isTTY says whether stderr is a terminal, where --verify-blobs
	// draws its progress bar.
	isTTY bool
}

func defaultDoctorEnv() doctorEnv {
	return doctorEnv{
		tools:   media.FindTools(),
		findORT: ml.FindLibrary,
		loadORT: func(path string) (ortRuntime, error) {
			rt, err := ml.Load(path)
			if err != nil {
				return nil, err
			}
			return rt, nil
		},
		dataDir:   library.DefaultDir,
		freeSpace: freeSpace,
		findVAD:   vad.FindModel,
		getenv:    os.Getenv,
		isTTY:     termbar.IsTerminal(os.Stderr),
	}
}

// doctorMain runs "slate doctor [--verify-blobs]" and returns the exit
// status: 0 when everything is ok, 1 when something is not, 2 for bad
// arguments.
func doctorMain(ctx context.Context, args []string, stdout, stderr io.Writer, env doctorEnv) int {
	fs := flag.NewFlagSet("doctor", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	verify := fs.Bool("verify-blobs", false, "")
	if err := fs.Parse(args); err != nil {
		fmt.Fprintf(stderr, "slate doctor: %v\n", err)
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "slate doctor: unexpected argument %q\n", fs.Arg(0))
		return 2
	}
	ok := doctor(ctx, stdout, env)
	if *verify {
		ok = verifyBlobs(ctx, stdout, stderr, env) && ok
	}
	if !ok {
		return 1
	}
	return 0
}

// verifyBlobs checks every blob in the data folder against its sha256,
// drawing a progress bar on progressW, and writes one more line of the
// doctor's report. Damaged blobs are moved aside; it reports whether none
// were.
func verifyBlobs(ctx context.Context, w, progressW io.Writer, env doctorEnv) bool {
	line := func(status, detail string) { fmt.Fprintf(w, "%-6s%-14s%s\n", status, "blobs", detail) }
	dir, err := env.dataDir()
	if err != nil {
		line("FAIL", oneLine(err.Error()))
		return false
	}
	bars := termbar.New(progressW, env.isTTY, nil)
	rep, err := library.VerifyStore(ctx, dir, func(done, total int64) {
		if total > 0 {
			bars.SetOverall(float64(done)/float64(total), "checking")
		}
	})
	if err != nil {
		bars.SetOverall(0, "failed")
		bars.Done()
		line("FAIL", oneLine(err.Error()))
		return false
	}
	bars.SetOverall(1, "done")
	bars.Done()
	checked := fmt.Sprintf("%d checked (%s)", rep.Checked, megabytes(rep.Bytes))
	if len(rep.Damaged) == 0 {
		line("ok", checked+", none damaged")
		return true
	}
	var names []string
	for _, d := range rep.Damaged {
		names = append(names, d.SHA256[:12])
	}
	line("FAIL", fmt.Sprintf("%d of %d damaged and moved to %s (%s): a damaged clip is rendered again when next needed; a damaged cast recording must be recorded again",
		len(rep.Damaged), rep.Checked, filepath.Join(dir, "blobs", "damaged"), strings.Join(names, ", ")))
	return false
}

// minFree is the least free space the data folder needs: rendered clips
// and films are tens of megabytes each.
const minFree = 1e9

// doctor checks each external component Slate needs and writes one line
// for each, starting with "ok" or "FAIL"; a failure says how to fix it. It
// reports whether everything was ok.
func doctor(ctx context.Context, w io.Writer, env doctorEnv) (ok bool) {
	checks := []struct {
		name  string
		check func(ctx context.Context) (string, error)
	}{
		{"ffmpeg", env.ffmpeg},
		{"espeak-ng", env.espeak},
		{"onnxruntime", env.onnxruntime},
		{"data", env.data},
		{"vad", env.vad},
		{"models", env.models},
		{"voices", env.voices},
	}
	ok = true
	for _, c := range checks {
		// A program that hangs must not hang the doctor.
		cctx, cancel := context.WithTimeout(ctx, 30*time.Second)
		detail, err := c.check(cctx)
		cancel()
		status := "ok"
		if err != nil {
			status, detail, ok = "FAIL", oneLine(err.Error()), false
		}
		fmt.Fprintf(w, "%-6s%-14s%s\n", status, c.name, detail)
	}
	return ok
}

func (env doctorEnv) ffmpeg(ctx context.Context) (string, error) {
	if err := env.tools.Check(media.ToolFFmpeg, media.ToolFFprobe); err != nil {
		return "", err
	}
	v, err := env.tools.FFmpegVersion(ctx)
	if err != nil {
		return "", err
	}
	pv, err := env.tools.FFprobeVersion(ctx)
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("%s (%s), ffprobe %s (%s)", shortVersion(v), env.tools.FFmpeg, shortVersion(pv), env.tools.FFprobe), nil
}

// shortVersion drops a distribution's suffix: "5.1.9-0+deb12u1" → "5.1.9".
// Versions that do not start with a digit (git builds) are kept whole.
func shortVersion(v string) string {
	if v == "" || v[0] < '0' || v[0] > '9' {
		return v
	}
	core, _, _ := strings.Cut(v, "-")
	return core
}

func (env doctorEnv) espeak(ctx context.Context) (string, error) {
	if err := env.tools.Check(media.ToolEspeak); err != nil {
		return "", err
	}
	v, err := env.tools.EspeakVersion(ctx)
	if err != nil {
		return "", err
	}
	voices, err := env.tools.EspeakVoices(ctx)
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("%s, %d voices (%s)", v, len(voices), voiceSample(voices)), nil
}

// voiceSample names a few voices, English first: "en-us, en-gb, …".
func voiceSample(voices []media.Voice) string {
	var langs []string
	for _, v := range voices {
		langs = append(langs, v.Language)
	}
	var pick []string
	for _, want := range []string{"en-us", "en-gb"} {
		if slices.Contains(langs, want) {
			pick = append(pick, want)
		}
	}
	for _, l := range langs {
		if len(pick) >= 2 {
			break
		}
		if !slices.Contains(pick, l) {
			pick = append(pick, l)
		}
	}
	if len(langs) > len(pick) {
		pick = append(pick, "…")
	}
	return strings.Join(pick, ", ")
}

func (env doctorEnv) onnxruntime(ctx context.Context) (string, error) {
	path, _, err := env.findORT()
	if err != nil {
		return "", err
	}
	rt, err := env.loadORT(path)
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("%s at %s; providers: %s (preferred %s)", rt.Version(), rt.Path(), strings.Join(rt.Providers(), ", "), rt.Preferred()), nil
}

func (env doctorEnv) data(ctx context.Context) (string, error) {
	dir, err := env.dataDir()
	if err != nil {
		return "", err
	}
	// The folder is made on first launch; until then, check where it will be.
	at, note := dir, ""
	for {
		fi, err := os.Stat(at)
		if err == nil {
			if !fi.IsDir() {
				return "", fmt.Errorf("%s: %s is a file, not a folder; set SLATE_HOME to a folder Slate may use", dir, at)
			}
			break
		}
		// ENOTDIR: something above it is a file; the loop finds which.
		if !errors.Is(err, os.ErrNotExist) && !errors.Is(err, syscall.ENOTDIR) || filepath.Dir(at) == at {
			return "", fmt.Errorf("%s: %w; set SLATE_HOME to a folder Slate may use", dir, err)
		}
		at, note = filepath.Dir(at), " (not created yet)"
	}
	f, err := os.CreateTemp(at, ".slate-doctor-*")
	if err != nil {
		return "", fmt.Errorf("%s is not writable (%v); set SLATE_HOME to a folder Slate may write to", at, errors.Unwrap(err))
	}
	f.Close()
	os.Remove(f.Name())
	free, err := env.freeSpace(at)
	if err != nil {
		return fmt.Sprintf("%s%s, free space unknown (%v)", dir, note, err), nil
	}
	if free < minFree {
		return "", fmt.Errorf("%s%s: only %s free, and Slate needs at least 1 GB for clips and films; free some space, or set SLATE_HOME to a folder on a disk with more room", dir, note, gigabytes(free))
	}
	return fmt.Sprintf("%s%s, %s free", dir, note, gigabytes(free)), nil
}

func (env doctorEnv) vad(ctx context.Context) (string, error) {
	path, err := env.findVAD()
	if err != nil {
		return "", err
	}
	return "Silero VAD at " + path + " (recording a cast member listens with it)", nil
}

// models lists the installed model packs with their licences and the
// execution provider the onnx backend would render on. None installed is
// fine (the animatic needs none); a damaged pack is a failure.
func (env doctorEnv) models(ctx context.Context) (string, error) {
	dir, err := env.dataDir()
	if err != nil {
		return "", err
	}
	store := pack.NewStore(filepath.Join(dir, "models"), nil)
	infos, err := store.List()
	if err != nil {
		return "", err
	}
	var packs, broken []string
	for _, in := range infos {
		if in.Err != nil {
			broken = append(broken, fmt.Sprintf("%s (%v)", in.Name, in.Err))
			continue
		}
		packs = append(packs, fmt.Sprintf("%s (%s)", in.Name, in.Licence))
	}
	if len(broken) > 0 {
		return "", fmt.Errorf("damaged model pack %s: check it with `slate models verify`, then remove it with `slate models remove NAME` and install it again", strings.Join(broken, "; "))
	}
	if len(packs) == 0 {
		return "none installed; the onnx backend needs one: `slate models install PATH|URL` (the animatic needs none)", nil
	}
	on, err := env.provider(store)
	if err != nil {
		return "", fmt.Errorf("%s installed, but %w", strings.Join(packs, ", "), err)
	}
	return strings.Join(packs, ", ") + "; the onnx backend renders on " + on, nil
}

// provider says which execution provider the onnx backend would render
// on, and why: onnx.Resolve, as the backend itself and the studio's
// Models window decide it.
func (env doctorEnv) provider(store *pack.Store) (string, error) {
	res, err := onnx.Resolve(store, onnx.ChoiceFromEnv(env.getenv), func() ([]string, error) {
		path, _, err := env.findORT()
		if err != nil {
			return nil, errors.New("the onnx backend cannot run without ONNX Runtime (see its line above)")
		}
		rt, err := env.loadORT(path)
		if err != nil {
			return nil, errors.New("the onnx backend cannot run: ONNX Runtime does not load (see its line above)")
		}
		return rt.Providers(), nil
	})
	if err != nil {
		return "", err
	}
	return res.Provider + " (" + res.Why + ")", nil
}

// voices lists the installed Piper voices; without any, dialogue is
// spoken by espeak-ng, which is fine.
func (env doctorEnv) voices(ctx context.Context) (string, error) {
	dir, err := env.dataDir()
	if err != nil {
		return "", err
	}
	found, problems := voices.List(voices.Dirs(dir))
	if len(problems) > 0 {
		return "", fmt.Errorf("%v: fix or remove that voice's files", problems[0])
	}
	if len(found) == 0 {
		return "no Piper voices installed; dialogue is spoken by espeak-ng (`slate voices install FILE.onnx` adds one)", nil
	}
	var names []string
	for _, v := range found {
		names = append(names, voices.Prefix+v.Name)
	}
	return strings.Join(names, ", "), nil
}

func megabytes(n int64) string {
	return fmt.Sprintf("%.1f MB", float64(n)/1e6)
}

func gigabytes(n uint64) string {
	return fmt.Sprintf("%.1f GB", float64(n)/1e9)
}

// oneLine keeps a message on one line of the report.
func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}
