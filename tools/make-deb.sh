#!/bin/bash
# make deb: build the Debian package out of tree, so that debian/rules' clean (make clean)
# never touches this tree's build/.
#
#   tools/make-deb.sh [OUTDIR]      (default build/deb)
#
# Copies the source (with git: tracked and untracked files that are not ignored, as they are
# in the work tree; without git: everything but build/) to OUTDIR/khibernate-VERSION/, runs
# dpkg-buildpackage -b -us -uc there, and so leaves the .deb (and the -dbgsym .deb, .buildinfo,
# .changes) in OUTDIR. DEB_BUILD_OPTIONS passes through (nocheck skips the unit tests).
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
out=$(mkdir -p "${1:-$top/build/deb}" && cd "${1:-$top/build/deb}" && pwd)
version=$(dpkg-parsechangelog -l "$top/debian/changelog" -S Version)
src=$out/khibernate-${version%-*}

rm -rf "$src" "$out"/khibernate*_*
mkdir -p "$src"
if git -C "$top" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
	(cd "$top" && git ls-files -z --cached --others --exclude-standard |
		while IFS= read -r -d '' f; do [ -e "$f" ] && printf '%s\0' "$f"; done |
		tar --null -T - -cf -) | tar -xf - -C "$src"
else
	tar -C "$top" --exclude=./build -cf - . | tar -xf - -C "$src"
fi

echo "deb: dpkg-buildpackage in $src (log: $out/build.log)"
if ! (cd "$src" && dpkg-buildpackage -b -us -uc -J"${KHIB_JOBS:-auto}") > "$out/build.log" 2>&1; then
	tail -40 "$out/build.log" >&2
	echo "deb: dpkg-buildpackage failed; full log in $out/build.log" >&2
	exit 1
fi
for f in "$out"/khibernate_*.deb; do
	echo "deb: $f ($(stat -c %s "$f") bytes)"
done
