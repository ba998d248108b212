package media

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/slatestudio/slate/internal/diskfull"
	"github.com/slatestudio/slate/internal/userfile"
)

// ErrDiskFull is matched by errors from writes that ran out of disk space,
// in Slate's own writes and in ffmpeg's, so the studio can tell the user to
// free space rather than show a codec error. It is [diskfull.Err], which
// media/audio's WAV writers wrap too.
var ErrDiskFull = diskfull.Err

// ErrUnsafeInput is matched by errors for input or output paths that ffmpeg
// would treat as a URL or protocol rather than a plain file.
var ErrUnsafeInput = errors.New("unsafe media path")

// ProtocolWhitelist is the only set of protocols ffmpeg and ffprobe may open:
// plain files and pipes, so a media file can never make Slate reach the
// network (HLS playlists and concat lists inherit the restriction).
const ProtocolWhitelist = "file,pipe"

// stdinInput is the one protocol-looking input name media accepts: ffmpeg's
// standard input, used by the encoder.
const stdinInput = "pipe:0"

// waitDelay bounds how long Wait lingers for the program's output once it
// has exited or been killed, in case something it started keeps a pipe
// open. The same delay also cuts short the reading of output that is
// merely slow to arrive: at half a second, a loaded machine (a test run
// under -race) saw ffprobe's answer cut off ("WaitDelay expired before I/O
// complete"), so it is long enough for that and still bounds a stuck pipe.
const waitDelay = 5 * time.Second

// stderrLines is how many of the last stderr lines an error carries: enough
// for ffmpeg's explanation, short enough for a dialog.
const stderrLines = 20

// ToolError reports an external program that exited unsuccessfully. It keeps
// the end of the program's stderr, because that is where ffmpeg says why.
type ToolError struct {
	Tool   string // "ffmpeg", "ffprobe" or "espeak-ng"
	Err    error  // the exit status, from os/exec
	Stderr string // the last lines of stderr, newline-separated
}

// Error reads "ffmpeg failed: exit status 1" followed by the stderr lines,
// indented, and asks for free space when the disk was full.
func (e *ToolError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s failed: %v", e.Tool, e.Err)
	if e.diskFull() {
		b.WriteString(": the disk is full; free some disk space and try again")
	}
	if e.Stderr != "" {
		for _, l := range strings.Split(e.Stderr, "\n") {
			b.WriteString("\n\t")
			b.WriteString(l)
		}
	}
	return b.String()
}

// Unwrap exposes the exit error and, when stderr says the disk was full,
// [ErrDiskFull].
func (e *ToolError) Unwrap() []error {
	if e.diskFull() {
		return []error{e.Err, ErrDiskFull}
	}
	return []error{e.Err}
}

func (e *ToolError) diskFull() bool {
	return strings.Contains(e.Stderr, "No space left on device")
}

// CheckInputPath refuses a path that ffmpeg would open through a protocol
// other than a plain file: URLs ("http://…"), protocol prefixes such as
// "concat:", "file:" or "subfile,", and empty paths. The literal "pipe:0"
// (standard input) is allowed. A relative file name containing a colon can
// be passed as "./name".
func CheckInputPath(path string) error {
	if path == stdinInput {
		return nil
	}
	if err := checkPlainPath(path); err != nil {
		return fmt.Errorf("input %q: %w", path, err)
	}
	return nil
}

// checkPlainPath mirrors how ffmpeg decides that a name is a URL: a run of
// scheme characters followed by ':' names a protocol, and so does the
// special "subfile," prefix.
func checkPlainPath(path string) error {
	if path == "" {
		return fmt.Errorf("%w: empty path", ErrUnsafeInput)
	}
	if strings.Contains(path, "://") {
		return fmt.Errorf("%w: URLs are not allowed, only local files", ErrUnsafeInput)
	}
	if strings.HasPrefix(path, "subfile,") {
		return fmt.Errorf("%w: the subfile protocol is not allowed, only plain files", ErrUnsafeInput)
	}
	n := 0
	for n < len(path) && isSchemeChar(path[n]) {
		n++
	}
	if n > 0 && n < len(path) && path[n] == ':' {
		if n == 1 && runtime.GOOS == "windows" {
			return nil // a drive letter, which ffmpeg treats as a file on Windows
		}
		return fmt.Errorf("%w: %q looks like a protocol prefix; only plain files are allowed (write \"./%s\" for a file whose name has a colon)", ErrUnsafeInput, path[:n+1], path)
	}
	return nil
}

