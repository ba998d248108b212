// Package face finds a face in a grayscale picture and measures which way
// it is turned, with pigo's pixel-comparison cascades (MIT, embedded from
// github.com/esimov/pigo v1.4.6; see cascade/README.md).
//
// How far a face is turned is read from its landmarks: a head that turns
// carries its nose, which stands out in front of the eyes, further to that
// side than the eyes. Turn is the nose's offset from the point between the
// pupils, in pupil distances. A model of an average head (pupils about
// 63 mm apart, the nose tip about 25 mm in front of them) gives
// Turn ≈ 0.4·tan(yaw): 0.04 at 6°, 0.11 at 15°, 0.23 at 30°. pigo's
// frontal-face cascade stops finding faces somewhere past 30°, so turns
// show up as the head goes and comes back, and as the face disappearing
// in between.
package face

import (
	"embed"
	"fmt"
	"image"
	"math"

	pigo "github.com/esimov/pigo/core"
)

// cascades are pigo's trained cascades, read-only.
//
//go:embed cascade/facefinder cascade/puploc cascade/lp93
var cascades embed.FS

// Face is a face found in a picture, in the picture's pixel coordinates.
type Face struct {
	// Center and Size are the detected face's square box.
	Center image.Point
	Size   int
	// Score is pigo's detection quality: the sum of the scores of the
	// overlapping detections that make up the face. Faces that fill the
	// cascade's idea of a frontal face score in the hundreds at 320×240;
	// below MinScore a detection is not taken for a face.
	Score float64
	// Measured says whether the pupils and the nose were found where a
	// face has them, so that Eyes, Nose and Turn mean something.
	Measured bool
	// Eyes are the pupils, the one on the picture's left first.
	Eyes [2]image.Point
	Nose image.Point
	// Turn is how far the nose sits to the side of the point between the
	// pupils, in pupil distances: about 0 for a face turned to the
	// camera, positive for one turned towards the picture's right (the
	// person's left, in a picture that is not mirrored), negative for one
	// turned towards the picture's left.
	Turn float64
}

// MinScore is the lowest Score taken for a face. pigo's own examples use 5;
// on noisy webcam frames stray detections score up to about 20, while a
// real face scores well over 50.
const MinScore = 30

// Detector finds faces. It is safe for concurrent use: the cascades are
// only read.
type Detector struct {
	faces  *pigo.Pigo
	pupils *pigo.PuplocCascade
	nose   *pigo.PuplocCascade
}

// NewDetector unpacks the embedded cascades.
func NewDetector() (*Detector, error) {
	read := func(name string) ([]byte, error) {
		b, err := cascades.ReadFile("cascade/" + name)
		if err != nil {
			return nil, fmt.Errorf("face detector: read cascade %s: %w", name, err)
		}
		return b, nil
	}
	b, err := read("facefinder")
	if err != nil {
		return nil, err
	}
	d := &Detector{}
	if d.faces, err = pigo.NewPigo().Unpack(b); err != nil {
		return nil, fmt.Errorf("face detector: unpack facefinder: %w", err)
	}
	if b, err = read("puploc"); err != nil {
		return nil, err
	}
	if d.pupils, err = pigo.NewPuplocCascade().UnpackCascade(b); err != nil {
		return nil, fmt.Errorf("face detector: unpack puploc: %w", err)
	}
	if b, err = read("lp93"); err != nil {
		return nil, err
	}
	if d.nose, err = pigo.NewPuplocCascade().UnpackCascade(b); err != nil {
		return nil, fmt.Errorf("face detector: unpack lp93: %w", err)
	}
	return d, nil
}

// perturbs is how many jittered starts pigo's landmark cascades take the
// median of. More is steadier and slower; 63 is pigo's own choice.
const perturbs = 63

