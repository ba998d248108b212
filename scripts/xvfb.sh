# xvfb.sh is sourced by the scripts that run the real studio on a virtual
# X display (screenshots.sh, kite.sh): ending background processes and
# starting Xvfb. The caller defines die, display, work and wait_s.

# stop ends a background process: politely first, then for good.
stop() {
	local pid=$1
	[ -n "$pid" ] || return 0
	kill "$pid" 2>/dev/null || return 0
	for _ in $(seq 20); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	kill -9 "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
}

# start_xvfb starts Xvfb on $display with a screen of $1 (such as
# 1280x720x24), sets xvfb_pid, and waits until the X server answers.
start_xvfb() {
	Xvfb "$display" -screen 0 "$1" -nolisten tcp >"$work/xvfb.log" 2>&1 &
	xvfb_pid=$!
	for _ in $(seq $((wait_s * 10))); do
		xwininfo -display "$display" -root >/dev/null 2>&1 && return 0
		kill -0 "$xvfb_pid" 2>/dev/null || { cat "$work/xvfb.log" >&2; die "Xvfb $display exited (display in use?)"; }
		sleep 0.1
	done
	die "Xvfb $display did not start within ${wait_s}s"
}