func isSchemeChar(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '+' || c == '-' || c == '.'
}

// InputArgs returns the ffmpeg arguments that open path as an input limited
// to file and pipe protocols: "-protocol_whitelist file,pipe -i PATH". A
// path that names something other than a regular file (a named pipe, on
// which ffmpeg would block in open() until someone writes to it, or a
// device such as /dev/zero) is refused with a *userfile.NotRegularError; a
// path that does not exist is left for ffmpeg to report.
func InputArgs(path string) ([]string, error) {
	if err := CheckInputPath(path); err != nil {
		return nil, err
	}
	if err := checkInputFile(path, "a media file"); err != nil {
		return nil, err
	}
	return []string{"-protocol_whitelist", ProtocolWhitelist, "-i", path}, nil
}

// checkInputFile refuses an input path that exists and is not a regular
// file; standard input and names ffmpeg does not take for files (filter
// sources such as "sine=…" after -f lavfi) do not exist and pass.
func checkInputFile(path, what string) error {
	if path == stdinInput {
		return nil
	}
	err := userfile.Check(path, what)
	if errors.Is(err, userfile.ErrNotRegular) {
		return err
	}
	return nil
}

// RestrictInputs returns args with "-protocol_whitelist file,pipe" placed
// directly before every "-i", after checking each input path with
// [CheckInputPath]. Being last, the whitelist overrides any other value given
// earlier for the same input.
func RestrictInputs(args []string) ([]string, error) {
	out := make([]string, 0, len(args)+4)
	for i := 0; i < len(args); i++ {
		if args[i] != "-i" {
			out = append(out, args[i])
			continue
		}
		if i+1 >= len(args) {
			return nil, errors.New("ffmpeg arguments: -i without an input path")
		}
		in, err := InputArgs(args[i+1])
		if err != nil {
			return nil, err
		}
		if n := len(out); n >= 2 && out[n-2] == "-protocol_whitelist" && out[n-1] == ProtocolWhitelist {
			out = out[:n-2] // already restricted: keep one copy
		}
		out = append(out, in...)
		i++
	}
	return out, nil
}

// process is a running external program with the settings every media call
// shares: killed when ctx ends, a bounded wait after that, and the tail of
// stderr kept for errors.
type process struct {
	tool   string
	cmd    *exec.Cmd
	stderr *tailBuffer
	// stopped is why the program was killed, set before the kill: ctx's
	// error, once it ended while the program ran.
	stopped atomic.Pointer[error]
}

// command prepares tool with args; the caller sets stdin and stdout and starts it.
func (t Tools) command(ctx context.Context, tool string, args []string) (*process, error) {
	path, ok := t.path(tool)
	if !ok {
		return nil, fmt.Errorf("unknown tool %q", tool)
	}
	if path == "" {
		return nil, &MissingToolError{Tool: tool}
	}
	cmd := exec.CommandContext(ctx, path, args...)
	p := &process{tool: tool, cmd: cmd, stderr: newTailBuffer(64 << 10)}
	// SIGKILL rather than a polite signal: a cancelled render must stop now,
	// and its output is a temp file that is thrown away anyway. exec calls
	// this when ctx ends, and Wait returns only after it has, so the
	// reason is known by the time the program's failure is looked at.
	cmd.Cancel = func() error {
		err := ctx.Err()
		p.stopped.Store(&err)
		return cmd.Process.Kill()
	}
	cmd.WaitDelay = waitDelay
	dieWithSlate(cmd)
	cmd.Stderr = p.stderr
	return p, nil
}

// start starts the program, reporting a cancelled context as such.
func (p *process) start() error {
	// A context that has already ended comes back from Start as its own
	// error.
	if err := p.cmd.Start(); err != nil {
		return fmt.Errorf("start %s: %w", p.tool, err)
	}
	return nil
}

