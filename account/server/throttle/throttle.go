// Package throttle slows down the guessing of passwords at slate-server's
// log-in: each failure past a few free ones doubles the wait before the
// next try, for the account and for the address it came from.
package throttle

import (
	"sync"
	"time"

	"github.com/slatestudio/slate/internal/clock"
)

// Throttling of log-ins. Each account and each address has a few free
// failures; after that each failure doubles the wait before the next try,
// from one second up to a quarter of an hour. An address gets more free
// failures than an account because people behind one address (an office,
// a household) share it. Strikes are forgotten after an hour without
// failures.
const (
	accountFreeFailures = 5
	addressFreeFailures = 20
	throttleBase        = time.Second
	throttleMax         = 15 * time.Minute
	throttleForget      = time.Hour
	throttleMaxEntries  = 100_000
)

type strikes struct {
	n     int
	last  time.Time
	until time.Time
}

// Throttle counts failed log-ins per key ("account:NAME", "address:IP").
// It lives in memory: a restart forgives everyone, which is acceptable for
// slowing down guessing.
type Throttle struct {
	mu    sync.Mutex
	clock clock.Clock
	m     map[string]*strikes
}

// New returns a throttle that tells the time by c.
func New(c clock.Clock) *Throttle {
	return &Throttle{clock: c, m: make(map[string]*strikes)}
}

// Attempt lets a password check for an account from an address go ahead,
// or says how long to wait first. The attempt counts as a failure from the
// start, so many guesses sent at once cannot all slip past the count;
// Succeeded takes it back.
func (t *Throttle) Attempt(acctKey, addrKey string) (wait time.Duration) {
	t.mu.Lock()
	defer t.mu.Unlock()
	now := t.clock.Now()
	for _, k := range []string{acctKey, addrKey} {
		if s := t.m[k]; s != nil {
			wait = max(wait, s.until.Sub(now))
		}
	}
	if wait > 0 {
		return wait
	}
	t.fail(acctKey, accountFreeFailures, now)
	t.fail(addrKey, addressFreeFailures, now)
	return 0
}

// Succeeded takes back a successful attempt: the account starts afresh;
// the address loses only this attempt's strike, so logging in to one's own
// account cannot launder guesses at others.
func (t *Throttle) Succeeded(acctKey, addrKey string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	delete(t.m, acctKey)
	if s := t.m[addrKey]; s != nil && s.n > 0 {
		s.n--
		if s.n <= addressFreeFailures {
			s.until = time.Time{}
		}
	}
}

// fail records a failure for key, which has free failures before waits
// begin. The caller holds t.mu.
func (t *Throttle) fail(key string, free int, now time.Time) {
	s := t.m[key]
	if s == nil || now.Sub(s.last) > throttleForget {
		if len(t.m) >= throttleMaxEntries {
			t.prune(now)
		}
		s = &strikes{}
		t.m[key] = s
	}
	s.n++
	s.last = now
	if over := s.n - free; over > 0 {
		d := throttleMax
		if over < 20 {
			d = min(throttleBase<<(over-1), throttleMax)
		}
		s.until = now.Add(d)
	}
}

// prune drops forgotten strikes; if that is not enough it drops the lot,
// because a map that an attacker can grow without bound is worse than
// forgiving.
func (t *Throttle) prune(now time.Time) {
	for k, s := range t.m {
		if now.Sub(s.last) > throttleForget {
			delete(t.m, k)
		}
	}
	if len(t.m) >= throttleMaxEntries {
		clear(t.m)
	}
}
