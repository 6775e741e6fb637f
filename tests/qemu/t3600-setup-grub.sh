#!/bin/bash
test_description='khibernate setup: the command line it writes reaches the kernel through GRUB

In guest A (a Debian-like /etc/default/grub, update-grub and update-initramfs replaced by
stubs that record their calls): setup --dry-run prints the file and the commands and changes
nothing; setup writes /etc/default/grub.d/khibernate.cfg and runs both commands once; a second
setup changes nothing; the kernel log says what was written; kdump-tools draws a warning; a
swap file gets khibernate.resume_offset=. On the host, the file setup wrote goes through the
real grub-mkconfig and /etc/grub.d/10_linux of grub-common (copies whose only change is the
paths they read: a scratch /etc and /boot, a grub-probe stub), grub-script-check accepts the
grub.cfg (with direct resume'\''s 01_khibernate in it), and a real GRUB (grub-pc-bin, booted
by QEMU through lnxboot.img) runs its linux line: the kernel prints the exact words setup
meant. A control with the "$" escaped for the shell only (memmap=64K\$0x80000 in the file):
GRUB makes it memmap=64Kx80000, which the kernel reads as "64 KiB of RAM" and never boots.'
. "$(dirname "$0")/../vm/lib.sh"

GRUB_DIR=/usr/lib/grub/i386-pc
if [ ! -x /usr/sbin/grub-mkconfig ] || [ ! -f $GRUB_DIR/lnxboot.img ]; then
	test_skip_all 'grub-common and grub-pc-bin are needed (make deps)'
fi

