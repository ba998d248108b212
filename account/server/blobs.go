package server

import (
	"context"
	"database/sql"
	"net/http"

	"github.com/slatestudio/slate/account"
	"github.com/slatestudio/slate/account/server/uploads"
)

// openUploads sets up sync's blobs (package uploads) on the server's store.
func (s *Server) openUploads(cfg Config) (*uploads.Uploads, error) {
	return uploads.New(uploads.Config{
		Dir: s.dir, Blobs: s.blobs, Read: s.st.r, Quota: cfg.Quota, MaxUpload: cfg.MaxUpload,
		WrapStore: cfg.UploadStore, Log: s.log, Clock: s.clock, Others: s.projectsUsed,
		Write: func(ctx context.Context, fn func(context.Context, uploads.Exec, func(func())) error) error {
			return s.st.write(ctx, func(ctx context.Context, t *txn) error { return fn(ctx, t.tx, t.afterCommit) })
		},
	})
}

// uploadRoutes mounts tus at account.TusPath, authenticated like the API,
// and the blob endpoints.
func (s *Server) uploadRoutes() {
	tus := func(w http.ResponseWriter, r *http.Request, c caller) error { return s.uploads.Serve(w, r, c.id) }
	s.mux.Handle(account.TusPath, s.wrap(s.authenticate(tus), 0, uploadReadTime))
	s.uploads.Routes(func(pattern string, h uploads.Handler) {
		s.mux.Handle(pattern, s.wrap(s.authenticate(func(w http.ResponseWriter, r *http.Request, c caller) error {
			return h(w, r, c.id)
		}), account.MaxJSONBytes, jsonReadTime))
	})
}

var _ uploads.Exec = (*sql.Tx)(nil)