// startFed starts the program reading its standard input from a pipe of
// our own, whose writing end it returns, rather than through exec's
// StdinPipe: ours is made larger (growPipe). A frame is over a megabyte,
// and through the default 64 KB pipe each one costs the program and us a
// score of context switches.
func (p *process) startFed() (*os.File, error) {
	r, w, err := os.Pipe()
	if err != nil {
		return nil, err
	}
	growPipe(w)
	p.cmd.Stdin = r
	err = p.start()
	r.Close() // the program has its own copy
	if err != nil {
		w.Close()
		return nil, err
	}
	return w, nil
}

// errOutputFailed stands in for an exit status when ffmpeg exits 0 although
// it could not finish writing its output: ffmpeg 5.1 does that when a write
// fails while closing the file, as it does when the disk fills up.
var errOutputFailed = errors.New("exit status 0, but writing the output failed")

// wait waits for the program and turns its failure into a useful error.
func (p *process) wait() error {
	err := p.cmd.Wait()
	if err == nil && p.tool == ToolFFmpeg {
		s := p.stderr.String()
		// What ffmpeg logs at error level when writing an output failed,
		// whatever its exit status.
		for _, m := range []string{"No space left on device", "Error writing trailer", "Error closing file"} {
			if strings.Contains(s, m) {
				err = errOutputFailed
				break
			}
		}
	}
	return p.result(err)
}

// result classifies an error from Wait: cancellation first, because a killed
// program's exit status says nothing useful; then a [*ToolError].
func (p *process) result(err error) error {
	if err == nil {
		return nil
	}
	if why := p.stopped.Load(); why != nil {
		return fmt.Errorf("%s stopped: %w", p.tool, *why)
	}
	var exit *exec.ExitError
	if !errors.As(err, &exit) && err != errOutputFailed {
		return fmt.Errorf("%s: %w", p.tool, err)
	}
	return &ToolError{Tool: p.tool, Err: err, Stderr: p.stderr.lastLines(stderrLines)}
}

// output runs a tool that prints a short answer, such as a version.
func (t Tools) output(ctx context.Context, tool string, args ...string) ([]byte, error) {
	p, err := t.command(ctx, tool, args)
	if err != nil {
		return nil, err
	}
	out := &limitBuffer{max: 1 << 20}
	p.cmd.Stdout = out
	if err := p.start(); err != nil {
		return nil, err
	}
	if err := p.wait(); err != nil {
		return nil, err
	}
	if out.overflow {
		return nil, fmt.Errorf("%s: printed more than %d bytes", tool, out.max)
	}
	return out.Bytes(), nil
}

// RunFFmpeg runs ffmpeg with args. It always adds
// "-nostdin -hide_banner -nostats -loglevel error -y" and restricts every
// input to file and pipe protocols (see [RestrictInputs]).
//
// When the last argument is a regular file path, which is where ffmpeg
// expects the output, RunFFmpeg has ffmpeg write a temp file beside it and
// renames that into place only after ffmpeg succeeded and the file was
// synced, so a failed or cancelled run never leaves a partial file there and
// an existing file is replaced whole. Outputs that are not plain files ("-",
// "pipe:1", /dev/null) and image sequence patterns ("%03d") are passed
// through as they are.
//
// Cancelling ctx kills ffmpeg at once; the error then matches ctx.Err().
// A failure returns a [*ToolError] with the end of ffmpeg's stderr.
func (t Tools) RunFFmpeg(ctx context.Context, args ...string) error {
	_, err := t.runFFmpeg(ctx, "error", nil, args)
	return err
}

