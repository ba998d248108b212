package cli

import (
	"bufio"
	"cmp"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"golang.org/x/term"

	"github.com/slatestudio/slate/consent"
	"github.com/slatestudio/slate/library"
	"github.com/slatestudio/slate/sharing"
)

// defaultServer is where "slate account login" looks without --server: a
// slate-server started with its defaults on this computer.
const defaultServer = "http://127.0.0.1:8787"

// sharingEnv is what "slate account" and "slate consent" take from outside.
type sharingEnv struct {
	dataDir func() (string, error)
	stdin   io.Reader
	// password reads a password: without echo on a terminal, else one
	// line of stdin.
	password func(prompt string, stdout io.Writer) (string, error)
	// open makes the sharing service for a library; tests give it their
	// own token store.
	open func(lib *library.Library) *sharing.Service
}

func defaultSharingEnv(stdin io.Reader) sharingEnv {
	env := sharingEnv{dataDir: library.DefaultDir, stdin: stdin,
		open: func(lib *library.Library) *sharing.Service { return sharing.New(lib, sharing.Options{}) }}
	env.password = func(prompt string, stdout io.Writer) (string, error) {
		if f, ok := stdin.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
			fd := int(f.Fd())
			fmt.Fprint(stdout, prompt)
			b, err := term.ReadPassword(fd)
			fmt.Fprintln(stdout)
			return string(b), err
		}
		return readLine(env.stdin)
	}
	return env
}

func readLine(r io.Reader) (string, error) {
	line, err := bufio.NewReader(r).ReadString('\n')
	if err != nil && (err != io.EOF || line == "") {
		return "", errors.New("no password given on standard input")
	}
	return strings.TrimRight(line, "\r\n"), nil
}

// openSharing opens the library and the sharing service with the session
// of the last log-in.
func openSharing(ctx context.Context, env sharingEnv) (*library.Library, *sharing.Service, error) {
	lib, err := openLibrary(ctx, env.dataDir)
	if err != nil {
		return nil, nil, err
	}
	svc := env.open(lib)
	if _, _, err := svc.Restore(ctx); err != nil {
		lib.Close()
		return nil, nil, err
	}
	return lib, svc, nil
}

