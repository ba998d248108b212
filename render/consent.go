package render

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/slatestudio/slate/consent"
	"github.com/slatestudio/slate/internal/filehash"
	"github.com/slatestudio/slate/library"
	"github.com/slatestudio/slate/timeline"
)

// Consent is asked before anything that features someone else's cast
// member is rendered or exported. The studio's sharing package implements
// it over the account server; with none, such a render is refused.
type Consent interface {
	// Permit returns a verified, unexpired grant for every member in
	// need.Members, covering the project, shot and scope; or an error,
	// a *ConsentError when a grant is missing or refused.
	Permit(ctx context.Context, need Need) ([]consent.SignedGrant, error)
	// Made records what was made under the grants, so that the members'
	// owners can see it; it goes through an outbox when offline.
	Made(ctx context.Context, grants []consent.SignedGrant, made Made) error
}

// Need is what a render or an export asks grants for.
type Need struct {
	ProjectID, ProjectTitle string
	ShotID                  string // empty for a whole film
	Scope                   consent.Scope
	// Members are the other people's members featured (library.CastMember
	// with Remote set).
	Members []library.CastMember
	// Outside: the render goes to an outside render service (the
	// backend's Capabilities().Outside); each grant must allow that.
	Outside bool
}

// Made is a clip or film made under grants.
type Made struct {
	ProjectID, ProjectTitle string
	ShotID                  string // empty for a film
	Scope                   consent.Scope
	SHA256                  string
	Path                    string // an exported film's file
}

// ConsentError says whose consent a render or export lacks.
type ConsentError struct {
	Handles []string // "@mara"
	// Reason says why, and what to do: "log in to ask for it", or the
	// server's refusal.
	Reason string
}

func (e *ConsentError) Error() string {
	msg := "needs consent from " + strings.Join(e.Handles, ", ")
	if e.Reason != "" {
		msg += ": " + e.Reason
	}
	return msg
}

// ReasonLogIn is why consent is missing when nobody is logged in to an
// account server to ask for it.
const ReasonLogIn = "log in to the account server to ask for it"

// ErrNoConsent is what a *ConsentError matches with errors.Is.
var ErrNoConsent = errors.New("needs consent")

// Is makes errors.Is(err, ErrNoConsent) true.
func (e *ConsentError) Is(target error) bool { return target == ErrNoConsent }

// Featured returns the other people's members that shots feature — in
// their cast or speaking a line, themselves or as the character they play
// (cast is the project's, to tell) — as the library knows them. Members
// the library does not know are names only, with no likeness to use, and
// need no grant; nor does a character no member plays.
func Featured(ctx context.Context, lib *library.Library, cast []timeline.CastRef, shots ...*timeline.Shot) ([]library.CastMember, error) {
	return featured(ctx, lib, false, cast, shots...)
}

// featured is Featured, with my own members too when mine is set.
func featured(ctx context.Context, lib *library.Library, mine bool, cast []timeline.CastRef, shots ...*timeline.Shot) ([]library.CastMember, error) {
	var ids []string
	add := func(id string) {
		if c, ok := castRef(cast, id); ok && c.Character {
			if c.Member == "" {
				return
			}
			id = c.Member
		}
		ids = append(ids, id)
	}
	for _, s := range shots {
		for _, id := range s.Cast {
			add(id)
		}
		for _, l := range s.Lines {
			if l.Speaker != timeline.Narrator {
				add(l.Speaker)
			}
		}
	}
	slices.Sort(ids)
	ids = slices.Compact(ids)
	var out []library.CastMember
	for _, id := range ids {
		m, err := lib.CastMember(ctx, id)
		if errors.Is(err, library.ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("look up cast member %s: %w", id, err)
		}
		if m.Remote || mine {
			out = append(out, m)
		}
	}
	return out, nil
}

// PermitOutside returns a *ConsentError naming my own members (not
// Remote) who may not be sent to an outside render service, by their
// setting in the library, or nil; other people's say so by their grants.
func PermitOutside(members []library.CastMember) error {
	return refuseOutside(members, func(m library.CastMember) bool { return m.Remote || m.Outside })
}

// refuseOutside is a *ConsentError naming the members that may not go to
// an outside render service (allowed says), or nil.
func refuseOutside(ms []library.CastMember, allowed func(library.CastMember) bool) error {
	var e *ConsentError
	for _, m := range ms {
		if !allowed(m) {
			if e == nil {
				e = &ConsentError{Reason: consent.OutsideRefusal(m.Name).Reason}
			}
			e.Handles = append(e.Handles, m.Handle)
		}
	}
	if e == nil {
		return nil
	}
	return e
}

// Permit asks c for the grants need lacks; with no Consent (nil), any
// other person's member is refused. For a render that goes to an outside
// service (need.Outside), every member must come with a grant that allows
// it, whatever c answers: a grant without it is a refusal.
func Permit(ctx context.Context, c Consent, need Need) ([]consent.SignedGrant, error) {
	if len(need.Members) == 0 {
		return nil, nil
	}
	if c == nil {
		e := &ConsentError{Reason: ReasonLogIn}
		for _, m := range need.Members {
			e.Handles = append(e.Handles, m.Handle)
		}
		return nil, e
	}
	grants, err := c.Permit(ctx, need)
	if err == nil && need.Outside {
		err = refuseOutside(need.Members, func(m library.CastMember) bool {
			return slices.ContainsFunc(grants, func(g consent.SignedGrant) bool { return g.Member == m.ID && g.Outside })
		})
	}
	if err != nil {
		return nil, err
	}
	return grants, nil
}

// PermitFilm asks for the grants exporting p as a film needs: a final
// grant, for the whole project, from each other person whose member any
// of its shots features. It returns a *ConsentError when one is lacking;
// nothing may be written then.
func PermitFilm(ctx context.Context, lib *library.Library, c Consent, p *timeline.Project) ([]consent.SignedGrant, error) {
	members, err := Featured(ctx, lib, p.Cast, p.Shots...)
	if err != nil {
		return nil, err
	}
	return Permit(ctx, c, Need{ProjectID: p.ID, ProjectTitle: p.Title, Scope: consent.Final, Members: members})
}

// MadeFilm records that the film at path was made from p under grants
// (those PermitFilm gave), naming it by its sha256. With no grants there
// is nothing to record. The film exists once this is called, so the
// record is made even if ctx has just been cancelled.
func MadeFilm(ctx context.Context, c Consent, grants []consent.SignedGrant, p *timeline.Project, path string) error {
	if len(grants) == 0 || c == nil {
		return nil
	}
	sum, err := filehash.SHA256(path)
	if err != nil {
		return fmt.Errorf("record the film made under consent: %w", err)
	}
	return c.Made(context.WithoutCancel(ctx), grants, Made{ProjectID: p.ID, ProjectTitle: p.Title, Scope: consent.Final, SHA256: sum, Path: path})
}
