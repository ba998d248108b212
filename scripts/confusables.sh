#!/usr/bin/env bash
# Refreshes account/server/confusable's pinned copy of Unicode's confusables.txt and
# the Go table generated from it. The file is taken from the ICU source that
# Debian 12 packages (icu 72.1, which carries Unicode 15.0.0's file verbatim
# in source/data/unidata/), so it comes from a Debian mirror, checked against
# the tarball's pinned sha256.
#
# To move to a newer Unicode version, change the three pins below to a newer
# Debian icu source package, run this, and review the diff of tables.go.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

url=http://deb.debian.org/debian/pool/main/i/icu/icu_72.1.orig.tar.gz
tarball_sha256=a2d2d38217092a7ed56635e34467f92f976b370e20182ad325edea6681a71d68
version=15.0.0

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
echo "downloading $url"
curl -fsSL -o "$work/icu.tgz" "$url"
echo "$tarball_sha256  $work/icu.tgz" | sha256sum -c --quiet
tar -xzf "$work/icu.tgz" -C "$work" icu/source/data/unidata/confusables.txt
grep -q "^# Version: $version\$" "$work/icu/source/data/unidata/confusables.txt" ||
	{ echo "the tarball's confusables.txt is not version $version" >&2; exit 1; }
cp "$work/icu/source/data/unidata/confusables.txt" "account/server/confusable/testdata/confusables-$version.txt"
echo "wrote account/server/confusable/testdata/confusables-$version.txt; its sha256 (pin it in confusable_test.go):"
sha256sum "account/server/confusable/testdata/confusables-$version.txt"
go test ./account/server/confusable -run TestTableIsGenerated -update
