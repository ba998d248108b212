package rendertest

import (
	"context"
	"sync"
	"time"

	"github.com/slatestudio/slate/consent"
	"github.com/slatestudio/slate/render"
)

// Consent is a render.Consent for tests: it grants whatever it is asked,
// or refuses with the error it is given, and keeps every request and
// every use recorded, so a test can check what was asked and made.
type Consent struct {
	mu      sync.Mutex
	refuse  error
	madeErr error
	needs   []render.Need
	uses    []Use
}

// Use is one call of Made.
type Use struct {
	Grants []consent.SignedGrant
	Made   render.Made
}

var _ render.Consent = (*Consent)(nil)

// Refuse makes Permit fail with err from now on; nil grants again.
func (c *Consent) Refuse(err error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.refuse = err
}

// FailMade makes Made fail with err from now on; nil records again.
func (c *Consent) FailMade(err error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.madeErr = err
}

// Permit records need and returns one grant per member, covering its
// project, shot and scope, or the refusal set with Refuse. For a render
// to an outside service (need.Outside) it answers as the account server
// does: a member who does not allow that (library.CastMember.Outside, as
// the server showed it) is refused, and the others' grants allow it.
func (c *Consent) Permit(_ context.Context, need render.Need) ([]consent.SignedGrant, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.needs = append(c.needs, need)
	if c.refuse != nil {
		return nil, c.refuse
	}
	now := time.Now()
	var out []consent.SignedGrant
	var refused *render.ConsentError
	for _, m := range need.Members {
		if need.Outside && !m.Outside {
			if refused == nil {
				refused = &render.ConsentError{Reason: consent.OutsideRefusal(m.Name).Reason}
			}
			refused.Handles = append(refused.Handles, m.Handle)
			continue
		}
		g := consent.Grant{
			ID: "grant-" + m.ID, Member: m.ID, Owner: m.Owner, Project: need.ProjectID, Shot: need.ShotID,
			Scope: need.Scope, Issued: now, Expires: now.Add(time.Hour), Outside: need.Outside,
		}
		out = append(out, consent.SignedGrant{Grant: g, Token: "token-" + m.ID})
	}
	if refused != nil {
		return nil, refused
	}
	return out, nil
}

// Made records a use, or fails as set with FailMade (recording nothing).
func (c *Consent) Made(_ context.Context, grants []consent.SignedGrant, made render.Made) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.madeErr != nil {
		return c.madeErr
	}
	c.uses = append(c.uses, Use{Grants: grants, Made: made})
	return nil
}

// Needs returns what Permit was asked, in order.
func (c *Consent) Needs() []render.Need {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]render.Need(nil), c.needs...)
}

// Uses returns what Made recorded, in order.
func (c *Consent) Uses() []Use {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]Use(nil), c.uses...)
}
