/* steps: what khib-helper does, each step named once, and the one place that turns a step's
 * error into words and says it on the console.
 *
 * The parameters come through kjump's handoff (kjump's errors), are decoded by the protocol
 * (its errors), and the save and restore run the image library (its errors): the same number
 * means something else from each, so each step decodes with its own library's strerror
 * (tests/unit/test-helper.c pins the messages).
 */
#ifndef KHH_STEPS_H
#define KHH_STEPS_H

enum khh_step {
	KHH_STEP_MOUNT,      /* PID 1: mounting /proc, /sys, /dev (errno) */
	KHH_STEP_MODULES,    /* PID 1: reading the list of modules (errno) */
	KHH_STEP_MODULE,     /* PID 1: loading one module (errno) */
	KHH_STEP_HANDOFF,    /* reading the handoff A left in the region (kjump) */
	KHH_STEP_PARAMS,     /* decoding the parameters in it (protocol/) */
	KHH_STEP_ENTRY,      /* A's re-entry address on the command line (kjump) */
	KHH_STEP_DIRECT,     /* started by the boot loader: finding and checking the image */
	KHH_STEP_SAVE,       /* saving A's memory (image/) */
	KHH_STEP_RESTORE,    /* restoring A's memory (image/) */
	KHH_STEP_STATUS,     /* writing the status record into A (errno) */
	KHH_STEP_JUMP_BACK,  /* jumping back to A after a save (kjump) */
	KHH_STEP_RESUME,     /* jumping to the restored A (kjump) */
	KHH_STEP_POWER_OFF,  /* powering off or rebooting (errno) */
	KHH_STEP_COUNT
};

/*! khh_step_name() : what the step does ("saving A's memory"). */
const char *khh_step_name(enum khh_step step);

/*! khh_step_error() : what @err (negative) means when @step returned it. Never NULL. */
const char *khh_step_error(enum khh_step step, int err);

/*! khh_fail() : says "khib-helper: STEP[ ARG]: ERROR" on stderr (B's console). @arg may be
 *  NULL. */
void khh_fail(enum khh_step step, const char *arg, int err);

#endif
