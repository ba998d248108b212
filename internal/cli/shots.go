package cli

import (
	"fmt"
	"strconv"
	"strings"
)

// shotSpan is a range of shot numbers from --shots, numbered from 1, both
// ends included.
type shotSpan struct{ from, to int }

// parseShots reads --shots: a number ("3"), a range ("2-4") or a comma
// list of them ("1,3,5-6"). Only the syntax is checked here; selectShots
// checks the numbers against the project.
func parseShots(spec string) ([]shotSpan, error) {
	bad := func(format string, args ...any) error {
		return fmt.Errorf("--shots %s: %s", spec, fmt.Sprintf(format, args...))
	}
	if strings.TrimSpace(spec) == "" {
		return nil, fmt.Errorf("--shots: give shot numbers such as 3, 2-4 or 1,3,5-6")
	}
	var spans []shotSpan
	for part := range strings.SplitSeq(spec, ",") {
		part = strings.TrimSpace(part)
		lo, hi, isRange := strings.Cut(part, "-")
		if !isRange {
			hi = lo
		}
		from, err1 := strconv.Atoi(strings.TrimSpace(lo))
		to, err2 := strconv.Atoi(strings.TrimSpace(hi))
		switch {
		case part == "":
			return nil, bad("an empty item; write numbers such as 3, 2-4 or 1,3,5-6")
		case err1 != nil || err2 != nil || strings.HasPrefix(strings.TrimSpace(lo), "+") || strings.HasPrefix(strings.TrimSpace(hi), "+"):
			return nil, bad("%q is not a shot number or a range such as 2-4", part)
		case from < 1 || to < 1:
			return nil, bad("shots are numbered from 1")
		case from > to:
			return nil, bad("the range %s goes down; write it %d-%d", part, to, from)
		}
		spans = append(spans, shotSpan{from, to})
	}
	return spans, nil
}

// selectShots turns spans into the indexes (from 0) of the shots they
// name in a project of n shots, in the project's order and each once.
func selectShots(spec string, spans []shotSpan, n int) ([]int, error) {
	chosen := make([]bool, n)
	for _, s := range spans {
		if s.to > n {
			no := s.to
			if s.from > n {
				no = s.from
			}
			msg := fmt.Sprintf("--shots %s: the project has %d shots", spec, n)
			if n == 1 {
				msg = fmt.Sprintf("--shots %s: the project has 1 shot", spec)
			}
			if strings.TrimSpace(spec) != strconv.Itoa(no) {
				msg += fmt.Sprintf(" (there is no shot %d)", no)
			}
			return nil, fmt.Errorf("%s", msg)
		}
		for i := s.from; i <= s.to; i++ {
			chosen[i-1] = true
		}
	}
	var out []int
	for i, c := range chosen {
		if c {
			out = append(out, i)
		}
	}
	return out, nil
}
