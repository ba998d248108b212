package cli

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/slatestudio/slate/library"
)

// castEnv is what "slate cast" takes from outside.
type castEnv struct {
	dataDir func() (string, error)
	stdin   io.Reader
	record  func(ctx context.Context, args []string, lib *library.Library, stdout, stderr io.Writer) int
}

// castMain runs "slate cast list|delete|record".
func castMain(ctx context.Context, args []string, stdout, stderr io.Writer, env castEnv) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, "slate cast: say what to do: record, list or delete\n")
		return 2
	}
	lib, err := openLibrary(ctx, env.dataDir)
	if err != nil {
		fmt.Fprintf(stderr, "slate cast: %v\n", err)
		return 1
	}
	defer lib.Close()
	switch args[0] {
	case "list":
		return castList(ctx, lib, stdout, stderr)
	case "delete":
		return castDelete(ctx, args[1:], lib, env.stdin, stdout, stderr)
	case "record":
		if env.record == nil {
			fmt.Fprint(stderr, "slate cast record: recording is not available in this build\n")
			return 1
		}
		return env.record(ctx, args[1:], lib, stdout, stderr)
	}
	fmt.Fprintf(stderr, "slate cast: unknown command %q; use record, list or delete\n", args[0])
	return 2
}

func castList(ctx context.Context, lib *library.Library, stdout, stderr io.Writer) int {
	members, err := lib.CastMembers(ctx)
	if err != nil {
		fmt.Fprintf(stderr, "slate cast list: %v\n", err)
		return 1
	}
	if len(members) == 0 {
		fmt.Fprintln(stdout, "No cast members yet. Record one with: slate cast record --name NAME")
		return 0
	}
	w := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "HANDLE\tNAME\tOWNER\tWHO MAY USE IT\tPREFERENCES\tRECORDED")
	for _, m := range members {
		prefs := m.Preferences
		if prefs == "" {
			prefs = "—"
		}
		owner, recorded := "you", m.Created.Format("2006-01-02 15:04")
		if m.Remote {
			owner, recorded = m.OwnerName, "— (theirs: a grant is asked for each use)"
		}
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%s\n", m.HandleAndOwner(), m.Name, owner, m.Consent.Label(), oneLine(prefs), recorded)
	}
	w.Flush()
	return 0
}

func castDelete(ctx context.Context, args []string, lib *library.Library, stdin io.Reader, stdout, stderr io.Writer) int {
	// --yes may come before or after the member.
	var yes bool
	var rest []string
	for _, a := range args {
		switch a {
		case "--yes", "-yes", "-y":
			yes = true
		default:
			rest = append(rest, a)
		}
	}
	if len(rest) != 1 || strings.HasPrefix(rest[0], "-") {
		fmt.Fprint(stderr, "slate cast delete: give one member, by @handle: slate cast delete @mara [--yes]\n")
		return 2
	}
	who := rest[0]
	members, err := lib.CastMembers(ctx)
	if err != nil {
		fmt.Fprintf(stderr, "slate cast delete: %v\n", err)
		return 1
	}
	var m *library.CastMember
	for i := range members {
		if members[i].Handle == who || members[i].ID == who || "@"+strings.TrimPrefix(who, "@") == members[i].Handle {
			m = &members[i]
		}
	}
	if m == nil {
		fmt.Fprintf(stderr, "slate cast delete: no cast member %s; see slate cast list\n", who)
		return 1
	}
	if !yes {
		fmt.Fprintf(stdout, "Delete %s (%s), with their recording, stills and voice sample? This cannot be undone. [y/N] ", m.Name, m.Handle)
		line, _ := bufio.NewReader(stdin).ReadString('\n')
		if a := strings.ToLower(strings.TrimSpace(line)); a != "y" && a != "yes" {
			fmt.Fprintln(stdout, "Kept.")
			return 0
		}
	}
	if err := lib.DeleteCastMember(ctx, m.ID); err != nil {
		if errors.Is(err, library.ErrNotFound) {
			fmt.Fprintf(stderr, "slate cast delete: %s was already deleted\n", who)
			return 1
		}
		fmt.Fprintf(stderr, "slate cast delete: %v\n", err)
		return 1
	}
	fmt.Fprintf(stdout, "Deleted %s (%s) and their media.\n", m.Name, m.Handle)
	return 0
}

func defaultCastEnv(stdin io.Reader) castEnv {
	return castEnv{dataDir: library.DefaultDir, stdin: stdin,
		record: func(ctx context.Context, args []string, lib *library.Library, stdout, stderr io.Writer) int {
			return recordCast(ctx, args, lib, stdout, stderr, stdin, isTerminal(stdout))
		}}
}
