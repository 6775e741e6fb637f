/* steps: what khib-resume does with an image, each step named once, and the one place that
 * turns a step's error into words.
 *
 * The same number means something else from each library: -ENOSPC from kj_load() is a region
 * too small for the restore helper, from the image library a swap area too small for an image
 * (which cannot happen here). A refusal is said as "STEP: ERROR; the image was discarded ...",
 * ERROR decoded with the strerror of the library the step ran (tests/unit/test-resume.c).
 */
#ifndef KR_STEPS_H
#define KR_STEPS_H

enum kr_step {
	KR_STEP_OPEN,      /* opening the swap area's device (errno) */
	KR_STEP_PROBE,     /* its first page: the commit record (image/) */
	KR_STEP_READ,      /* opening the image: header, tables, key (image/) */
	KR_STEP_IDENTITY,  /* the image's kernel and machine against this one's (image/, protocol/) */
	KR_STEP_PLATFORM,  /* the image's platform blob: the layout to restore in (protocol/) */
	KR_STEP_LAYOUT,    /* that layout against the firmware's memory map (protocol/memmap.h) */
	KR_STEP_LOAD,      /* loading the restore helper (kjump) */
	KR_STEP_MARK,      /* marking the image consumed (image/) */
	KR_STEP_JUMP,      /* the jump to the restore helper (kjump) */
	KR_STEP_DISCARD,   /* discarding the image (image/) */
	KR_STEP_COUNT
};

/*! kr_step_name() : what the step found or did, for "STEP: ERROR" ("the image is foreign"). */
const char *kr_step_name(enum kr_step step);

/*! kr_step_error() : what @err (negative) means when @step returned it. Never NULL. */
const char *kr_step_error(enum kr_step step, int err);

#endif
