// Package accountui is the studio's account: the log-in (and sign-up)
// dialog, the status line that says who is logged in and how the last
// sync went, the notice of uses removed by their owners, and the consent
// dashboard (my cast's consent and the requests to approve it, the uses
// of my likeness, other people's cast I may feature, what was made here
// with theirs, and the account's logged-in devices). It reaches the
// account server only through the Sharing it is given.
package accountui

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"slices"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/widget"

	"github.com/slatestudio/slate/account"
	"github.com/slatestudio/slate/account/client"
	"github.com/slatestudio/slate/internal/clock"
	"github.com/slatestudio/slate/library"
	"github.com/slatestudio/slate/sharing"
	"github.com/slatestudio/slate/studio/session"
	"github.com/slatestudio/slate/studio/uikit"
	"github.com/slatestudio/slate/timeline"
)

// DefaultServer is the account server the log-in dialog offers first: one
// on this computer (cmd/slate-server's default address).
const DefaultServer = "http://127.0.0.1:8787"

// prefServer is the Fyne preference that remembers the last server
// logged in to.
const prefServer = "account.server"

// Sharing is what the account views ask of the account server, through
// package sharing: the session, the consent dashboard and the devices.
type Sharing interface {
	// The session: who is logged in, and logging in and out.
	Account() (library.Account, bool)
	SignUp(ctx context.Context, server, username, password string) (library.Account, error)
	Login(ctx context.Context, server, username, password string) (library.Account, error)
	Logout(ctx context.Context) error
	DeleteAccount(ctx context.Context, password string) error
	// Sync tells the server what changed here and reads what changed there;
	// Outbox counts the uses still waiting to be registered.
	Sync(ctx context.Context) (sharing.Report, error)
	Outbox(ctx context.Context) (int, error)

	// The consent dashboard: the uses of my likenesses, requests to
	// feature my members, and other people's members to ask for.
	UsesOfMine(ctx context.Context) ([]account.Use, error)
	RemoveUse(ctx context.Context, id string) error
	Requests(ctx context.Context) ([]account.Request, error)
	Answer(ctx context.Context, id string, accept bool) error
	Find(ctx context.Context, handle string) (library.CastMember, error)
	AskApproval(ctx context.Context, memberID, message string) error
	Forget(ctx context.Context, memberID string) error

	// The devices logged in to my account, this one's name among them.
	Devices(ctx context.Context) ([]account.Session, error)
	DeviceName(ctx context.Context) (string, error)
	RenameDevice(ctx context.Context, name string) (string, error)
	RevokeDevice(ctx context.Context, id string) error
}

// Session is what the account views use of the open studio;
// *session.Session is the one the studio passes.
type Session interface {
	session.Runner
	Project() *timeline.Project
	// ReloadCast follows a change to the cast's consent or membership.
	ReloadCast(context.Context)
	// ForgetClips and LookUpClips follow the uses removed by their owners.
	ForgetClips(sums map[string]bool)
	LookUpClips(context.Context)
}

// Deps are what the account views work with, handed in by the studio.
type Deps struct {
	Session Session
	// Sharing is the studio's link to the account server; nil leaves the
	// studio offline, and the views say so when asked for.
	Sharing Sharing
	// Library holds the cast members and the uses made here.
	Library *library.Library
	// App remembers the last server and opens the dashboard's window;
	// Window is the studio's, which the dialogs open over.
	App    fyne.App
	Window fyne.Window
	// Clock tells the time of the last sync; nil means the computer's.
	Clock clock.Clock
	// Log is slog.Default() when nil.
	Log *slog.Logger
	// Problem tells the person that something did not work.
	Problem func(title, message string) dialog.Dialog
	// CloseWindow closes the dashboard's window, safely, after closed has
	// tidied up after it.
	CloseWindow func(w fyne.Window, closed func())
	// Changed tells the studio, on the UI goroutine, that who is logged
	// in may have changed: the window's title (Title) and the Account
	// menu (LoggedIn) follow it.
	Changed func()
}

