package castui

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	_ "image/jpeg" // reference pictures may be JPEG
	_ "image/png"  // or PNG
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/slatestudio/slate/internal/clock"
	"github.com/slatestudio/slate/internal/userfile"
	"github.com/slatestudio/slate/media"
	"github.com/slatestudio/slate/media/audio"
	"github.com/slatestudio/slate/studio/filepick"
	"github.com/slatestudio/slate/studio/session"
	"github.com/slatestudio/slate/studio/uikit"
	"github.com/slatestudio/slate/timeline"
	"github.com/slatestudio/slate/voices"
)

// AudioOut is the sound output Hear it speaks through: interleaved
// float32 stereo at 48 kHz. The studio passes the player's, playback.Output.
type AudioOut interface {
	Start(fill func(out []float32)) error
	Stop() error
	Played() int64
}

// maxPictureBytes bounds a character's reference picture.
const maxPictureBytes = 32 << 20

// The voice list's fixed entries.
const (
	autoVoice       = "Chosen by Slate"
	standardVariant = "Standard"
	firstSpeaker    = "Speaker 0"
	playedByNobody  = "Nobody: a character of this film"
)

// hearWPM is the rate the sample line is spoken at, as dialogue is.
const hearWPM = 165

// voiceOption is one entry of the editor's voice list.
type voiceOption struct {
	label string
	// voice is the espeak-ng language, or a Piper voice's "piper:NAME".
	voice    string
	piper    bool
	speakers int
}

// characterEditor is the dialog that makes or edits a character: its
// name, voice (with Hear it), description, reference picture and the
// recorded member who plays it, if any.
type characterEditor struct {
	d      Deps
	c      timeline.CastRef
	save   func(timeline.CastRef) error
	dialog dialog.Dialog

	name     *uikit.Field
	voice    *uikit.Choice
	variant  *uikit.Choice
	speaker  *uikit.Choice
	hear     *widget.Button
	heard    *widget.Label
	desc     *widget.Entry
	picture  *canvas.Image
	noPic    *widget.Label
	choose   *widget.Button
	dropPic  *widget.Button
	member   *uikit.Choice
	problem  *widget.Label
	saveBtn  *widget.Button
	options  []voiceOption
	variants []media.Voice
	members  []string // member IDs, in the member list's order after "Nobody"
	// loaded is set once the voice lists are in; sample is what Hear it
	// spoke last; tests read both.
	loaded bool
	sample *audio.PCM
}

// NewCharacter opens the character editor for a new character; save
// makes it part of the project (and, from the speaker list, the line's
// speaker). The editor stays open, saying why, when save fails.
func (c *Panel) NewCharacter(ctx context.Context, save func(timeline.CastRef) error) {
	c.editor = openCharacterEditor(ctx, c.d, timeline.NewCharacter(""), "New character", save)
}

// EditCharacter opens the character editor on an existing character.
func (c *Panel) EditCharacter(ctx context.Context, ch timeline.CastRef) {
	s := c.s
	c.editor = openCharacterEditor(ctx, c.d, ch, "Edit "+ch.Name, func(n timeline.CastRef) error {
		return s.Edit(ctx, timeline.SetCharacter(n))
	})
}

