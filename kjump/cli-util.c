/* Parsing and error reporting shared by the kjump subcommands. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "kjump/cli.h"

/* A number with an optional K/M/G suffix. */
static int parse_size(const char *s, char **end, uint64_t *ret)
{
	uint64_t v;
	unsigned shift = 0;

	errno = 0;
	v = strtoull(s, end, 0);
	if (errno || *end == s || *s == '-')
		return -EINVAL;
	switch (**end) {
	case 'K': case 'k': shift = 10; break;
	case 'M': case 'm': shift = 20; break;
	case 'G': case 'g': shift = 30; break;
	default: break;
	}
	if (shift) {
		if (v > (UINT64_MAX >> shift))
			return -ERANGE;
		v <<= shift;
		(*end)++;
	}
	*ret = v;
	return 0;
}

int cli_parse_u64(const char *s, uint64_t *ret)
{
	char *end;
	int r = parse_size(s, &end, ret);

	return r < 0 ? r : *end ? -EINVAL : 0;
}

int cli_parse_range(const char *s, struct kj_range *ret)
{
	uint64_t a, b;
	char *end;
	char sep;

	if (parse_size(s, &end, &a) < 0 || (*end != '-' && *end != '+'))
		return -EINVAL;
	sep = *end;
	if (cli_parse_u64(end + 1, &b) < 0)
		return -EINVAL;
	if (sep == '-') {
		/* START-END, END inclusive as /proc/iomem prints it. */
		if (b < a || b == UINT64_MAX)
			return -EINVAL;
		b = b - a + 1;
	}
	*ret = (struct kj_range){ a, b };
	return 0;
}

int cli_kexec_error(int err, const char *what)
{
	struct kj_status st;

	kj_probe(&st);
	switch (err) {
	case -EPERM:
		if (!st.root)
			cli_error(0, "%s: permission denied: run as root", what);
		else if (st.lockdown[0] && strcmp(st.lockdown, "none"))
			cli_error(0, "%s: the kernel is locked down (%s; secure boot?): kexec_load is "
				  "forbidden, and kexec jump needs it", what, st.lockdown);
		else
			cli_error(0, "%s: kexec_load refused: check /proc/sys/kernel/kexec_load_disabled "
				  "and any LSM policy", what);
		return KC_EXIT_UNSUPPORTED;
	case -ENOSYS:
		cli_error(0, "%s: this kernel has no kexec_load (CONFIG_KEXEC)", what);
		return KC_EXIT_UNSUPPORTED;
	case -EINVAL:
		if (st.kexec_jump == KJ_NO) {
			cli_error(0, "%s: this kernel has no kexec jump (CONFIG_KEXEC_JUMP is not set): "
				  "boot a kernel built with it", what);
			return KC_EXIT_UNSUPPORTED;
		}
		break;
	case -EBUSY:
		cli_error(0, "%s: another kexec operation is in progress; try again", what);
		return KC_EXIT_FAILURE;
	default:
		break;
	}
	cli_error(err, "%s", what);
	return KC_EXIT_FAILURE;
}
