/* Jumping: to the loaded image (kj_exec), back to A (kj_back), and unloading. */
#include <errno.h>
#include <unistd.h>

#include "kjump/kexec-syscall.h"
#include "kjump/kjump.h"

int kj_exec(void)
{
	/* The kernel suspends devices but does not write dirty pages back; a jump that does
	 * not return (a plain kexec, or a helper that powers off) would lose them. */
	sync();
	return kj_sys_reboot_kexec();
}

int kj_back(uint64_t entry)
{
	/* nr_segments 0 means "unload", and a zero-size segment at address 0 makes 6.12's
	 * kimage_is_destination_range() treat it as covering all memory, so the one segment
	 * sits at the entry's own page. */
	struct kj_segment seg = { .mem = entry & ~(uint64_t)(KJ_PAGE_SIZE - 1) };
	int r;

	if (entry == 0)
		return -EINVAL;
	r = kj_sys_kexec_load(entry, &seg, 1, KJ_KEXEC_ARCH | KEXEC_PRESERVE_CONTEXT);
	return r < 0 ? r : kj_exec();
}

int kj_unload(void)
{
	return kj_sys_kexec_load(0, NULL, 0, KJ_KEXEC_ARCH);
}