cat > setup.sh <<'EOF'
. /usr/lib/khibernate/guest.sh
fail() { khib_result FAIL "$*"; }
mkdir -p /etc/default /usr/local/sbin /boot/grub
cat > /etc/default/grub <<'X'
GRUB_DEFAULT=0
GRUB_TIMEOUT=5
GRUB_DISTRIBUTOR=`lsb_release -i -s 2> /dev/null || echo Debian`
GRUB_CMDLINE_LINUX_DEFAULT="quiet"
GRUB_CMDLINE_LINUX=""
X
# update-grub as 10_linux does it: the variables, sourced, pasted into the linux line.
cat > /usr/local/sbin/update-grub <<'X'
#!/bin/sh
echo "update-grub $*" >> /tmp/calls
. /etc/default/grub
for f in /etc/default/grub.d/*.cfg; do [ -e "$f" ] && . "$f"; done
echo "	linux	/vmlinuz root=/dev/vda2 ro $GRUB_CMDLINE_LINUX $GRUB_CMDLINE_LINUX_DEFAULT" > /boot/grub/grub.cfg
X
cat > /usr/local/sbin/update-initramfs <<'X'
#!/bin/sh
echo "update-initramfs $*" >> /tmp/calls
touch "/boot/initrd.img-$(uname -r)"
X
chmod +x /usr/local/sbin/update-grub /usr/local/sbin/update-initramfs
export PATH=/usr/local/sbin:$PATH
echo 'swap = /dev/vda1' > /etc/khibernate.conf
cfg=/etc/default/grub.d/khibernate.cfg

khibernate setup --dry-run > /tmp/dry 2>&1 || fail "dry run: exit $?: $(cat /tmp/dry)"
cat /tmp/dry
[ ! -e $cfg ] && [ ! -e /tmp/calls ] || fail "the dry run changed something"
grep -q "would write $cfg" /tmp/dry && grep -q "would run: update-grub" /tmp/dry &&
	grep -q "would run: update-initramfs -u -k $(uname -r)" /tmp/dry &&
	grep -q "^  | GRUB_CMDLINE_LINUX=" /tmp/dry || fail "dry run does not show every change"

khibernate setup > /tmp/first 2>&1 || fail "setup: exit $?: $(cat /tmp/first)"
cat /tmp/first
[ -s $cfg ] || fail "no $cfg"
[ "$(grep -c . /tmp/calls)" = 2 ] && grep -q "^update-grub" /tmp/calls &&
	grep -q "^update-initramfs -u -k $(uname -r)" /tmp/calls || fail "calls: $(cat /tmp/calls)"
grep -q "reboot to start using it" /tmp/first || fail "no reboot notice"
dmesg | grep -q "khibernate: setup: wrote $cfg" || fail "not in the kernel log"
uuid=$(od -An -tx1 -j1036 -N16 /dev/vda1 | tr -d ' \n' |
	sed 's/\(........\)\(....\)\(....\)\(....\)/\1-\2-\3-\4-/')
grep -q "khibernate.resume=UUID=$uuid" /tmp/first || fail "not the swap's UUID $uuid: $(cat /tmp/first)"

khibernate setup > /tmp/second 2>&1 || fail "second setup: exit $?: $(cat /tmp/second)"
cat /tmp/second
grep -q "nothing to change" /tmp/second && [ "$(grep -c . /tmp/calls)" = 2 ] ||
	fail "the second setup changed something: $(cat /tmp/calls)"

# kdump-tools wants the same memory: warned, nothing else changes.
touch /etc/default/kdump-tools
khibernate setup --dry-run > /tmp/kdump 2>&1 || fail "kdump dry run: exit $?"
grep -q "khibernate: setup: kdump uses the crashkernel= memory too" /tmp/kdump || fail "no kdump warning"
rm /etc/default/kdump-tools

# A swap file: its own UUID and the page offset of its header on the filesystem's device.
mke2fs -q -b 4096 /dev/vda2 && mkdir -p /mnt && mount /dev/vda2 /mnt &&
	dd if=/dev/zero of=/mnt/swapfile bs=1M count=32 2>/dev/null && mkswap /mnt/swapfile > /dev/null &&
	swapon /mnt/swapfile || fail "swap file"
khibernate setup --dry-run --swap /mnt/swapfile > /tmp/file 2>&1 || fail "swap file: $(cat /tmp/file)"
grep -q "khibernate.resume=UUID=.* khibernate.resume_offset=[1-9][0-9]*$" /tmp/file ||
	fail "swap file words: $(cat /tmp/file)"

sed 's/^/CFG /' $cfg > $KHIB_RESULTS
khib_result PASS "dry run, setup, second run, kdump warning, swap file"
EOF

test_expect_success QEMU 'setup in guest A: dry run, write, idempotent, kernel log, kdump, swap file' '
	vm_mkdisk disk.img 1536 64 &&
	vm_boot setup --disk disk.img --script setup.sh --timeout 300 &&
	vm_expect_result setup PASS &&
	tr -d "\r" < setup.raw | sed -n "s/^CFG //p" > khibernate.cfg &&
	grep -q "^GRUB_CMDLINE_LINUX=" khibernate.cfg &&
	sed -n "s/^#   kernel: //p" khibernate.cfg > words &&
	grep -qF "memmap=64K\$0x80000" words
'

# mkconfig_tree DIR CFG: a scratch /etc and /boot holding Debian-like GRUB settings, the file
# setup wrote, our kernel as /boot/vmlinuz-VERSION, and copies of grub-mkconfig and 10_linux
# that read them instead of the real ones.
mkconfig_tree() {
	local dir=$1 cfg=$2 ver=6.12.117
	rm -rf "$dir" && mkdir -p "$dir/etc/default/grub.d" "$dir/etc/grub.d" "$dir/boot" "$dir/bin" &&
	cat > "$dir/etc/default/grub" <<-\X &&
	GRUB_DEFAULT=0
	GRUB_TIMEOUT=5
	GRUB_DISTRIBUTOR=Debian
	GRUB_CMDLINE_LINUX_DEFAULT=""
	GRUB_CMDLINE_LINUX="console=ttyS0 panic=-1"
	GRUB_TERMINAL=console
	X
	cp "$cfg" "$dir/etc/default/grub.d/khibernate.cfg" &&
	cp -L "$KHIB_BUILD/kernel/bzImage" "$dir/boot/vmlinuz-$ver" &&
	: > "$dir/boot/initrd.img-$ver" &&
	printf '#!/bin/sh\ncase "$*" in\n*--target=device*) echo /dev/sda1 ;;\n*--target=fs_uuid*) echo 0123-4567 ;;\n*--target=fs*) echo ext2 ;;\nesac\n' > "$dir/bin/grub-probe" &&
	chmod +x "$dir/bin/grub-probe" &&
	sed -e "s|^sysconfdir=\"/etc\"|sysconfdir=\"$dir/etc\"|" \
	    -e "s|^grub_probe=\"\${sbindir}/grub-probe\"|grub_probe=\"$dir/bin/grub-probe\"|" \
		/usr/sbin/grub-mkconfig > "$dir/bin/grub-mkconfig" &&
	sed -e "s| /boot/| $dir/boot/|g" /etc/grub.d/10_linux > "$dir/etc/grub.d/10_linux" &&
	sed -e "s|_root /boot)|_root $dir/boot)|" "$KHIB_TOP/resume/grub/01_khibernate" \
		> "$dir/etc/grub.d/01_khibernate" &&
	chmod +x "$dir/bin/grub-mkconfig" "$dir/etc/grub.d/10_linux" "$dir/etc/grub.d/01_khibernate" &&
	grep -q "^sysconfdir=\"$dir/etc\"" "$dir/bin/grub-mkconfig" &&
	grep -q "$dir/boot/vmlinuz-" "$dir/etc/grub.d/10_linux"
}

# grub_boot NAME LINUX_LINE [echo]: a real GRUB, in QEMU, runs the linux line (its path made
# /boot/vmlinuz on a small ext2 disk); our kernel panics without a root and QEMU exits.
# NAME.console holds the serial output, NAME.cmdline the command line the kernel printed.
# With "echo", GRUB prints the line's arguments as it expanded them instead, and halts.
grub_boot() {
	local name=$1 line=$2 cmd=linux end=""
	# GRUB's serial terminal wraps long lines: one argument per line, from a loop over the
	# same words (expanded as the linux command's are).
	[ "${3:-}" != echo ] || { cmd="for a in"; end='; do echo "KHIB-ARG: $a"; done; halt'; }
	rm -rf "$name.root" && mkdir -p "$name.root/boot/grub" &&
	cp -L "$KHIB_BUILD/kernel/bzImage" "$name.root/boot/vmlinuz" &&
	{
		echo 'serial --unit=0 --speed=115200'
		echo 'terminal_input serial'
		echo 'terminal_output serial'
		echo 'set timeout=0'
		echo "menuentry 'khibernate setup test' {"
		printf '%s%s\n' "$(printf '%s\n' "$line" |
			sed -E "s#^[[:space:]]*linux[[:space:]]+[^[:space:]]+#\t$cmd /boot/vmlinuz#")" "$end"
		echo '}'
	} > "$name.root/boot/grub/grub.cfg" &&
	rm -f "$name.disk" && mke2fs -q -t ext2 -d "$name.root" "$name.disk" 16M &&
	grub-mkimage -O i386-pc -p '(hd0)/boot/grub' -o "$name.core" \
		biosdisk ext2 linux normal configfile echo serial terminal halt &&
	cat $GRUB_DIR/lnxboot.img "$name.core" > "$name.lnx" &&
	timeout -k 5 120 $KHIB_QEMU -nodefaults -no-user-config -display none -no-reboot \
		$(vm_accel) -m 512 -kernel "$name.lnx" \
		-drive "file=$name.disk,format=raw,if=ide" -serial "file:$name.console"
	if [ -n "$end" ]; then
		tr -d '\r' < "$name.console" | sed -n 's/.*KHIB-ARG: //p' | tr '\n' ' '
	else
		grep -a "Command line: " "$name.console" | head -1 | sed 's/.*Command line: //' | tr -d '\r'
	fi > "$name.cmdline"
	test -s "$name.cmdline"
}

# escaped_memmap FILE: lines holding memmap=64K\$0x80000, as grub.cfg must have it.
escaped_memmap() {
	grep -cF 'memmap=64K\$0x80000' "$1"
}

# escape_once FILE: the file with the "$" escaped for the shell only (\$ instead of \\\$).
escape_once() {
	sed 's/memmap=64K\\\\\\\$/memmap=64K\\$/' "$1"
}

# has_words FILE WORDS...: each word is a whole word of the command line in FILE.
has_words() {
	local file=$1 w
	shift
	for w in "$@"; do
		tr ' ' '\n' < "$file" | grep -qxF -- "$w" || { echo "missing '$w' in $(cat "$file")" >&2; return 1; }
	done
}

test_expect_success 'grub-mkconfig turns the file into grub.cfg lines that grub-script-check accepts' '
	mkconfig_tree tree khibernate.cfg &&
	tree/bin/grub-mkconfig -o tree/grub.cfg 2> mkconfig.err &&
	grub-script-check tree/grub.cfg &&
	grep -q "^  if save_env khibernate_resume; then$" tree/grub.cfg &&
	grep -q "source \"\$khibernate_dir/boot.cfg\"" tree/grub.cfg &&
	grep -E "^[[:space:]]*linux[[:space:]]" tree/grub.cfg > linux-lines &&
	test "$(grep -c "single" linux-lines)" -ge 1 &&
	test "$(escaped_memmap linux-lines)" = "$(grep -c . linux-lines)"
'

test_expect_success QEMU 'GRUB boots the normal entry: the kernel gets every word exactly' '
	grub_boot normal "$(grep -v single linux-lines | head -1)" &&
	has_words normal.cmdline $(cat words) console=ttyS0 &&
	! grep -q "memmap=64Kx80000" normal.cmdline &&
	grep -aq "user: \[mem 0x0000000000080000-0x000000000008ffff\] reserved" normal.console &&
	grep -aq "crashkernel reserved: 0x0000000010000000 - 0x0000000018000000 (128 MB)" normal.console
'

test_expect_success QEMU 'GRUB boots the recovery entry: it has the words too' '
	grub_boot recovery "$(grep single linux-lines | head -1)" &&
	has_words recovery.cmdline $(cat words) single
'

# The kernel reads memmap=64Kx80000 as memmap=64K, "use 64 KiB of RAM", and stops before its
# console is up: GRUB's echo shows what it made of the line instead.
test_expect_success QEMU 'control: "$" escaped for the shell only: GRUB passes memmap=64Kx80000' '
	escape_once khibernate.cfg > once.cfg &&
	! cmp -s once.cfg khibernate.cfg &&
	mkconfig_tree tree-once once.cfg &&
	tree-once/bin/grub-mkconfig -o tree-once/grub.cfg 2> /dev/null &&
	grub_boot once "$(grep -E "^[[:space:]]*linux[[:space:]]" tree-once/grub.cfg | grep -v single | head -1)" echo &&
	has_words once.cmdline memmap=64Kx80000
'

test_info "setup wrote: $(grep ^GRUB_CMDLINE_LINUX= khibernate.cfg 2>/dev/null)"
test_info "grub.cfg: $(grep -v single linux-lines 2>/dev/null | head -1 | sed "s/^[[:space:]]*//")"
test_info "the kernel saw: $(cat normal.cmdline 2>/dev/null)"
test_done
