// Package diskfull tells a write that ran out of disk space from other
// failures, so that every part of Slate that writes (media's ffmpeg runs,
// audio's WAV files) reports a full disk the same way and the studio can
// ask the user to free space rather than show a codec error.
package diskfull

import (
	"errors"
	"fmt"
	"syscall"
)

// Err is matched by errors from writes that ran out of disk space.
var Err = errors.New("disk full")

// Wrap wraps err with [Err] and advice when it is ENOSPC, and returns it
// unchanged otherwise (nil, another error, or one already wrapped).
func Wrap(err error) error {
	if err != nil && errors.Is(err, syscall.ENOSPC) && !errors.Is(err, Err) {
		return fmt.Errorf("%w (free some disk space and try again): %w", Err, err)
	}
	return err
}
