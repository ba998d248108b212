// Package tempfile names temporary files and folders after the process
// that owns them, so that a later run can tell abandoned ones from those
// still being written, and sweeps the abandoned ones away.
//
// A render killed half-way (SIGKILL, a power cut) cannot clean up after
// itself. Its temporary files are named PREFIX + PID.START + "-" + random
// + SUFFIX, where START is when that process started (on Linux the 22nd
// field of /proc/PID/stat, in clock ticks since boot): a process id alone
// is not enough, since ids are reused, and a new process that happens to
// have the dead one's id must not keep its files alive. Where the start
// time cannot be read it is 0, and only the id is checked.
package tempfile

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// Prefix is how Slate's temporary names beside the user's own files
// begin: the film being written next to its final name, for instance.
const Prefix = ".slate-tmp-"

// Process identifies a running process for as long as it runs.
type Process struct {
	PID   int
	Start uint64 // when it started, in the system's ticks since boot; 0 if unknown
}

// Self is the calling process.
func Self() Process {
	pid := os.Getpid()
	start, _ := startTime(pid)
	return Process{PID: pid, Start: start}
}

// tag is how a name carries its owner: "PID.START".
func (p Process) tag() string { return strconv.Itoa(p.PID) + "." + strconv.FormatUint(p.Start, 10) }

// Alive reports whether the process still runs: one with its id exists
// and, where start times can be read, started when it did.
func (p Process) Alive() bool {
	if p.PID <= 0 || !pidExists(p.PID) {
		return false
	}
	if p.Start == 0 {
		return true
	}
	start, err := startTime(p.PID)
	if err != nil {
		// Gone between the two looks, or start times cannot be read
		// here: only the first means dead.
		return pidExists(p.PID)
	}
	return start == p.Start
}

// Owner parses a name made by Create or Mkdir with prefix and returns
// the process that made it; ok is false for any other name.
func Owner(name, prefix string) (owner Process, ok bool) {
	rest, ok := strings.CutPrefix(name, prefix)
	if !ok {
		return Process{}, false
	}
	tag, _, ok := strings.Cut(rest, "-")
	if !ok {
		return Process{}, false
	}
	pid, start, ok := strings.Cut(tag, ".")
	if !ok {
		return Process{}, false
	}
	var err1, err2 error
	owner.PID, err1 = strconv.Atoi(pid)
	owner.Start, err2 = strconv.ParseUint(start, 10, 64)
	if err1 != nil || err2 != nil || owner.PID <= 0 {
		return Process{}, false
	}
	return owner, true
}

// Abandoned reports whether name was made with prefix by a process that
// no longer runs.
func Abandoned(name, prefix string) bool {
	owner, ok := Owner(name, prefix)
	return ok && !owner.Alive()
}

// Create sweeps dir (see Sweep) and creates a new file there named after
// this process: prefix, the owner, a random part, then suffix (so that a
// program that goes by the extension still sees the final one). It is
// opened for reading and writing with mode 0600, as os.CreateTemp does.
func Create(dir, prefix, suffix string) (*os.File, error) {
	if err := checkPattern(prefix, suffix); err != nil {
		return nil, err
	}
	Sweep(dir, prefix)
	return os.CreateTemp(dir, prefix+Self().tag()+"-*"+suffix)
}

// Mkdir sweeps dir and creates a new folder there named as Create names
// files, with mode 0700.
func Mkdir(dir, prefix, suffix string) (string, error) {
	if err := checkPattern(prefix, suffix); err != nil {
		return "", err
	}
	Sweep(dir, prefix)
	return os.MkdirTemp(dir, prefix+Self().tag()+"-*"+suffix)
}

func checkPattern(prefix, suffix string) error {
	if strings.ContainsAny(prefix+suffix, "*"+string(filepath.Separator)) || prefix == "" {
		return fmt.Errorf("temporary name %q…%q: want a prefix and no separator or *", prefix, suffix)
	}
	return nil
}

// Sweep removes what dead processes left in dir under prefix: files and
// folders made by Create and Mkdir whose owner no longer runs. Names of
// live processes, and every other name, are left alone. It returns how
// many it removed; what cannot be removed is left for the next sweep.
func Sweep(dir, prefix string) (removed int, err error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return 0, nil
		}
		return 0, fmt.Errorf("sweep temporary files in %s: %w", dir, err)
	}
	for _, e := range entries {
		if Abandoned(e.Name(), prefix) && os.RemoveAll(filepath.Join(dir, e.Name())) == nil {
			removed++
		}
	}
	return removed, nil
}
