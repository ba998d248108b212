package accountui

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/slatestudio/slate/account"
	"github.com/slatestudio/slate/account/client"
	"github.com/slatestudio/slate/consent"
	"github.com/slatestudio/slate/library"
	"github.com/slatestudio/slate/studio/session"
	"github.com/slatestudio/slate/studio/uikit"
)

// dashState is what the consent dashboard shows, read in the background.
type dashState struct {
	acct     library.Account
	loggedIn bool
	members  []library.CastMember // mine and other people's
	made     []library.Use
	outbox   int
	// From the server; each error says why that part is missing.
	requests    []account.Request
	requestsErr error
	uses        []account.Use
	usesErr     error
	sessions    []account.Session
	sessionsErr error
	libErr      error
	// deviceName is the name this data folder goes by in the list of
	// devices; it is read from the library, logged in or not.
	deviceName    string
	deviceNameErr error
}

// dashboard is the consent and sharing window: my cast's consent and the
// requests to be approved for them, every use of my likeness, the other
// people's cast I may feature, and the uses of theirs made here.
type dashboard struct {
	a       *Account
	win     fyne.Window
	tabs    *container.AppTabs
	account *fyne.Container
	problem *widget.Label

	mine, uses, others, made *fyne.Container

	addHandle *widget.Entry
	// added says whom the last Add found, with the owner's username, which
	// tells them from a look-alike handle.
	added   *widget.Label
	editors map[string]*memberEditor // by member ID
	// The buttons of each use and request, for tests to tap.
	removeUse map[string]*widget.Button
	answer    map[string][2]*widget.Button // accept, decline

	// The Account and devices tab: its body, each other device's Log out
	// button (by session ID), and the delete-account dialog while open.
	accountTab    *fyne.Container
	revokeSession map[string]*widget.Button
	deleting      *deleteDialog
	rename        *sessionNameField

	shown dashState
	// loads counts the loads drawn; busy the server calls out.
	loads, busy int
}

// memberEditor edits one of my members' consent.
type memberEditor struct {
	member   library.CastMember
	level    *widget.Select
	approved []string
	names    *fyne.Container
	addName  *widget.Entry
	approve  *widget.Button
	prefs    *widget.Entry
	// outside is the choice that the likeness may be sent to outside
	// render services; off until the owner ticks it.
	outside *widget.Check
	save    *widget.Button
	note    *widget.Label
	// edited marks changes not yet saved: a reload keeps them.
	edited bool
	box    fyne.CanvasObject
}

// ShowDashboard opens the consent dashboard, or brings it to the front:
// Account ▸ Consent and sharing….
func (a *Account) ShowDashboard(ctx context.Context) { a.showDashboard(ctx) }

func (a *Account) showDashboard(ctx context.Context) *dashboard {
	if a.noServer() {
		return nil
	}
	if a.dash != nil {
		a.dash.win.RequestFocus()
		a.dash.reload(ctx)
		return a.dash
	}
	d := &dashboard{a: a, editors: map[string]*memberEditor{}}
	d.win = a.d.App.NewWindow("Consent and sharing — Slate")
	d.account = container.NewHBox()
	d.problem = &widget.Label{Wrapping: fyne.TextWrapWord, Importance: widget.DangerImportance}
	d.problem.Hide()
	d.mine, d.uses, d.others, d.made = container.NewVBox(), container.NewVBox(), container.NewVBox(), container.NewVBox()
	d.accountTab = container.NewVBox()
	d.rename = newSessionNameField(ctx, d)
	d.addHandle = widget.NewEntry()
	d.addHandle.SetPlaceHolder("@handle")
	d.addHandle.OnSubmitted = func(string) { d.find(ctx) }
	d.added = &widget.Label{Wrapping: fyne.TextWrapWord, Importance: widget.SuccessImportance}
	d.added.Hide()
	addBar := container.NewVBox(
		container.NewBorder(nil, nil, widget.NewLabel("Add by handle"), widget.NewButtonWithIcon("Add", theme.ContentAddIcon(), func() { d.find(ctx) }), d.addHandle),
		d.added)
	tab := func(note string, top fyne.CanvasObject, body *fyne.Container) fyne.CanvasObject {
		head := container.NewVBox(&widget.Label{Text: note, Wrapping: fyne.TextWrapWord, Importance: widget.LowImportance})
		if top != nil {
			head.Add(top)
		}
		return container.NewBorder(head, nil, nil, nil, container.NewVScroll(body))
	}
	d.tabs = container.NewAppTabs(
		container.NewTabItem("My cast", tab("Who may feature each of your cast members, and what anyone who casts them is asked to respect. Saving tells the account server.", nil, d.mine)),
		container.NewTabItem("Uses of my likeness", tab("Everything made with your cast members, other people's drafts included. Removing a use deletes it from the studio that made it.", nil, d.uses)),
		container.NewTabItem("Cast I may feature", tab("Other people's cast members kept in this library. Each render of them asks their owner's server for a grant.", addBar, d.others)),
		container.NewTabItem("Made here", tab("What this studio made with other people's cast members, and whether their owners' server has heard of it.", nil, d.made)),
		container.NewTabItem("Account and devices", tab("Your account, and the devices logged in to it: each studio's data folder is one. Log out one you no longer use, or one that was lost.", nil, d.accountTab)),
	)
	d.win.SetContent(container.NewBorder(container.NewVBox(d.account, d.problem, widget.NewSeparator()), nil, nil, nil, d.tabs))
	d.win.Resize(fyne.NewSize(1000, 700))
	closed := func() {
		if a.dash == d {
			a.dash = nil
		}
	}
	d.win.SetCloseIntercept(func() { a.d.CloseWindow(d.win, closed) })
	d.win.SetOnClosed(closed)
	a.dash = d
	d.win.Show()
	d.reload(ctx)
	return d
}

