#!/usr/bin/env bash
# kite.sh makes "The Kite" (issue 11) from the studio's GUI alone, as a new
# filmmaker would, on the real binary under Xvfb, driven with xdotool:
#   File ▸ New project (Ctrl+N): "The Kite", vertical 1080×1920, 25 fps,
#   chosen from the keyboard; three shots (Ctrl+T) with titles and prompts;
#   a crossfade between shots 2 and 3; in shot 2, Add line "Come on, catch
#   the wind!" and, from its speaker list, New character… "Ada" with the
#   espeak-ng voice en-gb and the variant Alicia, saved with Enter; Ctrl+Z
#   and Ctrl+Shift+Z with a card focused; Home, End, Up and Down in the
#   player; Export film (Ctrl+E) to an MP4.
# Then it checks the film with ffprobe (1080×1920, 25 fps, h264 + aac), that
# the line is Ada's in her voice (slate.db, with sqlite3 when installed),
# and saves a frame where the caption shows, for a person to read
# "Ada: Come on, catch the wind!". Everything goes to out/kite/:
#   new-project.png  the New project dialog filled in
#   three-shots.png  the three shots, the preview on the third
#   crossfade.png    shots 2 and 3 on rows A and B with the crossfade
#   undo.png, redo.png   Ctrl+Z and Ctrl+Shift+Z on a focused card
#   speakers.png     the line's speaker list open, "New character…" in it
#   character.png    the character editor with Ada's voice chosen
#   line.png         the line, said by Ada, on the dialogue lane
#   home.png, end.png, up.png   the player after Home, End and Up
#   exported.png     the export's summary
#   kite.mp4         the film; caption.png its frame at 5 s
#
#   scripts/kite.sh
#
# It clicks at pixel positions of a 1280×720 window with a fresh data
# folder (the studio's default layout), so it is not part of make test.
# Needs bin/slate (make build), Xvfb, xwininfo, xdotool, ImageMagick's
# import, ffmpeg and ffprobe. SLATE_SCREENSHOT_DISPLAY picks the display
# (:98).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

display=${SLATE_SCREENSHOT_DISPLAY:-:98}
outdir=out/kite
wait_s=20

die() {
	echo "kite.sh: $*" >&2
	exit 1
}

[ -x bin/slate ] || die "bin/slate not found: run make build"
for tool in Xvfb xwininfo xdotool import ffmpeg ffprobe; do
	command -v "$tool" >/dev/null 2>&1 || die "$tool not found: run scripts/setup.sh --test"
done
if xwininfo -display "$display" -root >/dev/null 2>&1; then
	die "display $display is already in use: stop that X server or set SLATE_SCREENSHOT_DISPLAY"
fi

# shellcheck source=scripts/xvfb.sh
. scripts/xvfb.sh

