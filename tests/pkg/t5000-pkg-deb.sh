#!/bin/bash
test_description='make deb builds a package lintian accepts, with the files make install puts'
. "$(dirname "$0")/lib.sh"

# The .deb's files against make install's, in one format: "MODE PATH" for everything but
# directories. The rule, stated once: the .deb also holds Debian's own files, which make
# install has no business with (usr/share/doc/khibernate/: copyright, changelog.Debian.gz;
# usr/share/lintian/overrides/), and dh_compress gzips the man pages (NAME.N -> NAME.N.gz).
# Everything else must be the same set, with the same modes.
deb_files() {
	dpkg-deb -c "$1" | awk '$1 !~ /^d/ { sub(/^\.\//, "", $6); print $1, $6 }' |
		grep -vE ' usr/share/(doc/khibernate|lintian/overrides)/' |
		sed -E 's,^(.* usr/share/man/man[0-9]/.*)\.gz$,\1,' | sort
}
tree_files() {
	(cd "$1" && find . ! -type d -printf '%M %P\n') | sort
}

# Built here without dh_auto_test (nocheck): it runs the unit tests, which make check runs
# already (check-unit); plain `make deb` runs them.
test_expect_success 'make deb builds the package into build/deb/' '
	DEB_BUILD_OPTIONS=nocheck pkg_make deb &&
	deb=$(pkg_deb) && test -s "$deb" &&
	test_info "$(basename "$deb"): $(stat -c %s "$deb") bytes, installed size" \
		"$(dpkg-deb -f "$deb" Installed-Size) KiB"
'

# Every tag is listed, overridden ones as O: after the override's reason (N:). The verdict is
# read from the output: with --show-overrides, --fail-on error would count overridden errors.
test_expect_success 'lintian: no errors' '
	rc=0 &&
	lintian --fail-on none --tag-display-limit 0 -E -I --pedantic --show-overrides "$(pkg_deb)" \
		> lintian.out 2>&1 || rc=$? &&
	{ grep "^[A-Z]: " lintian.out | while read -r line; do test_info "lintian: $line"; done; } &&
	[ $rc = 0 ] && ! grep -q "^E:" lintian.out
'

test_expect_success 'make install DESTDIR= PREFIX=/usr puts exactly the .deb'"'"'s files' '
	pkg_make -s install DESTDIR="$TEST_DIR/root" PREFIX=/usr > install.out &&
	tree_files "$TEST_DIR/root" > installed.list &&
	deb_files "$(pkg_deb)" > deb.list &&
	test_info "$(wc -l < installed.list) files installed" &&
	diff -u deb.list installed.list
'

test_expect_success 'make uninstall with the same variables leaves the scratch root empty' '
	pkg_make -s uninstall DESTDIR="$TEST_DIR/root" PREFIX=/usr > uninstall.out &&
	left=$(find "$TEST_DIR/root" -mindepth 1) &&
	{ [ -z "$left" ] || { echo "left behind: $left"; false; }; }
'

test_expect_success 'an edited /etc/khibernate.conf survives install and uninstall' '
	root=$TEST_DIR/root2 &&
	pkg_make -s install DESTDIR="$root" PREFIX=/usr > /dev/null &&
	echo "swap = /dev/sda2" >> "$root/etc/khibernate.conf" &&
	cp "$root/etc/khibernate.conf" edited.conf &&
	pkg_make -s install DESTDIR="$root" PREFIX=/usr > reinstall.out &&
	grep "KEEP.*etc/khibernate.conf" reinstall.out &&
	cmp edited.conf "$root/etc/khibernate.conf" &&
	pkg_make -s uninstall DESTDIR="$root" PREFIX=/usr > /dev/null &&
	[ "$(cd "$root" && find . -mindepth 1 ! -type d)" = ./etc/khibernate.conf ] &&
	cmp edited.conf "$root/etc/khibernate.conf"
'

# Without DESTDIR (a real system), uninstall keeps the install directories themselves (BINDIR,
# MANDIR, ...: others use them too) and removes only the empty ones below them
# (LIBDIR/khibernate, the dracut module, man8, ...). allowed.list: the install directories
# and their parents; a PREFIX in the scratch directory stands for /usr/local.
test_expect_success 'without DESTDIR, uninstall keeps the install directories, nothing else' '
	p=$TEST_DIR/prefix &&
	pkg_make -s install PREFIX="$p" SYSCONFDIR="$p/etc" > /dev/null &&
	pkg_make -s uninstall PREFIX="$p" SYSCONFDIR="$p/etc" > /dev/null &&
	(cd "$p" && find . -mindepth 1 -printf "%y %P\n" | sort) > left.list &&
	printf "d %s\n" bin etc lib lib/dracut lib/dracut/modules.d lib/systemd lib/systemd/system \
		sbin share share/initramfs-tools share/man | sort > allowed.list &&
	test_info "left: $(cut -c3- left.list | tr "\n" " ")" &&
	comm -23 left.list allowed.list > unexpected.list &&
	{ [ ! -s unexpected.list ] || { echo "left behind:"; cat unexpected.list; false; }; }
'

test_done