// accountMain runs "slate account signup|login|logout|status|sync".
func accountMain(ctx context.Context, args []string, stdout, stderr io.Writer, env sharingEnv) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, "slate account: say what to do: signup, login, logout, status, sync, devices, device-name, revoke, keys or delete\n")
		return 2
	}
	cmd := args[0]
	lib, svc, err := openSharing(ctx, env)
	if err != nil {
		fmt.Fprintf(stderr, "slate account %s: %v\n", cmd, err)
		return 1
	}
	defer lib.Close()
	switch cmd {
	case "signup", "login":
		fs := flag.NewFlagSet("slate account "+cmd, flag.ContinueOnError)
		fs.SetOutput(stderr)
		server := fs.String("server", defaultServer, "the account server's address (https://…, or http:// on this computer)")
		if err := fs.Parse(args[1:]); err != nil {
			return 2
		}
		if fs.NArg() != 1 {
			fmt.Fprintf(stderr, "slate account %s: give your username: slate account %s [--server URL] USERNAME\n", cmd, cmd)
			return 2
		}
		pw, err := env.password("Password: ", stdout)
		if err != nil {
			fmt.Fprintf(stderr, "slate account %s: %v\n", cmd, err)
			return 1
		}
		var a library.Account
		if cmd == "signup" {
			a, err = svc.SignUp(ctx, *server, fs.Arg(0), pw)
		} else {
			a, err = svc.Login(ctx, *server, fs.Arg(0), pw)
		}
		if err != nil {
			fmt.Fprintf(stderr, "slate account %s: %v\n", cmd, err)
			return 1
		}
		fmt.Fprintf(stdout, "Logged in to %s as %s. The server's signing key is pinned: %x…\n", a.Server, a.Username, a.Key[:8])
		r, err := svc.Sync(ctx)
		if err != nil {
			fmt.Fprintf(stderr, "slate account %s: logged in, but the first sync failed: %v\n", cmd, err)
			return 1
		}
		printReport(stdout, r)
		return 0
	case "logout":
		a, ok := svc.Account()
		if !ok {
			fmt.Fprintln(stdout, "Not logged in.")
			return 0
		}
		if err := svc.Logout(ctx); err != nil {
			fmt.Fprintf(stderr, "slate account logout: %v\n", err)
			return 1
		}
		fmt.Fprintf(stdout, "Logged out of %s.\n", a.Server)
		return 0
	case "status":
		a, ok := svc.Account()
		out, _ := svc.Outbox(ctx)
		if name, err := svc.DeviceName(ctx); err == nil {
			fmt.Fprintf(stdout, "This data folder is the device %q (rename it with: slate account device-name NAME).\n", name)
		}
		if !ok {
			fmt.Fprintf(stdout, "Not logged in. Log in with: slate account login [--server URL] USERNAME\n")
			if out > 0 {
				fmt.Fprintf(stdout, "%d uses wait to be registered; they go when you log in.\n", out)
			}
			return 0
		}
		fmt.Fprintf(stdout, "Logged in to %s as %s since %s.\nServer key (pinned): %x\n", a.Server, a.Username, a.LoggedIn.Format(time.DateTime), []byte(a.Key))
		fmt.Fprintf(stdout, "Uses waiting to be registered: %d\n", out)
		return 0
	case "devices":
		ds, err := svc.Devices(ctx)
		if err != nil {
			fmt.Fprintf(stderr, "slate account devices: %v\n", err)
			return 1
		}
		w := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(w, "SESSION\tDEVICE\tLOGGED IN\tLAST SEEN\t")
		for _, d := range ds {
			this := ""
			if d.Current {
				this = "(this one)"
			}
			fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\n", d.ID, d.Device, d.Created.Local().Format(time.DateTime), d.LastSeen.Local().Format(time.DateTime), this)
		}
		w.Flush()
		return 0
	case "device-name":
		if len(args) == 1 {
			name, err := svc.DeviceName(ctx)
			if err != nil {
				fmt.Fprintf(stderr, "slate account device-name: %v\n", err)
				return 1
			}
			fmt.Fprintln(stdout, name)
			return 0
		}
		// The name may come in words, unquoted: device-name Olive's laptop.
		name, err := svc.RenameDevice(ctx, strings.Join(args[1:], " "))
		if name == "" {
			fmt.Fprintf(stderr, "slate account device-name: %v\n", err)
			return 1
		}
		fmt.Fprintf(stdout, "This data folder is now the device %q.\n", name)
		if err != nil {
			fmt.Fprintf(stderr, "slate account device-name: %v\n", err)
			return 1
		}
		return 0
	case "revoke":
		if len(args) != 2 {
			fmt.Fprintln(stderr, "slate account revoke: give the SESSION id from slate account devices")
			return 2
		}
		if err := svc.RevokeDevice(ctx, args[1]); err != nil {
			fmt.Fprintf(stderr, "slate account revoke: %v\n", err)
			return 1
		}
		fmt.Fprintf(stdout, "Session %s is logged out.\n", args[1])
		return 0
	case "delete":
		a, ok := svc.Account()
		if !ok {
			fmt.Fprintln(stderr, "slate account delete: not logged in; log in to the account to delete it")
			return 1
		}
		fmt.Fprintf(stdout, "This deletes the account %s on %s: your cast members' media there, your sessions, and every use of your likenesses (their makers' studios delete those clips). Your recordings on this computer stay.\n", a.Username, a.Server)
		pw, err := env.password("Password, to confirm: ", stdout)
		if err != nil {
			fmt.Fprintf(stderr, "slate account delete: %v\n", err)
			return 1
		}
		if err := svc.DeleteAccount(ctx, pw); err != nil {
			fmt.Fprintf(stderr, "slate account delete: %v\n", err)
			return 1
		}
		fmt.Fprintf(stdout, "Deleted the account %s.\n", a.Username)
		return 0
	case "keys":
		return accountKeys(ctx, args[1:], svc, stdout, stderr)
	case "sync":
		r, err := svc.Sync(ctx)
		if err != nil {
			fmt.Fprintf(stderr, "slate account sync: %v\n", err)
			return 1
		}
		printReport(stdout, r)
		return 0
	}
	fmt.Fprintf(stderr, "slate account: unknown command %q; use signup, login, logout, status, sync, devices, device-name, revoke, keys or delete\n", cmd)
	return 2
}

func printReport(w io.Writer, r sharing.Report) {
	fmt.Fprintf(w, "Synced: %d cast members sent, %d uses registered, %d changes read.\n", r.Pushed, r.Registered, r.Changes)
	for _, u := range r.Removed {
		what := "a clip"
		if u.Path != "" {
			what = "the film " + u.Path
		}
		fmt.Fprintf(w, "Removed by its owner: %s of %q, deleted here.\n", what, u.ProjectTitle)
	}
	for _, h := range r.Revoked {
		fmt.Fprintf(w, "%s's owner changed their consent: renders featuring them ask again.\n", h)
	}
	for _, h := range r.Accepted {
		fmt.Fprintf(w, "You are approved to feature %s.\n", h)
	}
	for _, h := range r.Declined {
		fmt.Fprintf(w, "Your request to feature %s was declined.\n", h)
	}
	if r.Requests > 0 {
		fmt.Fprintf(w, "%d new requests to feature your cast: slate consent requests\n", r.Requests)
	}
	for _, d := range r.Damaged {
		fmt.Fprintf(w, "Not sent: %s.\n", d)
	}
}