// Account is the studio's account views: the status line, the log-in
// dialog, the notice of removed uses and the consent dashboard.
type Account struct {
	d Deps
	s Session
	// line says who is logged in and how the last sync went; nil without
	// Deps.Sharing.
	line *widget.Label
	// dash is the consent dashboard while it is open.
	dash *dashboard
	// removalNotice is what the last notice of removed uses said.
	removalNotice string
}

// New makes the account views; nothing is shown until the studio asks.
func New(d Deps) *Account {
	d.Clock = clock.Or(d.Clock)
	if d.Log == nil {
		d.Log = slog.Default()
	}
	if d.Changed == nil {
		d.Changed = func() {}
	}
	a := &Account{d: d, s: d.Session}
	if d.Sharing != nil {
		a.line = &widget.Label{Truncation: fyne.TextTruncateEllipsis, Importance: widget.LowImportance}
		a.setLine("", false)
	}
	return a
}

// StatusLine is the line under the studio's window that says who is
// logged in; nil when the studio is offline (no Deps.Sharing).
func (a *Account) StatusLine() fyne.CanvasObject {
	if a.line == nil {
		return nil
	}
	return a.line
}

// LoggedIn reports whether someone is logged in to an account server.
func (a *Account) LoggedIn() bool {
	if a.d.Sharing == nil {
		return false
	}
	_, in := a.d.Sharing.Account()
	return in
}

// Close forgets the dashboard: the studio is closing, and takes its
// window with it.
func (a *Account) Close() { a.dash = nil }

// Title is what the window's title says about the account after the
// project's title: who is logged in, or nothing.
func (a *Account) Title() string {
	if a.d.Sharing == nil {
		return ""
	}
	if acct, ok := a.d.Sharing.Account(); ok {
		return " — " + acct.Username
	}
	return ""
}

// AccountChanged brings what shows the account up to date after a log-in,
// a log-out or a restored session. It may be called from any goroutine.
func (a *Account) AccountChanged(ctx context.Context) {
	a.s.OnUI(func() {
		a.setLine("", false)
		a.d.Changed()
		if a.dash != nil {
			a.dash.reload(ctx)
		}
	})
}

// setLine says who is logged in on the status line, followed by note (a
// sync's outcome); a problem is shown in the warning colour, but never in
// a dialog: the sync tries again by itself.
func (a *Account) setLine(note string, problem bool) {
	if a.line == nil {
		return
	}
	text := "Not logged in to an account server · Account ▸ Log in…"
	if acct, ok := a.d.Sharing.Account(); ok {
		text = fmt.Sprintf("Logged in as %s on %s", acct.Username, acct.Server)
	}
	if note != "" {
		text += " · " + note
	}
	a.line.Text = text
	a.line.Importance = widget.LowImportance
	if problem {
		a.line.Importance = widget.WarningImportance
	}
	a.line.Refresh()
}

// noServer says that this studio was started without the account server's
// glue; it returns true when that is so.
func (a *Account) noServer() bool {
	if a.d.Sharing != nil {
		return false
	}
	a.d.Problem("No account server set up", "This studio was started without a connection to an account server, so there is nothing to log in to. "+aboutServer)
	return true
}

