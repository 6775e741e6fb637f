#!/bin/bash
# khib-resume on files (make check-khib-resume): the command line it is given, and what it
# does with a swap area holding no image, a foreign one, an encrypted one without the right
# key, and --discard. The boot-time forms (khibernate.resume= on the kernel command line, the
# device forms, the wait, noresume) are in tests/unit/test-protocol.c and tests/qemu/t4060.
set -euo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
build=${KHIB_BUILD:-$top/build}
resume=$build/bin/khib-resume image=$build/bin/khib-image
work=$(mktemp -d "${TMPDIR:-/tmp}/khib-resume-XXXXXX")
trap 'rm -rf "$work"' EXIT
failed=0
# expect STATUS REGEX ARGS...: khib-resume ARGS exits with STATUS and says REGEX.
expect() {
	local want=$1 regex=$2 rc=0
	shift 2
	"$resume" -c /dev/null "$@" > "$work/out" 2>&1 || rc=$?
	if [ "$rc" = "$want" ] && grep -qE -- "$regex" "$work/out"; then
		echo "ok   khib-resume $* -> $rc"
	else
		echo "FAIL khib-resume $*: exit $rc (want $want), said: $(tr '\n' ' ' < "$work/out")"
		failed=1
	fi
}
state() { "$image" --json info "$1" 2>/dev/null | sed -n 's/.*"state": "\([a-z]*\)".*/\1/p'; }
check() {
	if eval "$2"; then echo "ok   $1"; else echo "FAIL $1"; failed=1; fi
}
swap() { # swap FILE: a fresh 16 MiB swap area
	rm -f "$1"
	truncate -s 16M "$1"
	mkswap -q "$1" > /dev/null 2>&1
}
head -c 256K /dev/urandom > "$work/mem"
swap "$work/swap"

# The offset: pages, digits only, within the device.
expect 2 "--offset takes a number of pages, not abc" --device "$work/swap" --offset abc
expect 2 "--offset takes a number of pages, not -1" --device "$work/swap" --offset -1
expect 2 "not 1e3" --device "$work/swap" --offset 1e3
expect 2 "not 99999999999999999999" --device "$work/swap" --offset 99999999999999999999
expect 2 "is not a page of the device \(16777216 bytes\)" --device "$work/swap" --offset 4096
expect 2 "--offset needs --device" --offset 1
expect 2 "must be a /dev path, UUID=, PARTUUID= or LABEL=, not sda2" --device sda2
expect 1 "did not appear" --device /nonexistent/swap
expect 0 "no hibernation image in .*swap; normal boot" --device "$work/swap"
printf 'helper_kernel = /k\nbogus = 1\n' > "$work/bad.conf"
rc=0; "$resume" -c "$work/bad.conf" --device "$work/swap" > "$work/out" 2>&1 || rc=$?
check "a bad configuration is a usage error naming file and line" \
	'[ $rc = 2 ] && grep -q "bad.conf:2: unknown key" "$work/out"'

# An image made elsewhere (khib-image: another kernel id): refused and discarded.
"$image" -q write "$work/mem" "$work/swap" > /dev/null
expect 10 "the image is foreign: .*the image was discarded, swap is usable again" --device "$work/swap"
check "the foreign image is gone" '[ "$(state "$work/swap")" = none ]'

# Encrypted: without the key, or with a wrong one, kept byte for byte (exit 6 with --device).
echo "correct horse" > "$work/pass"
echo "wrong horse" > "$work/wrong"
"$image" -q write -p "$work/pass" "$work/mem" "$work/swap" > /dev/null
cp "$work/swap" "$work/swap.saved"
expect 6 "encrypted and no key was given; it is kept" --device "$work/swap"
expect 6 "encrypted and the key or passphrase is wrong; it is kept" --device "$work/swap" \
	--passphrase-file "$work/wrong"
head -c 32 /dev/urandom > "$work/key"
expect 6 "the key or passphrase is wrong; it is kept" --device "$work/swap" --key-file "$work/key"
head -c 31 /dev/urandom > "$work/short"
expect 6 "a key file holds exactly 32 bytes" --device "$work/swap" --key-file "$work/short"
check "the encrypted image is byte for byte the same" 'cmp -s "$work/swap" "$work/swap.saved"'
expect 0 "the hibernation image was discarded \(it was not resumed\)" --device "$work/swap" --discard
check "--discard left plain swap" '[ "$(state "$work/swap")" = none ]'
check "--discard with no image: quiet, exit 0" \
	'"$resume" -c /dev/null --device "$work/swap" --discard > "$work/out" 2>&1 && [ ! -s "$work/out" ]'

[ $failed = 0 ] && echo "khib-resume: all passed" || echo "khib-resume: some checks failed"
exit $failed