mkdir -p "$outdir"
rm -f "$outdir"/*.png "$outdir/kite.mp4"
work=$(mktemp -d)
xvfb_pid=
app_pid=

cleanup() {
	stop "$app_pid"
	stop "$xvfb_pid"
	rm -rf "$work"
}
trap cleanup EXIT

start_xvfb 1280x720x24

# A fresh data folder, and a home folder for the export's file picker to
# start in (it saves "The Kite.mp4" there).
mkdir -p "$work/data" "$work/home"
env -u DBUS_SESSION_BUS_ADDRESS HOME="$work/home" SLATE_HOME="$work/data" DISPLAY="$display" \
	./bin/slate >"$work/slate.log" 2>&1 &
app_pid=$!

window=
for _ in $(seq $((wait_s * 5))); do
	window=$(DISPLAY=$display xdotool search --name ' — Slate$' 2>/dev/null | head -1) && [ -n "$window" ] && break
	kill -0 "$app_pid" 2>/dev/null || { cat "$work/slate.log" >&2; die "bin/slate exited before it opened a window"; }
	sleep 0.2
done
[ -n "$window" ] || die "no window appeared within ${wait_s}s"
# No window manager keeps the studio's first size (1440×900) inside the
# 1280×720 screen: make it the screen's size, as a maximised window is.
# The studio may still be sizing itself as it opens: insist until the
# window has kept 1280×720 for two seconds.
size() { DISPLAY=$display xdotool getwindowgeometry "$window" | awk '/Geometry:/ {print $2}'; }
kept=0
for _ in $(seq 100); do
	if [ "$(size)" = 1280x720 ]; then
		kept=$((kept + 1))
		[ "$kept" -ge 10 ] && break
	else
		kept=0
		DISPLAY=$display xdotool windowmove "$window" 0 0 windowsize "$window" 1280 720
	fi
	sleep 0.2
done
[ "$(size)" = 1280x720 ] || die "the studio window would not take 1280×720 (it is $(size))"
sleep 1

x() { DISPLAY=$display xdotool "$@"; }
click() { x mousemove "$1" "$2" click 1; sleep "${3:-0.4}"; }
key() { x key "$@"; sleep 0.4; }
type_text() { x type --delay 15 "$1"; sleep 0.3; }
shot() {
	import -display "$display" -window root "$outdir/$1.png"
	echo "  $outdir/$1.png"
}
# field clicks a text field and replaces what it holds.
field() {
	click "$1" "$2"
	key ctrl+a
	type_text "$3"
}

echo "kite:"
# New project, from the keyboard: the title is focused; Tab to the frame
# size, three steps right to "Vertical 9:16 · 1080×1920"; Tab past the
# custom size (off) to the frame rate, one step right to 25 fps; Enter.
key ctrl+n
sleep 1
key ctrl+a
type_text "The Kite"
key Tab
key Right Right Right
key Tab
key Right
shot new-project
key Return
sleep 2

# Three shots: the inspector's Title and Prompt; Ctrl+T adds the next.
inspector_title=(1100 127)
inspector_prompt=(1100 240)
n=0
while IFS='|' read -r title prompt; do
	if [ "$n" -gt 0 ]; then
		key ctrl+t
		sleep 1
	fi
	field "${inspector_title[@]}" "$title"
	click "${inspector_prompt[@]}"
	type_text "$prompt"
	n=$((n + 1))
done <<'EOF'
The string|A girl on a windy hill holds a kite string, grey sky
The run|She runs downhill, the kite lifts behind her
Into the sky|A red kite climbs into a wide bright sky
EOF
sleep 1
shot three-shots

# Shot 2 (at 40 px/s its card spans x 546–703), the inspector scrolled to
# "Transition to the next shot", Kind: Crossfade.
click 620 590 1
x mousemove 1100 500
for _ in $(seq 10); do x click 5; done
sleep 0.8
click 1010 529 1
click 976 603 1.5
shot crossfade

# Ctrl+Z and Ctrl+Shift+Z with the focus on shot 2's card.
click 620 541 0.5
key ctrl+z
sleep 1
shot undo
key ctrl+shift+z
sleep 1
shot redo

# Add line, its text, and from its speaker list New character…
click 1100 319 1.5
field 1100 354 "Come on, catch the wind!"
click 997 314 1
shot speakers
click 996 388 2
# The editor: the name is focused. Tab to the voice, steps right to
# en-gb (the 24th of espeak-ng 1.51's languages), Tab to the variant,
# three steps right to Alicia; Enter saves.
type_text "Ada"
key Tab
for _ in $(seq 24); do x key Right; done
sleep 0.5
key Tab
key Right Right Right
sleep 0.5
shot character
key Return
sleep 2
shot line

# The player's keys, with the focus on no field (a click on the preview).
click 450 150 0.5
key Home
sleep 0.8
shot home
key End
sleep 0.8
shot end
key Up
sleep 0.8
shot up
key Down
sleep 0.5

# Export film: the file picker starts in the home folder with
# "The Kite.mp4"; Enter saves.
key ctrl+e
sleep 2
key Return
film="$work/home/The Kite.mp4"
for _ in $(seq 600); do
	if [ -s "$film" ] && ffprobe -v error "$film" >/dev/null 2>&1; then
		break
	fi
	sleep 0.2
done
[ -s "$film" ] || { cat "$work/slate.log" >&2; die "no film at $film within 120 s"; }
# The film is in place before the export's last steps (its thumbnail);
# the summary follows.
sleep 6
shot exported
key Return
cp "$film" "$outdir/kite.mp4"

echo "checks:"
probe=$(ffprobe -v error -show_entries stream=codec_type,codec_name,width,height,r_frame_rate -of compact=p=0:nk=0 "$outdir/kite.mp4")
echo "$probe" | sed 's/^/  /'
grep -q 'codec_name=h264|codec_type=video|width=1080|height=1920|r_frame_rate=25/1' <<<"$probe" || die "the film is not h264 1080×1920 at 25 fps"
grep -q 'codec_name=aac|codec_type=audio' <<<"$probe" || die "the film has no aac sound"
ffmpeg -v error -y -ss 5 -i "$outdir/kite.mp4" -frames:v 1 "$outdir/caption.png"
echo "  $outdir/caption.png: the caption should read \"Ada: Come on, catch the wind!\""
if command -v sqlite3 >/dev/null 2>&1; then
	db="file:$work/data/slate.db?mode=ro"
	cast=$(sqlite3 "$db" "select cast_json from projects where title = 'The Kite'")
	shot2=$(sqlite3 "$db" "select s.data from shots s join projects p on p.id = s.project_id where p.title = 'The Kite' order by s.pos limit 1 offset 1")
	echo "  cast: $cast"
	grep -q '"name":"Ada","voice":"en-gb+Alicia","character":true' <<<"$cast" || die "Ada is not a character with the voice en-gb+Alicia"
	id=$(sed -n 's/.*"id":"\([0-9a-f]*\)","name":"Ada".*/\1/p' <<<"$cast")
	grep -q "\"speaker\":\"$id\",\"text\":\"Come on, catch the wind!\"" <<<"$shot2" || die "shot 2's line is not Ada's: $shot2"
	grep -q '"kind":"crossfade"' <<<"$shot2" || die "shot 2 does not cross-fade into shot 3: $shot2"
fi
echo "The Kite is made."
