# Host side of the live-swap tests (sourced by tests/qemu/t35*-liveswap-*.sh after lib.sh).

. "$KHIB_TOP/tests/vm/cycle.sh"

LIVESWAP=$KHIB_TOP/tests/workloads/liveswap

# liveswap_save SWAP_MIB DATA_MIB VM_BOOT_ARGS...: a disk (disk.img) and the boot "save" that
# runs save.sh with the live-swap workload and must end with a committed image, powered off.
liveswap_save() {
	vm_mkdisk disk.img "$1" "$2" &&
	vm_boot save --disk disk.img --script save.sh --workload "$LIVESWAP" "${@:3}" &&
	vm_expect_result save NONE &&
	grep -q "image committed" save.console
}

# liveswap_report SAVE RESUME: the figures of a cycle run by `cycle` as TAP comments (SAVE is
# the boot that hibernated, RESUME the one that resumed).
liveswap_report() {
	local save=$1 resume=$2
	grep -q "KV swaps_after" "$resume.results" 2>/dev/null || return 0
	test_info "workload in swap: $(($(vm_kv "$save" workload_swapped_kib) / 1024)) MiB at hibernate, $(($(vm_kv "$resume" workload_swapped_after_kib) / 1024)) MiB after the resume"
	test_info "/proc/swaps before: $(vm_kv "$save" swaps_before)"
	test_info "/proc/swaps after:  $(vm_kv "$resume" swaps_after)"
	test_info "reserved $(($(vm_kv "$resume" reserved_bytes) >> 20)) MiB in $(vm_kv "$resume" reserved_extents) extents in $(vm_kv "$resume" reserve_s) s; image $(($(vm_kv "$resume" bytes_image) >> 20)) MiB"
	test_info "hibernate (command to power-off): $(vm_elapsed "$(vm_mark_time "$save" hibernate)" "$(cat "$save.end")") s; resume (QEMU start to khibernate returned): $(vm_elapsed "$(cat "$resume.start")" "$(vm_mark_time "$resume" resumed)") s"
}
