/* kj_probe(): what this kernel offers for kexec jump. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "internal.h"

#define CMDLINE_MAX (64u << 10)

/* CONFIG_KEXEC_JUMP from /proc/config.gz (CONFIG_IKCONFIG_PROC). */
static enum kj_tristate config_kexec_jump(void)
{
	gzFile f = gzopen("/proc/config.gz", "rb");
	enum kj_tristate ret = KJ_NO;
	char line[256];

	if (!f)
		return KJ_UNKNOWN;
	while (gzgets(f, line, sizeof(line)))
		if (!strcmp(line, "CONFIG_KEXEC_JUMP=y\n")) {
			ret = KJ_YES;
			break;
		}
	gzclose(f);
	return ret;
}

static enum kj_tristate kexec_loaded(void)
{
	char *s;
	size_t n;
	enum kj_tristate ret;

	if (kj_read_file("/sys/kernel/kexec_loaded", 64, &s, &n) < 0)
		return KJ_UNKNOWN;
	ret = s[0] == '1' ? KJ_YES : KJ_NO;
	free(s);
	return ret;
}

/* "none [integrity] confidentiality" -> "integrity". */
static void lockdown_mode(char *out, size_t size)
{
	char *s, *open, *close;
	size_t n;

	out[0] = '\0';
	if (kj_read_file("/sys/kernel/security/lockdown", 256, &s, &n) < 0)
		return;
	open = strchr(s, '[');
	close = open ? strchr(open, ']') : NULL;
	if (close && (size_t)(close - open - 1) < size) {
		memcpy(out, open + 1, (size_t)(close - open - 1));
		out[close - open - 1] = '\0';
	}
	free(s);
}

static void helper_params(struct kj_status *st)
{
	char *cmdline;
	size_t n;

	if (kj_read_file("/proc/cmdline", CMDLINE_MAX, &cmdline, &n) < 0)
		return;
	st->in_helper = kj_cmdline_u64(cmdline, "kjump.handoff=", &st->handoff) == 0;
	if (st->in_helper && kj_cmdline_u64(cmdline, "kjump.entry=", &st->entry) < 0)
		st->entry = 0;
	free(cmdline);
}

int kj_probe(struct kj_status *ret)
{
	memset(ret, 0, sizeof(*ret));
	ret->kexec_jump = config_kexec_jump();
	ret->loaded = kexec_loaded();
	ret->root = geteuid() == 0;
	lockdown_mode(ret->lockdown, sizeof(ret->lockdown));
	helper_params(ret);
	return 0;
}
