#!/bin/bash
# dracut module: resume a khibernate image in the pre-mount hook. Installed as
# /usr/lib/dracut/modules.d/90khibernate/. Puts khib-resume, /etc/khibernate.conf and every
# file it names (the helper's kernel and initramfs, the key file) into the initramfs, at the
# same paths; values come from `khibernate config KEY`.

check() {
	require_binaries khib-resume khibernate || return 1
	return 0
}

depends() {
	return 0
}

install() {
	local key f encrypt

	inst_binary khib-resume
	[[ -r /etc/khibernate.conf ]] && inst_simple /etc/khibernate.conf
	if ! khibernate config > /dev/null; then
		dwarning "khibernate: /etc/khibernate.conf is wrong; the resume will discard any image"
	else
		for key in helper_kernel helper_initrd; do
			f=$(khibernate config "$key")
			if [[ -r $f ]]; then
				inst_simple "$f"
			else
				dwarning "khibernate: $key $f is missing: run 'khibernate helper build'"
			fi
		done
		encrypt=$(khibernate config encrypt)
		if [[ $encrypt == keyfile:* ]]; then
			inst_simple "${encrypt#keyfile:}" ||
				dwarning "khibernate: key file ${encrypt#keyfile:} is missing"
		fi
	fi
	inst_hook pre-mount 10 "$moddir/khibernate-resume.sh"
}
