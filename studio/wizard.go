package studio

import (
	"errors"
)

// recordCast opens the capture wizard. (Being written.)
func (s *Studio) recordCast() {
	s.report(errors.New("recording a cast member is not available yet"))
}
