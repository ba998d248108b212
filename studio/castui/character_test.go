package castui

import (
	"image"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/slatestudio/slate/media/audio"
	"github.com/slatestudio/slate/studio/storyboard"
	"github.com/slatestudio/slate/studio/studiotest"
	"github.com/slatestudio/slate/timeline"
)

// fakeOut is a sound output the test pulls from by hand, as the device's
// thread would.
type fakeOut struct {
	mu      sync.Mutex
	fill    func([]float32)
	played  int64
	got     []float32
	stopped int
}

func (o *fakeOut) Start(fill func([]float32)) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.fill, o.played = fill, 0
	return nil
}

func (o *fakeOut) Stop() error {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.fill = nil
	o.stopped++
	return nil
}

func (o *fakeOut) Played() int64 {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.played
}

// pull asks for n stereo frames, as the device does when it needs them.
func (o *fakeOut) pull(n int) bool {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.fill == nil {
		return false
	}
	buf := make([]float32, 2*n)
	o.fill(buf)
	o.got = append(o.got, buf...)
	o.played += int64(n)
	return true
}

// editor waits for the character editor the panel opened to have its
// voice lists.
func (r *rig) editor(t *testing.T) *characterEditor {
	t.Helper()
	r.ui.Until(t, "the character editor and its voices", 20*time.Second, func() bool {
		return r.panel.editor != nil && r.panel.editor.loaded
	})
	return r.panel.editor
}

// pickVoice chooses an espeak-ng language and variant in the editor's
// lists, as a person would.
func pickVoice(t *testing.T, e *characterEditor, lang, variant string) {
	t.Helper()
	k := slices.IndexFunc(e.voice.Options, func(o string) bool { return strings.HasPrefix(o, lang+" · ") })
	if k < 0 {
		t.Fatalf("the voice list has no %s: %v", lang, e.voice.Options)
	}
	e.voice.SetSelectedIndex(k)
	if e.variant.Hidden {
		t.Fatal("an espeak-ng voice shows no variants")
	}
	v := slices.IndexFunc(e.variant.Options, func(o string) bool { return strings.HasPrefix(o, variant+" ") || o == variant })
	if v < 0 {
		t.Fatalf("the variant list has no %s: %v", variant, e.variant.Options)
	}
	e.variant.SetSelectedIndex(v)
}

// The Cast tab's Characters section makes, edits and removes characters
// with the editor, each an undoable edit named after the character, and
// a character needs no recording.
func TestCharactersSection(t *testing.T) {
	h := newRig(t, nil, nil)
	view := h.panel.View()
	if !strings.Contains(studiotest.Texts(view), "No characters yet") {
		t.Errorf("the section does not say there are no characters:\n%s", studiotest.Texts(view))
	}
	test.Tap(studiotest.FindButton(t, view, "New character…"))
	e := h.editor(t)
	if e.name.Text != "" || e.voice.Selected != autoVoice {
		t.Errorf("a new character starts as %q with voice %q", e.name.Text, e.voice.Selected)
	}
	// Saving without a name says so and keeps the editor open.
	test.Tap(e.saveBtn)
	if e.problem.Hidden || !strings.Contains(e.problem.Text, "name") {
		t.Errorf("saving a nameless character says %q", e.problem.Text)
	}
	test.Type(e.name, "Ada")
	pickVoice(t, e, "en-gb", "f3")
	test.Type(e.desc, "a girl of nine in a yellow raincoat")
	test.Tap(e.saveBtn)
	p := h.s.Project()
	chars := p.Characters()
	if len(chars) != 1 {
		t.Fatalf("after saving: characters %+v (problem %q)", chars, e.problem.Text)
	}
	ada := chars[0]
	if ada.Name != "Ada" || ada.Voice != "en-gb+f3" || ada.Description != "a girl of nine in a yellow raincoat" || ada.Member != "" {
		t.Errorf("Ada = %+v", ada)
	}
	if name, _ := h.s.Document().UndoName(); name != "Add character Ada" {
		t.Errorf("undo would %q", name)
	}
	if h.env.Stored(h.s.Project().ID).Characters()[0].Voice != "en-gb+f3" {
		t.Error("Ada is not stored with her voice")
	}
	h.ui.Drain()
	shown := studiotest.Texts(h.panel.characters.view)
	for _, want := range []string{"Ada", "espeak-ng voice en-gb+f3", "yellow raincoat"} {
		if !strings.Contains(shown, want) {
			t.Errorf("the section does not show %q:\n%s", want, shown)
		}
	}

	// Edit her: the editor shows what she is, and saves what changed.
	test.Tap(studiotest.FindButton(t, h.panel.characters.view, "Edit…"))
	e = h.editor(t)
	if e.name.Text != "Ada" || e.chosenVoice() != "en-gb+f3" || e.desc.Text != ada.Description {
		t.Errorf("the editor shows %q, %q, %q", e.name.Text, e.chosenVoice(), e.desc.Text)
	}
	e.desc.SetText("a girl of ten")
	test.Tap(e.saveBtn)
	if got := h.s.Project().Characters()[0]; got.Description != "a girl of ten" || got.Voice != "en-gb+f3" || got.ID != ada.ID {
		t.Errorf("after editing: %+v", got)
	}
	if name, _ := h.s.Document().UndoName(); name != "Edit character Ada" {
		t.Errorf("undo would %q", name)
	}

	// A second Ada is refused in the editor, which stays open to fix it.
	test.Tap(studiotest.FindButton(t, view, "New character…"))
	e = h.editor(t)
	test.Type(e.name, "ada")
	test.Tap(e.saveBtn)
	if e.problem.Hidden || !strings.Contains(e.problem.Text, "two characters are called ada") {
		t.Errorf("a second Ada says %q", e.problem.Text)
	}
	if n := len(h.s.Project().Characters()); n != 1 {
		t.Errorf("%d characters after a refused second Ada", n)
	}
	e.dialog.Hide()

	h.ui.Drain()
	test.Tap(studiotest.FindButton(t, h.panel.characters.view, "Remove"))
	if n := len(h.s.Project().Characters()); n != 0 {
		t.Fatalf("%d characters after Remove", n)
	}
	if name, _ := h.s.Document().UndoName(); name != "Remove character Ada" {
		t.Errorf("undo would %q", name)
	}
	h.s.Undo(t.Context())
	if c := h.s.Project().Characters(); len(c) != 1 || c[0].Description != "a girl of ten" {
		t.Errorf("undo brought back %+v", c)
	}
}

