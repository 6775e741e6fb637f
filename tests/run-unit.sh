#!/bin/bash
# Run unit-test binaries (cmocka); exit status 77 means "skipped here". Prints one line per
# binary and a closing "N passed, N failed, N skipped" line.
passed=0 failed=0 skipped=0
for t in "$@"; do
	log=$t.log
	"$t" > "$log" 2>&1
	rc=$?
	case $rc in
	0) passed=$((passed + 1)); echo "PASS $t" ;;
	77) skipped=$((skipped + 1)); echo "SKIP $t: $(tail -1 "$log")" ;;
	*) failed=$((failed + 1)); echo "FAIL $t (exit $rc):"; tail -40 "$log" ;;
	esac
done
echo "unit: $passed passed, $failed failed, $skipped skipped"
[ $failed = 0 ]
