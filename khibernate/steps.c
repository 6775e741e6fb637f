/* Step names and their errors in words; see steps.h. */
#include <errno.h>
#include <string.h>

#include "image/khimage.h"
#include "khibernate/steps.h"
#include "kjump/kjump.h"
#include "protocol/errors.h"

static const char *const names[KH_STEP_COUNT] = {
	[KH_STEP_STATUS_PAGE] = "locking a status page",
	[KH_STEP_RESERVE] = "reserving swap slots",
	[KH_STEP_PARAMS] = "preparing the helper's parameters",
	[KH_STEP_LOAD] = "loading the helper kernel",
	[KH_STEP_JUMP] = "jumping to the helper kernel",
	[KH_STEP_REPORT] = "the helper came back without a report",
	[KH_STEP_SAVE] = "the helper could not save memory",
	[KH_STEP_GROW] = "reserving more swap slots",
	[KH_STEP_VERIFY] = "reading the image back failed",
};

const char *kh_step_name(enum kh_step step)
{
	return (unsigned)step < KH_STEP_COUNT ? names[step] : "?";
}

/* /dev/snapshot's answers, for the first reservation and for growing it. */
static const char *reserve_error(int err)
{
	switch (err) {
	case -ENOSPC: return "not enough free swap";
	case -EPERM: return "the swap area is held by another hibernation, or lockdown is on";
	case -EBUSY: return "/dev/snapshot is in use (is another hibernation running?)";
	default: return strerror(-err);
	}
}

const char *kh_step_error(enum kh_step step, int err)
{
	switch (step) {
	case KH_STEP_RESERVE:
	case KH_STEP_GROW:
		return reserve_error(err);
	case KH_STEP_PARAMS:
		return khp_strerror(err);
	case KH_STEP_LOAD:
		/* khp_load_helper(): -EMSGSIZE is its own, the rest kj_load()'s. */
		return err == -ENOSPC ? "the reserved region is too small for the helper (see above)" :
		       err == -EMSGSIZE ? khp_strerror(err) : kj_strerror(err);
	case KH_STEP_JUMP:
		return kj_strerror(err);
	case KH_STEP_REPORT:
		return khp_strerror(err);
	case KH_STEP_SAVE:
		/* The helper checks the swap header's UUID before it writes (params v2). */
		return err == -ENODEV ? "the disk the helper kernel found under the swap area's "
		       "device number is another one (its UUID differs)" : khi_strerror(err);
	case KH_STEP_VERIFY:
		return khi_strerror(err);
	default:
		return strerror(-err);
	}
}