// consentMain runs "slate consent …": who may feature my members, the
// uses of my likeness, requests, and other people's members I feature.
func consentMain(ctx context.Context, args []string, stdout, stderr io.Writer, env sharingEnv) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, "slate consent: say what to do: set, uses, remove, requests, accept, decline, find, ask or made\n")
		return 2
	}
	cmd := args[0]
	lib, svc, err := openSharing(ctx, env)
	if err != nil {
		fmt.Fprintf(stderr, "slate consent %s: %v\n", cmd, err)
		return 1
	}
	defer lib.Close()
	fail := func(err error) int {
		fmt.Fprintf(stderr, "slate consent %s: %v\n", cmd, err)
		return 1
	}
	one := func(what string) (string, bool) {
		if len(args) != 2 {
			fmt.Fprintf(stderr, "slate consent %s: give %s\n", cmd, what)
			return "", false
		}
		return args[1], true
	}
	switch cmd {
	case "set":
		return consentSet(ctx, args[1:], lib, svc, stdout, stderr)
	case "uses":
		uses, err := svc.UsesOfMine(ctx)
		if err != nil {
			return fail(err)
		}
		if len(uses) == 0 {
			fmt.Fprintln(stdout, "Nobody has used your cast members' likeness.")
			return 0
		}
		w := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(w, "USE\tMEMBER\tBY\tPROJECT\tKIND\tWHEN\tSTATE")
		for _, u := range uses {
			state := "in use"
			if u.Removed != nil {
				state = "removed " + u.Removed.Local().Format(time.DateTime)
			}
			fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", u.ID, u.Handle, cmp.Or(u.Creator, "(deleted account)"), oneLine(u.ProjectTitle), u.Scope, u.At.Local().Format(time.DateTime), state)
		}
		w.Flush()
		return 0
	case "remove":
		id, ok := one("the USE id from slate consent uses")
		if !ok {
			return 2
		}
		if err := svc.RemoveUse(ctx, id); err != nil {
			return fail(err)
		}
		fmt.Fprintf(stdout, "Removed use %s; its maker's studio deletes the clip when it next syncs.\n", id)
		return 0
	case "requests":
		rs, err := svc.Requests(ctx)
		if err != nil {
			return fail(err)
		}
		if len(rs) == 0 {
			fmt.Fprintln(stdout, "No requests waiting.")
			return 0
		}
		w := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(w, "REQUEST\tMEMBER\tFROM\tMESSAGE\tWHEN")
		for _, r := range rs {
			fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\n", r.ID, r.Handle, r.Requester, oneLine(cmp.Or(r.Message, "—")), r.Created.Local().Format(time.DateTime))
		}
		w.Flush()
		return 0
	case "accept", "decline":
		id, ok := one("the REQUEST id from slate consent requests")
		if !ok {
			return 2
		}
		if err := svc.Answer(ctx, id, cmd == "accept"); err != nil {
			return fail(err)
		}
		fmt.Fprintf(stdout, "Request %s %s.\n", id, map[string]string{"accept": "accepted: they may feature that member now", "decline": "declined"}[cmd])
		return 0
	case "find":
		h, ok := one("a @handle")
		if !ok {
			return 2
		}
		m, err := svc.Find(ctx, h)
		if err != nil {
			return fail(err)
		}
		// The owner's username beside the handle tells a member from a
		// look-alike handle.
		fmt.Fprintf(stdout, "%s (%s), owned by %s: %s; %s.\n", m.HandleAndOwner(), m.Name, m.OwnerName, m.Consent.Label(), outsideWords(m.Outside))
		if m.Preferences != "" {
			fmt.Fprintf(stdout, "Their wishes, added to every shot that features them: %s\n", m.Preferences)
		}
		fmt.Fprintln(stdout, "They are in your cast now; each render or export that features them asks their owner's server for a grant.")
		return 0
	case "ask":
		if len(args) < 2 {
			fmt.Fprintf(stderr, "slate consent ask: give a @handle and, if you like, a message\n")
			return 2
		}
		m, err := svc.Find(ctx, args[1])
		if err != nil {
			return fail(err)
		}
		if err := svc.AskApproval(ctx, m.ID, strings.Join(args[2:], " ")); err != nil {
			return fail(err)
		}
		fmt.Fprintf(stdout, "Asked %s to approve you for %s.\n", m.OwnerName, m.Handle)
		return 0
	case "made":
		uses, err := lib.Uses(ctx)
		if err != nil {
			return fail(err)
		}
		if len(uses) == 0 {
			fmt.Fprintln(stdout, "Nothing made here features someone else's cast.")
			return 0
		}
		w := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(w, "MEMBER\tPROJECT\tKIND\tWHEN\tSTATE")
		for _, u := range uses {
			handle := u.MemberID
			if m, err := lib.CastMember(ctx, u.MemberID); err == nil {
				handle = m.Handle
			}
			state := "registered"
			switch {
			case !u.Removed.IsZero():
				state = "removed by the owner"
			case u.ServerID == "":
				state = "waiting to be registered"
			}
			fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\n", handle, oneLine(u.ProjectTitle), u.Scope, u.At.Local().Format(time.DateTime), state)
		}
		w.Flush()
		return 0
	}
	fmt.Fprintf(stderr, "slate consent: unknown command %q; use set, uses, remove, requests, accept, decline, find, ask or made\n", cmd)
	return 2
}