// reload reads everything the dashboard shows, off the UI goroutine, and
// draws it.
func (d *dashboard) reload(ctx context.Context) {
	svc, lib := d.a.d.Sharing, d.a.d.Library
	d.busy++
	session.Background(ctx, d.a.s, func(ctx context.Context) (dashState, error) {
		var st dashState
		st.acct, st.loggedIn = svc.Account()
		if st.members, st.libErr = lib.CastMembers(ctx); st.libErr != nil {
			return st, nil
		}
		if st.made, st.libErr = lib.Uses(ctx); st.libErr != nil {
			return st, nil
		}
		st.outbox, st.libErr = svc.Outbox(ctx)
		st.deviceName, st.deviceNameErr = svc.DeviceName(ctx)
		if st.loggedIn {
			st.requests, st.requestsErr = svc.Requests(ctx)
			st.uses, st.usesErr = svc.UsesOfMine(ctx)
			st.sessions, st.sessionsErr = svc.Devices(ctx)
		}
		return st, nil
	}, func(st dashState, _ error) {
		d.busy--
		d.shown = st
		d.draw(ctx)
		d.loads++
		for _, err := range []error{st.requestsErr, st.usesErr, st.sessionsErr} {
			if errors.Is(err, client.ErrSessionEnded) {
				// The service has forgotten the session (revoked from
				// another device): show the studio logged out, which
				// reads everything again.
				d.a.AccountChanged(ctx)
				break
			}
		}
	})
}

// confirm asks before something that cannot be undone, with buttons that
// say what they do, and runs then on yes.
func (d *dashboard) confirm(title, message, yes, no string, then func()) {
	c := dialog.NewConfirm(title, message, func(ok bool) {
		if ok {
			then()
		}
	}, d.win)
	c.SetConfirmText(yes)
	c.SetDismissText(no)
	c.Show()
	uikit.DialogKeys(d.win, nil, c.Dismiss) // what cannot be undone takes a click
}

// do runs a server call off the UI goroutine; its error is shown at the
// top of the dashboard, and everything is read again after it.
func (d *dashboard) do(ctx context.Context, work func(ctx context.Context) error, done func(error)) {
	d.busy++
	d.say("")
	session.Background(ctx, d.a.s, func(ctx context.Context) (struct{}, error) {
		return struct{}{}, work(ctx)
	}, func(_ struct{}, err error) {
		d.busy--
		if err != nil {
			d.say(peopleError(d.shown.acct.Server, err))
		}
		if done != nil {
			done(err)
		}
		d.reload(ctx)
	})
}

// say shows a problem at the top of the dashboard; "" hides it.
func (d *dashboard) say(problem string) {
	d.problem.SetText(problem)
	if problem == "" {
		d.problem.Hide()
	} else {
		d.problem.Show()
	}
}

