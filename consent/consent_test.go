package consent

import "testing"

func TestMayFeature(t *testing.T) {
	tests := []struct {
		level    Level
		account  string
		approved []string
		want     bool
	}{
		{OnlyMe, "owner", nil, true},
		{OnlyMe, "ana", []string{"ana"}, false},
		{Approved, "ana", []string{"ben", "ana"}, true},
		{Approved, "cy", []string{"ben", "ana"}, false},
		{Everyone, "cy", nil, true},
		{"", "cy", nil, false},
	}
	for _, tt := range tests {
		if got := MayFeature(tt.level, "owner", tt.account, tt.approved); got != tt.want {
			t.Errorf("MayFeature(%s, owner, %s, %v) = %v, want %v", tt.level, tt.account, tt.approved, got, tt.want)
		}
	}
}

func TestParseLevel(t *testing.T) {
	for _, l := range Levels {
		for _, s := range []string{string(l), l.Label()} {
			if got, err := ParseLevel(s); err != nil || got != l {
				t.Errorf("ParseLevel(%q) = %q, %v; want %q", s, got, err, l)
			}
		}
		if l.Explain() == "" {
			t.Errorf("%s has no explanation", l)
		}
	}
	if _, err := ParseLevel("friends"); err == nil {
		t.Error(`ParseLevel("friends") succeeded`)
	}
}