// consentSet changes who may feature one of my members.
func consentSet(ctx context.Context, args []string, lib *library.Library, svc *sharing.Service, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("slate consent set", flag.ContinueOnError)
	fs.SetOutput(stderr)
	level := fs.String("level", "", "who may feature them: only_me, approved or everyone")
	var approve, unapprove listFlag
	fs.Var(&approve, "approve", "a username to approve (repeat for more)")
	fs.Var(&unapprove, "unapprove", "a username to take off the approved list (repeat for more)")
	prefs := fs.String("preferences", "\x00", "their wishes, added to the prompt of every shot that features them")
	outside := fs.String("outside", "", "yes or no: whether their likeness may be sent to outside render services (not a Slate server)")
	// The handle comes first, as people write it: set @mara --level everyone.
	if len(args) == 0 || strings.HasPrefix(args[0], "-") {
		fmt.Fprintln(stderr, "slate consent set: give the @handle first: slate consent set @HANDLE [--level L] [--approve USER] [--unapprove USER] [--preferences TEXT] [--outside yes|no]")
		return 2
	}
	handle := args[0]
	if err := fs.Parse(args[1:]); err != nil {
		return 2
	}
	members, err := lib.CastMembers(ctx)
	if err != nil {
		fmt.Fprintf(stderr, "slate consent set: %v\n", err)
		return 1
	}
	i := slices.IndexFunc(members, func(m library.CastMember) bool { return m.Handle == handle && !m.Remote })
	if i < 0 {
		fmt.Fprintf(stderr, "slate consent set: none of your cast members is %s; see slate cast list\n", handle)
		return 1
	}
	m := members[i]
	if *level != "" {
		l, err := consent.ParseLevel(*level)
		if err != nil {
			fmt.Fprintf(stderr, "slate consent set: --level: %v\n", err)
			return 2
		}
		m.Consent = l
	}
	for _, u := range approve {
		if !slices.Contains(m.Approved, u) {
			m.Approved = append(m.Approved, u)
		}
	}
	m.Approved = slices.DeleteFunc(m.Approved, func(u string) bool { return slices.Contains(unapprove, u) })
	if *prefs != "\x00" {
		m.Preferences = *prefs
	}
	switch *outside {
	case "":
	case "yes":
		m.Outside = true
	case "no":
		m.Outside = false
	default:
		fmt.Fprintf(stderr, "slate consent set: --outside is yes or no, not %q\n", *outside)
		return 2
	}
	if err := lib.UpdateCastMember(ctx, &m); err != nil {
		fmt.Fprintf(stderr, "slate consent set: %v\n", err)
		return 1
	}
	fmt.Fprintf(stdout, "%s: %s", m.Handle, m.Consent.Label())
	if len(m.Approved) > 0 {
		fmt.Fprintf(stdout, "; approved: %s", strings.Join(m.Approved, ", "))
	}
	fmt.Fprintf(stdout, "; %s.\n", outsideWords(m.Outside))
	if _, ok := svc.Account(); !ok {
		fmt.Fprintln(stdout, "Saved here; the account server hears of it when you log in.")
		return 0
	}
	if _, err := svc.Sync(ctx); err != nil {
		fmt.Fprintf(stderr, "slate consent set: saved here, but the server could not be told yet (it will be at the next sync): %v\n", err)
		return 1
	}
	fmt.Fprintln(stdout, "The account server has it; grants it no longer allows are revoked.")
	return 0
}

// outsideWords says whether a member may be sent to outside render
// services.
func outsideWords(allowed bool) string {
	if allowed {
		return "may be sent to outside render services"
	}
	return "not to be sent to outside render services"
}

// listFlag collects a repeated flag.
type listFlag []string

func (l *listFlag) String() string     { return strings.Join(*l, ",") }
func (l *listFlag) Set(v string) error { *l = append(*l, v); return nil }