func openCharacterEditor(ctx context.Context, d Deps, ch timeline.CastRef, title string, save func(timeline.CastRef) error) *characterEditor {
	e := &characterEditor{d: d, c: ch, save: save}
	e.name = uikit.NewField()
	e.name.SetText(ch.Name)
	e.name.SetPlaceHolder("Ada")
	e.voice = uikit.NewChoice([]string{autoVoice}, func(string) { e.voiceChanged() })
	e.variant = uikit.NewChoice([]string{standardVariant}, nil)
	e.speaker = uikit.NewChoice([]string{firstSpeaker}, nil)
	e.speaker.Hide()
	e.hear = widget.NewButtonWithIcon("Hear it", theme.MediaPlayIcon(), func() { e.hearIt(ctx) })
	e.heard = &widget.Label{Wrapping: fyne.TextWrapWord, Importance: widget.LowImportance}
	e.desc = widget.NewMultiLineEntry()
	e.desc.Wrapping = fyne.TextWrapWord
	e.desc.SetText(ch.Description)
	e.desc.SetPlaceHolder("What they look like and how they act, e.g. \"a girl of nine in a yellow raincoat, fearless\". Added to the prompt of every shot that features them.")
	e.desc.SetMinRowsVisible(3)
	e.picture = canvas.NewImageFromResource(nil)
	e.picture.FillMode = canvas.ImageFillContain
	e.picture.SetMinSize(fyne.NewSize(96, 96))
	e.noPic = &widget.Label{Text: "No picture. A picture helps renders that can follow one.", Wrapping: fyne.TextWrapWord, Importance: widget.LowImportance}
	e.choose = widget.NewButtonWithIcon("Choose picture…", theme.FileImageIcon(), func() { e.choosePicture(ctx) })
	e.dropPic = widget.NewButtonWithIcon("Remove picture", theme.DeleteIcon(), func() { e.setPicture("") })
	e.setPicture(ch.Image)

	memberNames := []string{playedByNobody}
	for _, m := range d.Session.Cast() {
		e.members = append(e.members, m.ID)
		memberNames = append(memberNames, m.Name+" ("+m.HandleAndOwner()+")")
	}
	e.member = uikit.NewChoice(memberNames, nil)
	if k := slices.Index(e.members, ch.Member); k >= 0 {
		e.member.SetSelectedIndex(k + 1)
	} else {
		e.member.SetSelectedIndex(0)
	}
	memberNote := &widget.Label{Text: "Played by a recorded cast member, the character has their face, and renders need their consent as they do for the member.", Wrapping: fyne.TextWrapWord, Importance: widget.LowImportance}

	e.problem = &widget.Label{Wrapping: fyne.TextWrapWord, Importance: widget.DangerImportance}
	e.problem.Hide()
	e.saveBtn = widget.NewButtonWithIcon("Save", theme.ConfirmIcon(), func() { e.submit() })
	e.saveBtn.Importance = widget.HighImportance
	cancel := widget.NewButtonWithIcon("Cancel", theme.CancelIcon(), func() { e.dialog.Hide() })

	voiceRow := container.NewBorder(nil, nil, nil, e.hear, container.NewGridWithColumns(2, e.voice, container.NewStack(e.variant, e.speaker)))
	form := widget.NewForm(
		widget.NewFormItem("Name", e.name),
		widget.NewFormItem("Voice", container.NewVBox(voiceRow, e.heard)),
		widget.NewFormItem("Description", e.desc),
		widget.NewFormItem("Picture", container.NewBorder(nil, nil, e.picture, nil, container.NewVBox(e.noPic, container.NewHBox(e.choose, e.dropPic)))),
		widget.NewFormItem("Played by", container.NewVBox(e.member, memberNote)),
	)
	content := container.NewBorder(nil, container.NewVBox(e.problem, container.NewHBox(layout.NewSpacer(), cancel, e.saveBtn)), nil, nil, form)
	e.dialog = dialog.NewCustomWithoutButtons(title, content, d.Window)
	e.dialog.Resize(fyne.NewSize(640, 560))
	e.dialog.Show()
	// Enter saves and Esc cancels, as in every dialog, also once a voice
	// is picked from its list.
	uikit.DialogKeys(d.Window, e.submit, e.dialog.Hide, e.name, e.voice, e.variant, e.speaker, e.member)
	d.Window.Canvas().Focus(e.name)
	e.loadVoices(ctx)
	return e
}

// loadVoices reads espeak-ng's voices and variants and the installed
// Piper voices (as the Models window lists them) in the background.
func (e *characterEditor) loadVoices(ctx context.Context) {
	tools, dirs := e.d.Tools, e.d.VoiceDirs
	type lists struct {
		langs, variants []media.Voice
		piper           []voices.Installed
	}
	session.Background(ctx, e.d.Session, func(ctx context.Context) (lists, error) {
		var l lists
		var err error
		if l.langs, err = tools.EspeakVoices(ctx); err != nil {
			return l, err
		}
		if l.variants, err = tools.EspeakVariants(ctx); err != nil {
			return l, err
		}
		l.piper, _ = voices.List(dirs) // a broken voice is the Models window's to explain
		return l, nil
	}, func(l lists, err error) {
		if err != nil {
			// The reason (a missing program, say) goes to the log; the
			// person is told what it means and what to do.
			e.d.Log.Warn("listing espeak-ng's voices", "err", err)
			e.heard.SetText("Slate could not list the voices of espeak-ng, the speech program it uses, so the character speaks in a voice Slate chooses. Installing espeak-ng (make run does) gives the choice back.")
		}
		e.options = []voiceOption{{label: autoVoice}}
		for _, v := range l.piper {
			e.options = append(e.options, voiceOption{label: "Piper · " + v.Name, voice: voices.Prefix + v.Name, piper: true, speakers: v.Speakers})
		}
		for _, v := range l.langs {
			e.options = append(e.options, voiceOption{label: v.Language + " · " + v.Name, voice: v.Language})
		}
		e.variants = l.variants
		labels := make([]string, len(e.options))
		for i, o := range e.options {
			labels[i] = o.label
		}
		e.voice.SetOptions(labels)
		vl := []string{standardVariant}
		for _, v := range l.variants {
			vl = append(vl, variantLabel(v))
		}
		e.variant.SetOptions(vl)
		e.showVoice(e.c.Voice)
		e.loaded = true
	})
}