// Synced shows what a background sync did: a removed use in a notice
// (with the timeline's thumbnails brought up to date, the clip being
// gone), a failure to reach the server quietly on the status line. It may
// be called from any goroutine; sharing.Service.Run calls it.
func (a *Account) Synced(ctx context.Context, r sharing.Report, err error) {
	if ctx.Err() != nil {
		return
	}
	var removed []removedUse
	if len(r.Removed) > 0 {
		removed = a.describeRemoved(ctx, r.Removed)
	}
	a.s.OnUI(func() {
		switch {
		case errors.Is(err, sharing.ErrNotLoggedIn) || errors.Is(err, client.ErrSessionEnded):
			a.setLine("the session has ended; log in again", true)
			a.d.Changed()
		case err != nil:
			a.setLine(syncProblem(err), true)
		case len(r.Damaged) > 0:
			a.setLine("synced "+a.d.Clock.Now().Format("15:04")+", but "+strings.Join(r.Damaged, "; "), true)
		default:
			a.setLine("synced "+a.d.Clock.Now().Format("15:04"), false)
		}
		if len(removed) > 0 {
			a.usesRemoved(ctx, removed)
		}
		if a.dash != nil && (r.Changed() || len(r.Revoked) > 0 || r.Requests > 0) {
			a.dash.reload(ctx)
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
// server that does not answer is said plainly, what the network said
// being left to errorDetail.
func peopleError(server string, err error) string {
	if unreachable(err) {
		at := ""
		if server != "" {
			at = " at " + serverHost(server)
		}
		return fmt.Sprintf("Slate could not reach the account server%s. Is it running? Check the address, and that the server is started and this computer is online. Everything but sharing consent works without it.", at)
	}
	var ce *client.Error
	if errors.As(err, &ce) && ce.Message != "" {
		return capitalize(ce.Message) + "."
	}
	return capitalize(err.Error())
}

// errorDetail is what lies behind peopleError's words, for the log-in
// dialog's Details: the network's own message ("dial tcp …: connection
// refused") when the server could not be reached; "" when the words say
// it all.
func errorDetail(err error) string {
	if unreachable(err) {
		return err.Error()
	}
	return ""
}

// serverHost is the server's address without its scheme: "127.0.0.1:8787".
func serverHost(server string) string {
	if u, err := url.Parse(server); err == nil && u.Host != "" {
		return u.Host
	}
	return server
}

// aboutServer says what an account server is for, where the person meets
// the Account menu and the log-in.
const aboutServer = "An account server keeps the consent of the people you record, so that films can feature other people's cast members with their permission; Slate works without one for everything else."

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
func (a *Account) describeRemoved(ctx context.Context, uses []library.Use) []removedUse {
	all, _ := a.d.Library.Uses(ctx)
	out := make([]removedUse, 0, len(uses))
	for _, u := range uses {
		if i := slices.IndexFunc(all, func(x library.Use) bool { return x.ID == u.ID }); i >= 0 {
			u = all[i]
		}
		r := removedUse{use: u, handle: "a cast member"}
		if m, err := a.d.Library.CastMember(ctx, u.MemberID); err == nil {
			r.handle = m.HandleAndOwner()
		}
		out = append(out, r)
	}
	return out
}

// usesRemoved forgets the clips of removed uses (the library has deleted
// them), refreshes what showed them and tells the person.
func (a *Account) usesRemoved(ctx context.Context, removed []removedUse) {
	gone := map[string]bool{}
	var lines []string
	p := a.s.Project()
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
	a.s.ForgetClips(gone)
	a.s.LookUpClips(ctx)
	a.removalNotice = strings.Join(lines, "\n")
	a.d.Log.Info("studio", "removed uses", a.removalNotice)
	uikit.ShowInformation("A use of someone's likeness was removed", a.removalNotice, a.d.Window)
}

// loginDialog is the log-in (or sign-up) dialog.
type loginDialog struct {
	a        *Account
	signUp   bool
	dialog   dialog.Dialog
	server   *uikit.Field
	username *uikit.Field
	password *uikit.Field
	problem  *widget.Label
	// details holds what the network said (detail), folded away.
	details *widget.Accordion
	detail  *widget.Label
	submit  *widget.Button
	width   float32
	// busy is set while the server is asked.
	busy bool
}

// ShowLogin opens the log-in dialog: Account ▸ Log in…; with signUp, the
// one that creates an account (Account ▸ Sign up…).
func (a *Account) ShowLogin(ctx context.Context, signUp bool) { a.showLogin(ctx, signUp) }

func (a *Account) showLogin(ctx context.Context, signUp bool) *loginDialog {
	if a.noServer() {
		return nil
	}
	d := &loginDialog{a: a, signUp: signUp}
	d.server = uikit.NewField()
	d.server.SetText(a.d.App.Preferences().StringWithFallback(prefServer, DefaultServer))
	d.username = uikit.NewField()
	d.username.SetPlaceHolder("your username")
	d.password = uikit.NewPasswordField()
	d.problem = &widget.Label{Wrapping: fyne.TextWrapWord, Importance: widget.DangerImportance}
	d.problem.Hide()
	d.detail = &widget.Label{Wrapping: fyne.TextWrapWord}
	d.details = widget.NewAccordion(widget.NewAccordionItem("Details", d.detail))
	d.details.Hide()
	title, action := "Log in", "Log in"
	note := "Log in to share your cast's consent and to feature other people's cast members."
	if signUp {
		title, action = "Sign up", "Sign up"
		note = "Create an account on the server; you are logged in to it at once."
	}
	d.submit = widget.NewButton(action, func() { d.send(ctx) })
	d.submit.Importance = widget.HighImportance
	d.password.OnSubmitted = func(string) { d.send(ctx) }
	form := widget.NewForm(
		widget.NewFormItem("Server", d.server),
		widget.NewFormItem("Username", d.username),
		widget.NewFormItem("Password", d.password),
	)
	cancel := widget.NewButton("Cancel", func() { d.dialog.Hide() })
	content := container.NewVBox(
		&widget.Label{Text: note, Wrapping: fyne.TextWrapWord},
		&widget.Label{Text: aboutServer, Wrapping: fyne.TextWrapWord, Importance: widget.LowImportance},
		form,
		d.problem,
		d.details,
		container.NewHBox(layout.NewSpacer(), cancel, d.submit),
	)
	d.dialog = dialog.NewCustomWithoutButtons(title, content, a.d.Window)
	d.width = min(520, a.d.Window.Canvas().Size().Width*0.9)
	d.dialog.Resize(fyne.NewSize(d.width, d.dialog.MinSize().Height))
	d.dialog.Show()
	uikit.DialogKeys(a.d.Window, func() { d.send(ctx) }, d.dialog.Hide, d.server, d.username, d.password)
	a.d.Window.Canvas().Focus(d.username)
	return d
}

// send asks the server, off the UI goroutine; a failure stays in the
// dialog, beside the fields, to be corrected.
func (d *loginDialog) send(ctx context.Context) {
	if d.busy {
		return
	}
	server := strings.TrimSpace(d.server.Text)
	user, pw := strings.TrimSpace(d.username.Text), d.password.Text
	if user == "" || pw == "" {
		d.show("Type your username and password.", "")
		return
	}
	d.busy = true
	d.submit.Disable()
	d.show("", "")
	svc, signUp := d.a.d.Sharing, d.signUp
	session.Background(ctx, d.a.s, func(ctx context.Context) (library.Account, error) {
		if signUp {
			return svc.SignUp(ctx, server, user, pw)
		}
		return svc.Login(ctx, server, user, pw)
	}, func(_ library.Account, err error) {
		d.busy = false
		d.submit.Enable()
		if err != nil {
			d.show(peopleError(server, err), errorDetail(err))
			return
		}
		d.a.d.App.Preferences().SetString(prefServer, server)
		d.dialog.Hide()
		d.a.AccountChanged(ctx)
	})
}

// show says what went wrong (nothing when problem is ""), with detail,
// if any, under Details.
func (d *loginDialog) show(problem, detail string) {
	d.problem.SetText(problem)
	if problem == "" {
		d.problem.Hide()
	} else {
		d.problem.Show()
	}
	d.detail.SetText(detail)
	d.details.CloseAll()
	if detail == "" {
		d.details.Hide()
	} else {
		d.details.Show()
	}
	d.dialog.Resize(fyne.NewSize(max(d.width, d.dialog.MinSize().Width), d.dialog.MinSize().Height))
}

// Logout ends the session, off the UI goroutine: Account ▸ Log out.
func (a *Account) Logout(ctx context.Context) {
	if a.noServer() {
		return
	}
	svc := a.d.Sharing
	session.Background(ctx, a.s, func(ctx context.Context) (struct{}, error) {
		return struct{}{}, svc.Logout(ctx)
	}, func(_ struct{}, err error) {
		if err != nil {
			a.d.Problem("Logged out here only", peopleError("", err)+" This studio has forgotten the session all the same.")
		}
		a.AccountChanged(ctx)
	})
}
