// Package enrol turns a recorded take that passed its liveness checks into
// a cast member in the library: the take, the best stills and a voice
// sample stored as blobs, and the member's row. It also opens what the
// checks need, so the command line and the studio record the same way.
package enrol

import (
	"bytes"
	"context"
	crand "crypto/rand"
	"errors"
	"fmt"
	"image/jpeg"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/slatestudio/slate/capture"
	"github.com/slatestudio/slate/capture/face"
	"github.com/slatestudio/slate/capture/liveness"
	"github.com/slatestudio/slate/capture/vad"
	"github.com/slatestudio/slate/consent"
	"github.com/slatestudio/slate/library"
	"github.com/slatestudio/slate/media"
	"github.com/slatestudio/slate/ml"
)

// Checker runs the liveness checks with the face detector and, when ONNX
// Runtime and the VAD model are installed, the speech detector. Without
// them the speech checks are reported as skipped, saying how to install
// them; Missing says so too.
type Checker struct {
	deps  liveness.Deps
	model *vad.Model
	// Missing says what could not be opened, for the person to fix.
	Missing []string
}

// OpenChecker prepares the checks.
func OpenChecker(tools media.Tools) (*Checker, error) {
	faces, err := face.NewDetector()
	if err != nil {
		return nil, fmt.Errorf("open the face detector: %w", err)
	}
	c := &Checker{deps: liveness.Deps{Tools: tools, Faces: faces}}
	if err := c.openVAD(); err != nil {
		c.Missing = append(c.Missing, err.Error())
	}
	return c, nil
}

func (c *Checker) openVAD() error {
	lib, _, err := ml.FindLibrary()
	if err != nil {
		return err
	}
	rt, err := ml.Load(lib)
	if err != nil {
		return err
	}
	path, err := vad.FindModel()
	if err != nil {
		return err
	}
	m, err := vad.Open(rt, path)
	if err != nil {
		return err
	}
	c.model, c.deps.VAD = m, m
	return nil
}

// Check runs every check on the take.
func (c *Checker) Check(ctx context.Context, take capture.Take) (*liveness.Report, error) {
	return liveness.Check(ctx, take, c.deps)
}

// Close releases the speech model.
func (c *Checker) Close() error {
	if c.model != nil {
		return c.model.Close()
	}
	return nil
}

// ErrNotPassed is returned by Save for a take whose checks did not all
// pass: a likeness is only kept from a live take.
var ErrNotPassed = errors.New("the take did not pass its checks")

// Save stores a checked take as cast member m (whose name, handle,
// consent and preferences are already set): the take, its frontal, left
// and right stills as JPEG, and its voice sample, each a blob; then the
// member. The take's file is moved into the blob store. If anything fails,
// the blobs stored so far are removed and nothing is registered.
func Save(ctx context.Context, lib *library.Library, take *capture.Take, rep *liveness.Report, m *library.CastMember) (err error) {
	if !rep.Passed() {
		return fmt.Errorf("save %s: %w; record it again", m.Name, ErrNotPassed)
	}
	if m.Consent == "" {
		m.Consent = consent.OnlyMe
	}
	if err := m.Validate(); err != nil {
		return fmt.Errorf("save %s: %w", m.Name, err)
	}
	var stored []string
	defer func() {
		if err != nil {
			for _, sum := range stored {
				lib.Blobs().Remove(sum)
			}
		}
	}()
	put := func(data []byte) (string, error) {
		sum, _, err := lib.Blobs().Put(ctx, bytes.NewReader(data))
		if err == nil {
			stored = append(stored, sum)
		}
		return sum, err
	}
	for _, s := range rep.Stills {
		var buf bytes.Buffer
		if err := jpeg.Encode(&buf, s.Image, &jpeg.Options{Quality: 90}); err != nil {
			return fmt.Errorf("save %s: encode a still: %w", m.Name, err)
		}
		sum, err := put(buf.Bytes())
		if err != nil {
			return fmt.Errorf("save %s: %w", m.Name, err)
		}
		switch s.Kind {
		case capture.LookAtCamera:
			m.Frontal = sum
		case capture.TurnLeft:
			m.Left = sum
		case capture.TurnRight:
			m.Right = sum
		}
	}
	if m.Frontal == "" {
		return fmt.Errorf("save %s: the take has no clear frontal still; record it again, facing the camera when asked", m.Name)
	}
	if rep.Voice != nil {
		if m.Sample, err = put(rep.Voice.WAV); err != nil {
			return fmt.Errorf("save %s: %w", m.Name, err)
		}
	}
	// The take is large: move it into the store rather than copy it.
	f, err := lib.Blobs().TempFile("take-*.mp4")
	if err != nil {
		return fmt.Errorf("save %s: %w", m.Name, err)
	}
	tmp := f.Name()
	f.Close()
	if err := copyFile(take.Video, tmp); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("save %s: %w", m.Name, err)
	}
	sum, _, err := lib.Blobs().Adopt(ctx, tmp)
	if err != nil {
		os.Remove(tmp)
		return fmt.Errorf("save %s: %w", m.Name, err)
	}
	stored = append(stored, sum)
	m.Take = sum
	if err := lib.AddCastMember(ctx, m); err != nil {
		return err
	}
	return nil
}

// copyFile copies a file; the take may live on another filesystem than
// the blob store, so a rename is not always possible.
func copyFile(from, to string) error {
	in, err := os.Open(from)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.Create(to)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

// EnvScriptSeed fixes the liveness script's timings when set, so a fake
// camera and microphone prepared for that script (see livenesstest) play
// the right moves at the right moments. Real takes leave it unset: their
// timings differ every take.
const EnvScriptSeed = "SLATE_SCRIPT_SEED"

// NewScript draws a take's script: random timings, or fixed ones when
// $SLATE_SCRIPT_SEED is set.
func NewScript() capture.Script {
	if s, err := strconv.ParseUint(os.Getenv(EnvScriptSeed), 10, 64); err == nil {
		return capture.NewScript(rand.New(rand.NewPCG(s, s)))
	}
	var seed [32]byte
	crand.Read(seed[:])
	return capture.NewScript(rand.New(rand.NewChaCha8(seed)))
}

// Keep moves a take that was not saved as a member (it failed its checks,
// or the person closed the recording) to the data folder's takes/, so the
// person can look at it until they delete it, and returns where it went.
func Keep(lib *library.Library, take *capture.Take) (string, error) {
	dir := filepath.Join(lib.Dir(), "takes")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", fmt.Errorf("keep the take: %w", err)
	}
	dst := filepath.Join(dir, time.Now().Format("2006-01-02-150405")+".mp4")
	if err := os.Rename(take.Video, dst); err != nil {
		if err := copyFile(take.Video, dst); err != nil {
			return "", fmt.Errorf("keep the take: %w", err)
		}
		os.Remove(take.Video)
	}
	take.Video = dst
	return dst, nil
}
