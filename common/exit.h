/* exit: the exit statuses of every khibernate program, one table for all.
 *
 * khibernate, khib-resume, khib-image, kjump and khib-helper exit with these and no other
 * numbers, so that a number means one thing whichever program returned it (issue 18: 3 meant
 * "not possible here" in kjump, "no image" in khib-image and "key kept" in khib-resume). Each
 * program returns the codes its column names. The EXIT STATUS section of every manual page
 * (docs/man/NAME.8) is this table: tools/exit-table prints it from the comments below, and make
 * check-man fails when a page differs.
 *
 * The initramfs scripts (resume/initramfs-tools, resume/dracut) rely only on zero against
 * non-zero: at boot khib-resume exits 0 whenever the boot goes on, and any other status makes
 * them run `khib-resume --discard` (docs/design.md, "Never a stale image").
 */
#ifndef KC_EXIT_H
#define KC_EXIT_H

/* Each comment: the programs that return the code, then what it means (one sentence each,
 * as the manual pages print it). */
enum kc_exit {
	KC_EXIT_OK = 0,          /* all: Success, or nothing to do. khib-resume: the boot goes
	                          * on (at boot: whatever became of the image, none is left; with
	                          * --device: there was no image). */
	KC_EXIT_FAILURE = 1,     /* all: Failed or refused; the message says why and what to do.
	                          * khibernate: a preflight check failed (check, status: shown as
	                          * FAIL), or the helper could not save: nothing was saved and the
	                          * system runs on. khib-resume: the swap area could not be found,
	                          * examined or cleared. */
	KC_EXIT_USAGE = 2,       /* all: Usage error, or an error in the configuration file.
	                          * khib-resume: a khibernate.resume= or resume_offset= it cannot
	                          * use. */
	KC_EXIT_NO_IMAGE = 3,    /* khib-image: No image in the swap area. */
	KC_EXIT_CONSUMED = 4,    /* khib-image: The image was already consumed by a resume. */
	KC_EXIT_CORRUPT = 5,     /* khib-image: The image is corrupt or unsupported, or needs more
	                          * memory or key-derivation work than allowed. */
	KC_EXIT_KEY = 6,         /* khib-image, khib-resume: The key or passphrase is missing or
	                          * wrong (khib-resume keeps the image; at boot it asks for the
	                          * passphrase instead, then powers off), or a key was given for an
	                          * image that is not encrypted. */
	KC_EXIT_NOT_SWAP = 7,    /* khib-image: Not a swap area, or an image is there already. */
	KC_EXIT_NO_SPACE = 8,    /* khib-image: Not enough space in the swap area. */
	KC_EXIT_UNSUPPORTED = 9, /* kjump: Not possible on this system: no kexec jump, kernel
	                          * lockdown, no reserved region or one too small, not root. */
	KC_EXIT_REFUSED = 10,    /* khib-resume: An image was refused (corrupt, foreign, its helper
	                          * not loadable) and discarded; the message says why. */
};

#endif
