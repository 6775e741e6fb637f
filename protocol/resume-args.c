/* What khib-resume reads from the kernel command line; see resume-args.h. */
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "common/cmdline.h"
#include "protocol/resume-args.h"

int khp_parse_pages(const char *s, uint64_t *ret_bytes)
{
	uint64_t pages = 0;

	if (!*s)
		return -EINVAL;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return -EINVAL;
		if (pages > (INT64_MAX / 4096 - (uint64_t)(*s - '0')) / 10)
			return -ERANGE;
		pages = pages * 10 + (uint64_t)(*s - '0');
	}
	*ret_bytes = pages * 4096;
	return 0;
}

int khp_resume_args_parse(const char *cmdline, struct khp_resume_args *ret)
{
	char offset[32];
	int r;

	memset(ret, 0, sizeof(*ret));
	ret->noresume = kc_cmdline_flag(cmdline, "noresume") ||
			kc_cmdline_flag(cmdline, "khibernate.noresume");
	r = kc_cmdline_value(cmdline, "khibernate.resume=", ret->device, sizeof(ret->device));
	if (r)
		return r;
	if (!ret->device[0])
		return -EINVAL;
	r = kc_cmdline_value(cmdline, "khibernate.resume_offset=", offset, sizeof(offset));
	if (r == -ENODATA)
		return 0;
	if (r == -ENAMETOOLONG)
		return -ERANGE;
	return r ? r : khp_parse_pages(offset, &ret->offset);
}
