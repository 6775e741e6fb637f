#!/bin/bash
# QEMU as make bench runs it (KHIB_QEMU=bench/qemu-wrap.sh): the harness's QEMU plus two host-side
# records of the boot, next to its NAME.console:
#   NAME.ctimes  every console line, prefixed with the host time it arrived (as NAME.results):
#                the kernels' and the helper's own lines become timestamps of their phases;
#   NAME.io      "TIME WCHAR CPU_TICKS" of the QEMU process every 0.1 s while it runs: bytes it
#                wrote through write()/pwrite() (its disk, plus the few KB of its consoles) and
#                the CPU time of all its threads (vCPUs included), to tell CPU-bound from waiting;
#   NAME.argv    QEMU's arguments, one a line (the CPU model the boot ran on: -cpu, or none).
# The records are complete when NAME.io ends with the line "end".
# The process keeps this script's pid (exec), which is how it is observed.
real=${BENCH_QEMU:-qemu-system-x86_64}
console="" prev=""
for a in "$@"; do
	[ "$prev" = -serial ] && [ "${a#file:}" != "$a" ] && console=${a#file:}
	prev=$a
done
# Only the harness's boots (NAME.console); anything else (the accelerator probe) runs as is.
[ "${console%.console}" != "$console" ] || exec "$real" "$@"
base=${console%.console} pid=$$

stamp() {
	local line
	while IFS= read -r line; do printf '%s %s\n' "$EPOCHREALTIME" "${line%$'\r'}"; done
}

watch() {
	local k v wchar=0 stat last="" tailpid
	: > "$console"
	tail -s 0.05 -n +1 -F "$console" 2>/dev/null > >(stamp > "$base.ctimes") &
	tailpid=$!
	while [ -r "/proc/$pid/io" ]; do
		while read -r k v; do [ "$k" = wchar: ] && wchar=$v; done < "/proc/$pid/io" 2>/dev/null
		read -r -a stat < "/proc/$pid/stat" 2>/dev/null || break
		# utime + stime (fields 14 and 15) in clock ticks
		if [ "$wchar ${stat[13]} ${stat[14]}" != "$last" ]; then
			last="$wchar ${stat[13]} ${stat[14]}"
			echo "$EPOCHREALTIME $wchar $((stat[13] + stat[14]))"
		fi
		sleep 0.1
	done > "$base.io"
	sleep 0.5
	kill "$tailpid" 2>/dev/null
	sleep 0.2
	echo end >> "$base.io"
}

rm -f "$base.ctimes" "$base.io"
printf '%s\n' "$@" > "$base.argv"
watch </dev/null >/dev/null 2>&1 &
exec "$real" "$@"
