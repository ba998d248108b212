// Package consent holds the rules of consent that the studio and the
// server share: who may use a cast member's likeness. It is pure logic:
// no files, no network.
package consent

import (
	"fmt"
	"strings"
)

// Level says who may feature a cast member.
type Level string

// The consent levels, from the most private. OnlyMe is the default: a new
// cast member is nobody's but their owner's until they say otherwise.
const (
	OnlyMe   Level = "only_me"
	Approved Level = "approved"
	Everyone Level = "everyone"
)

// Levels lists the levels in the order a picker shows them.
var Levels = []Level{OnlyMe, Approved, Everyone}

// Label is the level as a person reads it.
func (l Level) Label() string {
	switch l {
	case OnlyMe:
		return "Only me"
	case Approved:
		return "People I approve"
	case Everyone:
		return "Everyone"
	}
	return string(l)
}

// Explain says what the level means for the owner, in a sentence.
func (l Level) Explain() string {
	switch l {
	case OnlyMe:
		return "Only you can feature this likeness."
	case Approved:
		return "You and the people you approve can feature this likeness."
	case Everyone:
		return "Anyone can feature this likeness, within your preferences."
	}
	return ""
}

// ParseLevel reads a level from its stored name or its label.
func ParseLevel(s string) (Level, error) {
	for _, l := range Levels {
		if s == string(l) || strings.EqualFold(s, l.Label()) {
			return l, nil
		}
	}
	return "", fmt.Errorf("unknown consent level %q: use only_me, approved or everyone", s)
}

// MayFeature reports whether account may feature a member owned by owner
// at level, given the accounts the owner approved. The owner always may.
func MayFeature(level Level, owner, account string, approved []string) bool {
	if account == owner {
		return true
	}
	switch level {
	case Everyone:
		return true
	case Approved:
		for _, a := range approved {
			if a == account {
				return true
			}
		}
	}
	return false
}
