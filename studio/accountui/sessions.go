package accountui

import (
	"context"
	"errors"
	"fmt"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/slatestudio/slate/account"
	"github.com/slatestudio/slate/account/client"
	"github.com/slatestudio/slate/sharing"
	"github.com/slatestudio/slate/studio/session"
	"github.com/slatestudio/slate/studio/uikit"
)

// The consent dashboard's Account and devices tab: the login sessions of
// the account, each named by its device (a studio's data folder, not a
// camera or microphone). It shows this data folder's name in that list,
// who is logged in, the sessions of the account (any but this one can be
// logged out from here), and deleting the account.

// drawAccountTab draws the Account and devices tab from what was last read.
func (d *dashboard) drawAccountTab(ctx context.Context) {
	st := d.shown
	d.accountTab.RemoveAll()
	d.revokeSession = map[string]*widget.Button{}
	d.accountTab.Add(heading("This device"))
	d.accountTab.Add(quiet("The name this studio's data folder goes by in your account's list of devices. Each data folder is a device of its own, even on one computer."))
	d.rename.show(st)
	d.accountTab.Add(d.rename.box)
	d.accountTab.Add(widget.NewSeparator())
	if !st.loggedIn {
		d.accountTab.Add(quiet("Not logged in to an account server: log in (Account ▸ Log in…, or the button above) to see your account and the devices logged in to it. Your recordings and consent settings stay on this computer either way."))
		return
	}
	a := st.acct
	d.accountTab.Add(heading("Account"))
	d.accountTab.Add(widget.NewForm(
		widget.NewFormItem("Username", widget.NewLabel(a.Username)),
		widget.NewFormItem("Server", widget.NewLabel(a.Server)),
		widget.NewFormItem("Logged in since", widget.NewLabel(whenOr(a.LoggedIn, "unknown"))),
	))
	d.accountTab.Add(widget.NewSeparator())
	d.accountTab.Add(heading("Devices logged in"))
	switch {
	case st.sessionsErr != nil:
		d.accountTab.Add(&widget.Label{Text: "The devices cannot be read: " + peopleError(a.Server, st.sessionsErr), Wrapping: fyne.TextWrapWord, Importance: widget.WarningImportance})
	case len(st.sessions) == 0:
		d.accountTab.Add(quiet("The server lists no devices."))
	}
	for _, dev := range st.sessions {
		d.accountTab.Add(d.sessionRow(ctx, dev))
	}
	d.accountTab.Add(widget.NewSeparator())
	d.accountTab.Add(heading("Delete account"))
	d.accountTab.Add(quiet(fmt.Sprintf("Deletes %s on %s for good, with everything the server keeps for it. The recordings on this computer stay.", a.Username, a.Server)))
	del := widget.NewButtonWithIcon("Delete account…", theme.DeleteIcon(), func() { d.showDeleteAccount(ctx) })
	del.Importance = widget.DangerImportance
	d.accountTab.Add(container.NewHBox(del))
}

// whenOr is t as the dashboard shows times, or none when t is zero.
func whenOr(t time.Time, none string) string {
	if t.IsZero() {
		return none
	}
	return when(t.Local())
}

// sessionName is how a session is named in the list: by its device.
func sessionName(sess account.Session) string {
	if sess.Device == "" {
		return "An unnamed device"
	}
	return sess.Device
}

// sessionRow is one session: its device's name, when it logged in and
// was last seen, and a Log out button. This computer's logs out the studio itself,
// as Account ▸ Log out does; another's asks the server to end its session.
func (d *dashboard) sessionRow(ctx context.Context, dev account.Session) fyne.CanvasObject {
	name := sessionName(dev)
	text := fmt.Sprintf("%s · logged in %s · last seen %s", name, whenOr(dev.Created, "at an unknown time"), whenOr(dev.LastSeen, "never"))
	right := container.NewHBox()
	var b *widget.Button
	if dev.Current {
		right.Add(widget.NewLabelWithStyle("this computer", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}))
		b = widget.NewButtonWithIcon("Log out", theme.LogoutIcon(), func() {
			d.confirm("Log out of this computer?",
				"This studio forgets the session and stops syncing; your recordings and consent settings stay here. Log in again with Account ▸ Log in….",
				"Log out", "Stay logged in", func() { d.a.Logout(ctx) })
		})
	} else {
		id := dev.ID
		svc := d.a.d.Sharing
		b = widget.NewButtonWithIcon("Log out", theme.LogoutIcon(), func() {
			d.confirm("Log out "+name+"?",
				fmt.Sprintf("%s is logged out of your account at once: its studio stops syncing and asks for your password before it uses the account again. What it recorded stays on it.", name),
				"Log out", "Keep it logged in", func() {
					d.do(ctx, func(ctx context.Context) error { return svc.RevokeDevice(ctx, id) }, nil)
				})
		})
		d.revokeSession[id] = b
	}
	right.Add(b)
	return container.NewBorder(nil, nil, nil, right, &widget.Label{Text: text, Wrapping: fyne.TextWrapWord})
}

