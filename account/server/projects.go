package server

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/http"

	"github.com/slatestudio/slate/account"

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

// holdsBlob reports whether the account holds the blob sum: a project's
// clip is filed only once its bytes are on the server in this account's
// name, so that every device can fetch it.
func (s *Server) holdsBlob(ctx context.Context, tx *sql.Tx, acct, sum string) (bool, error) {
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM blob_holds WHERE account_id = ? AND sha256 = ?`, acct, sum).Scan(&n); err != nil {
		return false, fmt.Errorf("look for blob %s: %w", sum, err)
	}
	return n > 0, nil
}

// projectsUsed is what an account's project revisions take, for its
// storage list and quota.
func (s *Server) projectsUsed(ctx context.Context, acct string) (int64, []account.StorageItem, error) {
	items, err := projects.Used(ctx, s.st.r, acct)
	if err != nil {
		return 0, nil, err
	}
	var n int64
	for _, it := range items {
		n += it.Size
	}
	return n, items, nil
}
