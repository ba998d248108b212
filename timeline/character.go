package timeline

import (
	"fmt"
	"slices"
	"strings"
)

// Characters are the project's characters (CastRefs with Character set),
// in cast order.
func (p *Project) Characters() []CastRef {
	var out []CastRef
	for _, c := range p.Cast {
		if c.Character {
			out = append(out, c)
		}
	}
	return out
}

// NewCharacter returns a character with a fresh ID.
func NewCharacter(name string) CastRef {
	return CastRef{ID: NewID(), Name: name, Character: true}
}

// AddCharacter adds a character to the project's cast. One without an ID
// is given one.
func AddCharacter(c CastRef) Command {
	return editMeta("Add character "+c.Name, func(m *meta) error {
		return m.addCharacter(&c)
	})
}

func (m *meta) addCharacter(c *CastRef) error {
	c.Character = true
	if c.ID == "" {
		c.ID = NewID()
	}
	if slices.ContainsFunc(m.cast, func(x CastRef) bool { return x.ID == c.ID }) {
		return projectErr("cast", "the id %q is already used in the cast", c.ID)
	}
	m.cast = append(m.cast, *c)
	return nil
}

// AddSpeaker adds a character and makes it the speaker of line j of a
// shot, as one edit: the speaker list's "New character…".
func AddSpeaker(c CastRef, shotID string, j int) Command {
	return cmd("Add character "+c.Name, func(t *tx) error {
		i, s, err := t.find(shotID)
		if err != nil {
			return err
		}
		if j < 0 || j >= len(s.Lines) {
			return shotErr(i, fmt.Sprintf("dialogue[%d]", j), "cannot give line %d to %s: the shot has %d lines", j+1, c.Name, len(s.Lines))
		}
		m := t.p.meta()
		if err := m.addCharacter(&c); err != nil {
			return err
		}
		t.setMeta(m)
		n := s.Clone()
		n.Lines[j].Speaker = c.ID
		t.replace(n)
		return nil
	})
}

// SetCharacter replaces the character with c's ID: its name, voice,
// description, picture or the member who plays it.
func SetCharacter(c CastRef) Command {
	return editMeta("Edit character "+c.Name, func(m *meta) error {
		i := slices.IndexFunc(m.cast, func(x CastRef) bool { return x.ID == c.ID })
		if i < 0 || !m.cast[i].Character {
			return projectErr("cast", "no character with id %q", c.ID)
		}
		c.Character = true
		m.cast[i] = c
		return nil
	})
}

// RemoveCharacter removes a character that no shot features or gives
// lines to; c names it in the Undo menu: "Remove character Ada".
func RemoveCharacter(c CastRef) Command {
	return cmd("Remove character "+c.Name, func(t *tx) error {
		if x, ok := t.p.CastMember(c.ID); !ok || !x.Character {
			return projectErr("cast", "no character with id %q", c.ID)
		}
		return RemoveCast(c.ID).run(t)
	})
}

// validateCharacter checks the fields only a character may have, and that
// no two characters share a name, which the speaker list would not tell
// apart. i is c's place in the cast.
func (p *Project) validateCharacter(i int, c CastRef) error {
	field := fmt.Sprintf("cast[%d]", i)
	if !c.Character {
		for _, f := range []struct{ key, what, v string }{{"description", "a description", c.Description}, {"image", "a picture", c.Image}, {"member", "a member who plays them", c.Member}} {
			if f.v != "" {
				return projectErr(field+"."+f.key, "cast member %s is not a character, so cannot have %s; add \"character\": true or remove %q", c.Name, f.what, f.key)
			}
		}
		return nil
	}
	for _, f := range []textField{{"description", "description", c.Description, MaxDescriptionRunes}, {"member", "member", c.Member, MaxIDRunes}} {
		if msg := f.check(); msg != "" {
			return projectErr(field+"."+f.field, "character %s's %s %s", c.Name, f.what, msg)
		}
	}
	if c.Image != "" && !isSHA256(c.Image) {
		return projectErr(field+".image", "character %s's picture %q is not a picture stored by Slate (64 hexadecimal digits); choose the picture again", c.Name, shorten(c.Image))
	}
	if c.Member == c.ID {
		return projectErr(field+".member", "character %s cannot be played by themself; choose a recorded cast member", c.Name)
	}
	for k, o := range p.Cast[:i] {
		if o.Character && strings.EqualFold(strings.TrimSpace(o.Name), strings.TrimSpace(c.Name)) {
			return projectErr(field+".name", "two characters are called %s (cast %d and %d); give each a name of their own", c.Name, k+1, i+1)
		}
	}
	return nil
}

func isSHA256(s string) bool {
	if len(s) != 64 {
		return false
	}
	for _, r := range s {
		if !('0' <= r && r <= '9' || 'a' <= r && r <= 'f') {
			return false
		}
	}
	return true
}
