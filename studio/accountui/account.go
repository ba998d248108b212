package accountui

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"slices"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/widget"

	"github.com/slatestudio/slate/account/client"
	"github.com/slatestudio/slate/library"
	"github.com/slatestudio/slate/sharing"
)

// DefaultServer is the account server the log-in dialog offers first: one
// on this computer (cmd/slate-server's default address).
const DefaultServer = "http://127.0.0.1:8787"

// prefServer is the Fyne preference that remembers the last server
// logged in to.
const prefServer = "account.server"

// accountTitle is what the window title says about the account: who is
// logged in, or nothing.
func (s *Studio) accountTitle() string {
	if s.deps.Sharing == nil {
		return ""
	}
	if a, ok := s.deps.Sharing.Account(); ok {
		return " — " + a.Username
	}
	return ""
}

// AccountChanged brings what shows the account up to date after a log-in,
// a log-out or a restored session. It may be called from any goroutine.
func (s *Studio) AccountChanged() {
	s.onUI(func() {
		s.win.SetTitle(windowTitle(s.Project()) + s.accountTitle())
		s.setAccountLine("", false)
		s.refreshAccountMenu()
		if s.dash != nil {
			s.dash.reload()
		}
	})
}

// setAccountLine says who is logged in on the status line, followed by
// note (a sync's outcome); a problem is shown in the warning colour, but
// never in a dialog: the sync tries again by itself.
func (s *Studio) setAccountLine(note string, problem bool) {
	if s.accountLine == nil {
		return
	}
	text := "Not logged in to an account server · Account ▸ Log in…"
	if a, ok := s.deps.Sharing.Account(); ok {
		text = fmt.Sprintf("Logged in as %s on %s", a.Username, a.Server)
	}
	if note != "" {
		text += " · " + note
	}
	s.accountLine.Text = text
	s.accountLine.Importance = widget.LowImportance
	if problem {
		s.accountLine.Importance = widget.WarningImportance
	}
	s.accountLine.Refresh()
}

// refreshAccountMenu enables Log in or Log out, whichever applies.
func (s *Studio) refreshAccountMenu() {
	m := &s.menu
	if m.login == nil || s.deps.Sharing == nil {
		return
	}
	_, in := s.deps.Sharing.Account()
	m.login.Disabled, m.signup.Disabled, m.logout.Disabled = in, in, !in
	if mm := s.win.MainMenu(); mm != nil {
		mm.Refresh()
	}
}

// noServer says that this studio was started without the account server's
// glue; it returns true when that is so.
func (s *Studio) noServer() bool {
	if s.deps.Sharing != nil {
		return false
	}
	s.problem("No account server set up", "This studio was started without a connection to an account server, so there is nothing to log in to. Consent and sharing need one.")
	return true
}

// Synced shows what a background sync did: a removed use in a notice
// (with the timeline's thumbnails brought up to date, the clip being
// gone), a failure to reach the server quietly on the status line. It may
// be called from any goroutine; sharing.Service.Run calls it.
func (s *Studio) Synced(r sharing.Report, err error) {
	if s.ctx.Err() != nil {
		return
	}
	var removed []removedUse
	if len(r.Removed) > 0 {
		removed = s.describeRemoved(r.Removed)
	}
	s.onUI(func() {
		switch {
		case errors.Is(err, sharing.ErrNotLoggedIn) || errors.Is(err, client.ErrSessionEnded):
			s.win.SetTitle(windowTitle(s.Project()) + s.accountTitle())
			s.setAccountLine("the session has ended; log in again", true)
			s.refreshAccountMenu()
		case err != nil:
			s.setAccountLine(syncProblem(err), true)
		case len(r.Damaged) > 0:
			s.setAccountLine("synced "+s.deps.Clock.Now().Format("15:04")+", but "+strings.Join(r.Damaged, "; "), true)
		default:
			s.setAccountLine("synced "+s.deps.Clock.Now().Format("15:04"), false)
		}
		if len(removed) > 0 {
			s.usesRemoved(removed)
		}
		if s.dash != nil && (r.Changed() || len(r.Revoked) > 0 || r.Requests > 0) {
			s.dash.reload()
		}
	})
}

// syncProblem says in a few words why a sync did not go through.
func syncProblem(err error) string {
	if unreachable(err) {
		return "the account server cannot be reached; trying again every 30 s"
	}
	return "sync failed: " + err.Error()
}

// unreachable reports whether err is a failure to reach the server at all,
// rather than its answer.
func unreachable(err error) bool {
	var ne net.Error
	var ue *url.Error
	return client.StatusOf(err) == 0 && (errors.As(err, &ne) || errors.As(err, &ue))
}

// peopleError is err as the log-in dialog and the dashboard show it. The
// client's and the server's messages are written for people already; a
// server that does not answer is said plainly.
func peopleError(server string, err error) string {
	if unreachable(err) {
		return fmt.Sprintf("The account server at %s cannot be reached (%v). Check the address, and that the server is running.", server, err)
	}
	var ce *client.Error
	if errors.As(err, &ce) && ce.Message != "" {
		return capitalize(ce.Message) + "."
	}
	return capitalize(err.Error())
}

func capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// removedUse is a use whose owner removed it, told as a person reads it.
type removedUse struct {
	use    library.Use
	handle string
}

// describeRemoved looks up, off the UI goroutine, whose likeness each
// removed use featured and where it was made.
func (s *Studio) describeRemoved(uses []library.Use) []removedUse {
	ctx := s.ctx
	all, _ := s.deps.Library.Uses(ctx)
	out := make([]removedUse, 0, len(uses))
	for _, u := range uses {
		if i := slices.IndexFunc(all, func(x library.Use) bool { return x.ID == u.ID }); i >= 0 {
			u = all[i]
		}
		r := removedUse{use: u, handle: "a cast member"}
		if m, err := s.deps.Library.CastMember(ctx, u.MemberID); err == nil {
			r.handle = m.HandleAndOwner()
		}
		out = append(out, r)
	}
	return out
}