func (d *dashboard) draw(ctx context.Context) {
	st := d.shown
	d.drawAccount(ctx)
	if st.libErr != nil {
		d.say("Cannot read the library: " + st.libErr.Error())
	}
	d.drawMine(ctx)
	d.drawUses(ctx)
	d.drawOthers(ctx)
	d.drawMade()
	d.drawAccountTab(ctx)
	// Rows came and went inside containers whose parents laid them out at
	// their old sizes: lay the whole window out again.
	d.win.Content().Refresh()
}

func (d *dashboard) drawAccount(ctx context.Context) {
	st := d.shown
	d.account.RemoveAll()
	if !st.loggedIn {
		d.account.Add(widget.NewLabelWithStyle("Not logged in to an account server: your consent settings are kept here until you log in.", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}))
		d.account.Add(layout.NewSpacer())
		login := widget.NewButton("Log in…", func() { d.a.showLogin(ctx, false) })
		login.Importance = widget.HighImportance
		d.account.Add(login)
		return
	}
	d.account.Add(widget.NewLabelWithStyle(fmt.Sprintf("Logged in as %s on %s", st.acct.Username, st.acct.Server), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}))
	d.account.Add(layout.NewSpacer())
	d.account.Add(widget.NewButtonWithIcon("Sync now", theme.ViewRefreshIcon(), func() {
		svc := d.a.d.Sharing
		d.do(ctx, func(ctx context.Context) error {
			r, err := svc.Sync(ctx)
			d.a.Synced(ctx, r, err)
			return err
		}, nil)
	}))
}

