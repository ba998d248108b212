#!/usr/bin/env bash
# screenshots.sh runs the real studio binary on a virtual X display (Xvfb),
# drives it with the mouse and keyboard (xdotool) and saves what it shows as
# PNGs in out/screenshots/, for a person to look at:
#   main.png       the main window as it opens on the example project
#   inspector.png  the third shot selected, in the inspector
#   queue.png      the render queue during a render (Ctrl+Shift+R)
#   library.png    the library panel
#   models.png     Render → Model packs and voices (Ctrl+Shift+M), with the
#                  tiny test pack and the tiny test voice installed
#   servers.png    Render → Render servers…, with the loopback slate-server
#                  added as gpu-box; servers-add.png its Add dialog filled in
#   wizard-preview.png, wizard-prompt.png, wizard-results.png
#                  the cast recording wizard, with a fake camera and
#                  microphone acting out the script: the live preview, a
#                  prompt with its countdown during the take, the checks
#   screen.png     the whole virtual screen
#   timeline-crossfade.png
#                  the timeline (cropped from the main window): the demo's
#                  crossfade and dip between shots on rows A and B, the
#                  transitions labelled in the band between them
#   dialogue-lane.png
#                  the dialogue lane under the cards: each line at its
#                  time, its speaker, and its speech's waveform once voiced
#   playback-menu.png
#                  the Playback menu open: the player's keys (Space, J/K/L,
#                  the arrows, Home/End, Up/Down and Page Up/Down), each
#                  shown beside what it does
#   consent.png    Account → Consent and sharing (Ctrl+Shift+C), logged in
#                  to a real slate-server on loopback with two accounts'
#                  members, a request, and uses of each other's likeness;
#                  consent-uses.png its "Uses of my likeness" tab;
#                  consent-devices.png its "Account and devices" tab, with
#                  ana logged in from a second data folder as well;
#                  consent-others.png its "Cast I may feature" tab: ben's
#                  @tess, who may not be sent to outside render services
#                  (consent.png shows ana's @jon, who may)
#   character-editor.png  Cast ▸ New character…, filled in as a person
#                  would: Ada, an espeak-ng voice and variant, a description
#   project-settings.png  File → Project settings… with the vertical
#                  1080×1920 size at 25 fps chosen, saying which rendered
#                  clips will be rendered again
#   vertical.png   the main window once those settings are applied: the
#                  preview shows an upright 1080×1920 frame
#   empty-state.png  a fresh data folder's studio in the dark theme, its Cast
#                  tab showing the help and empty-state text
#   light-theme.png  the same studio in the light theme (FYNE_THEME=light)
#   sync-library.png, sync-status-line.png, sync-conflict.png, storage.png,
#   storage-full.png
#                  sync between devices (issue 13), drawn by the studio's
#                  TestSyncShots with Fyne's software renderer, logged in to
#                  a slate-server on loopback: the Library's rows in each
#                  sync state beside a conflict copy, a clip's card and the
#                  status line while uploading, the conflict notice, and
#                  Account ▸ Storage… nearly full and full. The states are
#                  given to the studio, so that one picture shows them all
#
#   scripts/screenshots.sh [project.slate]     (default examples/demo.slate)
#
# Needs bin/slate (make build), Go (for slate-server and the helper that
# fills it) and Xvfb, xwininfo, xdotool and ImageMagick's
# import (scripts/setup.sh --test). SLATE_SCREENSHOT_DISPLAY picks the display (:99).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

project=${1:-examples/demo.slate}
display=${SLATE_SCREENSHOT_DISPLAY:-:99}
outdir=out/screenshots
wait_s=20

die() {
	echo "screenshots.sh: $*" >&2
	exit 1
}

[ -x bin/slate ] || die "bin/slate not found: run make build"
[ -f "$project" ] || die "$project: no such project file"
for tool in Xvfb xwininfo xdotool import convert curl go; do
	command -v "$tool" >/dev/null 2>&1 || die "$tool not found: run scripts/setup.sh --test"
done

