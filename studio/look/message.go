package look

import (
	"strings"
	"unicode/utf8"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/widget"
)

// MessageRunes is how much of a message a Message shows in place; a
// longer one is cut at a word with "…", and shown whole on hover and in
// its details.
const MessageRunes = 120

// Message is a message in red beside what it is about, such as a field
// whose value was refused. One too long to show in place is cut off; it
// shows whole in a pop-up while the pointer is over it, and in a details
// dialog when it is clicked.
type Message struct {
	widget.Label
	// Full is the whole message; Text is what is shown in place.
	Full string
	// DetailsShown, if set, is told of the details dialog once it shows
	// (to give it the keys the studio's dialogs take).
	DetailsShown func(dialog.Dialog)
	win          fyne.Window
	tip          *widget.PopUp
}

var (
	_ fyne.Tappable      = (*Message)(nil)
	_ desktop.Hoverable  = (*Message)(nil)
	_ desktop.Cursorable = (*Message)(nil)
)

// NewMessage is an empty, hidden message whose details open over win.
func NewMessage(win fyne.Window) *Message {
	m := &Message{win: win}
	m.Wrapping = fyne.TextWrapWord
	m.Importance = widget.DangerImportance
	m.ExtendBaseWidget(m)
	m.Hide()
	return m
}

// SetText sets the message, cut off if it is long.
func (m *Message) SetText(text string) {
	m.Full = text
	m.Label.SetText(cut(text, MessageRunes))
}

// Cut reports whether the message shows only in part.
func (m *Message) Cut() bool { return m.Text != m.Full }

// Hide hides the message and its pop-up.
func (m *Message) Hide() {
	m.hideTip()
	m.Label.Hide()
}

// cut is text, or its start up to a word boundary within n runes and "…".
func cut(text string, n int) string {
	if utf8.RuneCountInString(text) <= n {
		return text
	}
	r := []rune(text)[:n-1]
	s := string(r)
	if j := strings.LastIndexAny(s, " \n"); j > len(s)/2 {
		s = s[:j]
	}
	return strings.TrimRight(s, " ,;:.") + "…"
}

// MouseIn shows a cut-off message whole under it.
func (m *Message) MouseIn(*desktop.MouseEvent) {
	if !m.Cut() || m.win == nil || m.tip != nil {
		return
	}
	text := &widget.Label{Text: m.Full, Wrapping: fyne.TextWrapWord}
	m.tip = widget.NewPopUp(container.NewPadded(text), m.win.Canvas())
	w := max(m.Size().Width, 360)
	// Laid out at its width first, so that its wrapped height is known.
	m.tip.Resize(fyne.NewSize(w, m.tip.MinSize().Height))
	m.tip.Resize(fyne.NewSize(w, m.tip.MinSize().Height))
	at := fyne.CurrentApp().Driver().AbsolutePositionForObject(m)
	m.tip.ShowAtPosition(at.AddXY(0, m.Size().Height))
}

// MouseMoved does nothing: the pop-up stays while the pointer is over the
// message.
func (m *Message) MouseMoved(*desktop.MouseEvent) {}

// MouseOut hides the pop-up.
func (m *Message) MouseOut() { m.hideTip() }

func (m *Message) hideTip() {
	if m.tip != nil {
		m.tip.Hide()
		m.tip = nil
	}
}

// Cursor is a pointer: the message opens its details.
func (m *Message) Cursor() desktop.Cursor { return desktop.PointerCursor }

// Tapped opens the message's details: the whole message, which can be
// selected and copied.
func (m *Message) Tapped(*fyne.PointEvent) {
	m.hideTip()
	if m.win == nil {
		return
	}
	d := m.Details()
	d.Show()
	if m.DetailsShown != nil {
		m.DetailsShown(d)
	}
}

// Details is the dialog that shows the whole message.
func (m *Message) Details() dialog.Dialog {
	text := &widget.Label{Text: m.Full, Wrapping: fyne.TextWrapWord, Selectable: true}
	d := dialog.NewCustom("Details", "Close", text, m.win)
	d.Resize(fyne.NewSize(min(520, m.win.Canvas().Size().Width*0.9), d.MinSize().Height+text.MinSize().Height))
	return d
}
