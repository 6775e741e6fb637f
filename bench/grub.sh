# shellcheck shell=bash
# GRUB for make bench's direct-resume configurations (direct-ALG-N): what the Debian guest
# does from its own disk, for the lab guest that QEMU starts with -kernel.
#   bench_grub_boot_disk FILE   an ext2 image with /boot/grub/grub.cfg (what
#                               resume/grub/01_khibernate puts into a grub.cfg, run here, with
#                               GRUB's root already on this disk), an empty environment block
#                               and /boot/khibernate, where khibernate writes at hibernate time
#   bench_grub_kernel FILE      GRUB (i386-pc, grub-pc-bin) as a Linux kernel image for
#                               QEMU's -kernel (lnxboot.img + core.img), finding that disk
# The guest mounts the disk (vdb) and binds its /boot/grub and /boot/khibernate over its own.

BENCH_GRUB_DIR=/usr/lib/grub/i386-pc
BENCH_GRUB_SNIPPET=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/resume/grub/01_khibernate

bench_grub_boot_disk() {
	local tmp root
	tmp=$(mktemp -d) || return
	root=$tmp/root
	mkdir -p "$root/boot/grub" "$root/boot/khibernate" &&
		grub-editenv "$root/boot/grub/grubenv" create &&
		bench_grub_snippet "$tmp" > "$tmp/snippet" &&
		grep -qF "source \"\$khibernate_dir/boot.cfg\"" "$tmp/snippet" &&
		{
			printf '%s\n' 'serial --unit=0 --speed=115200' 'terminal_input serial' \
				'terminal_output serial' load_env
			cat "$tmp/snippet"
			printf '%s\n' 'echo "bench: GRUB found no direct resume"' halt
		} > "$root/boot/grub/grub.cfg" &&
		rm -f "$1" && mke2fs -q -t ext2 -d "$root" "$1" 64M > /dev/null
	local rc=$?
	rm -rf "$tmp"
	return $rc
}

# bench_grub_snippet DIR: what resume/grub/01_khibernate gives grub-mkconfig, with /boot on
# GRUB's root: run with a grub-mkconfig_lib of two stubs written to DIR (GRUB's root is this
# disk already, found by the core image's search), so that the bench runs the product's own
# snippet.
bench_grub_snippet() {
	cat > "$1/grub-mkconfig_lib" <<-\EOF &&
	make_system_path_relative_to_its_root() { echo "$1"; }
	prepare_grub_to_access_device() { :; }
	EOF
	GRUB_DEVICE_BOOT=bench pkgdatadir=$1 sh "$BENCH_GRUB_SNIPPET"
}

bench_grub_kernel() {
	local early
	early=$(mktemp) || return
	printf '%s\n' 'search --no-floppy --file --set=root /boot/grub/grubenv' \
		'set prefix=($root)/boot/grub' > "$early"
	grub-mkimage -O i386-pc -c "$early" -p /boot/grub -o "$1.core" biosdisk part_msdos ext2 \
		linux normal configfile echo serial terminal halt search search_fs_file loadenv test &&
		cat "$BENCH_GRUB_DIR/lnxboot.img" "$1.core" > "$1"
	local rc=$?
	rm -f "$early" "$1.core"
	return $rc
}
