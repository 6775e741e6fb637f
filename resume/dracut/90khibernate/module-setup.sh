#!/bin/bash
# dracut module: resume a khibernate image in the pre-mount hook.
# Install as /usr/lib/dracut/modules.d/90khibernate/module-setup.sh.
check() { [ -x /usr/sbin/khib-resume ] || return 1; return 0; }
depends() { return 0; }
install() {
	inst_binary /usr/sbin/khib-resume
	inst_simple /usr/lib/khibernate/resume-hook
	inst_simple /boot/khib/bzImage
	inst_simple /boot/khib/helper.img
	[ -r /etc/khibernate/resume-args ] && inst_simple /etc/khibernate/resume-args
	inst_hook pre-mount 10 "$moddir/khibernate-resume.sh"
}
