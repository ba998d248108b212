package cli

import (
	"context"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/slatestudio/slate/sharing"
)

// accountKeys runs "slate account keys create NAME | list | revoke ID":
// the API keys that let a program (a render box, a script) act for the
// account without logging in.
func accountKeys(ctx context.Context, args []string, svc *sharing.Service, stdout, stderr io.Writer) int {
	const usage = "slate account keys: say what to do: create NAME, list or revoke ID"
	if len(args) == 0 {
		fmt.Fprintln(stderr, usage)
		return 2
	}
	fail := func(err error) int {
		fmt.Fprintf(stderr, "slate account keys %s: %v\n", args[0], err)
		return 1
	}
	switch args[0] {
	case "create":
		// The name may come in words, unquoted: create nightly renders.
		name := strings.Join(args[1:], " ")
		if strings.TrimSpace(name) == "" {
			fmt.Fprintln(stderr, "slate account keys create: give the key a name that says what it is for: slate account keys create gpu-box")
			return 2
		}
		k, err := svc.CreateAPIKey(ctx, name)
		if err != nil {
			return fail(err)
		}
		// The key has a line to itself, so that it can be copied whole.
		fmt.Fprintf(stdout, "Made the API key %q (ID %s):\n\n%s\n\n", k.Name, k.ID, k.Key)
		fmt.Fprintln(stdout, "Copy it now: it will not be shown again. The server keeps only a fingerprint of it.")
		fmt.Fprintln(stdout, "A program sends it as \"Authorization: Bearer KEY\" and may then do what you do logged in, except manage keys, log devices out or delete the account.")
		fmt.Fprintf(stdout, "If it leaks, revoke it: slate account keys revoke %s\n", k.ID)
		return 0
	case "list":
		if len(args) != 1 {
			fmt.Fprintln(stderr, "slate account keys list: takes nothing more")
			return 2
		}
		ks, err := svc.APIKeys(ctx)
		if err != nil {
			return fail(err)
		}
		if len(ks) == 0 {
			fmt.Fprintln(stdout, "This account has no API keys. Make one with: slate account keys create NAME")
			return 0
		}
		w := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(w, "KEY\tNAME\tMADE\tLAST USED\tSTATE")
		for _, k := range ks {
			used, state := "never", "works"
			if k.LastUsed != nil {
				used = k.LastUsed.Local().Format(time.DateTime)
			}
			if k.Revoked != nil {
				state = "revoked " + k.Revoked.Local().Format(time.DateTime)
			}
			fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\n", k.ID, oneLine(k.Name), k.Created.Local().Format(time.DateTime), used, state)
		}
		w.Flush()
		return 0
	case "revoke":
		if len(args) != 2 {
			fmt.Fprintln(stderr, "slate account keys revoke: give the KEY id from slate account keys list")
			return 2
		}
		if err := svc.RevokeAPIKey(ctx, args[1]); err != nil {
			return fail(err)
		}
		fmt.Fprintf(stdout, "Revoked the API key %s: the server refuses it from now on.\n", args[1])
		return 0
	}
	fmt.Fprintf(stderr, "slate account keys: unknown command %q; use create NAME, list or revoke ID\n", args[0])
	return 2
}
