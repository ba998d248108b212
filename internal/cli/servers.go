package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/slatestudio/slate/library"
	"github.com/slatestudio/slate/media"
	"github.com/slatestudio/slate/render"
	"github.com/slatestudio/slate/render/remote"
	"github.com/slatestudio/slate/servers"
)

// serversEnv is what "slate servers" takes from outside.
type serversEnv struct {
	dataDir func() (string, error)
	stdin   io.Reader
	// book opens the render servers of a library; tests give it their own
	// key store.
	book func(lib *library.Library) *servers.Book
}

func defaultServersEnv(stdin io.Reader) serversEnv {
	return serversEnv{dataDir: library.DefaultDir, stdin: stdin, book: func(lib *library.Library) *servers.Book {
		return servers.New(lib, servers.Options{})
	}}
}

// RegisterServers adds to reg a backend for each model of each render
// server kept in lib ("remote:gpu-box/animatic"), rendering through
// render/remote with tools; the studio and "slate render" call it beside
// RegisterBackends.
func RegisterServers(ctx context.Context, reg *render.Registry, lib *library.Library, tools media.Tools) ([]string, error) {
	return servers.New(lib, servers.Options{Remote: remote.Options{Tools: tools}}).Register(ctx, reg)
}

const serversUsage = `slate servers add NAME URL [--api-key-stdin] [flags]
                            add a render server: another computer running slate-server
                            with render workers, or any /v1/videos video service
      --api-key-stdin       read its API key from the first line of standard input
                            (kept in the system keyring, never in the project)
      for a service that does not list its models, say what it renders:
      --models NAME,…       the model names to ask it for
      --sizes WxH,…         the frame sizes it renders, such as 1280x720,720x1280
      --seconds N,…         the clip lengths it renders, such as 4,8,12
      --fps N               its frame rate (default 24)
      --audio=false         whether its clips carry sound of their own
      --image-input         it can start from a picture
      --keep-model-audio    keep its own sound under the shot's dialogue and sound
slate servers edit NAME [flags]
                            change a render server: --api-key-stdin for a new key; for a
                            service that does not list its models, --models, --sizes,
                            --seconds, --fps, --audio=…, --image-input=… and
                            --keep-model-audio=… as add takes them (what is not given
                            stays as it is)
slate servers list          the render servers, what each is and renders
slate servers test NAME     ask a render server again what it is and renders
slate servers remove NAME   forget a render server and its API key
`