// sessionNameField is the field that names this data folder's device in
// the list of sessions. It lives as long as the dashboard, so that a name
// being typed survives the reloads that redraw the tab.
type sessionNameField struct {
	d      *dashboard
	entry  *widget.Entry
	submit *widget.Button
	note   *widget.Label
	box    fyne.CanvasObject
	// shown is the name as last read; edited marks a name typed and not
	// yet saved; busy is set while it is saved.
	shown        string
	edited, busy bool
}

func newSessionNameField(ctx context.Context, d *dashboard) *sessionNameField {
	r := &sessionNameField{d: d}
	r.entry = widget.NewEntry()
	r.entry.SetPlaceHolder("such as Olive's laptop")
	r.entry.OnChanged = func(text string) {
		r.edited = text != r.shown
		r.refreshButton()
	}
	r.entry.OnSubmitted = func(string) { r.save(ctx) }
	r.submit = widget.NewButtonWithIcon("Rename", theme.DocumentSaveIcon(), func() { r.save(ctx) })
	r.note = &widget.Label{Wrapping: fyne.TextWrapWord}
	r.note.Hide()
	r.box = container.NewVBox(
		container.NewBorder(nil, nil, widget.NewLabel("Name"), r.submit, r.entry),
		r.note,
	)
	return r
}

// show puts the name as read into the field, unless a person is typing
// another.
func (r *sessionNameField) show(st dashState) {
	r.shown = st.deviceName
	if st.deviceNameErr != nil {
		r.say("The name of this device cannot be read: "+st.deviceNameErr.Error(), widget.DangerImportance)
	}
	if !r.edited && !r.busy {
		r.entry.SetText(st.deviceName)
		r.edited = false
	}
	r.refreshButton()
}

func (r *sessionNameField) refreshButton() {
	if r.edited && !r.busy {
		r.submit.Enable()
	} else {
		r.submit.Disable()
	}
}

func (r *sessionNameField) say(text string, imp widget.Importance) {
	r.note.Importance = imp
	r.note.SetText(text)
	if text == "" {
		r.note.Hide()
	} else {
		r.note.Show()
	}
}

// save renames this data folder's device off the UI goroutine: in the
// library at once, and on the server when logged in. A name refused here
// stays in the field with the reason under it; one the server could not
// be told of yet is kept and sent at the next sync, which the note says.
func (r *sessionNameField) save(ctx context.Context) {
	if r.busy || !r.edited {
		return
	}
	d := r.d
	svc, server, name := d.a.d.Sharing, d.shown.acct.Server, r.entry.Text
	r.busy = true
	d.busy++
	r.refreshButton()
	r.say("", widget.MediumImportance)
	session.Background(ctx, d.a.s, func(ctx context.Context) (string, error) {
		return svc.RenameDevice(ctx, name)
	}, func(got string, err error) {
		r.busy = false
		d.busy--
		var notTold *sharing.NotToldError
		switch {
		case errors.As(err, &notTold):
			r.say("Saved here; the account server will hear of it when it answers: "+peopleError(server, notTold.Err), widget.WarningImportance)
		case err != nil:
			r.say(capitalize(err.Error())+".", widget.DangerImportance)
			r.refreshButton()
			return // the name stays in the field to be fixed
		default:
			r.say(fmt.Sprintf("This device is now called %q.", got), widget.SuccessImportance)
		}
		r.edited = false
		r.shown = got
		r.entry.SetText(got)
		if errors.Is(err, client.ErrSessionEnded) {
			d.a.AccountChanged(ctx)
		}
		d.reload(ctx)
	})
}