if xwininfo -display "$display" -root >/dev/null 2>&1; then
	die "display $display is already in use: stop that X server or set SLATE_SCREENSHOT_DISPLAY"
fi

# shellcheck source=scripts/xvfb.sh
. scripts/xvfb.sh

mkdir -p "$outdir"
work=$(mktemp -d)
xvfb_pid=
app_pid=
server_pid=

cleanup() {
	stop "$app_pid"
	stop "$server_pid"
	stop "$xvfb_pid"
	rm -rf "$work"
}
trap cleanup EXIT

start_xvfb 1600x1000x24

# A fake camera and microphone that act out the script of seed 42.
mkdir -p "$work/home" "$work/fake"
go run ./capture/liveness/livenesstest/faketake -seed 42 -width 640 -height 480 -out "$work/fake" >/dev/null
# The tiny test pack and voice (random weights), so the models window has
# something to list.
SLATE_HOME="$work/home" ./bin/slate models install render/onnx/testdata/tinypack >/dev/null
SLATE_HOME="$work/home" SLATE_VOICES= ./bin/slate voices install voices/testdata/tiny.onnx >/dev/null
# A real account server on loopback, with two people, their cast, a
# request and uses made (scripts/consentdemo); the studio starts logged in
# as ana. Without a D-Bus session the sessions are kept in an encrypted file
# in the data folder, never in this machine's keyring.
server_addr=${SLATE_SCREENSHOT_SERVER:-127.0.0.1:18787}
go build -o "$work/slate-server" ./cmd/slate-server
"$work/slate-server" --data "$work/server" --addr "$server_addr" --log-level warn >"$work/server.log" 2>&1 &
server_pid=$!
for _ in $(seq $((wait_s * 10))); do
	curl -fsS "http://$server_addr/api/v1/key" >/dev/null 2>&1 && break
	kill -0 "$server_pid" 2>/dev/null || { cat "$work/server.log" >&2; die "slate-server exited (address $server_addr in use?)"; }
	sleep 0.1
done
curl -fsS "http://$server_addr/api/v1/key" >/dev/null || die "slate-server did not answer within ${wait_s}s"
mkdir -p "$work/ben"
env -u DBUS_SESSION_BUS_ADDRESS SLATE_HOME="$work/home" go run ./scripts/consentdemo -server "http://$server_addr" -ben "$work/ben"
# It is a render server too (its animatic render worker): gpu-box in the
# studio's Render servers window, reached with an API key of ana's, made
# as a person makes one.
key=$(env -u DBUS_SESSION_BUS_ADDRESS SLATE_HOME="$work/home" ./bin/slate account keys create "screenshots" | grep -o 'slk_[A-Za-z0-9_-]*' | head -1)
printf '%s\n' "$key" | env -u DBUS_SESSION_BUS_ADDRESS SLATE_HOME="$work/home" ./bin/slate servers add gpu-box "http://$server_addr" --api-key-stdin >/dev/null 2>"$work/servers.log" ||
	echo "screenshots.sh: the render server was not added: $(cat "$work/servers.log")" >&2
# Ana logs in from a second data folder on this computer too: a device of
# its own, which the Account and devices tab lists beside the studio's.
mkdir -p "$work/ana-school"
echo "screenshot passphrase" | env -u DBUS_SESSION_BUS_ADDRESS SLATE_HOME="$work/ana-school" ./bin/slate account login --server "http://$server_addr" ana >/dev/null
env -u DBUS_SESSION_BUS_ADDRESS SLATE_HOME="$work/ana-school" ./bin/slate account device-name "Ana's film-school edit suite" >/dev/null

env -u DBUS_SESSION_BUS_ADDRESS SLATE_HOME="$work/home" DISPLAY="$display" SLATE_SCRIPT_SEED=42 SLATE_VOICES= \
	SLATE_FAKE_CAMERA="$work/fake/camera.mjpeg" SLATE_FAKE_MIC="$work/fake/mic.wav" \
	./bin/slate "$project" >"$work/slate.log" 2>&1 &
app_pid=$!