// serversMain runs "slate servers add|list|test|remove".
func serversMain(ctx context.Context, args []string, stdout, stderr io.Writer, env serversEnv) int {
	if len(args) == 0 {
		fmt.Fprintf(stderr, "slate servers: say what to do: add, list, test or remove, or edit a server\n\n%s", serversUsage)
		return 2
	}
	cmd, rest := args[0], args[1:]
	want := map[string]int{"list": 0, "test": 1, "remove": 1}
	if n, ok := want[cmd]; ok && len(rest) != n {
		fmt.Fprintf(stderr, "slate servers %s: %s\n", cmd, map[string]string{
			"list":   "takes no arguments",
			"test":   "give the render server's name: slate servers test NAME",
			"remove": "give the render server's name: slate servers remove NAME",
		}[cmd])
		return 2
	} else if !ok && cmd != "add" && cmd != "edit" {
		fmt.Fprintf(stderr, "slate servers: unknown command %q; use add, edit, list, test or remove\n", cmd)
		return 2
	}
	var spec servers.Spec
	var edit string
	var change servers.Change
	var err error
	switch cmd {
	case "add":
		spec, err = parseServerAdd(rest, env.stdin, stderr)
	case "edit":
		edit, change, err = parseServerEdit(rest, env.stdin, stderr)
	}
	if err != nil {
		if !errors.Is(err, flag.ErrHelp) && err.Error() != "" {
			fmt.Fprintf(stderr, "slate servers %s: %v\n", cmd, err)
		}
		return 2
	}
	lib, err := openLibrary(ctx, env.dataDir)
	if err != nil {
		fmt.Fprintf(stderr, "slate servers %s: %v\n", cmd, err)
		return 1
	}
	defer lib.Close()
	book := env.book(lib)
	switch cmd {
	case "add":
		s, err := book.Add(ctx, spec)
		if err != nil {
			fmt.Fprintf(stderr, "slate servers add: %v\n", err)
			return 1
		}
		fmt.Fprintf(stdout, "Added %s.\n", s.Name)
		describeServer(stdout, s)
	case "edit":
		s, err := book.Edit(ctx, edit, change)
		if err != nil {
			fmt.Fprintf(stderr, "slate servers edit: %v\n", err)
			return 1
		}
		fmt.Fprintf(stdout, "Changed %s.\n", s.Name)
		describeServer(stdout, s)
	case "list":
		list, err := book.List(ctx)
		if err != nil {
			fmt.Fprintf(stderr, "slate servers list: %v\n", err)
			return 1
		}
		if len(list) == 0 {
			fmt.Fprintln(stdout, "No render servers yet. Add one: slate servers add NAME URL [--api-key-stdin]")
			return 0
		}
		tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "NAME\tWHAT\tRENDERS\tADDRESS\tAPI KEY")
		for _, s := range list {
			var models []string
			for _, m := range s.Models {
				models = append(models, m.ID)
			}
			key := "none"
			if has, err := book.HasKey(ctx, s.Name); err != nil {
				key = "unreadable"
			} else if has {
				key = "kept"
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", s.Name, s.What(), strings.Join(models, ", "), s.URL, key)
		}
		tw.Flush()
	case "test":
		s, err := book.Test(ctx, rest[0])
		if err != nil {
			fmt.Fprintf(stderr, "slate servers test: %v\n", err)
			return 1
		}
		fmt.Fprintf(stdout, "%s answers.\n", s.Name)
		describeServer(stdout, s)
	case "remove":
		if err := book.Remove(ctx, rest[0]); err != nil {
			fmt.Fprintf(stderr, "slate servers remove: %v\n", err)
			return 1
		}
		fmt.Fprintf(stdout, "Removed %s and its API key. Shots set to render on it are refused until you choose another renderer for them.\n", rest[0])
	}
	return 0
}

