/* Step names and their errors in words; see steps.h. */
#include <errno.h>
#include <string.h>

#include "image/khimage.h"
#include "kjump/kjump.h"
#include "protocol/errors.h"
#include "resume/steps.h"

static const char *const names[KR_STEP_COUNT] = {
	[KR_STEP_OPEN] = "the swap area cannot be opened",
	[KR_STEP_PROBE] = "the commit record is corrupt",
	[KR_STEP_READ] = "the image cannot be read",
	[KR_STEP_IDENTITY] = "the image is foreign",
	[KR_STEP_PLATFORM] = "the image's platform record cannot be read",
	[KR_STEP_LAYOUT] = "the image's memory layout is refused",
	[KR_STEP_LOAD] = "the restore helper cannot be loaded",
	[KR_STEP_MARK] = "marking the image consumed failed",
	[KR_STEP_JUMP] = "the jump to the restore helper failed",
	[KR_STEP_DISCARD] = "the image could not be discarded",
};

const char *kr_step_name(enum kr_step step)
{
	return (unsigned)step < KR_STEP_COUNT ? names[step] : "?";
}

const char *kr_step_error(enum kr_step step, int err)
{
	switch (step) {
	case KR_STEP_PROBE:
	case KR_STEP_READ:
	case KR_STEP_MARK:
	case KR_STEP_DISCARD:
		return khi_strerror(err);
	case KR_STEP_IDENTITY:
		/* khp_kernel_id() and khp_machine_id() fail before any comparison. */
		return err == -ESTALE ? khi_strerror(err) : khp_strerror(err);
	case KR_STEP_PLATFORM:
		return khp_strerror(err);
	case KR_STEP_LAYOUT:
		return err == -ESTALE ? "the memory it names is not this machine's RAM" :
		       err == -ENOENT ? "this kernel shows no firmware memory map to check it against "
		       "(CONFIG_FIRMWARE_MEMMAP)" : strerror(-err);
	case KR_STEP_LOAD:
		/* khp_load_helper(): -EMSGSIZE is its own, the rest kj_load()'s. */
		return err == -ENOSPC ? "the region the image names is too small for the restore "
		       "helper kernel and its initramfs" : err == -EMSGSIZE ? khp_strerror(err) :
		       kj_strerror(err);
	case KR_STEP_JUMP:
		return kj_strerror(err);
	default:
		return strerror(-err);
	}
}