# app_window prints the id of a mapped top-level window at least 200x200: the
# studio window, not GLFW's hidden 1x1 helper window.
app_window() {
	local id
	for id in $(xwininfo -display "$display" -root -children 2>/dev/null |
		awk '$1 ~ /^0x/ { for (i = 2; i <= NF; i++) if (match($i, /^[0-9]+x[0-9]+\+/)) {
			split(substr($i, 1, RLENGTH - 1), wh, "x"); if (wh[1] >= 200 && wh[2] >= 200) print $1 } }'); do
		if xwininfo -display "$display" -id "$id" 2>/dev/null | grep -q 'Map State: IsViewable'; then
			echo "$id"
			return 0
		fi
	done
	return 1
}

window=
for _ in $(seq $((wait_s * 5))); do
	window=$(app_window) && break
	if ! kill -0 "$app_pid" 2>/dev/null; then
		cat "$work/slate.log" >&2
		die "bin/slate exited before it opened a window (log above)"
	fi
	sleep 0.2
done
if [ -z "$window" ]; then
	cat "$work/slate.log" >&2
	die "no window appeared within ${wait_s}s (log above)"
fi

# shot saves the studio window as out/screenshots/NAME.png.
shot() {
	import -display "$display" -window "$window" "$outdir/$1.png"
	echo "  $outdir/$1.png"
}

# click clicks at a point given as fractions of the window's width and
# height, so the positions follow the window's layout rather than pixels.
click() {
	local w h
	read -r w h < <(xwininfo -display "$display" -id "$window" | awk '/Width:/ {w=$2} /Height:/ {h=$2} END {print w, h}')
	DISPLAY=$display xdotool mousemove --window "$window" "$(awk "BEGIN {print int($1 * $w)}")" "$(awk "BEGIN {print int($2 * $h)}")" click 1
}

echo "screenshots:"
# Let the first frames render and layouts settle.
sleep 2
shot main

