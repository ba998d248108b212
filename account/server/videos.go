package server

import (
	"context"
	"database/sql"
	"errors"
	"net/http"
	"path/filepath"
	"time"

	"github.com/slatestudio/slate/account"
	"github.com/slatestudio/slate/account/server/videos"
	"github.com/slatestudio/slate/consent"
)

// openVideos starts the render service on the server's database, writer
// and consent: its jobs' consent is decided by the same policy and grants
// as every other use, in the same writer, so a revocation acknowledged
// before a job starts or finishes is seen by it.
func (s *Server) openVideos(ctx context.Context, cfg Config) (*videos.Service, error) {
	return videos.Open(ctx, videos.Config{
		File: filepath.Join(s.dir, "server.db"), Dir: s.dir, Blobs: s.blobs, Read: s.st.r, Key: s.pub,
		Write: func(ctx context.Context, fn func(context.Context, videos.Tx) error) error {
			return s.st.write(ctx, func(ctx context.Context, t *txn) error {
				return fn(ctx, videos.Tx{Tx: t.tx, AfterCommit: t.afterCommit})
			})
		},
		Policy: func(ctx context.Context, tx *sql.Tx, member string) (consent.MemberPolicy, error) {
			m, err := loadMember(ctx, tx, member)
			if he := (*httpError)(nil); errors.As(err, &he) && he.status == http.StatusNotFound {
				return consent.MemberPolicy{}, videos.ErrNoMember
			} else if err != nil {
				return consent.MemberPolicy{}, err
			}
			return policy(ctx, tx, m)
		},
		RegisterUse: func(ctx context.Context, tx videos.Tx, g consent.Grant, creator, clip, title string, at time.Time) error {
			var n int
			err := tx.QueryRowContext(ctx, `SELECT count(*) FROM uses WHERE grant_id = ? AND clip_sha256 = ? AND scope = ?`, g.ID, clip, string(consent.Draft)).Scan(&n)
			if err != nil || n > 0 {
				return err
			}
			_, err = insertUse(ctx, &txn{tx: tx.Tx}, g, creator, clip, title, consent.Draft, at, at)
			return err
		},
		Renderer: cfg.Renderer, Workers: cfg.RenderWorkers, TTL: cfg.VideoTTL,
		InputLimit: s.limit(account.MediaFrontal), Clock: s.clock, Log: s.log,
	})
}

// videoRoute serves a /v1/videos endpoint to a logged-in account, with
// the same sessions as /api/v1; its errors, those of logging in too, come
// in the OpenAI shape. The endpoint limits its own body.
func (s *Server) videoRoute(pattern string, h videos.Handler) {
	s.mux.Handle(pattern, s.wrap(func(w http.ResponseWriter, r *http.Request) error {
		err := s.authenticate(func(w http.ResponseWriter, r *http.Request, c caller) error { return h(w, r, c.id) })(w, r)
		if he := (*httpError)(nil); errors.As(err, &he) {
			return videos.Errorf(he.status, he.code, "", "%s", he.msg)
		}
		return err
	}, 0, uploadReadTime))
}
