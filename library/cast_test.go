package library

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/slatestudio/slate/consent"
)

func putBlob(t *testing.T, l *Library, s string) string {
	t.Helper()
	sum, _, err := l.Blobs().Put(context.Background(), strings.NewReader(s))
	if err != nil {
		t.Fatal(err)
	}
	return sum
}

func TestCastMembers(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	l := open(t, dir)
	m := &CastMember{Name: "Mara Quinn", Handle: HandleFor("Mara Quinn"), Preferences: "always wears a red scarf",
		Take: putBlob(t, l, "take"), Frontal: putBlob(t, l, "front"), Left: putBlob(t, l, "left"), Right: putBlob(t, l, "right"), Sample: putBlob(t, l, "voice")}
	if err := l.AddCastMember(ctx, m); err != nil {
		t.Fatal(err)
	}
	if m.Handle != "@mara_quinn" || m.Consent != consent.OnlyMe || m.Owner != LocalOwner || m.ID == "" {
		t.Errorf("new member = %+v; want @mara_quinn, only me, local", m)
	}
	// A second member may not take the handle.
	dup := &CastMember{Name: "Mara Q", Handle: "@mara_quinn"}
	if err := l.AddCastMember(ctx, dup); !errors.Is(err, ErrHandleTaken) {
		t.Errorf("duplicate handle = %v, want ErrHandleTaken", err)
	}
	l.Close()

	l = open(t, dir)
	got, err := l.CastMember(ctx, m.ID)
	if err != nil || got.Name != "Mara Quinn" || got.Preferences != m.Preferences || got.Frontal != m.Frontal {
		t.Fatalf("stored member = %+v, %v", got, err)
	}
	got.Consent, got.Preferences = consent.Everyone, "never in a hat"
	if err := l.UpdateCastMember(ctx, &got); err != nil {
		t.Fatal(err)
	}
	list, err := l.CastMembers(ctx)
	if err != nil || len(list) != 1 || list[0].Consent != consent.Everyone || list[0].Preferences != "never in a hat" {
		t.Errorf("CastMembers() = %+v, %v", list, err)
	}
	if ref := list[0].Ref(); ref.ID != m.ID || ref.Name != "Mara Quinn" || ref.Handle != "@mara_quinn" {
		t.Errorf("Ref() = %+v", ref)
	}

	// Deleting the member deletes its media.
	if err := l.DeleteCastMember(ctx, m.ID); err != nil {
		t.Fatal(err)
	}
	for _, sum := range []string{m.Take, m.Frontal, m.Left, m.Right, m.Sample} {
		if l.Blobs().Has(sum) {
			t.Errorf("blob %s of a deleted member is still stored", sum[:8])
		}
	}
	if _, err := l.CastMember(ctx, m.ID); !errors.Is(err, ErrNotFound) {
		t.Errorf("deleted member still found: %v", err)
	}
	if err := l.DeleteCastMember(ctx, m.ID); !errors.Is(err, ErrNotFound) {
		t.Errorf("deleting twice = %v", err)
	}
}

func TestDeleteKeepsSharedMedia(t *testing.T) {
	ctx := context.Background()
	l := open(t, t.TempDir())
	shared := putBlob(t, l, "shared still")
	a := &CastMember{Name: "A", Handle: "@aa", Frontal: shared}
	b := &CastMember{Name: "B", Handle: "@bb", Frontal: shared}
	for _, m := range []*CastMember{a, b} {
		if err := l.AddCastMember(ctx, m); err != nil {
			t.Fatal(err)
		}
	}
	if err := l.DeleteCastMember(ctx, a.ID); err != nil {
		t.Fatal(err)
	}
	if !l.Blobs().Has(shared) {
		t.Error("deleting one member removed a still another member uses")
	}
}

func TestCastMemberValidation(t *testing.T) {
	for _, m := range []CastMember{
		{Name: "", Handle: "@ok"},
		{Name: "A", Handle: "mara"},
		{Name: "A", Handle: "@M"},
		{Name: "A", Handle: "@ok", Consent: "friends"},
		{Name: "A", Handle: "@ok", Preferences: strings.Repeat("x", MaxPreferencesRunes+1)},
	} {
		if m.Consent == "" {
			m.Consent = consent.OnlyMe
		}
		if err := m.Validate(); err == nil {
			t.Errorf("Validate(%+v) = nil, want an error", m)
		}
	}
	for name, want := range map[string]string{"Mara Quinn": "@mara_quinn", "Éva!": "@va", "  ": "@00", "X": "@x0"} {
		if got := HandleFor(name); got != want {
			t.Errorf("HandleFor(%q) = %q, want %q", name, got, want)
		}
	}
}
