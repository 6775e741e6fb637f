/* kj_strerror(): what libkjump's error codes mean; see kjump.h, "Errors". */
#include <errno.h>
#include <string.h>

#include "kjump/kjump.h"

const char *kj_strerror(int err)
{
	switch (err) {
	case -ENOEXEC:
		return "not an x86 bzImage";
	case -EPROTONOSUPPORT:
		return "unsupported: a kernel too old (boot protocol before 2.12), not 64-bit or "
		       "not relocatable, or a layout or handoff of another version";
	case -EBADMSG:
		return "corrupt or truncated layout, handoff or kernel (checksum or size mismatch)";
	case -ENODATA:
		return "no region reserved for the helper (crashkernel=), or no kjump.handoff= on "
		       "the kernel command line";
	case -ENOSPC:
		return "the reserved region is too small for the helper kernel and its initramfs";
	case -E2BIG:
		return "too many memory map entries, or a command line too long for the kernel";
	case -ENOBUFS:
		return "buffer too small";
	case -EPERM:
		return "kexec_load(2) not allowed: not root, or kernel lockdown (secure boot)";
	case -EINVAL:
		return "the kernel refused the kexec image (built without CONFIG_KEXEC_JUMP?), or "
		       "a layout that cannot confine the helper";
	case -ENOSYS:
		return "this kernel has no kexec_load(2) (CONFIG_KEXEC)";
	case -EBUSY:
		return "another kexec operation is in progress";
	default:
		return strerror(-err);
	}
}