// describeServer says what a server is and renders, and how to use it.
func describeServer(w io.Writer, s servers.Server) {
	fmt.Fprintf(w, "%s is %s at %s.\n", s.Name, s.What(), s.URL)
	if s.Kind == remote.KindGeneric {
		fmt.Fprintln(w, "Slate sends it each shot's prompt (and a picture to start from, where the model takes one), then fits the clip to the shot and adds the shot's dialogue and sound.")
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	for _, m := range s.Models {
		fmt.Fprintf(tw, "  %s\t%s\n", m.ID, servers.Capabilities(m))
	}
	tw.Flush()
	if b := s.Backends(); len(b) > 0 {
		fmt.Fprintf(w, "Render on it with \"Render with\" in a shot's inspector, or: slate render FILE.slate -o FILM.mp4 --backend %s\n", b[0])
	}
}

// serverFlags are the flags "slate servers add" and "edit" share: the key
// on standard input, and what a service that lists no models renders.
type serverFlags struct {
	fs                     *flag.FlagSet
	keyStdin, audio, image *bool
	keep                   *bool
	models, sizes, seconds *string
	fps                    *int
}

func newServerFlags(name string, stderr io.Writer, fps int) *serverFlags {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	return &serverFlags{
		fs:       fs,
		keyStdin: fs.Bool("api-key-stdin", false, "read the API key from the first line of standard input"),
		models:   fs.String("models", "", "model names, for a service that does not list its own"),
		sizes:    fs.String("sizes", "", "frame sizes it renders: 1280x720,720x1280"),
		seconds:  fs.String("seconds", "", "clip lengths it renders, in seconds: 4,8,12"),
		fps:      fs.Int("fps", fps, "its frame rate"),
		audio:    fs.Bool("audio", false, "its clips carry sound of their own"),
		image:    fs.Bool("image-input", false, "it can start from a picture"),
		keep:     fs.Bool("keep-model-audio", false, "keep its own sound under the shot's"),
	}
}

// parse reads args, with the flags before, between or after the
// positional arguments, which it returns.
func (f *serverFlags) parse(args []string) ([]string, error) {
	var pos []string
	for {
		if err := f.fs.Parse(args); err != nil {
			return nil, errors.New("")
		}
		if f.fs.NArg() == 0 {
			return pos, nil
		}
		pos = append(pos, f.fs.Arg(0))
		args = f.fs.Args()[1:]
	}
}

// apiKey reads the key from stdin when --api-key-stdin was given ("" when
// not); example is the command to show should none come.
func (f *serverFlags) apiKey(stdin io.Reader, example string) (string, error) {
	if !*f.keyStdin {
		return "", nil
	}
	line, err := readLine(stdin)
	if err != nil || strings.TrimSpace(line) == "" {
		return "", errors.New("--api-key-stdin: no API key on standard input; pipe it in, such as: " + example + " --api-key-stdin < key.txt")
	}
	return strings.TrimSpace(line), nil
}

// parseServerAdd reads "slate servers add"'s arguments: the name and the
// address, with flags before, between or after them.
func parseServerAdd(args []string, stdin io.Reader, stderr io.Writer) (servers.Spec, error) {
	f := newServerFlags("slate servers add", stderr, 24)
	pos, err := f.parse(args)
	if err != nil {
		return servers.Spec{}, err
	}
	if len(pos) != 2 {
		return servers.Spec{}, errors.New("give a name and an address: slate servers add gpu-box http://gpu-box:8080 [--api-key-stdin]")
	}
	sp := servers.Spec{Name: pos[0], URL: pos[1], KeepModelAudio: *f.keep}
	if sp.APIKey, err = f.apiKey(stdin, "slate servers add …"); err != nil {
		return sp, err
	}
	if *f.models == "" && *f.sizes == "" && *f.seconds == "" {
		return sp, nil
	}
	p, names, err := servers.Describe(*f.models, *f.sizes, *f.seconds, *f.fps, *f.audio, *f.image)
	if err != nil {
		return sp, err
	}
	sp.Profile, sp.Models = p, names
	return sp, nil
}

// parseServerEdit reads "slate servers edit"'s arguments: the name, and
// the flags of what to change (those not given stay as they are).
func parseServerEdit(args []string, stdin io.Reader, stderr io.Writer) (string, servers.Change, error) {
	f := newServerFlags("slate servers edit", stderr, 0)
	pos, err := f.parse(args)
	if err != nil {
		return "", servers.Change{}, err
	}
	if len(pos) != 1 {
		return "", servers.Change{}, errors.New("give the render server's name and what to change: slate servers edit hosted --seconds 4,8,12")
	}
	ch := servers.Change{Models: *f.models, Sizes: *f.sizes, Seconds: *f.seconds, FPS: *f.fps}
	given := 0
	f.fs.Visit(func(fl *flag.Flag) {
		given++
		switch fl.Name {
		case "audio":
			ch.Audio = f.audio
		case "image-input":
			ch.ImageInput = f.image
		case "keep-model-audio":
			ch.KeepModelAudio = f.keep
		}
	})
	if given == 0 {
		return "", ch, fmt.Errorf("say what to change about %s, such as --seconds 4,8,12 or --api-key-stdin (slate servers shows the flags)", pos[0])
	}
	if isSet(f.fs, "fps") && *f.fps <= 0 {
		return "", ch, fmt.Errorf("%d is not a frame rate; give one such as 24", *f.fps)
	}
	if ch.APIKey, err = f.apiKey(stdin, "slate servers edit "+pos[0]); err != nil {
		return "", ch, err
	}
	return pos[0], ch, nil
}

// isSet reports whether the flag called name was given.
func isSet(fs *flag.FlagSet, name string) bool {
	set := false
	fs.Visit(func(f *flag.Flag) { set = set || f.Name == name })
	return set
}
