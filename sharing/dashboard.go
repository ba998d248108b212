package sharing

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/slatestudio/slate/account"
	"github.com/slatestudio/slate/account/client"
	"github.com/slatestudio/slate/consent"
	"github.com/slatestudio/slate/library"
)

// What the consent dashboard shows and does. Each call asks the server;
// an error says whether it could not be reached.

// UsesOfMine lists every use of my likenesses, other people's drafts
// included, newest first.
func (s *Service) UsesOfMine(ctx context.Context) (uses []account.Use, err error) {
	err = s.call(ctx, func(c *client.Client) (err error) {
		uses, err = c.Uses(ctx, "")
		return err
	})
	return uses, err
}

// RemoveUse removes a use of one of my likenesses; the studio that made it
// deletes the clip when it next reads its change feed.
func (s *Service) RemoveUse(ctx context.Context, id string) error {
	return s.call(ctx, func(c *client.Client) error { return c.RemoveUse(ctx, id) })
}

// Requests lists the pending requests to be approved for my members.
func (s *Service) Requests(ctx context.Context) (rs []account.Request, err error) {
	err = s.call(ctx, func(c *client.Client) (err error) {
		rs, err = c.Requests(ctx)
		return err
	})
	return rs, err
}

// Answer accepts or declines a request. Accepting adds the requester to
// the member's approved list, here as on the server.
func (s *Service) Answer(ctx context.Context, id string, accept bool) error {
	c, _, err := s.client()
	if err != nil {
		return err
	}
	var r account.Request
	if accept {
		r, err = c.AcceptRequest(ctx, id)
	} else {
		r, err = c.DeclineRequest(ctx, id)
	}
	s.ended(ctx, err)
	if err != nil || !accept {
		return err
	}
	m, err := c.Member(ctx, r.Member)
	if err != nil {
		return err
	}
	return s.lib.SetApproved(ctx, m.ID, m.Approved)
}

// Find looks up someone else's member by handle and keeps them in the
// library, so that shots can feature them (each render then asks for a
// grant). It fails when the owner lets nobody else see them.
func (s *Service) Find(ctx context.Context, handle string) (library.CastMember, error) {
	c, a, err := s.client()
	if err != nil {
		return library.CastMember{}, err
	}
	handle = strings.TrimSpace(handle)
	if !strings.HasPrefix(handle, "@") {
		handle = "@" + handle
	}
	m, err := c.MemberByHandle(ctx, handle)
	s.ended(ctx, err)
	if st := client.StatusOf(err); st == http.StatusNotFound || st == http.StatusForbidden {
		return library.CastMember{}, fmt.Errorf("%s: no cast member by that handle is open to you on %s; check the spelling, or ask their owner", handle, a.Server)
	}
	if err != nil {
		return library.CastMember{}, err
	}
	if m.OwnerID == a.ID {
		return library.CastMember{}, fmt.Errorf("%s is one of your own members", handle)
	}
	lm := library.CastMember{ID: m.ID, Name: m.Name, Handle: m.Handle, Owner: m.OwnerID, OwnerName: m.Owner,
		Consent: m.Level, Preferences: m.Preferences, Created: m.Created, Outside: m.Outside}
	if err := s.lib.PutRemoteMember(ctx, &lm); err != nil {
		return lm, err
	}
	return s.lib.CastMember(ctx, m.ID)
}

// Refresh reads the level and preferences of the other people's members
// kept here; one whose owner no longer lets me see them is marked with
// level only-me, which no grant can pass.
func (s *Service) Refresh(ctx context.Context) error {
	c, _, err := s.client()
	if err != nil {
		return err
	}
	all, err := s.lib.CastMembers(ctx)
	if err != nil {
		return err
	}
	for _, lm := range all {
		if !lm.Remote {
			continue
		}
		m, err := c.Member(ctx, lm.ID)
		switch st := client.StatusOf(err); {
		case st == http.StatusNotFound || st == http.StatusForbidden:
			lm.Consent, lm.Outside = consent.OnlyMe, false
		case err != nil:
			s.ended(ctx, err)
			return err
		default:
			lm.Name, lm.Handle, lm.Consent, lm.Preferences, lm.OwnerName, lm.Outside = m.Name, m.Handle, m.Level, m.Preferences, m.Owner, m.Outside
		}
		if err := s.lib.PutRemoteMember(ctx, &lm); err != nil && !errors.Is(err, library.ErrHandleTaken) {
			return err
		}
	}
	return nil
}

// AskApproval asks the owner of someone else's member to approve me.
func (s *Service) AskApproval(ctx context.Context, memberID, message string) error {
	return s.call(ctx, func(c *client.Client) error {
		_, err := c.AskApproval(ctx, memberID, message)
		return err
	})
}

// Forget drops someone else's member from the library (the projects that
// feature them keep the name only).
func (s *Service) Forget(ctx context.Context, memberID string) error {
	m, err := s.lib.CastMember(ctx, memberID)
	if err != nil {
		return err
	}
	if !m.Remote {
		return fmt.Errorf("%s is one of your own members; delete it from the cast instead", m.Handle)
	}
	if err := s.lib.ForgetGrants(ctx, memberID); err != nil {
		return err
	}
	return s.lib.DeleteCastMember(ctx, memberID)
}

// Outbox counts the uses waiting to be registered.
func (s *Service) Outbox(ctx context.Context) (int, error) {
	us, err := s.lib.Outbox(ctx)
	return len(us), err
}

// Devices lists the devices logged in to my account; Current marks this
// one.
func (s *Service) Devices(ctx context.Context) (ds []account.Session, err error) {
	err = s.call(ctx, func(c *client.Client) (err error) {
		ds, err = c.Sessions(ctx)
		return err
	})
	return ds, err
}

// RevokeDevice logs one of my devices out (a lost laptop). Revoking this
// one is logging out.
func (s *Service) RevokeDevice(ctx context.Context, id string) error {
	return s.call(ctx, func(c *client.Client) error { return c.RevokeSession(ctx, id) })
}

// DeleteAccount deletes my account on the server, confirmed with its
// password: the server drops my members' media, my sessions and every use
// of my likenesses (their makers' studios delete the clips). My recordings
// on this computer stay, as before I logged in.
func (s *Service) DeleteAccount(ctx context.Context, password string) error {
	c, _, err := s.client()
	if err != nil {
		return err
	}
	if err := c.DeleteAccount(ctx, password); err != nil {
		return err
	}
	s.mu.Lock()
	s.c, s.acct = nil, library.Account{}
	s.mu.Unlock()
	return s.lib.ClearAccount(ctx)
}
