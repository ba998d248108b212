package server

import (
	"context"
	"path/filepath"
	"sync"
	"testing"
)

// Where flock is missing, nothing stops two servers starting on one new
// folder at once (lock_other.go): opening the store must hold up even
// then, whichever of them creates the database and migrates it.
func TestConcurrentFirstOpenStore(t *testing.T) {
	ctx := context.Background()
	for round := range 6 {
		file := filepath.Join(t.TempDir(), "server.db")
		const n = 8
		var wg sync.WaitGroup
		errs := make([]error, n)
		stores := make([]*store, n)
		start := make(chan struct{})
		for i := range n {
			wg.Go(func() {
				<-start
				stores[i], errs[i] = openStore(ctx, file)
			})
		}
		close(start)
		wg.Wait()
		for i, err := range errs {
			if err != nil {
				t.Errorf("round %d: store %d of %d opened at once: %v", round, i+1, n, err)
				continue
			}
			stores[i].close()
		}
		if t.Failed() {
			return
		}
	}
}
