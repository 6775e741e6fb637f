/* resume: the boot-time half of khibernate (khib-resume, run from the initramfs).
 *
 * Finds a committed image in the configured swap area and decides: resume it (load the restore
 * helper into the region the image names, mark the image consumed, jump: never returns), or
 * refuse it with the reason (corrupt, truncated, another kernel or machine) and put the swap
 * area back so the boot goes on normally with swap usable. Marking comes after everything that
 * can fail short of the jump and before the jump itself: a crash from then on cannot resume the
 * same image twice, and a refused image never survives into a normally booted system, which
 * would change the disks under it.
 */
#ifndef KHIB_RESUME_H
#define KHIB_RESUME_H

#include <stdint.h>
#include <stdio.h>

#include "image/khimage.h"

enum kr_outcome {
	KR_NO_IMAGE,     /* nothing to resume: boot on */
	KR_REFUSED,      /* an image was there and was refused and discarded: boot on */
	KR_KEPT,         /* encrypted and the key was wrong or missing: the image stays; do not
	                    boot on with it in place (ask again, or discard it) */
	KR_FAILED,       /* could not even look (I/O, not a swap area): nothing changed */
};

struct kr_opts {
	const char *device;          /* the block device holding the swap area */
	uint64_t offset;             /* byte offset of the swap header on it (swap files) */
	const char *helper_kernel;
	const char *helper_initrd;
	const char *helper_cmdline;  /* extra arguments */
	const uint8_t *key;          /* KHI_KEY_SIZE bytes, or NULL */
	const char *passphrase;      /* or NULL */
	unsigned threads;            /* for the restore helper, 0 = all CPUs */
	FILE *log;                   /* messages for the console */
};

/*! kr_resume() : does it all. Returns only when the boot should go on (or stop, KR_KEPT);
 *  *ret_error holds the reason (negative errno) for KR_REFUSED, KR_KEPT, KR_FAILED. */
enum kr_outcome kr_resume(const struct kr_opts *o, int *ret_error);

#endif
