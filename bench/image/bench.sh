#!/bin/bash
# make bench-image: write and read an image of SIZE_MIB (default 1024) MiB of mixed data with
# 1 and 2 threads, next to the lz4 CLI (lz4 -1) and a plain dd of the same bytes to the same
# disk, in the same run. Prints a table; writes build/bench/image.json. No assertion on times.
#   BENCH_DIR  where the files go (default build/bench: the disk under test)
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
K=$top/build/bin/khib-image
size=${SIZE_MIB:-1024}
dir=${BENCH_DIR:-$top/build/bench}
mkdir -p "$dir"
in=$dir/mixed.bin swap=$dir/swap.img dd_out=$dir/dd.out json=$top/build/bench/image.json
trap 'rm -f "$swap" "$dd_out"' EXIT

now() { date +%s.%N; }
mbps() { awk -v b="$1" -v t="$2" 'BEGIN { printf "%.0f", b / t / 1e6 }'; }
jget() { sed -n "s/.*\"$2\": \"\{0,1\}\([^,\"]*\)\"\{0,1\}.*/\1/p" "$1" | head -1; }

[ -s "$in" ] && [ "$(stat -c %s "$in")" = $((size << 20)) ] || python3 "$top/bench/image/gen-mixed.py" "$size" "$in"
bytes=$((size << 20))
cat "$in" > /dev/null   # page cache: every contender reads its input from memory

t0=$(now); lz4 -1 -q -f -c "$in" > "$dir/lz4.out"; t1=$(now)
lz4_s=$(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')
lz4_ratio=$(awk -v o="$(stat -c %s "$dir/lz4.out")" -v i="$bytes" 'BEGIN { printf "%.4f", o / i }')
rm -f "$dir/lz4.out"

t0=$(now); dd if="$in" of="$dd_out" bs=4M oflag=direct conv=fsync status=none; t1=$(now)
dd_s=$(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')
rm -f "$dd_out"

rows=() js=()
add() { rows+=("$(printf '%-28s %8s %8s %9s' "$1" "$2" "$3" "$4")"); js+=("{\"name\": \"$1\", \"MBps\": $2, \"ratio\": $3, \"seconds\": $4}"); }
add "lz4 -1 (CLI, 1 thread)" "$(mbps $bytes $lz4_s)" "$lz4_ratio" "$lz4_s"
add "dd oflag=direct" "$(mbps $bytes $dd_s)" "1.0000" "$dd_s"

for comp in lz4 none; do
	for t in 1 2; do
		rm -f "$swap"
		fallocate -l $(((size + 64) << 20)) "$swap"
		mkswap "$swap" > /dev/null 2>&1
		"$K" -q --json -c $comp -t $t write "$in" "$swap" > "$dir/w.json"
		ws=$(awk -v n="$(jget "$dir/w.json" ns_total)" 'BEGIN { print n / 1e9 }')
		add "khib-image write $comp -t$t" "$(mbps $bytes $ws)" "$(jget "$dir/w.json" ratio)" "$ws"
		"$K" -q --json -t $t verify "$swap" > "$dir/v.json"
		vs=$(awk -v n="$(jget "$dir/v.json" verify_ns_total)" 'BEGIN { print n / 1e9 }')
		add "khib-image verify $comp -t$t" "$(mbps $bytes $vs)" "$(jget "$dir/v.json" ratio)" "$vs"
	done
done
rm -f "$dir/w.json" "$dir/v.json"

printf '%-28s %8s %8s %9s\n' "what ($size MiB mixed)" "MB/s" "ratio" "seconds"
printf '%s\n' "${rows[@]}"
l=$(mbps $bytes $lz4_s) d=$(mbps $bytes $dd_s)
goal1=$((l < d ? l : d)) goal2=$((2 * l < d ? 2 * l : d))
echo "goal min(lz4 x threads, dd): $goal1 MB/s at 1 thread, $goal2 MB/s at 2; writer within 10% of it"
{ echo "{\"size_mib\": $size, \"nproc\": $(nproc), \"results\": ["; (IFS=,; echo "${js[*]}"); echo "]}"; } > "$json"
echo "json: $json"
