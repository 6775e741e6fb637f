/* The kexec_load(2) and reboot(2) calls kjump makes, in one place. */
#ifndef KJ_KEXEC_SYSCALL_H
#define KJ_KEXEC_SYSCALL_H

#include <errno.h>
#include <linux/kexec.h>
#include <linux/reboot.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "kjump/segments.h"

/* x86_64 only for now: the purgatory and boot_params are x86_64. */
#define KJ_KEXEC_ARCH KEXEC_ARCH_X86_64

static inline int kj_sys_kexec_load(uint64_t entry, const struct kj_segment *seg, unsigned nr,
				    unsigned long flags)
{
	struct kexec_segment ks[KJ_MAX_SEGMENTS];
	unsigned i;

	if (nr > KJ_MAX_SEGMENTS)
		return -EINVAL;
	for (i = 0; i < nr; i++)
		ks[i] = (struct kexec_segment){
			.buf = seg[i].buf, .bufsz = seg[i].bufsz,
			.mem = (const void *)(uintptr_t)seg[i].mem, .memsz = seg[i].memsz,
		};
	return syscall(SYS_kexec_load, (unsigned long)entry, (unsigned long)nr, ks, flags) < 0 ? -errno : 0;
}

static inline int kj_sys_reboot_kexec(void)
{
	return syscall(SYS_reboot, LINUX_REBOOT_MAGIC1, LINUX_REBOOT_MAGIC2, LINUX_REBOOT_CMD_KEXEC,
		       NULL) < 0 ? -errno : 0;
}

#endif