// heading is a section's title.
func heading(text string) *widget.Label {
	return widget.NewLabelWithStyle(text, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
}

// quiet is a note in the low-importance colour.
func quiet(text string) *widget.Label {
	return &widget.Label{Text: text, Wrapping: fyne.TextWrapWord, Importance: widget.LowImportance}
}

// outsideLabel is the choice that lets a likeness go to outside render
// services, and outsideNote says what it means.
const (
	outsideLabel = "May be sent to outside render services"
	outsideNote  = "Their stills and voice may go to render services that are not a Slate server, such as a hosted video model. Left off, no shot featuring them is sent to one, not even yours."
)

// outsideWords says whether someone else's member may be sent to outside
// render services.
func outsideWords(allowed bool) string {
	if allowed {
		return "May be sent to outside render services."
	}
	return "May not be sent to outside render services."
}

// levelLabels are the consent levels as the picker shows them.
func levelLabels() []string {
	var out []string
	for _, l := range consent.Levels {
		out = append(out, l.Label())
	}
	return out
}

func (d *dashboard) drawMine(ctx context.Context) {
	st := d.shown
	d.mine.RemoveAll()
	d.answer = map[string][2]*widget.Button{}
	keep := map[string]*memberEditor{}
	for _, m := range st.members {
		if m.Remote {
			continue
		}
		e := d.editors[m.ID]
		if e == nil || !e.edited {
			e = d.newEditor(ctx, m)
		}
		keep[m.ID] = e
		d.mine.Add(e.box)
		var reqs []account.Request
		for _, r := range st.requests {
			if r.Member == m.ID {
				reqs = append(reqs, r)
			}
		}
		if len(reqs) > 0 {
			d.mine.Add(d.requestsBox(ctx, reqs))
		}
		d.mine.Add(widget.NewSeparator())
	}
	d.editors = keep
	if len(keep) == 0 {
		d.mine.Add(quiet("You have no cast members yet: Cast ▸ Record a cast member… records one."))
	}
	if st.requestsErr != nil {
		d.mine.Add(&widget.Label{Text: "Requests to be approved cannot be read: " + peopleError(st.acct.Server, st.requestsErr), Wrapping: fyne.TextWrapWord, Importance: widget.WarningImportance})
	}
}

// newEditor builds the editor of one of my members.
func (d *dashboard) newEditor(ctx context.Context, m library.CastMember) *memberEditor {
	e := &memberEditor{member: m, approved: slices.Clone(m.Approved)}
	e.note = quiet("")
	e.level = widget.NewSelect(levelLabels(), nil)
	e.level.SetSelected(m.Consent.Label())
	e.level.OnChanged = func(string) { e.edited = true; e.refreshNote() }
	e.names = container.NewVBox()
	e.addName = widget.NewEntry()
	e.addName.SetPlaceHolder("username")
	add := func() {
		name := strings.TrimPrefix(strings.TrimSpace(e.addName.Text), "@")
		if name == "" || slices.Contains(e.approved, name) {
			e.addName.SetText("")
			return
		}
		e.approved = append(e.approved, name)
		e.addName.SetText("")
		e.edited = true
		e.drawNames()
	}
	e.addName.OnSubmitted = func(string) { add() }
	e.prefs = widget.NewMultiLineEntry()
	e.prefs.Wrapping = fyne.TextWrapWord
	e.prefs.SetMinRowsVisible(3)
	e.prefs.SetText(m.Preferences)
	e.prefs.OnChanged = func(string) { e.edited = true }
	e.outside = widget.NewCheck(outsideLabel, nil)
	e.outside.SetChecked(m.Outside)
	e.outside.OnChanged = func(bool) { e.edited = true }
	e.approve = widget.NewButtonWithIcon("Approve", theme.ContentAddIcon(), add)
	e.save = widget.NewButtonWithIcon("Save", theme.DocumentSaveIcon(), func() { d.save(ctx, e) })
	e.save.Importance = widget.HighImportance
	e.drawNames()
	e.refreshNote()
	form := widget.NewForm(
		widget.NewFormItem("Who may feature them", e.level),
		widget.NewFormItem("People approved", container.NewVBox(e.names,
			container.NewBorder(nil, nil, nil, e.approve, e.addName))),
		widget.NewFormItem("Preferences", e.prefs),
		widget.NewFormItem("Render services", container.NewVBox(e.outside, quiet(outsideNote))),
	)
	e.box = container.NewVBox(
		heading(fmt.Sprintf("%s  %s", m.Name, m.Handle)),
		form,
		container.NewBorder(nil, nil, nil, e.save, e.note),
	)
	return e
}

// chosen is the level the picker shows.
func (e *memberEditor) chosen() consent.Level {
	l, err := consent.ParseLevel(e.level.Selected)
	if err != nil {
		return e.member.Consent
	}
	return l
}

func (e *memberEditor) refreshNote() {
	text := e.chosen().Explain()
	if e.member.Dirty && !e.edited {
		text += " Not yet on the account server."
	}
	e.note.SetText(text)
}

func (e *memberEditor) drawNames() {
	e.names.RemoveAll()
	if len(e.approved) == 0 {
		e.names.Add(quiet("Nobody yet."))
	}
	for _, name := range e.approved {
		remove := uikit.NewTipButton("", theme.DeleteIcon(), "Remove "+name, func() {
			e.approved = slices.DeleteFunc(e.approved, func(n string) bool { return n == name })
			e.edited = true
			e.drawNames()
		})
		e.names.Add(container.NewBorder(nil, nil, nil, remove, widget.NewLabel(name)))
	}
}

// save stores the member's consent here, then syncs so that the server
// has it; a server that does not answer hears of it at the next sync.
func (d *dashboard) save(ctx context.Context, e *memberEditor) {
	m := e.member
	m.Consent, m.Approved, m.Preferences, m.Outside = e.chosen(), slices.Clone(e.approved), e.prefs.Text, e.outside.Checked
	lib, svc := d.a.d.Library, d.a.d.Sharing
	e.save.Disable()
	e.note.SetText("Saving…")
	d.busy++
	type saved struct {
		synced  bool
		syncErr error
	}
	session.Background(ctx, d.a.s, func(ctx context.Context) (saved, error) {
		if err := lib.UpdateCastMember(ctx, &m); err != nil {
			return saved{}, err
		}
		if _, ok := svc.Account(); !ok {
			return saved{}, nil
		}
		r, err := svc.Sync(ctx)
		d.a.Synced(ctx, r, err)
		return saved{synced: err == nil, syncErr: err}, nil
	}, func(r saved, err error) {
		d.busy--
		e.save.Enable()
		if err != nil {
			e.note.SetText("Not saved: " + err.Error())
			e.note.Importance = widget.DangerImportance
			e.note.Refresh()
			return
		}
		e.edited = false
		e.member = m
		switch {
		case r.synced:
			e.note.SetText("Saved; the account server has it.")
		case r.syncErr != nil:
			e.note.SetText("Saved here; the account server will hear of it when it answers: " + peopleError(d.shown.acct.Server, r.syncErr))
		default:
			e.note.SetText("Saved here; log in to share it with the account server.")
		}
		d.a.s.ReloadCast(ctx)
		d.reload(ctx)
	})
}

// requestsBox lists the pending requests to be approved for one member.
func (d *dashboard) requestsBox(ctx context.Context, reqs []account.Request) fyne.CanvasObject {
	box := container.NewVBox(heading("Asking to be approved"))
	svc := d.a.d.Sharing
	for _, r := range reqs {
		text := fmt.Sprintf("%s asks to feature %s", r.Requester, r.Handle)
		if r.Message != "" {
			text += fmt.Sprintf(": “%s”", r.Message)
		}
		id := r.ID
		accept := widget.NewButtonWithIcon("Accept", theme.ConfirmIcon(), func() {
			d.do(ctx, func(ctx context.Context) error { return svc.Answer(ctx, id, true) }, func(error) { d.a.s.ReloadCast(ctx) })
		})
		accept.Importance = widget.HighImportance
		decline := widget.NewButtonWithIcon("Decline", theme.CancelIcon(), func() {
			d.do(ctx, func(ctx context.Context) error { return svc.Answer(ctx, id, false) }, nil)
		})
		d.answer[id] = [2]*widget.Button{accept, decline}
		box.Add(container.NewBorder(nil, nil, nil, container.NewHBox(decline, accept), &widget.Label{Text: text, Wrapping: fyne.TextWrapWord}))
	}
	return box
}

func when(u interface{ Format(string) string }) string { return u.Format("2 Jan 2006 15:04") }

func (d *dashboard) drawUses(ctx context.Context) {
	st := d.shown
	d.uses.RemoveAll()
	d.removeUse = map[string]*widget.Button{}
	switch {
	case !st.loggedIn:
		d.uses.Add(quiet("Log in to see the uses of your likeness: the account server keeps them."))
		return
	case st.usesErr != nil:
		d.uses.Add(&widget.Label{Text: peopleError(st.acct.Server, st.usesErr), Wrapping: fyne.TextWrapWord, Importance: widget.WarningImportance})
		return
	case len(st.uses) == 0:
		d.uses.Add(quiet("Nobody has used your likeness yet."))
		return
	}
	svc := d.a.d.Sharing
	for _, u := range st.uses {
		creator := u.Creator
		if creator == "" {
			creator = "a deleted account"
		}
		title := u.ProjectTitle
		if title == "" {
			title = "an untitled project"
		}
		text := fmt.Sprintf("%s · by %s · in “%s” · %s · %s", u.Handle, creator, title, scopeLabel(u.Scope), when(u.At.Local()))
		var right fyne.CanvasObject
		if u.Removed != nil {
			right = quiet("removed " + when(u.Removed.Local()))
		} else {
			id, handle := u.ID, u.Handle
			b := widget.NewButtonWithIcon("Remove", theme.DeleteIcon(), func() {
				d.confirm("Remove this use?",
					fmt.Sprintf("%s's %s in “%s” is deleted from %s's studio when it next syncs. This cannot be undone.", handle, scopeLabel(u.Scope), title, creator),
					"Remove", "Keep", func() {
						d.do(ctx, func(ctx context.Context) error { return svc.RemoveUse(ctx, id) }, nil)
					})
			})
			b.Importance = widget.DangerImportance
			d.removeUse[id] = b
			right = b
		}
		d.uses.Add(container.NewBorder(nil, nil, nil, right, widget.NewLabel(text)))
	}
}

func scopeLabel(s consent.Scope) string {
	if s == consent.Final {
		return "final"
	}
	return "draft"
}

func (d *dashboard) drawOthers(ctx context.Context) {
	st := d.shown
	d.others.RemoveAll()
	svc := d.a.d.Sharing
	n := 0
	for _, m := range st.members {
		if !m.Remote {
			continue
		}
		n++
		id, handle := m.ID, m.HandleAndOwner()
		buttons := container.NewHBox()
		if m.Consent == consent.Approved {
			buttons.Add(widget.NewButtonWithIcon("Ask for approval", theme.MailSendIcon(), func() {
				// A line for the owner: who asks is plain, why is not.
				msg := widget.NewMultiLineEntry()
				msg.SetPlaceHolder("What you would like to make with them (optional)")
				msg.Wrapping = fyne.TextWrapWord
				ask := dialog.NewForm("Ask to feature "+handle, "Ask", "Cancel", []*widget.FormItem{widget.NewFormItem("Message", msg)}, func(ok bool) {
					if !ok {
						return
					}
					text := strings.TrimSpace(msg.Text)
					d.do(ctx, func(ctx context.Context) error { return svc.AskApproval(ctx, id, text) }, func(err error) {
						if err == nil {
							d.say("")
							uikit.ShowInformation("Asked", "The owner of "+handle+" is asked to approve you; you hear of their answer here.", d.win)
						}
					})
				}, d.win)
				ask.Show()
				uikit.DialogKeys(d.win, ask.Submit, ask.Hide)
			}))
		}
		buttons.Add(widget.NewButtonWithIcon("Forget", theme.DeleteIcon(), func() {
			forget := dialog.NewConfirm("Forget "+handle+"?", "Shots that feature them keep the name only, until you add them again.", func(ok bool) {
				if ok {
					d.do(ctx, func(ctx context.Context) error { return svc.Forget(ctx, id) }, func(error) { d.a.s.ReloadCast(ctx) })
				}
			}, d.win)
			forget.Show()
			uikit.DialogKeys(d.win, forget.Confirm, forget.Dismiss)
		}))
		prefs := m.Preferences
		if prefs == "" {
			prefs = "No preferences given."
		}
		owner := m.OwnerName
		if owner == "" {
			owner = "someone"
		}
		d.others.Add(container.NewVBox(
			container.NewBorder(nil, nil, nil, buttons, heading(fmt.Sprintf("%s  %s", m.Name, handle))),
			quiet(fmt.Sprintf("Owner: %s · %s: %s %s", owner, m.Consent.Label(), m.Consent.Explain(), outsideWords(m.Outside))),
			widget.NewLabelWithStyle("Their preferences, shown to anyone who casts them:", fyne.TextAlignLeading, fyne.TextStyle{Italic: true}),
			&widget.Label{Text: prefs, Wrapping: fyne.TextWrapWord, Importance: widget.HighImportance, TextStyle: fyne.TextStyle{Bold: true}},
			widget.NewSeparator(),
		))
	}
	if n == 0 {
		d.others.Add(quiet("None yet: add someone by their handle above."))
	}
}

// find adds someone else's member by handle.
func (d *dashboard) find(ctx context.Context) {
	handle := strings.TrimSpace(d.addHandle.Text)
	if handle == "" {
		return
	}
	svc := d.a.d.Sharing
	var found library.CastMember
	d.do(ctx, func(ctx context.Context) error {
		var err error
		found, err = svc.Find(ctx, handle)
		return err
	}, func(err error) {
		if err == nil {
			d.addHandle.SetText("")
			d.a.s.ReloadCast(ctx)
			d.added.SetText(fmt.Sprintf("Added %s, %s, to your cast.", found.Name, found.HandleAndOwner()))
			d.added.Show()
		}
	})
}

func (d *dashboard) drawMade() {
	st := d.shown
	d.made.RemoveAll()
	handles := map[string]string{}
	for _, m := range st.members {
		handles[m.ID] = m.HandleAndOwner()
	}
	if len(st.made) == 0 {
		d.made.Add(quiet("Nothing yet."))
		return
	}
	if st.outbox > 0 {
		d.made.Add(quiet(fmt.Sprintf("%d waiting in the outbox, for the account server to register.", st.outbox)))
	}
	for _, u := range st.made {
		handle := handles[u.MemberID]
		if handle == "" {
			handle = "a forgotten cast member"
		}
		what := "a clip"
		if u.ShotID == "" {
			what = "the film"
		}
		status, imp := "registered with the owner's server", widget.MediumImportance
		switch {
		case !u.Removed.IsZero():
			status, imp = "removed by the owner "+when(u.Removed.Local())+"; deleted here", widget.WarningImportance
		case u.ServerID == "":
			status, imp = "waiting in the outbox", widget.LowImportance
		}
		d.made.Add(container.NewBorder(nil, nil, nil, &widget.Label{Text: status, Importance: imp},
			widget.NewLabel(fmt.Sprintf("%s · %s of “%s” · %s · %s", handle, what, u.ProjectTitle, scopeLabel(u.Scope), when(u.At.Local())))))
	}
}