// deleteDialog asks for the password before the account is deleted.
type deleteDialog struct {
	d        *dashboard
	dialog   dialog.Dialog
	password *uikit.Field
	problem  *widget.Label
	submit   *widget.Button
	width    float32
	// busy is set while the server is asked.
	busy bool
}

// showDeleteAccount opens the dialog that deletes the account, saying
// exactly what goes and what stays.
func (d *dashboard) showDeleteAccount(ctx context.Context) {
	a := d.shown.acct
	dd := &deleteDialog{d: d}
	dd.password = uikit.NewPasswordField()
	dd.password.SetPlaceHolder("your password")
	dd.password.OnSubmitted = func(string) { dd.send(ctx) }
	dd.problem = &widget.Label{Wrapping: fyne.TextWrapWord, Importance: widget.DangerImportance}
	dd.problem.Hide()
	dd.submit = widget.NewButtonWithIcon("Delete account", theme.DeleteIcon(), func() { dd.send(ctx) })
	dd.submit.Importance = widget.DangerImportance
	cancel := widget.NewButton("Cancel", func() { dd.close() })
	para := func(text string) *widget.Label { return &widget.Label{Text: text, Wrapping: fyne.TextWrapWord} }
	content := container.NewVBox(
		&widget.Label{Text: fmt.Sprintf("Delete the account %s on %s? This cannot be undone.", a.Username, a.Server), Wrapping: fyne.TextWrapWord, TextStyle: fyne.TextStyle{Bold: true}},
		para("The account server deletes:"),
		para("• your cast members there, with the recordings of their likeness sent to it;"),
		para("• every session of the account: every device, this computer included, is logged out;"),
		para("• every use of your likenesses: the studios that made them, other people's included, delete those clips when they next sync."),
		para("The recordings on this computer stay, as they were before you logged in."),
		widget.NewForm(widget.NewFormItem("Password", dd.password)),
		dd.problem,
		container.NewHBox(layout.NewSpacer(), cancel, dd.submit),
	)
	dd.dialog = dialog.NewCustomWithoutButtons("Delete account", content, d.win)
	dd.width = min(560, d.win.Canvas().Size().Width*0.9)
	dd.dialog.Resize(fyne.NewSize(dd.width, dd.dialog.MinSize().Height))
	d.deleting = dd
	dd.dialog.Show()
	uikit.DialogKeys(d.win, nil, dd.close, dd.password) // Enter in the password deletes, as before
	d.win.Canvas().Focus(dd.password)
}

func (dd *deleteDialog) close() {
	dd.dialog.Hide()
	if dd.d.deleting == dd {
		dd.d.deleting = nil
	}
}

// send asks the server to delete the account, off the UI goroutine; a
// failure (a wrong password) stays in the dialog. Once deleted, the studio
// shows itself logged out, the dashboard with it.
func (dd *deleteDialog) send(ctx context.Context) {
	if dd.busy {
		return
	}
	pw := dd.password.Text
	if pw == "" {
		dd.show("Type your password to confirm.")
		return
	}
	d := dd.d
	svc, server := d.a.d.Sharing, d.shown.acct.Server
	dd.busy = true
	d.busy++
	dd.submit.Disable()
	dd.show("")
	session.Background(ctx, d.a.s, func(ctx context.Context) (struct{}, error) {
		return struct{}{}, svc.DeleteAccount(ctx, pw)
	}, func(_ struct{}, err error) {
		dd.busy = false
		d.busy--
		dd.submit.Enable()
		_, in := svc.Account()
		if err != nil && in {
			dd.show(peopleError(server, err))
			return
		}
		dd.close()
		d.a.AccountChanged(ctx)
		note := "Your account is deleted from the account server, and this studio is logged out. The recordings on this computer stay."
		if err != nil {
			// Deleted on the server, but the library did not forget it.
			note = "Your account is deleted from the account server, but this computer could not forget it: " + err.Error()
		}
		uikit.ShowInformation("Account deleted", note, d.win)
	})
}

func (dd *deleteDialog) show(problem string) {
	dd.problem.SetText(problem)
	if problem == "" {
		dd.problem.Hide()
	} else {
		dd.problem.Show()
	}
	dd.dialog.Resize(fyne.NewSize(max(dd.width, dd.dialog.MinSize().Width), dd.dialog.MinSize().Height))
}
