package consent

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// MemberPolicy is what a cast member's owner has decided about who may
// feature them. Decisions read it afresh each time, so a change to it
// applies to every later request at once.
type MemberPolicy struct {
	Member string
	Owner  string
	// Name is the member's name, for the reasons a filmmaker reads.
	Name  string
	Level Level
	// Approved lists the accounts the owner approved; it counts at level
	// Approved.
	Approved []string
	// Blocked lists accounts the owner turned away. They are refused at
	// every level, so an owner who lets everyone feature them can still
	// withdraw one person's permission.
	Blocked []string
	// Outside is the owner's choice that the member's likeness may be sent
	// to outside render services (services that are not a Slate server).
	// The zero value, and every member from before the choice, says no.
	Outside bool
}

// RefusalCode names why a grant was refused, for programs; Refusal.Reason
// says it for people.
type RefusalCode string

// The reasons a grant is refused.
const (
	RefusedInvalid     RefusalCode = "invalid"      // the request itself is wrong
	RefusedOnlyMe      RefusalCode = "only_me"      // the owner keeps the likeness to themselves
	RefusedNotApproved RefusalCode = "not_approved" // level Approved, and the account is not approved
	RefusedBlocked     RefusalCode = "blocked"      // the owner withdrew this account's permission
	RefusedOutside     RefusalCode = "outside"      // the likeness may not go to outside render services
)

// Refusal is a decision not to grant. It is an error, so Decide's callers
// can handle it with errors.As.
type Refusal struct {
	Code   RefusalCode `json:"code"`
	Reason string      `json:"reason"`
}

// Error says the grant was refused, and why.
func (r *Refusal) Error() string { return "grant refused: " + r.Reason }

// Check returns nil when account may feature the member, else a *Refusal
// saying why not.
func (p MemberPolicy) Check(account string) error {
	if account == p.Owner {
		return nil
	}
	if slices.Contains(p.Blocked, account) {
		return &Refusal{RefusedBlocked, "the owner has withdrawn your permission to feature this cast member"}
	}
	switch p.Level {
	case Everyone:
		return nil
	case Approved:
		if slices.Contains(p.Approved, account) {
			return nil
		}
		return &Refusal{RefusedNotApproved, "the owner lets only people they approve feature this cast member; ask them for approval"}
	case OnlyMe:
		return &Refusal{RefusedOnlyMe, "the owner keeps this likeness to themselves: only they can feature it"}
	}
	return &Refusal{RefusedOnlyMe, fmt.Sprintf("this cast member's consent level %q is unknown, so only the owner can feature them", p.Level)}
}

// OutsideRefusal is the refusal to send a member's likeness to an outside
// render service; name is the member's name ("" when unknown).
func OutsideRefusal(name string) *Refusal {
	whose := "this cast member's"
	if name = strings.TrimSpace(name); name != "" {
		whose = name + "'s"
	}
	return &Refusal{RefusedOutside, whose + " likeness may not be sent to outside render services; render the shot on this computer or on a Slate server"}
}

// Permits returns nil when the policy still allows grant g (its grantee
// may feature the member, and an outside grant is still allowed outside),
// else a *Refusal saying why not. Grants of other members are not its
// business: it looks only at the grantee and the outside choice.
func (p MemberPolicy) Permits(g Grant) error {
	if err := p.Check(g.Grantee); err != nil {
		return err
	}
	if g.Outside && !p.Outside {
		return OutsideRefusal(p.Name)
	}
	return nil
}

// GrantRequest asks for a grant.
type GrantRequest struct {
	// ID is the ID the grant will carry; the caller chooses it (randomly),
	// which keeps Decide pure.
	ID      string
	Member  string
	Grantee string
	Project string
	Shot    string // empty asks for every shot of the project
	Scope   Scope
	// Lifetime is how long the grant should last; zero or more than
	// MaxGrantLifetime gives MaxGrantLifetime.
	Lifetime time.Duration
	// Outside asks to send the likeness to an outside render service;
	// only a member whose owner allows that gets such a grant.
	Outside bool
}

// Ask is a studio's request for a grant, as it travels to the server: the
// grantee is whoever asks, and the server chooses the grant's ID. It lives
// here, with SignedGrant, so that a package that may not know the server's
// client (render) can still name what it asks for and gets back.
type Ask struct {
	Member  string // the member's ID or @handle
	Project string // the project's ID
	Shot    string // the shot's ID; empty asks for every shot of the project
	Scope   Scope
	// Lifetime asks for a shorter grant than MaxGrantLifetime; zero asks
	// for the longest.
	Lifetime time.Duration
	// Outside asks for a grant that lets the likeness go to an outside
	// render service.
	Outside bool
}

// SignedGrant is a verified grant with the token that proves it; keep the
// token with what it allowed, and check it again with Verify.
type SignedGrant struct {
	Grant
	Token string
}

// Decide decides a grant request under a member's policy at time now. It
// returns the grant to sign, or a *Refusal. It is pure: the same policy,
// request and time always give the same answer.
func Decide(p MemberPolicy, r GrantRequest, now time.Time) (Grant, error) {
	if r.Member != p.Member {
		return Grant{}, &Refusal{RefusedInvalid, fmt.Sprintf("the request is for cast member %q, not %q", r.Member, p.Member)}
	}
	if r.Lifetime < 0 {
		return Grant{}, &Refusal{RefusedInvalid, "the requested lifetime is negative"}
	}
	if err := p.Check(r.Grantee); err != nil {
		return Grant{}, err
	}
	// The owner too: the choice is about where the likeness goes, not who
	// sends it.
	if r.Outside && !p.Outside {
		return Grant{}, OutsideRefusal(p.Name)
	}
	life := r.Lifetime
	if life == 0 || life > MaxGrantLifetime {
		life = MaxGrantLifetime
	}
	// The signed encoding keeps milliseconds, so the grant does too: what
	// Decide returns is exactly what Verify will read back.
	issued := time.UnixMilli(now.UnixMilli()).UTC()
	if life < time.Millisecond {
		life = time.Millisecond
	}
	g := Grant{
		ID: r.ID, Member: p.Member, Owner: p.Owner, Grantee: r.Grantee,
		Project: r.Project, Shot: r.Shot, Scope: r.Scope,
		Issued: issued, Expires: issued.Add(life.Truncate(time.Millisecond)),
		Outside: r.Outside,
	}
	if err := g.Validate(); err != nil {
		return Grant{}, &Refusal{RefusedInvalid, err.Error()}
	}
	return g, nil
}

// Revoked returns the grants of outstanding that policy p no longer
// permits: those of p's member that Permits now refuses (the grantee
// refused, or an outside grant once the owner says no to outside
// services). The server calls it after every change to a policy and tells
// each grantee.
func Revoked(p MemberPolicy, outstanding []Grant) []Grant {
	var out []Grant
	for _, g := range outstanding {
		if g.Member == p.Member && p.Permits(g) != nil {
			out = append(out, g)
		}
	}
	return out
}
