package videos

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/slatestudio/slate/account"
)

// fillQueueAhead sets QueueAhead on the jobs of out that are queued: how
// many jobs of any account were submitted before each and have not
// started. rows are out's rows, in the same order. A page costs two
// queries whatever its length: the waiting jobs before the page's first
// queued one are counted, and those among its queued ones are listed.
func (s *Service) fillQueueAhead(ctx context.Context, rows []row, out []account.Video) error {
	lo, hi := int64(-1), int64(-1)
	for i, v := range out {
		if v.Status != account.VideoQueued {
			continue
		}
		if seq := rows[i].seq; lo < 0 {
			lo, hi = seq, seq
		} else {
			lo, hi = min(lo, seq), max(hi, seq)
		}
	}
	if lo < 0 {
		return nil
	}
	// A job rendering here is still 'queued' in the table (its status
	// comes from memory, see Work): it is not waiting.
	s.mu.Lock()
	args := []any{lo}
	for id := range s.running {
		args = append(args, id)
	}
	s.mu.Unlock()
	notRunning := ""
	if n := len(args) - 1; n > 0 {
		notRunning = " AND id NOT IN (" + strings.TrimSuffix(strings.Repeat("?, ", n), ", ") + ")"
	}
	var base int
	if err := s.cfg.Read.QueryRowContext(ctx, `SELECT count(*) FROM videos WHERE status = 'queued' AND seq < ?`+notRunning, args...).Scan(&base); err != nil {
		return fmt.Errorf("count the jobs waiting: %w", err)
	}
	var between []int64
	if hi > lo {
		res, err := s.cfg.Read.QueryContext(ctx, `SELECT seq FROM videos WHERE status = 'queued' AND seq >= ?`+notRunning+` AND seq < ? ORDER BY seq`,
			append(args, hi)...)
		if err != nil {
			return fmt.Errorf("count the jobs waiting: %w", err)
		}
		defer res.Close()
		for res.Next() {
			var seq int64
			if err := res.Scan(&seq); err != nil {
				return fmt.Errorf("count the jobs waiting: %w", err)
			}
			between = append(between, seq)
		}
		if err := res.Err(); err != nil {
			return fmt.Errorf("count the jobs waiting: %w", err)
		}
	}
	for i := range out {
		if out[i].Status != account.VideoQueued {
			continue
		}
		n, _ := slices.BinarySearch(between, rows[i].seq)
		n += base
		out[i].QueueAhead = &n
	}
	return nil
}

// writeOne sends one job, with its place in the queue.
func (s *Service) writeOne(w http.ResponseWriter, r *http.Request, v row) error {
	out := []account.Video{s.view(v)}
	if err := s.fillQueueAhead(r.Context(), []row{v}, out); err != nil {
		return err
	}
	writeVideo(w, out[0])
	return nil
}
