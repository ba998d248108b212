package studio

import (
	"context"
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
	"github.com/slatestudio/slate/render"
	"github.com/slatestudio/slate/render/animatic"
	"github.com/slatestudio/slate/studio/studiotest"
	"github.com/slatestudio/slate/studio/uikit"
	"github.com/slatestudio/slate/timeline"
)

// heardVoices records the voice each line of dialogue is spoken in.
type heardVoices struct {
	render.Voices
	mu    sync.Mutex
	voice map[string]string // by text
}

func (h *heardVoices) Speak(ctx context.Context, text, voice string, wpm int) (*audio.PCM, error) {
	h.mu.Lock()
	h.voice[text] = voice
	h.mu.Unlock()
	return h.Voices.Speak(ctx, text, voice, wpm)
}

func (h *heardVoices) spokenIn(text string) string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.voice[text]
}

// selectWith is the first list under o offering option.
func selectWith(o fyne.CanvasObject, option string) *widget.Select {
	var found *widget.Select
	walkAll(o, func(x fyne.CanvasObject) {
		s, ok := x.(*widget.Select)
		if c, isChoice := x.(*uikit.Choice); isChoice {
			s, ok = &c.Select, true // the dialogs' lists, which take Enter and Esc
		}
		if ok && found == nil && slices.Contains(s.Options, option) {
			found = s
		}
	})
	return found
}

