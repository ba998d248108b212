package uploads

import "testing"

func TestParseBytesAndBytes(t *testing.T) {
	for in, want := range map[string]int64{"10GB": 10_000_000_000, "500 MB": 500_000_000, "1.5TB": 1_500_000_000_000, "0": 0, "4096": 4096, "2kb": 2000} {
		if got, err := ParseBytes(in); err != nil || got != want {
			t.Errorf("ParseBytes(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, in := range []string{"", "GB", "-1GB", "ten", "1e30GB"} {
		if _, err := ParseBytes(in); err == nil {
			t.Errorf("ParseBytes(%q) took it", in)
		}
	}
	for n, want := range map[int64]string{10_000_000_000: "10 GB", 1_500_000_000: "1.5 GB", 5_000_000: "5 MB", 999: "999 bytes"} {
		if got := Bytes(n); got != want {
			t.Errorf("Bytes(%d) = %q, want %q", n, got, want)
		}
	}
}