func variantLabel(v media.Voice) string {
	if v.Gender != "" && !strings.EqualFold(v.Name, v.Language) {
		return v.Language + " · " + v.Name + " (" + v.Gender + ")"
	}
	if v.Gender != "" {
		return v.Language + " (" + v.Gender + ")"
	}
	return v.Language
}

// showVoice sets the lists to a voice string.
func (e *characterEditor) showVoice(voice string) {
	if voice == "" {
		e.voice.SetSelectedIndex(0)
		return
	}
	if name, speaker, ok := voices.ParsePiper(voice); ok {
		if k := slices.IndexFunc(e.options, func(o voiceOption) bool { return o.voice == voices.Prefix+name }); k >= 0 {
			e.voice.SetSelectedIndex(k)
			if n, err := strconv.Atoi(speaker); err == nil && n < len(e.speaker.Options) {
				e.speaker.SetSelectedIndex(n)
			}
		}
		return
	}
	lang, variant, _ := strings.Cut(voice, "+")
	if k := slices.IndexFunc(e.options, func(o voiceOption) bool { return !o.piper && o.voice == lang }); k >= 0 {
		e.voice.SetSelectedIndex(k)
	}
	if k := slices.IndexFunc(e.variants, func(v media.Voice) bool { return v.Language == variant }); k >= 0 {
		e.variant.SetSelectedIndex(k + 1)
	}
}

// voiceChanged shows the variants for an espeak-ng voice, the speakers
// for a Piper voice with several, and neither for Slate's choice.
func (e *characterEditor) voiceChanged() {
	k := e.voice.SelectedIndex()
	e.variant.Hide()
	e.speaker.Hide()
	if k <= 0 || k >= len(e.options) {
		return
	}
	o := e.options[k]
	if !o.piper {
		e.variant.Show()
		if e.variant.SelectedIndex() < 0 {
			e.variant.SetSelectedIndex(0)
		}
		return
	}
	if o.speakers > 1 {
		var names []string
		for i := range o.speakers {
			names = append(names, fmt.Sprintf("Speaker %d", i))
		}
		e.speaker.SetOptions(names)
		e.speaker.SetSelectedIndex(0)
		e.speaker.Show()
	}
}

// chosenVoice is the voice string the lists say: "" for Slate's choice,
// "en-gb+f3", "piper:NAME" or "piper:NAME:2".
func (e *characterEditor) chosenVoice() string {
	k := e.voice.SelectedIndex()
	if !e.loaded {
		return e.c.Voice
	}
	if k <= 0 || k >= len(e.options) {
		return ""
	}
	o := e.options[k]
	if o.piper {
		if n := e.speaker.SelectedIndex(); o.speakers > 1 && n > 0 {
			return o.voice + ":" + strconv.Itoa(n)
		}
		return o.voice
	}
	if n := e.variant.SelectedIndex(); n > 0 && n <= len(e.variants) {
		return o.voice + "+" + e.variants[n-1].Language
	}
	return o.voice
}

// sampleLine is what Hear it says.
func sampleLine(name string) string {
	if name = strings.TrimSpace(name); name == "" {
		return "Hello. This is how I sound."
	}
	return "Hello, I'm " + name + ". This is how I sound."
}

// hearIt speaks the sample line in the chosen voice through the sound
// output. Slate's own choice is made when the film renders, by the
// character's place in the cast, so there is nothing to hear yet.
func (e *characterEditor) hearIt(ctx context.Context) {
	voice := e.chosenVoice()
	if voice == "" {
		e.heard.SetText("Slate gives the character a voice unlike the others' when the film renders. Choose a voice to hear it.")
		return
	}
	tools, dirs := e.d.Tools, e.d.VoiceDirs
	text := sampleLine(e.name.Text)
	e.hear.Disable()
	e.heard.SetText("Speaking…")
	session.Background(ctx, e.d.Session, func(ctx context.Context) (*audio.PCM, error) {
		sp := voices.NewSpeaker(tools, dirs)
		defer sp.Close()
		return sp.Speak(ctx, text, voice, hearWPM)
	}, func(p *audio.PCM, err error) {
		e.hear.Enable()
		if err != nil {
			e.heard.SetText("This voice cannot speak here: " + err.Error())
			return
		}
		e.sample = p
		e.heard.SetText(fmt.Sprintf("“%s” (%s)", text, voiceLabel(voice)))
		e.play(ctx, p)
	})
}

