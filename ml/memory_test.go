package ml

import (
	"strings"
	"testing"
)

func TestMemAvailable(t *testing.T) {
	got, err := memAvailable([]byte("MemTotal:       24000000 kB\nMemFree:         1000000 kB\nMemAvailable:   20000000 kB\n"))
	if err != nil || got != 20000000*1024 {
		t.Errorf("memAvailable = %d, %v; want %d", got, err, 20000000*1024)
	}
	for _, bad := range []string{"MemTotal: 1 kB\n", "MemAvailable: lots\n", "MemAvailable: 12 MB\n"} {
		if _, err := memAvailable([]byte(bad)); err == nil {
			t.Errorf("memAvailable(%q) succeeded", bad)
		}
	}
}

func TestFreeMemory(t *testing.T) {
	m := FreeMemory(CPU)
	t.Log(m)
	if m.Where != "RAM" || (m.Known && m.Free == 0) {
		t.Errorf("FreeMemory(CPU) = %+v", m)
	}
	g := FreeMemory(CUDA)
	t.Log(g)
	if !g.Known && !strings.Contains(g.String(), "unknown (") {
		t.Errorf("FreeMemory(CUDA).String() = %q, want it to say why it is unknown", g)
	}
	if got := (Memory{Free: 24 << 30, Known: true, Where: "RAM"}).String(); got != "24.0 GiB of RAM free" {
		t.Errorf("String() = %q", got)
	}
}
