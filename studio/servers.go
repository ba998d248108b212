package studio

import (
	"context"

	"github.com/slatestudio/slate/render"
	"github.com/slatestudio/slate/studio/serversui"
	"github.com/slatestudio/slate/studio/session"
)

// Servers are the render servers the studio keeps (servers.Book in
// cmd/slate): the Render servers window shows and changes them, and each
// model of each is a backend in Deps.Backends.
type Servers interface {
	serversui.Book
	// Register makes the registry's remote backends those of the kept
	// servers.
	Register(ctx context.Context, reg *render.Registry) ([]string, error)
}

// showServers opens the Render servers window.
func (s *Studio) showServers(ctx context.Context) *serversui.Window {
	d := serversui.Deps{Window: s.win, Runner: s.session, Problem: s.problem, Changed: s.serversChanged}
	if s.deps.Servers != nil {
		d.Book = s.deps.Servers
	}
	return serversui.Show(ctx, d)
}

// serversChanged registers the render servers' backends again, off the UI
// goroutine, and offers them in the inspector's "Render with".
func (s *Studio) serversChanged(ctx context.Context) {
	session.Background(ctx, s.session, func(ctx context.Context) ([]string, error) {
		if _, err := s.deps.Servers.Register(ctx, s.deps.Backends); err != nil {
			return nil, err
		}
		return s.deps.Backends.Names(), nil
	}, func(names []string, err error) {
		if err != nil {
			s.report(err)
			return
		}
		s.inspector.SetBackends(names)
	})
}