// Find returns the best-scoring face in img, if there is one with at least
// MinScore. Faces from an eighth of the picture's height up to all of it
// are found.
func (d *Detector) Find(img *image.Gray) (Face, bool) {
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	if w < 16 || h < 16 {
		return Face{}, false
	}
	pixels := img.Pix
	if b.Min != (image.Point{}) || img.Stride != w {
		// pigo wants the pixels packed from the origin.
		pixels = make([]uint8, w*h)
		for y := range h {
			copy(pixels[y*w:(y+1)*w], img.Pix[img.PixOffset(b.Min.X, b.Min.Y+y):])
		}
	}
	params := pigo.ImageParams{Pixels: pixels, Rows: h, Cols: w, Dim: w}
	dets := d.faces.RunCascade(pigo.CascadeParams{
		MinSize:     max(20, min(w, h)/8),
		MaxSize:     min(w, h),
		ShiftFactor: 0.1,
		ScaleFactor: 1.1,
		ImageParams: params,
	}, 0)
	dets = d.faces.ClusterDetections(dets, 0.2)
	best := -1
	for i, det := range dets {
		if det.Q >= MinScore && (best < 0 || det.Q > dets[best].Q) {
			best = i
		}
	}
	if best < 0 {
		return Face{}, false
	}
	det := dets[best]
	f := Face{
		Center: image.Point{X: det.Col + b.Min.X, Y: det.Row + b.Min.Y},
		Size:   det.Scale,
		Score:  float64(det.Q),
	}
	d.measure(&f, det, params, b.Min)
	return f, true
}

// measure finds the pupils and the nose of the face det and from them its
// Turn, or leaves f unmeasured when they are not where a face has them.
func (d *Detector) measure(f *Face, det pigo.Detection, params pigo.ImageParams, origin image.Point) {
	s := float64(det.Scale)
	// Where pigo's own examples start looking for each pupil.
	start := func(side float64) pigo.Puploc {
		return pigo.Puploc{
			Row:      det.Row - int(0.085*s),
			Col:      det.Col + int(side*0.185*s),
			Scale:    float32(s * 0.4),
			Perturbs: perturbs,
		}
	}
	left := d.pupils.RunDetector(start(-1), params, 0, false)
	right := d.pupils.RunDetector(start(+1), params, 0, false)
	lx, ly, rx, ry := float64(left.Col), float64(left.Row), float64(right.Col), float64(right.Row)
	dist := math.Hypot(rx-lx, ry-ly)
	// Pupils sit about a third of the box apart and level; anything else
	// is a miss, and a Turn measured from it would be noise.
	if left.Row <= 0 || right.Row <= 0 || rx <= lx || dist < 0.2*s || dist > 0.6*s || math.Abs(ry-ly) > 0.35*dist {
		return
	}
	midX, midY := (lx+rx)/2, (ly+ry)/2
	// The nose cascade is started straight below the point between the
	// pupils and run on the picture and its mirror image; averaging the
	// two cancels the cascade's own sideways pull, which would otherwise
	// draw a turned nose back towards the middle.
	noseStart := pigo.Puploc{Row: int(midY + 0.6*dist), Col: int(midX), Scale: float32(3 * dist), Perturbs: perturbs}
	n1 := d.nose.RunDetector(noseStart, params, 0, false)
	n2 := d.nose.RunDetector(noseStart, params, 0, true)
	if n1.Row <= 0 || n2.Row <= 0 {
		return
	}
	nx, ny := float64(n1.Col+n2.Col)/2, float64(n1.Row+n2.Row)/2
	if ny < midY+0.2*dist || ny > midY+1.2*dist {
		return
	}
	f.Measured = true
	f.Eyes = [2]image.Point{{X: left.Col + origin.X, Y: left.Row + origin.Y}, {X: right.Col + origin.X, Y: right.Row + origin.Y}}
	f.Nose = image.Point{X: int(math.Round(nx)) + origin.X, Y: int(math.Round(ny)) + origin.Y}
	f.Turn = (nx - midX) / dist
}
