/* steps: what khibernate does between the preflight and the return, each step named once, and
 * the one place that turns a step's error into words.
 *
 * An error is only meaningful with its origin: -ENOSPC from kj_load() is a region too small
 * for the helper, from the reservation too little free swap, and from the helper's save an
 * image that outgrew its slots. Each step knows which library (or system call) it ran, and
 * kh_step_error() decodes the error with that library's strerror, or with the words this
 * command has for the step (the special cases below). tests/unit/test-khibernate.c pins them.
 */
#ifndef KH_STEPS_H
#define KH_STEPS_H

enum kh_step {
	KH_STEP_STATUS_PAGE,  /* locking a page for the helper's status record (errno) */
	KH_STEP_RESERVE,      /* reserving swap slots through /dev/snapshot (errno) */
	KH_STEP_PARAMS,       /* the helper's parameters: identities, encoding (protocol/) */
	KH_STEP_LOAD,         /* loading the helper kernel (kjump) */
	KH_STEP_JUMP,         /* jumping to the helper kernel (kjump) */
	KH_STEP_REPORT,       /* reading the helper's status record when A runs again (protocol/) */
	KH_STEP_SAVE,         /* the helper's save: the error it left in the record (image/) */
	KH_STEP_GROW,         /* reserving more swap slots after -ENOSPC from the save (errno) */
	KH_STEP_VERIFY,       /* reading the image back in A, and discarding it (image/) */
	KH_STEP_COUNT
};

/*! kh_step_name() : what the step does, for "STEP: ERROR" ("loading the helper kernel"). */
const char *kh_step_name(enum kh_step step);

/*! kh_step_error() : what @err (negative) means when @step returned it. Never NULL. */
const char *kh_step_error(enum kh_step step, int err);

#endif
