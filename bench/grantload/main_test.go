package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"
)

// The load generator runs end to end, briefly and gently: it starts its
// server, sets up the cast, measures and reports without errors.
func TestGrantloadRuns(t *testing.T) {
	var out bytes.Buffer
	err := run(context.Background(), []string{"-rate", "100", "-duration", "300ms", "-warmup", "100ms", "-grantees", "2"}, &out)
	if err != nil {
		t.Fatalf("run = %v\n%s", err, out.String())
	}
	for _, want := range []string{"baseline GET /key: 30 requests", "POST /grants: 30 requests", " 0 errors", "server's own time", "grant p99 / baseline p99"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("the report lacks %q:\n%s", want, out.String())
		}
	}
}

func TestServerTiming(t *testing.T) {
	for _, tt := range []struct {
		h    string
		want time.Duration
	}{{"app;dur=1.5", 1500 * time.Microsecond}, {"", 0}, {"app;dur=x", 0}} {
		if got := serverTiming(tt.h); got != tt.want {
			t.Errorf("serverTiming(%q) = %v, want %v", tt.h, got, tt.want)
		}
	}
}