// usesRemoved forgets the clips of removed uses (the library has deleted
// them), refreshes what showed them and tells the person.
func (s *Studio) usesRemoved(removed []removedUse) {
	gone := map[string]bool{}
	var lines []string
	p := s.Project()
	for _, r := range removed {
		gone[r.use.SHA256] = true
		what := "a clip was deleted"
		switch {
		case r.use.ShotID == "" && r.use.Path != "":
			what = "the film exported to " + r.use.Path + " was deleted"
		case r.use.ShotID == "":
			what = "an exported film was deleted"
		case r.use.ProjectID == p.ID && p.Index(r.use.ShotID) >= 0:
			what = fmt.Sprintf("the clip of shot %d was deleted", p.Index(r.use.ShotID)+1)
		case r.use.ProjectTitle != "":
			what = fmt.Sprintf("a clip in %q was deleted", r.use.ProjectTitle)
		}
		line := fmt.Sprintf("The owner of %s removed a use: %s", r.handle, what)
		if !slices.Contains(lines, line) {
			lines = append(lines, line)
		}
	}
	s.session.ForgetClips(gone)
	s.lookUpClips()
	s.removalNotice = strings.Join(lines, "\n")
	s.deps.Log.Info("studio", "removed uses", s.removalNotice)
	d := dialog.NewInformation("A use of someone's likeness was removed", s.removalNotice, s.win)
	d.Show()
}

// accountDialog is the log-in (or sign-up) dialog.
type accountDialog struct {
	s        *Studio
	signUp   bool
	dialog   dialog.Dialog
	server   *widget.Entry
	username *widget.Entry
	password *widget.Entry
	problem  *widget.Label
	submit   *widget.Button
	width    float32
	// busy is set while the server is asked.
	busy bool
}

// showLogin opens the log-in dialog; with signUp, the one that creates an
// account.
func (s *Studio) showLogin(signUp bool) *accountDialog {
	if s.noServer() {
		return nil
	}
	d := &accountDialog{s: s, signUp: signUp}
	d.server = widget.NewEntry()
	d.server.SetText(s.app.Preferences().StringWithFallback(prefServer, DefaultServer))
	d.username = widget.NewEntry()
	d.username.SetPlaceHolder("your username")
	d.password = widget.NewPasswordEntry()
	d.problem = &widget.Label{Wrapping: fyne.TextWrapWord, Importance: widget.DangerImportance}
	d.problem.Hide()
	title, action := "Log in", "Log in"
	note := "Log in to share your cast's consent and to feature other people's cast members."
	if signUp {
		title, action = "Sign up", "Sign up"
		note = "Create an account on the server; you are logged in to it at once."
	}
	d.submit = widget.NewButton(action, d.send)
	d.submit.Importance = widget.HighImportance
	d.password.OnSubmitted = func(string) { d.send() }
	form := widget.NewForm(
		widget.NewFormItem("Server", d.server),
		widget.NewFormItem("Username", d.username),
		widget.NewFormItem("Password", d.password),
	)
	cancel := widget.NewButton("Cancel", func() { d.dialog.Hide() })
	content := container.NewVBox(
		&widget.Label{Text: note, Wrapping: fyne.TextWrapWord},
		form,
		d.problem,
		container.NewHBox(layout.NewSpacer(), cancel, d.submit),
	)
	d.dialog = dialog.NewCustomWithoutButtons(title, content, s.win)
	d.width = min(520, s.win.Canvas().Size().Width*0.9)
	d.dialog.Resize(fyne.NewSize(d.width, d.dialog.MinSize().Height))
	d.dialog.Show()
	s.win.Canvas().Focus(d.username)
	return d
}

// send asks the server, off the UI goroutine; a failure stays in the
// dialog, beside the fields, to be corrected.
func (d *accountDialog) send() {
	if d.busy {
		return
	}
	server := strings.TrimSpace(d.server.Text)
	user, pw := strings.TrimSpace(d.username.Text), d.password.Text
	if user == "" || pw == "" {
		d.show("Type your username and password.")
		return
	}
	d.busy = true
	d.submit.Disable()
	d.show("")
	svc, signUp := d.s.deps.Sharing, d.signUp
	background(d.s, func(ctx context.Context) (library.Account, error) {
		if signUp {
			return svc.SignUp(ctx, server, user, pw)
		}
		return svc.Login(ctx, server, user, pw)
	}, func(_ library.Account, err error) {
		d.busy = false
		d.submit.Enable()
		if err != nil {
			d.show(peopleError(server, err))
			return
		}
		d.s.app.Preferences().SetString(prefServer, server)
		d.dialog.Hide()
		d.s.AccountChanged()
	})
}

func (d *accountDialog) show(problem string) {
	d.problem.SetText(problem)
	if problem == "" {
		d.problem.Hide()
	} else {
		d.problem.Show()
	}
	d.dialog.Resize(fyne.NewSize(max(d.width, d.dialog.MinSize().Width), d.dialog.MinSize().Height))
}

// logout ends the session, off the UI goroutine.
func (s *Studio) logout() {
	if s.noServer() {
		return
	}
	svc := s.deps.Sharing
	background(s, func(ctx context.Context) (struct{}, error) {
		return struct{}{}, svc.Logout(ctx)
	}, func(_ struct{}, err error) {
		if err != nil {
			s.problem("Logged out here only", peopleError("", err)+" This studio has forgotten the session all the same.")
		}
		s.AccountChanged()
	})
}
