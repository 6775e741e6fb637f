#!/bin/bash
# tests/fuzz/coverage.sh [SECONDS]: how much of the code that reads untrusted data the fuzzers
# reach. Each target runs SECONDS (default 60) from its seeds into a scratch corpus; the corpus
# is then replayed by the same target built with clang's source-based coverage (make
# FUZZ_COV=1), and llvm-cov reports lines and functions reached over the sources the targets
# link (make fuzz-covered), for each target and for all of them together. Needs llvm-cov and
# llvm-profdata (Debian: llvm; not in make check).
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
secs=${1:-60}
cd "$top"
make -s fuzz-build >/dev/null
make -s FUZZ_COV=1 fuzz-build >/dev/null
srcs=$(make -s fuzz-covered)
seeds="tests/golden tests/golden-errors build/fuzz/seeds/image"
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
objs=()
for t in fuzz-image-reader fuzz-image-info fuzz-decoders; do
	mkdir -p "$out/$t"
	s=$seeds
	[ "$t" = fuzz-decoders ] && s=build/fuzz/seeds/decoders
	build/fuzz/$t -max_len=163840 -timeout=10 -malloc_limit_mb=96 -max_total_time="$secs" -print_final_stats=1 \
		"$out/$t" $s > "$out/$t.log" 2>&1
	LLVM_PROFILE_FILE="$out/$t.profraw" build/fuzz-cov/$t -runs=0 "$out/$t" $s > /dev/null 2>&1
	llvm-profdata merge -sparse "$out/$t.profraw" -o "$out/$t.profdata"
	printf '%-18s %6s runs  ' "$t" "$(grep -o 'stat::number_of_executed_units: [0-9]*' "$out/$t.log" |
		grep -o '[0-9]*$' || echo '?')"
	llvm-cov report "build/fuzz-cov/$t" -instr-profile="$out/$t.profdata" $srcs |
		awk '/^TOTAL/ { printf "functions %s/%s  lines %s/%s (%s)\n", $5 - $6, $5, $8 - $9, $8, $10 }'
	objs+=(-object "build/fuzz-cov/$t")
done
llvm-profdata merge -sparse "$out"/*.profraw -o "$out/all.profdata"
echo "per file, all targets together:"
llvm-cov report "${objs[@]:1}" -instr-profile="$out/all.profdata" $srcs |
	awk -v top="$top/" 'NR > 2 && !/^-/ { sub(top, "", $1);
		printf "  %-22s functions %3s/%-3s lines %4s/%-4s %s\n", $1, $5 - $6, $5, $8 - $9, $8, $10 }'