// "The Kite", as a filmmaker makes it: a vertical 1080×1920 film at 25 fps
// of three shots, a crossfade between the first two, and one line said by
// Ada, a character made from the line's speaker list with a voice of her
// own and no recording. The film has her line in her voice, captioned
// "Ada: …".
func TestTheKite(t *testing.T) {
	tools := studiotest.Tools(t)
	spoken := &heardVoices{Voices: render.DefaultVoices(tools), voice: map[string]string{}}
	t.Cleanup(func() { spoken.Voices.(interface{ Close() error }).Close() })
	h := build(t, studiotest.Options{
		Projects: []*timeline.Project{timeline.New("The Kite")},
		Change: func(r *render.Registry) {
			r.Register(animatic.Name, func() (render.Backend, error) { return animatic.NewWithVoices(tools, spoken) })
		},
	}, nil)
	ctx := t.Context()
	s := h.s.session
	edit := func(c timeline.Command) {
		t.Helper()
		if err := s.Edit(ctx, c); err != nil {
			t.Fatalf("%s: %v", c.Name(), err)
		}
	}
	// The project's settings, through the document's meta edit.
	edit(timeline.SetFormat(1080, 1920, 25))
	// Three short shots: Ctrl+T, as a person adds one.
	for range 3 {
		h.shortcut(keyAdd)
	}
	h.ui.until(t, "three shots", 10*time.Second, func() bool { return len(s.Project().Shots) == 3 })
	p := s.Project()
	for i, title := range []string{"The hill", "Ada runs", "Into the sky"} {
		id := p.Shots[i].ID
		edit(timeline.SetShotTitle(id, title))
		edit(timeline.SetDuration(id, []time.Duration{time.Second, 3 * time.Second, time.Second}[i]))
	}
	edit(timeline.SetTransition(p.Shots[0].ID, timeline.Transition{Kind: timeline.Crossfade, Duration: 400 * time.Millisecond}))
	run := p.Shots[1].ID
	edit(timeline.AddLine(run, -1, timeline.Line{Speaker: timeline.Narrator, Text: "Come on, catch the wind!", Start: 200 * time.Millisecond}))

	// The line's speaker list makes Ada.
	s.Select(run)
	h.ui.drain()
	speaker := selectWith(h.s.inspector.View(), "New character…")
	if speaker == nil {
		t.Fatal("the line's speaker list does not offer New character…")
	}
	speaker.SetSelected("New character…")
	var editor fyne.CanvasObject
	var voice *widget.Select
	h.ui.until(t, "the character editor with its voices", 20*time.Second, func() bool {
		if editor = h.win.Canvas().Overlays().Top(); editor == nil {
			return false
		}
		voice = selectWith(editor, "Chosen by Slate")
		return voice != nil && len(voice.Options) > 1
	})
	var name *widget.Entry
	walkAll(editor, func(o fyne.CanvasObject) {
		e, ok := o.(*widget.Entry)
		if f, isField := o.(*uikit.Field); isField {
			e, ok = &f.Entry, true // a field that takes Esc, as the dialogs' do
		}
		if ok && name == nil && e.PlaceHolder == "Ada" {
			name = e
		}
	})
	if name == nil {
		t.Fatal("the character editor has no name field")
	}
	test.Type(name, "Ada")
	k := slices.IndexFunc(voice.Options, func(o string) bool { return strings.HasPrefix(o, "en-gb · ") })
	voice.SetSelectedIndex(k)
	variant := selectWith(editor, "Standard")
	v := slices.IndexFunc(variant.Options, func(o string) bool { return strings.HasPrefix(o, "f3 ") })
	variant.SetSelectedIndex(v)
	test.Tap(findButton(t, editor, "Save"))
	p = s.Project()
	line := p.Shots[1].Lines[0]
	ada, ok := p.CastMember(line.Speaker)
	if !ok || ada.Name != "Ada" || !ada.Character || ada.Voice != "en-gb+f3" {
		t.Fatalf("the line is said by %+v", ada)
	}

	// Exported as File ▸ Export film exports it.
	out := filepath.Join(t.TempDir(), "The Kite.mp4")
	export, err := h.queue.PrepareFilm(ctx, h.env.Tools, p, render.ExportOptions{
		Output: out, Backend: h.s.deps.Backend, Likeness: s.Likeness(), Consent: h.s.deps.Sharing,
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := export.Make(ctx, render.FilmProgress{}); err != nil {
		t.Fatal(err)
	}
	pr, err := tools.Probe(ctx, out)
	if err != nil {
		t.Fatal(err)
	}
	if pr.Video == nil || pr.Video.Width != 1080 || pr.Video.Height != 1920 || pr.Video.FrameRate.Float() != 25 || pr.Video.Codec != "h264" {
		t.Errorf("the film's picture is %+v, want h264 1080×1920 at 25 fps", pr.Video)
	}
	if pr.Audio == nil || pr.Audio.Codec != "aac" {
		t.Errorf("the film's sound is %+v, want aac", pr.Audio)
	}
	narrator := render.VoiceFor(p.Cast, timeline.Line{Speaker: timeline.Narrator, Text: line.Text})
	if got := spoken.spokenIn(line.Text); got != "en-gb+f3" || got == narrator {
		t.Errorf("the line was spoken in %q; want Ada's en-gb+f3, not the narrator's %s", got, narrator)
	}
	// The captions the shot was drawn with.
	_, captions, err := render.SoundtrackWith(ctx, tools, spoken, s.Request(1))
	if err != nil {
		t.Fatal(err)
	}
	if len(captions) != 1 || captions[0].Speaker+": "+captions[0].Text != "Ada: Come on, catch the wind!" {
		t.Errorf("the captions are %+v", captions)
	}
}

// Cast ▸ New character… brings the Cast tab forward, where the character
// will be listed, and opens the character editor; what it saves is a
// character of the project.
func TestCastMenuNewCharacter(t *testing.T) {
	h := newHarness(t, smallDemo(t))
	h.menuItem(t, "New character…").Action()
	if got := h.s.side.Selected().Text; got != "Cast" {
		t.Errorf("the side tab is %q, want Cast", got)
	}
	var editor fyne.CanvasObject
	h.ui.until(t, "the character editor", 10*time.Second, func() bool {
		editor = h.win.Canvas().Overlays().Top()
		return editor != nil && selectWith(editor, "Chosen by Slate") != nil
	})
	var name *widget.Entry
	walkAll(editor, func(o fyne.CanvasObject) {
		e, ok := o.(*widget.Entry)
		if f, isField := o.(*uikit.Field); isField {
			e, ok = &f.Entry, true // a field that takes Esc, as the dialogs' do
		}
		if ok && name == nil && e.PlaceHolder == "Ada" {
			name = e
		}
	})
	test.Type(name, "Bo")
	test.Tap(findButton(t, editor, "Save"))
	if c := h.s.Project().Characters(); len(c) != 1 || c[0].Name != "Bo" {
		t.Errorf("characters after saving: %+v", c)
	}
	if name, _ := h.s.session.Document().UndoName(); name != "Add character Bo" {
		t.Errorf("undo would %q", name)
	}
}
