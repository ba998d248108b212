package cli

import (
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"text/tabwriter"

	"github.com/slatestudio/slate/library"
	"github.com/slatestudio/slate/ml"
	"github.com/slatestudio/slate/voices"
)

// voicesEnv is what "slate voices" takes from outside.
type voicesEnv struct {
	dataDir func() (string, error)
	// runtime loads ONNX Runtime, to check a voice before installing it;
	// an error only skips that check.
	runtime func() (*ml.Runtime, error)
}

func defaultVoicesEnv() voicesEnv {
	return voicesEnv{dataDir: library.DefaultDir, runtime: func() (*ml.Runtime, error) {
		path, _, err := ml.FindLibrary()
		if err != nil {
			return nil, err
		}
		return ml.Load(path)
	}}
}

// voicesMain runs "slate voices list|install". It reads and writes only
// the voices folders, never the library, so it runs beside an open studio.
func voicesMain(args []string, stdout, stderr io.Writer, env voicesEnv) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, "slate voices: say what to do: list or install\n")
		return 2
	}
	data, err := env.dataDir()
	if err != nil {
		fmt.Fprintf(stderr, "slate voices: %v\n", err)
		return 1
	}
	switch args[0] {
	case "list":
		if len(args) > 1 {
			fmt.Fprintf(stderr, "slate voices list: unexpected argument %q\n", args[1])
			return 2
		}
		return voicesList(voices.Dirs(data), stdout, stderr)
	case "install":
		if len(args) < 2 || strings.HasPrefix(args[1], "-") {
			fmt.Fprint(stderr, "slate voices install: give the voice's model: slate voices install en_US-lessac-medium.onnx (its .onnx.json beside it)\n")
			return 2
		}
		return voicesInstall(args[1:], filepath.Join(data, "voices"), env, stdout, stderr)
	}
	fmt.Fprintf(stderr, "slate voices: unknown command %q; use list or install\n", args[0])
	return 2
}

func voicesList(dirs []string, stdout, stderr io.Writer) int {
	found, problems := voices.List(dirs)
	for _, p := range problems {
		fmt.Fprintf(stderr, "slate voices list: %v\n", p)
	}
	if len(found) == 0 {
		fmt.Fprintf(stdout, "No Piper voices installed. Install one with: slate voices install NAME.onnx\n(looked in %s)\n", strings.Join(dirs, ", "))
		return 0
	}
	w := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "VOICE\tLANGUAGE\tSAMPLE RATE\tSPEAKERS\tFILE")
	for _, v := range found {
		fmt.Fprintf(w, "%s%s\t%s\t%d Hz\t%d\t%s\n", voices.Prefix, v.Name, v.Language, v.SampleRate, v.Speakers, v.Model)
	}
	w.Flush()
	fmt.Fprintln(stdout, "Give a cast member or a line one of these voices; a voice with several speakers takes piper:NAME:SPEAKER.")
	return 0
}

func voicesInstall(models []string, dir string, env voicesEnv, stdout, stderr io.Writer) int {
	rt, err := env.runtime()
	if err != nil {
		// The config is still checked; the model is checked when a line
		// first uses it.
		fmt.Fprintf(stderr, "slate voices install: ONNX Runtime is not available, so the models are not checked now: %v\n", err)
		rt = nil
	}
	code := 0
	for _, m := range models {
		v, err := voices.Install(rt, m, dir)
		if err != nil {
			fmt.Fprintf(stderr, "slate voices install: %v\n", err)
			code = 1
			continue
		}
		fmt.Fprintf(stdout, "Installed %s%s (%s, %d Hz) in %s\n", voices.Prefix, v.Name, v.Language, v.SampleRate, dir)
	}
	return code
}
