# Shared by the package tests (tests/pkg/t5*.sh): the TAP library of tests/vm/ and the .deb.
. "$(dirname "${BASH_SOURCE[0]}")/../vm/lib.sh"

# make in the top directory, as a user would type it: not as a sub-make of `make check`
# (whose jobserver and variables are not ours).
pkg_make() {
	env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make --no-print-directory -C "$KHIB_TOP" "$@"
}

# pkg_deb: the path of the khibernate .deb that `make deb` left in build/deb/ (empty if none).
pkg_deb() {
	ls "$KHIB_BUILD"/deb/khibernate_*_amd64.deb 2>/dev/null | head -1
}
