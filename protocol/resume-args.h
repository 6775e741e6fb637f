/* resume-args: what khib-resume reads from the kernel command line: khibernate.resume=DEVICE,
 * khibernate.resume_offset=PAGES, noresume and khibernate.noresume (docs/design.md, "The
 * kernel command line at boot"); words as common/cmdline.h splits them, the last one counts.
 */
#ifndef KHP_RESUME_ARGS_H
#define KHP_RESUME_ARGS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*! khp_parse_pages() : a page count (decimal digits only: no sign, no blanks, no 0x) into a
 *  byte offset, pages × 4096. @return 0; -EINVAL (not such a number); -ERANGE (the bytes
 *  overflow 63 bits: no device is that large, and an off_t must hold it). */
int khp_parse_pages(const char *s, uint64_t *ret_bytes);

/* What khib-resume reads from the kernel command line. */
struct khp_resume_args {
	char device[256];   /* khibernate.resume=: /dev/..., UUID=, PARTUUID=, LABEL= */
	uint64_t offset;    /* khibernate.resume_offset= × 4096 (swap files), else 0 */
	bool noresume;      /* noresume or khibernate.noresume */
};

/*! khp_resume_args_parse() : fills ret from cmdline. noresume is set even when the result is
 *  an error. @return 0; -ENODATA (no khibernate.resume=: not configured); -EINVAL (empty
 *  device, or a resume_offset= that khp_parse_pages refuses); -ERANGE; -ENAMETOOLONG. */
int khp_resume_args_parse(const char *cmdline, struct khp_resume_args *ret);

#endif
