#!/bin/bash
# Install or uninstall the files the modules declare (mk/install.mk: INSTALL_FILES).
#
#   DESTDIR=... INSTALL_BASE_DIRS='...' tools/install-files.sh install|uninstall SPEC...
#
# SPEC is SRC:DEST:MODE[:config]; DEST goes under $DESTDIR.
#   install     copies each SRC to DEST with MODE, making the directories it needs (0755). A
#               config file that exists already is kept (the administrator's), and said so.
#   uninstall   removes each DEST (a config file only while it equals SRC: an edited one is
#               kept, and said so), then the directories this left empty: with DESTDIR, every
#               one up to DESTDIR (a staging tree holds nothing of anyone else; DESTDIR itself
#               stays); without, only those below INSTALL_BASE_DIRS ($(LIBDIR)/khibernate,
#               the dracut module, ...), never a base directory such as /usr/local/sbin that
#               others use too.
set -euo pipefail
umask 022

action=${1:?usage: install-files.sh install|uninstall SPEC...}
shift
destdir=${DESTDIR:-}
read -r -a base_dirs <<< "${INSTALL_BASE_DIRS:-}"

# parse SPEC: sets src, dest, mode, flag.
parse() {
	IFS=: read -r src dest mode flag <<< "$1"
	if [ -z "$src" ] || [ -z "$dest" ] || [ -z "$mode" ] || { [ -n "$flag" ] && [ "$flag" != config ]; }; then
		echo "install-files: bad INSTALL_FILES entry '$1' (SRC:DEST:MODE[:config])" >&2
		exit 1
	fi
}

is_base_dir() {
	local b
	for b in "${base_dirs[@]}"; do
		[ "$1" = "$b" ] && return 0
	done
	return 1
}

# Remove DIR and its parents while they are empty and ours (see the rule above).
prune() {
	local d=$1
	while [ "$d" != / ] && [ "$d" != . ]; do
		[ -n "$destdir" ] || ! is_base_dir "$d" || return 0
		rmdir "$destdir$d" 2>/dev/null || return 0
		d=$(dirname "$d")
	done
}

case "$action" in
install)
	for spec in "$@"; do
		parse "$spec"
		if [ "$flag" = config ] && [ -e "$destdir$dest" ]; then
			echo "  KEEP    $destdir$dest (exists; the example is $src)"
			continue
		fi
		echo "  INSTALL $destdir$dest"
		install -D -m "$mode" "$src" "$destdir$dest"
	done
	;;
uninstall)
	dirs=()
	for spec in "$@"; do
		parse "$spec"
		if [ "$flag" = config ] && [ -e "$destdir$dest" ] && ! cmp -s "$src" "$destdir$dest"; then
			echo "  KEEP    $destdir$dest (changed since it was installed)"
			continue
		fi
		if [ -e "$destdir$dest" ] || [ -L "$destdir$dest" ]; then
			echo "  RM      $destdir$dest"
			rm -f "$destdir$dest"
		fi
		dirs+=("$(dirname "$dest")")
	done
	for d in "${dirs[@]}"; do
		prune "$d"
	done
	;;
*)
	echo "install-files: unknown action '$action'" >&2
	exit 2
	;;
esac
