#!/bin/bash
# Run unit-test binaries (cmocka); exit status 77 means "skipped here". Prints one line per
# binary, one per case a binary skipped (cmocka's skip(): a golden file missing, no root, no
# loop device, ...), and a closing "N passed, N failed, N skipped" line that counts both.
# KHI_TOP tells the tests where the source tree (tests/golden/, ...) is, wherever they run.
export KHI_TOP=${KHI_TOP:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}
passed=0 failed=0 skipped=0 cases_skipped=0
for t in "$@"; do
	log=$t.log
	"$t" > "$log" 2>&1
	rc=$?
	case $rc in
	0) passed=$((passed + 1)); echo "PASS $t" ;;
	77) skipped=$((skipped + 1)); echo "SKIP $t: $(tail -1 "$log")" ;;
	*) failed=$((failed + 1)); echo "FAIL $t (exit $rc):"; tail -40 "$log" ;;
	esac
	# cmocka lists the skipped cases after "[  SKIPPED ] N test(s), listed below:".
	while read -r name; do
		cases_skipped=$((cases_skipped + 1))
		echo "SKIP $t: case $name (see $log)"
	done < <(sed -n '/^\[  SKIPPED \] [0-9]* test(s), listed below:/,/^$/{s/^\[  SKIPPED \] \([A-Za-z_][A-Za-z0-9_/]*\)$/\1/p}' "$log")
done
echo "unit: $passed passed, $failed failed, $skipped skipped; $cases_skipped cases skipped"
[ $failed = 0 ]
