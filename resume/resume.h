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
#ifndef KR_RESUME_H
#define KR_RESUME_H

#include <stdint.h>

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
	uint32_t kdf_passes_max;     /* Argon2id costs accepted from the image's header */
	uint32_t kdf_memory_max_kib; /* (kdf_*_max of khibernate.conf); 0 = the library's */
	unsigned threads;            /* for the restore helper, 0 = all CPUs */
};

/*! kr_resume() : does it all. Returns only when the boot should go on (or stop, KR_KEPT);
 *  *ret_error holds the reason (negative errno) for KR_REFUSED, KR_KEPT, KR_FAILED. A
 *  swap header offset beyond the end of the device is KR_FAILED with -ERANGE. */
enum kr_outcome kr_resume(const struct kr_opts *o, int *ret_error);

/*! kr_discard() : removes any image (committed, consumed or corrupt) from o->device and says
 *  so (protocol/log.h) with the reason @why ("noresume is on the command line"); says nothing
 *  when there is none. @return 0 (discarded, or there was none) or -errno (also said). */
int kr_discard(const struct kr_opts *o, const char *why);

/*! kr_ask_passphrase() : asks the person at the machine for the image's passphrase:
 *  through systemd-ask-password when systemd runs (the initramfs of dracut and of systemd
 *  distributions), else through plymouth when it shows a splash, else on /dev/console with
 *  echo off. Blocks until a line is entered. @return 0 and buf (the line, without its
 *  newline; NUL terminated); -ECANCELED (no answer: end of input, the agent gave up);
 *  -ENOBUFS (longer than size - 1); -errno. buf is wiped on failure. */
int kr_ask_passphrase(const char *prompt, char *buf, size_t size);

/*! kr_read_line() : what kr_ask_passphrase() does with the console, on any fd pair: writes
 *  prompt to out, reads one line from in with echo off if in is a terminal. Same returns. */
int kr_read_line(int in, int out, const char *prompt, char *buf, size_t size);

#endif
