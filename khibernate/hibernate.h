/* hibernate: the jump itself. Reserve swap slots, load the helper with its parameters, jump,
 * and, when A runs again, find out from the helper's status record what happened: a
 * checkpoint (--test), a failed save, or a resume after a cold boot.
 */
#ifndef KH_HIBERNATE_H
#define KH_HIBERNATE_H

#include <stdio.h>

#include "khibernate/plan.h"
#include "khibernate/steps.h"
#include "protocol/params.h"
#include "protocol/status.h"

struct kh_run {
	enum khp_after after;        /* KHP_AFTER_POWEROFF, _REBOOT, or _JUMP_BACK (--test) */
	const uint8_t *key;         /* KHI_KEY_SIZE bytes, or NULL */
	const char *passphrase;     /* or NULL */
	/* Filled in: */
	enum kh_step step;          /* the step that failed (steps.h says it in words) */
	struct khp_status status;    /* what the helper reported */
	uint64_t reserve_ns, reserved_bytes, load_ns, away_ns;
	size_t reserved_extents;
	int verify_error;           /* --test: result of reading the image back in A */
};

/*! kh_hibernate() : p MUST come from a successful kh_plan_make(). Returns when A runs again.
 *  @return 0 (r->status says saved or restored), or the negative errno of the step r->step
 *  that failed: before the jump (nothing was left changed), or after it: the helper came back
 *  without a report (KH_STEP_REPORT) or without saving (KH_STEP_SAVE, its error). */
int kh_hibernate(const struct kh_plan *p, struct kh_run *r);

#endif
