# shellcheck shell=bash
# GRUB for make bench's direct-resume configurations (direct-ALG-N): what the Debian guest
# does from its own disk, for the lab guest that QEMU starts with -kernel.
#   bench_grub_boot_disk FILE   an ext2 image with /boot/grub/grub.cfg (what
#                               resume/grub/01_khibernate puts into a grub.cfg, with GRUB's
#                               root already on this disk), an empty environment block
#                               and /boot/khibernate, where khibernate writes at hibernate time
#   bench_grub_kernel FILE      GRUB (i386-pc, grub-pc-bin) as a Linux kernel image for
#                               QEMU's -kernel (lnxboot.img + core.img), finding that disk
# The guest mounts the disk (vdb) and binds its /boot/grub and /boot/khibernate over its own.

BENCH_GRUB_DIR=/usr/lib/grub/i386-pc

bench_grub_boot_disk() {
	local root
	root=$(mktemp -d) || return
	mkdir -p "$root/boot/grub" "$root/boot/khibernate" &&
		grub-editenv "$root/boot/grub/grubenv" create &&
		cat > "$root/boot/grub/grub.cfg" <<-\EOF
		serial --unit=0 --speed=115200
		terminal_input serial
		terminal_output serial
		load_env
		if [ "${khibernate_resume}" ]; then
		  set khibernate_resume=
		  if save_env khibernate_resume; then
		    set khibernate_dir=/boot/khibernate
		    set khibernate_skip=
		    if [ -f "$prefix/$grub_cpu-$grub_platform/keystatus.mod" ]; then
		      insmod keystatus
		      if keystatus --shift; then
		        set khibernate_skip=1
		      fi
		    fi
		    if [ "$khibernate_skip" ]; then
		      echo "khibernate: Shift held, no direct resume: the initramfs resumes the image"
		    elif [ -f "$khibernate_dir/boot.cfg" ]; then
		      source "$khibernate_dir/boot.cfg"
		    fi
		  fi
		fi
		echo "bench: GRUB found no direct resume"
		halt
		EOF
	[ $? = 0 ] && rm -f "$1" && mke2fs -q -t ext2 -d "$root" "$1" 64M > /dev/null
	local rc=$?
	rm -rf "$root"
	return $rc
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
