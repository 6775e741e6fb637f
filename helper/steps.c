/* Step names, their errors in words, on the console; see steps.h. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "helper/steps.h"
#include "image/khimage.h"
#include "kjump/kjump.h"
#include "protocol/errors.h"

static const char *const names[KHH_STEP_COUNT] = {
	[KHH_STEP_MOUNT] = "mounting",
	[KHH_STEP_MODULES] = "reading",
	[KHH_STEP_MODULE] = "loading",
	[KHH_STEP_HANDOFF] = "reading the parameters A left",
	[KHH_STEP_PARAMS] = "reading the parameters A left",
	[KHH_STEP_ENTRY] = "finding A's re-entry address",
	[KHH_STEP_DIRECT] = "resuming straight from the boot loader (nothing written; rebooting: "
		"the initramfs of the normal boot deals with any image)",
	[KHH_STEP_SAVE] = "saving A's memory",
	[KHH_STEP_RESTORE] = "restoring A's memory (the image stays consumed; booting normally)",
	[KHH_STEP_STATUS] = "writing the status record into A",
	[KHH_STEP_JUMP_BACK] = "jumping back to A",
	[KHH_STEP_RESUME] = "jumping to the restored A",
	[KHH_STEP_POWER_OFF] = "power off",
};

const char *khh_step_name(enum khh_step step)
{
	return (unsigned)step < KHH_STEP_COUNT ? names[step] : "?";
}

static const char *direct_error(int err)
{
	switch (err) {
	case -ENODATA: return "no hibernation image waiting";
	case -ECANCELED: return "noresume on the command line";
	case -ENODEV: return "the swap area that khibernate.resume= names did not appear";
	case -EFAULT: return "this kernel does not run inside the region the image names (the "
		"boot loader put it elsewhere)";
	case -ENOKEY: return "the image is encrypted: the initramfs asks for its passphrase";
	case -ESTALE: return "the image was not made by the kernel and machine that set up this "
		"boot";
	default: return khi_strerror(err);
	}
}

const char *khh_step_error(enum khh_step step, int err)
{
	switch (step) {
	case KHH_STEP_HANDOFF:
		return err == -ENODATA ? "no kjump.handoff= on the kernel command line: this kernel "
		       "was not started by khibernate" : kj_strerror(err);
	case KHH_STEP_PARAMS:
		return khp_strerror(err);
	case KHH_STEP_ENTRY:
		return err == -ENODATA ? "no kjump.entry= on the kernel command line" :
		       kj_strerror(err);
	case KHH_STEP_SAVE:
		return err == -ENODEV ? "the disk found under the swap area's device number is "
		       "another one (its UUID differs)" : khi_strerror(err);
	case KHH_STEP_DIRECT:
		return direct_error(err);
	case KHH_STEP_RESTORE:
		return khi_strerror(err);
	case KHH_STEP_JUMP_BACK:
	case KHH_STEP_RESUME:
		return kj_strerror(err);
	default:
		return strerror(-err);
	}
}

void khh_fail(enum khh_step step, const char *arg, int err)
{
	fprintf(stderr, "khib-helper: %s%s%s: %s\n", khh_step_name(step), arg ? " " : "",
		arg ? arg : "", khh_step_error(step, err));
}
