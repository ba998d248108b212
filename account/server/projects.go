package server

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"os"

	"github.com/slatestudio/slate/account/server/projects"
)

// projectRoutes serves project sync (package projects) on the server's
// database, writer and sessions.
func (s *Server) projectRoutes(history int) {
	svc := projects.New(projects.Config{
		Read: s.st.r, History: history, Clock: s.clock,
		Write: func(ctx context.Context, fn func(context.Context, *sql.Tx) error) error {
			return s.st.write(ctx, func(ctx context.Context, t *txn) error { return fn(ctx, t.tx) })
		},
		Holds: s.holdsBlob,
	})
	svc.Routes(func(pattern string, limit int64, h projects.Handler) {
		s.mux.Handle(pattern, s.wrap(s.authenticate(func(w http.ResponseWriter, r *http.Request, c caller) error {
			err := h(w, r, projects.Caller{Account: c.id, Session: c.session, Key: c.key})
			if pe := (*projects.Error)(nil); errors.As(err, &pe) {
				return errorf(pe.Status, pe.Code, "%s", pe.Msg)
			}
			return err
		}), limit, jsonReadTime))
	})
}

// holdsBlob reports whether the account holds the blob sum. Until the
// account's holds (blob_holds, helper "tus") are merged, it asks whether
// the server stores those bytes at all; the coordinator makes it ask
// blob_holds for (account, sha256).
func (s *Server) holdsBlob(ctx context.Context, tx *sql.Tx, acct, sum string) (bool, error) {
	_, err := os.Stat(s.blobs.Path(sum))
	switch {
	case err == nil:
		return true, nil
	case errors.Is(err, fs.ErrNotExist):
		return false, nil
	}
	return false, fmt.Errorf("look for blob %s: %w", sum, err)
}