# --- The timeline's rows and its dialogue lane (issue 11) ---
# shot_part saves part of the studio window, given as fractions of its
# width and height (left, top, width, height), as NAME.png.
shot_part() {
	local name=$1 w h
	read -r w h < <(xwininfo -display "$display" -id "$window" | awk '/Width:/ {w=$2} /Height:/ {h=$2} END {print w, h}')
	import -display "$display" -window "$window" "$work/$name-full.png"
	convert "$work/$name-full.png" -crop "$(awk "BEGIN {printf \"%dx%d+%d+%d\", $4 * $w, $5 * $h, $2 * $w, $3 * $h}")" +repage "$outdir/$name.png"
	echo "  $outdir/$name.png"
}
# The lane voices the lines in view with espeak-ng, one after another, as
# the soundtrack speaks them; a few seconds voice the demo's five.
sleep 3
shot_part timeline-crossfade 0.25 0.6 0.51 0.355
shot_part dialogue-lane 0.25 0.85 0.51 0.105
# --- end of the timeline's rows and lane ---
# The third card on the timeline (the demo's shots fill its first 22 s at
# the default zoom).
click 0.58 0.76
sleep 1
shot inspector
# Render every shot; the queue panel comes to the front.
DISPLAY=$display xdotool key --window "$window" ctrl+shift+r
sleep 1.5
shot queue
# The Library tab, top left.
click 0.03 0.055
sleep 1
shot library
# --- Characters (issue 11) ---
# Cast ▸ New character… (the menu bar's Cast, then its second item), filled
# in from the keyboard: the name, then Tab to the voice list and Right
# arrows to en-gb (after Slate's choice and the Piper voices installed
# above), Tab to the variants and Right arrows to f3, Tab past Hear it
# to the description.
click 0.081 0.016
sleep 1
click 0.108 0.092
sleep 2
DISPLAY=$display xdotool type --delay 60 "Ada"
piper_voices=$(SLATE_HOME="$work/home" SLATE_VOICES= ./bin/slate voices list 2>/dev/null | grep -c '^piper:' || true)
lang=$(espeak-ng --voices | awk 'NR > 1 { print $2 }' | grep -n '^en-gb$' | cut -d: -f1)
variant=$(espeak-ng --voices=variant | awk 'NR > 1 { print $5 }' | grep -n '^!v/f3$' | cut -d: -f1)
DISPLAY=$display xdotool key Tab
for _ in $(seq $((lang + piper_voices))); do DISPLAY=$display xdotool key Right; done
DISPLAY=$display xdotool key Tab
for _ in $(seq "$variant"); do DISPLAY=$display xdotool key Right; done
DISPLAY=$display xdotool key Tab Tab
DISPLAY=$display xdotool type --delay 30 "A girl of nine in a yellow raincoat, fearless, always running ahead of the kite."
sleep 1
shot character-editor
# Cancel, and the Library tab again, so the window is as it was for the
# shots after this one.
click 0.625 0.763
sleep 0.5
click 0.03 0.055
sleep 0.5
# --- end of Characters ---
# The Playback menu (the fifth on the menu bar), open, then closed again
# with Escape.
click 0.171 0.015
sleep 1
shot playback-menu
DISPLAY=$display xdotool key --window "$window" Escape
sleep 0.5
# The models window, closed again with Escape.
DISPLAY=$display xdotool key --window "$window" ctrl+shift+m
sleep 2
shot models
DISPLAY=$display xdotool key --window "$window" Escape
sleep 0.5
# --- Render servers (issue 12) ---
# Render ▸ Render servers… (the fourth menu, its fourth item), listing the
# loopback slate-server added above as gpu-box; then its Add dialog,
# filled in as a person would (the key hidden as it is typed), closed
# again with Escape, and the window too.
click 0.125 0.016
sleep 1
click 0.16 0.185
sleep 3
shot servers
# Add a server…, at the top right of the window.
click 0.7 0.29
sleep 1.5
DISPLAY=$display xdotool type --delay 40 "hosted"
DISPLAY=$display xdotool key Tab
DISPLAY=$display xdotool type --delay 20 "https://videos.example.com"
DISPLAY=$display xdotool key Tab
DISPLAY=$display xdotool type --delay 20 "sk-not-a-real-key"
sleep 1
shot servers-add
DISPLAY=$display xdotool key --window "$window" Escape
sleep 0.5
DISPLAY=$display xdotool key --window "$window" Escape
sleep 0.5
# --- end of Render servers ---
# The cast recording wizard (Ctrl+Shift+K), driven like a person would.
DISPLAY=$display xdotool key --window "$window" ctrl+shift+k
wizard=
for _ in $(seq 50); do
	wizard=$(DISPLAY=$display xdotool search --onlyvisible --name "Record a cast member" 2>/dev/null | head -1) && [ -n "$wizard" ] && break
	sleep 0.2
done
[ -n "$wizard" ] || die "the recording wizard did not open"
# Listing the devices takes a moment, longer while shots render.
sleep 4
# Click into the Name field, under the Stills note (GLFW takes keys
# only into the focused window), then type.
DISPLAY=$display xdotool mousemove --window "$wizard" 950 297 click 1
sleep 0.5
DISPLAY=$display xdotool type --delay 60 "Sam Pike"
sleep 2
import -display "$display" -window "$wizard" "$outdir/wizard-preview.png"
echo "  $outdir/wizard-preview.png"
DISPLAY=$display xdotool key Return
sleep 12
import -display "$display" -window "$wizard" "$outdir/wizard-prompt.png"
echo "  $outdir/wizard-prompt.png"
# The rest of the take, saving it, and the checks.
sleep 41
import -display "$display" -window "$wizard" "$outdir/wizard-results.png"
echo "  $outdir/wizard-results.png"
import -display "$display" -window root "$outdir/screen.png"
echo "  $outdir/screen.png (the whole virtual screen)"
# The consent dashboard (Account → Consent and sharing, Ctrl+Shift+C), in
# a window of its own, on ana's cast.
DISPLAY=$display xdotool windowfocus "$window" 2>/dev/null || true
sleep 0.5
DISPLAY=$display xdotool key --window "$window" ctrl+shift+c
dash=
for _ in $(seq 50); do
	dash=$(DISPLAY=$display xdotool search --onlyvisible --name "Consent and sharing" 2>/dev/null | head -1) && [ -n "$dash" ] && break
	sleep 0.2
