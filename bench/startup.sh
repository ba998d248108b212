#!/usr/bin/env bash
# startup.sh measures how long the studio takes from launch to a usable
# window, warm (after a first launch has filled the caches), against the
# smallest Fyne program that opens a window, measured the same way in the
# same run. Both print "ready" once their window is up and running, and
# quit. Needs Xvfb (make test's set-up installs it).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
GO=${GO:-$(command -v go || echo /usr/local/go/bin/go)}
runs=${RUNS:-7}
display=${SLATE_BENCH_DISPLAY:-:98}

"$GO" build -o bin/slate ./cmd/slate
"$GO" build -o bin/fyne-baseline ./cmd/fyne-baseline

Xvfb "$display" -screen 0 1600x1000x24 >/dev/null 2>&1 &
xvfb=$!
home=$(mktemp -d)
trap 'kill $xvfb 2>/dev/null; rm -rf "$home"' EXIT
for _ in $(seq 50); do
	DISPLAY=$display xdpyinfo >/dev/null 2>&1 && break
	sleep 0.1
done

# launch prints the wall time in ms from exec to the "ready" line.
launch() {
	local t0 t1
	t0=$(date +%s%N)
	DISPLAY=$display SLATE_HOME=$home/slate SLATE_EXIT_WHEN_READY=1 "$@" 2>/dev/null | grep -q '^ready'
	t1=$(date +%s%N)
	echo $(((t1 - t0) / 1000000))
}

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

# First launches fill the caches (and give the studio its demo project).
launch bin/slate >/dev/null
launch bin/fyne-baseline >/dev/null
slate=() hello=()
for _ in $(seq "$runs"); do
	slate+=("$(launch bin/slate)")
	hello+=("$(launch bin/fyne-baseline)")
done
s=$(printf '%s\n' "${slate[@]}" | median)
h=$(printf '%s\n' "${hello[@]}" | median)
echo "start to a usable window, warm, median of $runs: studio $s ms, bare Fyne window $h ms, ratio $(awk "BEGIN {printf \"%.2f\", $s/$h}")"
echo "  studio runs: ${slate[*]}"
echo "  baseline runs: ${hello[*]}"
