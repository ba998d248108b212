#!/usr/bin/env bash
# quitloop.sh starts the real studio under Xvfb many times (50 unless RUNS
# says) and quits it as soon as its window shows, or a moment later: by
# the Ctrl+Q key press, the window's close button and SIGTERM in turn,
# with the pointer moving over the window by xdotool all the while. It
# fails on any panic, race report or start that does not quit cleanly.
# It is TestQuitUnderX in cmd/slate with more starts (go test makes 6).
#
#   scripts/quitloop.sh                           50 starts; Xvfb picks a free display
#   RUNS=20 SLATE_TEST_DISPLAY=:90 scripts/quitloop.sh
#   SLATE_QUIT_BIN=/path/to/slate scripts/quitloop.sh
#                                                 an older build, to count its panics
#
# Needs Go, Xvfb and xdotool (scripts/setup.sh --test).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
GO=${GO:-$(command -v go || echo /usr/local/go/bin/go)}
SLATE_QUIT_RUNS=${RUNS:-50} SLATE_REQUIRE_DEPS=1 exec "$GO" test -count=1 -timeout 60m -run '^TestQuitUnderX$' -v ./cmd/slate