// voiceLabel names a voice for the line under the list.
func voiceLabel(voice string) string {
	if name, speaker, ok := voices.ParsePiper(voice); ok {
		if speaker != "" {
			return "Piper voice " + name + ", speaker " + speaker
		}
		return "Piper voice " + name
	}
	return "espeak-ng voice " + voice
}

// play sends p to the sound output and stops it when it has been heard.
func (e *characterEditor) play(ctx context.Context, p *audio.PCM) {
	out := e.d.Audio
	if out == nil {
		e.heard.SetText(e.heard.Text + " — no sound output was found, so nothing is heard.")
		return
	}
	stereo := make([]float32, 2*p.Frames())
	for i := range p.Frames() {
		v := p.Samples[i*p.Channels]
		stereo[2*i], stereo[2*i+1] = v, v
	}
	var pos atomic.Int64
	fill := func(buf []float32) {
		at := int(pos.Load())
		n := copy(buf, stereo[min(at, len(stereo)):])
		clear(buf[n:])
		pos.Add(int64(n))
	}
	if err := out.Start(fill); err != nil {
		e.heard.SetText(e.heard.Text + " — the sound output is busy (is the preview playing?); stop it and try again.")
		return
	}
	frames := int64(p.Frames())
	clk := clock.Or(e.d.Clock)
	session.Background(ctx, e.d.Session, func(ctx context.Context) (struct{}, error) {
		// Until it has been heard, or well past its length if the output
		// stalls.
		limit := p.Duration() + 2*time.Second
		for waited := time.Duration(0); out.Played() < frames && waited < limit && ctx.Err() == nil; waited += 50 * time.Millisecond {
			clk.Sleep(ctx, 50*time.Millisecond)
		}
		return struct{}{}, out.Stop()
	}, func(struct{}, error) {})
}

// choosePicture asks for a picture file and stores it.
func (e *characterEditor) choosePicture(ctx context.Context) {
	d := dialog.NewFileOpen(func(rc fyne.URIReadCloser, err error) {
		if err != nil || rc == nil {
			return
		}
		path := rc.URI().Path()
		rc.Close()
		e.usePicture(ctx, path)
	}, e.d.Window)
	d.SetFilter(filepick.RegularFiles{".png", ".jpg", ".jpeg"})
	d.Resize(filepick.DialogSize())
	d.Show()
}

// usePicture copies the picture at path into the library's blob store, as
// the cast's stills are kept, and shows it.
func (e *characterEditor) usePicture(ctx context.Context, path string) {
	lib := e.d.Library
	session.Background(ctx, e.d.Session, func(ctx context.Context) (string, error) {
		data, err := userfile.ReadFile(path, "a picture", maxPictureBytes)
		if err != nil {
			return "", err
		}
		if _, _, err := image.DecodeConfig(bytes.NewReader(data)); err != nil {
			return "", fmt.Errorf("%s is not a PNG or JPEG picture", path)
		}
		sum, _, err := lib.Blobs().Put(ctx, bytes.NewReader(data))
		return sum, err
	}, func(sum string, err error) {
		if err != nil {
			e.showProblem(err)
			return
		}
		e.setPicture(sum)
	})
}

func (e *characterEditor) setPicture(sum string) {
	e.c.Image = sum
	if sum == "" {
		e.picture.File, e.picture.Resource = "", theme.AccountIcon()
		e.noPic.Show()
		e.dropPic.Disable()
	} else {
		e.picture.File, e.picture.Resource = e.d.Library.Blobs().Path(sum), nil
		e.noPic.Hide()
		e.dropPic.Enable()
	}
	e.picture.Refresh()
}

func (e *characterEditor) showProblem(err error) {
	msg := err.Error()
	var ve *timeline.Error
	if errors.As(err, &ve) {
		msg = ve.Msg
	}
	e.problem.SetText(msg)
	e.problem.Show()
}

// submit saves the character, keeping the editor open with the reason
// when the project refuses it.
func (e *characterEditor) submit() {
	c := e.c
	c.Name = strings.TrimSpace(e.name.Text)
	if c.Name == "" {
		e.problem.SetText("Give the character a name.")
		e.problem.Show()
		return
	}
	c.Voice = e.chosenVoice()
	c.Description = strings.TrimSpace(e.desc.Text)
	c.Member = ""
	if k := e.member.SelectedIndex(); k > 0 && k <= len(e.members) {
		c.Member = e.members[k-1]
	}
	c.Character = true
	if err := e.save(c); err != nil {
		e.showProblem(err)
		return
	}
	e.dialog.Hide()
}
