package cli

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"

	"github.com/slatestudio/slate/internal/termbar"
	"github.com/slatestudio/slate/library"
	"github.com/slatestudio/slate/ml/pack"
)

// modelsEnv is what "slate models" takes from outside.
type modelsEnv struct {
	dataDir func() (string, error)
	client  *http.Client
	isTTY   bool
}

func defaultModelsEnv() modelsEnv {
	return modelsEnv{dataDir: library.DefaultDir, isTTY: termbar.IsTerminal(os.Stderr)}
}

// modelStore is the store in the data folder's models/.
func modelStore(dataDir func() (string, error), client *http.Client) (*pack.Store, error) {
	dir, err := modelsDir(dataDir)()
	if err != nil {
		return nil, err
	}
	return pack.NewStore(dir, client), nil
}

// modelsDir is the folder of model packs in the data folder dataDir
// returns.
func modelsDir(dataDir func() (string, error)) func() (string, error) {
	return func() (string, error) {
		dir, err := dataDir()
		if err != nil {
			return "", err
		}
		return filepath.Join(dir, "models"), nil
	}
}

// modelsMain runs "slate models install|list|verify|remove" and returns
// the exit status.
func modelsMain(ctx context.Context, args []string, stdout, stderr io.Writer, env modelsEnv) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, "slate models: say what to do: install, list, verify or remove\n")
		return 2
	}
	store, err := modelStore(env.dataDir, env.client)
	if err != nil {
		fmt.Fprintf(stderr, "slate models: %v\n", err)
		return 1
	}
	cmd, rest := args[0], args[1:]
	argc := map[string][2]int{"install": {1, 1}, "list": {0, 0}, "verify": {0, 1}, "remove": {1, 1}}
	n, ok := argc[cmd]
	if !ok {
		fmt.Fprintf(stderr, "slate models: unknown command %q; use install, list, verify or remove\n", cmd)
		return 2
	}
	if len(rest) < n[0] || len(rest) > n[1] {
		fmt.Fprintf(stderr, "slate models %s: %s\n", cmd, map[string]string{
			"install": "give one folder or http(s) address: slate models install PATH|URL",
			"list":    "takes no arguments",
			"verify":  "give at most one pack name: slate models verify [NAME]",
			"remove":  "give one pack name: slate models remove NAME",
		}[cmd])
		return 2
	}
	switch cmd {
	case "install":
		return modelsInstall(ctx, store, rest[0], stdout, stderr, env.isTTY)
	case "list":
		return modelsList(store, stdout, stderr)
	case "verify":
		return modelsVerify(ctx, store, rest, stdout, stderr, env.isTTY)
	}
	if err := store.Remove(rest[0]); err != nil {
		fmt.Fprintf(stderr, "slate models remove: %v\n", err)
		return 1
	}
	fmt.Fprintf(stdout, "removed %s\n", rest[0])
	return 0
}

// packBars draws a pack's progress: one bar per file and the total.
type packBars struct {
	bars  *termbar.Bars
	state string
	last  int
}

func newPackBars(w io.Writer, isTTY bool, m *pack.Manifest, state string) *packBars {
	labels := make([]string, len(m.Files))
	for i, f := range m.Files {
		labels[i] = f.Path
	}
	return &packBars{bars: termbar.New(w, isTTY, labels), state: state, last: -1}
}

func (b *packBars) update(pr pack.Progress) {
	if pr.Index != b.last && b.last >= 0 {
		b.bars.Set(b.last, 1, "done")
	}
	b.last = pr.Index
	f := 1.0
	if pr.FileSize > 0 {
		f = float64(pr.FileDone) / float64(pr.FileSize)
	}
	b.bars.Set(pr.Index, f, b.state)
	total := 1.0
	if pr.Total > 0 {
		total = float64(pr.Done) / float64(pr.Total)
	}
	// The state stays the same while bytes flow: a log (no terminal) gets
	// a line per change of state, not per megabyte.
	b.bars.SetOverall(total, b.state+" "+pack.FormatSize(pr.Total))
}

func (b *packBars) finish(err error) {
	if err == nil && b.last >= 0 {
		b.bars.Set(b.last, 1, "done")
		b.bars.SetOverall(1, "done")
	}
	b.bars.Done()
}

func modelsInstall(ctx context.Context, store *pack.Store, src string, stdout, stderr io.Writer, isTTY bool) int {
	var bars *packBars
	p, err := store.Install(ctx, src, func(pr pack.Progress) {
		if bars == nil {
			bars = newPackBars(stderr, isTTY, pr.Manifest, "copying")
			if isURL(src) {
				bars.state = "downloading"
			}
		}
		bars.update(pr)
	})
	if bars != nil {
		bars.finish(err)
	}
	if err != nil {
		if ctx.Err() != nil {
			fmt.Fprintln(stderr, "slate models install: cancelled; nothing was installed")
			return 130
		}
		fmt.Fprintf(stderr, "slate models install: %v\n", err)
		return 1
	}
	m := p.Manifest
	fmt.Fprintf(stdout, "installed %s (%s, %s, licence %s) in %s\n", m.Name, m.Family, pack.FormatSize(m.Size()), m.Licence, p.Dir)
	fmt.Fprintf(stdout, "  source  %s\n", m.Source)
	return 0
}

func modelsList(store *pack.Store, stdout, stderr io.Writer) int {
	infos, err := store.List()
	if err != nil {
		fmt.Fprintf(stderr, "slate models list: %v\n", err)
		return 1
	}
	if len(infos) == 0 {
		fmt.Fprintf(stdout, "no model packs installed in %s; install one with slate models install PATH|URL\n", store.Dir())
		return 0
	}
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tFAMILY\tLICENCE\tSIZE")
	code := 0
	for _, in := range infos {
		if in.Err != nil {
			fmt.Fprintf(tw, "%s\t(damaged)\t\t\n", in.Name)
			code = 1
			continue
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", in.Name, in.Family, in.Licence, pack.FormatSize(in.Size))
	}
	tw.Flush()
	for _, in := range infos {
		if in.Err != nil {
			fmt.Fprintf(stderr, "slate models list: %s: %s\n", in.Name, oneLine(in.Err.Error()))
		}
	}
	return code
}

func modelsVerify(ctx context.Context, store *pack.Store, names []string, stdout, stderr io.Writer, isTTY bool) int {
	if len(names) == 0 {
		all, err := store.List()
		if err != nil {
			fmt.Fprintf(stderr, "slate models verify: %v\n", err)
			return 1
		}
		for _, in := range all {
			names = append(names, in.Name)
		}
		if len(names) == 0 {
			fmt.Fprintf(stdout, "no model packs installed in %s\n", store.Dir())
			return 0
		}
	}
	code := 0
	for _, name := range names {
		p, err := store.Open(name)
		if err == nil {
			bars := newPackBars(stderr, isTTY, p.Manifest, "checking")
			err = pack.Verify(ctx, p, bars.update)
			bars.finish(err)
		}
		switch {
		case ctx.Err() != nil:
			fmt.Fprintln(stderr, "slate models verify: cancelled")
			return 130
		case err != nil:
			fmt.Fprintf(stderr, "slate models verify: %v\n", err)
			code = 1
		default:
			fmt.Fprintf(stdout, "ok  %s: every file matches its sha256\n", name)
		}
	}
	return code
}

func isURL(s string) bool { return strings.HasPrefix(s, "http://") || strings.HasPrefix(s, "https://") }
