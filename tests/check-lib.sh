# tests/check-lib.sh: sourced by the short check scripts of make check (check-imgtool,
# check-hostile). Set CHECK_NAME first. Gives $top, a scratch directory $tmp (removed on exit),
# check WHAT COMMAND... (COMMAND must succeed; a failure is reported with its output and
# counted) and check_done (prints the count; its status is the script's).
top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0 runs=0

check() {
	runs=$((runs + 1))
	if ! "${@:2}" > "$tmp/out" 2>&1; then
		fails=$((fails + 1))
		echo "$CHECK_NAME: FAIL $1: $(tr '\n' ' ' < "$tmp/out")"
	fi
}

check_done() {
	echo "$CHECK_NAME: $((runs - fails))/$runs passed"
	[ $fails = 0 ]
}