done
[ -n "$dash" ] || die "the consent dashboard did not open"
sleep 3
import -display "$display" -window "$dash" "$outdir/consent.png"
echo "  $outdir/consent.png"
# Its second tab: every use of ana's likenesses, ben's draft among them.
DISPLAY=$display xdotool mousemove --window "$dash" 154 67 click 1
sleep 1
import -display "$display" -window "$dash" "$outdir/consent-uses.png"
echo "  $outdir/consent-uses.png"
# Its fifth tab: this device's name, the account, and both of ana's
# devices.
DISPLAY=$display xdotool mousemove --window "$dash" 556 67 click 1
sleep 1
import -display "$display" -window "$dash" "$outdir/consent-devices.png"
echo "  $outdir/consent-devices.png"
# Its third tab: other people's cast, each saying whether they may be sent
# to outside render services (issue 12).
DISPLAY=$display xdotool mousemove --window "$dash" 306 67 click 1
sleep 1
import -display "$display" -window "$dash" "$outdir/consent-others.png"
echo "  $outdir/consent-others.png"

# --- Project settings and a vertical project (issue 11) ---
# File → Project settings…, driven with the mouse: the dialog's vertical
# 1080×1920 size at 25 fps says that the shots rendered above will be
# rendered again; applied, the preview is upright. The main window is
# raised over the dashboard and the wizard first, so the clicks reach it.
DISPLAY=$display xdotool windowraise "$window" 2>/dev/null || true
DISPLAY=$display xdotool windowfocus "$window" 2>/dev/null || true
sleep 0.5
click 0.014 0.013 # File
sleep 0.8
click 0.05 0.136 # Project settings…
sleep 1.2
click 0.542 0.441 # Frame size
sleep 0.8
click 0.48 0.609 # Vertical 9:16 · 1080×1920
sleep 0.8
click 0.542 0.532 # Frame rate
sleep 0.8
click 0.4375 0.614 # 25 fps
sleep 1
shot project-settings
click 0.53 0.662 # Apply
sleep 3
shot vertical

# --- The empty state and the light theme (issue 11) ---
# The studio's help and empty-state text, and its light theme: a second
# studio on a fresh data folder, in the dark theme with its Cast
# tab open (no cast yet), then a third on another in the light theme.
stop "$app_pid"
app_pid=
# fresh_studio starts the studio on the empty data folder $1, with the
# further environment variables given after it.
fresh_studio() {
	local home=$1
	shift
	mkdir -p "$home"
	env -u DBUS_SESSION_BUS_ADDRESS SLATE_HOME="$home" DISPLAY="$display" SLATE_VOICES= "$@" \
		./bin/slate "$project" >"$work/fresh.log" 2>&1 &
	app_pid=$!
	window=
	for _ in $(seq $((wait_s * 5))); do
		window=$(app_window) && break
		kill -0 "$app_pid" 2>/dev/null || { cat "$work/fresh.log" >&2; die "bin/slate exited before it opened a window (log above)"; }
		sleep 0.2
	done
	[ -n "$window" ] || die "no window appeared within ${wait_s}s"
	sleep 2
}
fresh_studio "$work/fresh-dark"
# The Cast tab, third along the top left.
click 0.135 0.055
sleep 1
shot empty-state
stop "$app_pid"
app_pid=
fresh_studio "$work/fresh-light" FYNE_THEME=light
shot light-theme
# --- end of the empty state and the light theme ---

# --- Sync between devices (issue 13) ---
# Drawn off screen by the studio's own test (see the top of this file).
SLATE_SYNC_SHOTS="$PWD/$outdir" go test -count=1 -run '^TestSyncShots$' ./studio/ >"$work/syncshots.log" 2>&1 ||
	{ cat "$work/syncshots.log" >&2; die "the sync views were not drawn (log above)"; }
for name in sync-library sync-status-line sync-conflict storage storage-full; do
	echo "  $outdir/$name.png"
done
# --- end of sync between devices ---