// runFFmpeg is RunFFmpeg with a chosen log level and stdout, returning the
// tail of stderr, which is where filters such as ebur128 and loudnorm print
// their measurements.
func (t Tools) runFFmpeg(ctx context.Context, loglevel string, stdout io.Writer, args []string) (string, error) {
	if err := t.Check(ToolFFmpeg); err != nil {
		return "", err
	}
	if len(args) == 0 {
		return "", errors.New("run ffmpeg: no arguments")
	}
	args, err := RestrictInputs(args)
	if err != nil {
		return "", fmt.Errorf("run ffmpeg: %w", err)
	}
	final := args[len(args)-1]
	var tmp string
	if isFileOutput(final) {
		if err := checkPlainPath(final); err != nil {
			return "", fmt.Errorf("run ffmpeg: output %q: %w", final, err)
		}
		tmp, err = reserveTemp(final)
		if err != nil {
			return "", fmt.Errorf("run ffmpeg: %w", err)
		}
		defer func() {
			if tmp != "" {
				os.Remove(tmp)
			}
		}()
		args = append(args[:len(args)-1:len(args)-1], tmp)
	} else if err := checkOutputPipe(final); err != nil {
		return "", fmt.Errorf("run ffmpeg: %w", err)
	}

	full := append([]string{"-nostdin", "-hide_banner", "-nostats", "-loglevel", loglevel, "-y"}, args...)
	p, err := t.command(ctx, ToolFFmpeg, full)
	if err != nil {
		return "", err
	}
	p.cmd.Stdout = stdout
	if err := p.start(); err != nil {
		return "", err
	}
	if err := p.wait(); err != nil {
		return p.stderr.String(), err
	}
	if tmp != "" {
		if err := commitTemp(tmp, final); err != nil {
			return p.stderr.String(), fmt.Errorf("run ffmpeg: %w", err)
		}
		tmp = ""
	}
	return p.stderr.String(), nil
}

// isFileOutput reports whether ffmpeg's last argument names a file that
// RunFFmpeg should write atomically.
func isFileOutput(out string) bool {
	if out == "" || strings.HasPrefix(out, "-") || strings.HasPrefix(out, "pipe:") {
		return false
	}
	if strings.Contains(filepath.Base(out), "%") {
		return false // an image sequence pattern: many files, nothing to rename
	}
	if fi, err := os.Stat(out); err == nil && !fi.Mode().IsRegular() {
		return false // a device such as /dev/null
	}
	return true
}

// checkOutputPipe allows the non-file outputs media uses and refuses
// protocol outputs, which could otherwise reach the network.
func checkOutputPipe(out string) error {
	switch {
	case out == "-", out == "pipe:", out == "pipe:1", strings.HasPrefix(out, "-"):
		return nil // stdout, or an option: ffmpeg will complain itself
	case strings.HasPrefix(out, "/dev/"):
		return nil
	}
	if err := checkPlainPath(out); err != nil {
		return fmt.Errorf("output %q: %w", out, err)
	}
	return nil
}

// tailBuffer keeps the last max bytes written to it, so a chatty program
// cannot make Slate hold its whole stderr.
type tailBuffer struct {
	mu  sync.Mutex
	buf []byte
	max int
}

func newTailBuffer(max int) *tailBuffer { return &tailBuffer{max: max} }

func (b *tailBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	n := len(p)
	if len(p) >= b.max {
		p = p[len(p)-b.max:]
		b.buf = append(b.buf[:0], p...)
		return n, nil
	}
	if over := len(b.buf) + len(p) - b.max; over > 0 {
		b.buf = append(b.buf[:0], b.buf[over:]...)
	}
	b.buf = append(b.buf, p...)
	return n, nil
}

func (b *tailBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return string(b.buf)
}

// lastLines returns the last n non-empty lines. ffmpeg ends progress lines
// with '\r', so those count as line ends too.
func (b *tailBuffer) lastLines(n int) string {
	s := strings.ReplaceAll(b.String(), "\r", "\n")
	var lines []string
	for _, l := range strings.Split(s, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			lines = append(lines, l)
		}
	}
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// limitBuffer collects up to max bytes and drops the rest, noting that it
// did. It never fails a write, because a program blocked on a full pipe that
// nobody reads would never exit. It deliberately does not embed bytes.Buffer,
// whose ReadFrom would let io.Copy go around the limit.
type limitBuffer struct {
	buf      bytes.Buffer
	max      int
	overflow bool
}

func (b *limitBuffer) Write(p []byte) (int, error) {
	n := len(p)
	if room := b.max - b.buf.Len(); len(p) > room {
		p = p[:max(room, 0)]
		b.overflow = true
	}
	b.buf.Write(p)
	return n, nil
}

// Bytes returns what was kept.
func (b *limitBuffer) Bytes() []byte { return b.buf.Bytes() }
