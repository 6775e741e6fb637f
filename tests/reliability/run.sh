#!/bin/bash
# The reliability suite (make reliability): runs every case of tests/reliability/cases (or
# those named on the command line), each a TAP script with its environment, and prints a
# table: case, runs (TAP tests run), passed, time, what was checked. Logs and scratch
# directories go to build/reliability/CASE/ (kept when a case fails).
#
#   tests/reliability/run.sh [CASE...]      exit 0 when every run passed, 1 otherwise
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
out=$top/build/reliability
mkdir -p "$out"
cd "$top" || exit 1

rows=() failed=0
while IFS='|' read -r name env script what; do
	name=$(echo $name) env=$(echo $env) script=$(echo $script) what=$(echo $what)
	case "$name" in ''|'#'*) continue ;; esac
	if [ $# -gt 0 ] && ! printf '%s\n' "$@" | grep -qx "$name"; then
		continue
	fi
	echo "=== $name: $env bash $script"
	start=$(date +%s)
	env $env KHIB_TEST_TMP="$out/$name" bash "$script" < /dev/null | tee "$out/$name.tap"
	secs=$(( $(date +%s) - start ))
	runs=$(grep -Ec '^(ok|not ok) [0-9]+' "$out/$name.tap" | tr -d ' ')
	skipped=$(grep -Ec '^ok [0-9]+ # skip' "$out/$name.tap" | tr -d ' ')
	passed=$(grep -Ec '^ok [0-9]+ - ' "$out/$name.tap" | tr -d ' ')
	[ "$passed" = "$runs" ] && [ "$runs" -gt 0 ] || failed=1
	rows+=("$(printf '%-20s %5s %6s %5s %6ss  %s' "$name" "$runs" "$passed" "$skipped" "$secs" "$what")")
done < tests/reliability/cases

echo
printf '%-20s %5s %6s %5s %7s  %s\n' case runs passed skip time checked
for r in "${rows[@]}"; do
	echo "$r"
done | tee "$out/table.txt"
exit $failed