// New character… in a line's speaker list opens the editor, and the
// character saved says the line: one edit, one undo.
func TestNewCharacterFromSpeakerList(t *testing.T) {
	h := newRig(t, nil, nil)
	in := storyboard.NewInspector(t.Context(), storyboard.Deps{
		Session: h.s, Window: h.win, Clock: h.env.Clock, Backends: h.env.Backends.Names(), DefaultBackend: "animatic",
		Thumbnail: func(int) image.Image { return nil }, RenderSelected: func() {},
		NewCharacter: func(save func(timeline.CastRef) error) { h.panel.NewCharacter(t.Context(), save) },
	})
	p := h.s.Project()
	shot := slices.IndexFunc(p.Shots, func(s *timeline.Shot) bool { return len(s.Lines) > 0 })
	id := p.Shots[shot].ID
	before := p.Shots[shot].Lines[0].Speaker
	h.s.Select(id)
	h.ui.Drain()
	var speaker *widget.Select
	studiotest.WalkAll(in.View(), func(o fyne.CanvasObject) {
		if s, ok := o.(*widget.Select); ok && speaker == nil && slices.Contains(s.Options, "New character…") {
			speaker = s
		}
	})
	if speaker == nil {
		t.Fatal("no speaker list offers New character…")
	}
	if speaker.Options[0] != "Narrator" || speaker.Options[len(speaker.Options)-1] != "New character…" {
		t.Errorf("the speaker list is %v", speaker.Options)
	}
	speaker.SetSelected("New character…")
	e := h.editor(t)
	if got := h.s.Project().Shots[shot].Lines[0].Speaker; got != before {
		t.Errorf("opening the editor changed the speaker to %q", got)
	}
	if name, _ := h.s.Document().UndoName(); name != "" {
		t.Errorf("opening the editor made an edit: %q", name)
	}
	test.Type(e.name, "Ada")
	pickVoice(t, e, "en-us", "f4")
	test.Tap(e.saveBtn)
	p = h.s.Project()
	l := p.Shots[shot].Lines[0]
	if p.SpeakerName(l.Speaker) != "Ada" {
		t.Fatalf("line 1 is said by %q (problem %q)", p.SpeakerName(l.Speaker), e.problem.Text)
	}
	if c, _ := p.CastMember(l.Speaker); !c.Character || c.Voice != "en-us+f4" {
		t.Errorf("the speaker is %+v", c)
	}
	if name, _ := h.s.Document().UndoName(); name != "Add character Ada" {
		t.Errorf("undo would %q", name)
	}
	h.ui.Drain()
	var shown string
	studiotest.WalkAll(in.View(), func(o fyne.CanvasObject) {
		if s, ok := o.(*widget.Select); ok && slices.Contains(s.Options, "New character…") && shown == "" {
			shown = s.Selected
		}
	})
	if shown != "Ada" {
		t.Errorf("the speaker list shows %q, want Ada", shown)
	}
	h.s.Undo(t.Context())
	if p := h.s.Project(); len(p.Characters()) != 0 || p.Shots[shot].Lines[0].Speaker != before {
		t.Errorf("one undo left %+v speaking %q", p.Characters(), p.Shots[shot].Lines[0].Speaker)
	}
}

// Hear it speaks a sample line in the chosen voice through the sound
// output, and stops it once it has been heard.
func TestCharacterHearIt(t *testing.T) {
	h := newRig(t, nil, nil)
	out := &fakeOut{}
	h.panel.d.Audio = out
	h.panel.NewCharacter(t.Context(), func(timeline.CastRef) error { return nil })
	e := h.editor(t)
	test.Type(e.name, "Ada")
	// Slate's own choice is made at render time: nothing to hear yet.
	test.Tap(e.hear)
	if e.sample != nil || !strings.Contains(e.heard.Text, "Choose a voice to hear it") {
		t.Errorf("Hear it with Slate's choice: %q", e.heard.Text)
	}
	pickVoice(t, e, "en-gb", "f3")
	test.Tap(e.hear)
	h.ui.Until(t, "the sample to be spoken", 20*time.Second, func() bool { return e.sample != nil })
	if !strings.Contains(e.heard.Text, "Hello, I'm Ada") || !strings.Contains(e.heard.Text, "en-gb+f3") {
		t.Errorf("under the voice: %q", e.heard.Text)
	}
	frames := e.sample.Frames()
	if frames < 48000/2 {
		t.Errorf("the sample is %d frames; a sentence takes longer", frames)
	}
	for len(out.got) < 2*frames {
		if !out.pull(4800) {
			t.Fatalf("the output stopped after %d of the sample's %d frames", len(out.got)/2, frames)
		}
	}
	h.ui.Until(t, "the output to stop", 10*time.Second, func() bool {
		out.mu.Lock()
		defer out.mu.Unlock()
		return out.stopped > 0
	})
	heard := &audio.PCM{Rate: 48000, Channels: 2, Samples: out.got}
	if db := audio.DBFS(heard.RMS(0, heard.Frames())); db < -40 {
		t.Errorf("the output got %d frames at %.1f dBFS; want the spoken sample", heard.Frames(), db)
	}
	// Another voice sounds different: the samples differ.
	first := e.sample
	pickVoice(t, e, "en-us", "m3")
	test.Tap(e.hear)
	h.ui.Until(t, "the second sample", 20*time.Second, func() bool { return e.sample != first })
	if e.sample.Frames() == first.Frames() && slices.Equal(e.sample.Samples, first.Samples) {
		t.Error("two voices spoke the same samples")
	}
}

// A picture is copied into the library's store and shown; a recorded
// member can play the character.
func TestCharacterPictureAndMember(t *testing.T) {
	h := newRig(t, nil, nil)
	m := h.addMember(t, "Theo Vance")
	path := filepath.Join(t.TempDir(), "ada.png")
	img := image.NewRGBA(image.Rect(0, 0, 8, 8))
	img.Set(1, 1, color.RGBA{255, 200, 0, 255})
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := png.Encode(f, img); err != nil {
		t.Fatal(err)
	}
	f.Close()
	h.panel.NewCharacter(t.Context(), func(c timeline.CastRef) error { return h.s.Edit(t.Context(), timeline.AddCharacter(c)) })
	e := h.editor(t)
	test.Type(e.name, "Ada")
	e.usePicture(t.Context(), path)
	h.ui.Until(t, "the picture", 10*time.Second, func() bool { return e.c.Image != "" })
	if !h.env.Library.Blobs().Has(e.c.Image) || e.picture.File != h.env.Library.Blobs().Path(e.c.Image) || !e.noPic.Hidden {
		t.Errorf("the picture is not stored and shown: %q, %q", e.c.Image, e.picture.File)
	}
	// Not a picture: said in the editor, nothing kept.
	bad := filepath.Join(t.TempDir(), "notes.png")
	os.WriteFile(bad, []byte("not a picture"), 0o644)
	kept := e.c.Image
	e.usePicture(t.Context(), bad)
	h.ui.Until(t, "the refusal", 10*time.Second, func() bool { return !e.problem.Hidden })
	if !strings.Contains(e.problem.Text, "is not a PNG or JPEG picture") || e.c.Image != kept {
		t.Errorf("a bad picture: %q, image %q", e.problem.Text, e.c.Image)
	}
	k := slices.IndexFunc(e.member.Options, func(o string) bool { return strings.HasPrefix(o, "Theo Vance") })
	if k < 0 {
		t.Fatalf("Played by does not offer Theo: %v", e.member.Options)
	}
	e.member.SetSelectedIndex(k)
	test.Tap(e.saveBtn)
	c := h.s.Project().Characters()
	if len(c) != 1 || c[0].Image != kept || c[0].Member != m.ID {
		t.Fatalf("saved %+v", c)
	}
	if data, err := timeline.Encode(h.s.Project()); err != nil || !strings.Contains(string(data), `"image": "`+kept+`"`) {
		t.Errorf("the .slate file does not keep the picture: %v", err)
	}
	h.ui.Drain()
	if got := studiotest.Texts(h.panel.characters.view); !strings.Contains(got, "played by Theo Vance") {
		t.Errorf("the section says:\n%s", got)
	}
}
