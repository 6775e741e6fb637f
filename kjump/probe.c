/* kj_probe(): what this kernel offers for kexec jump. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>
#include <zlib.h>

#include "common/cmdline.h"
#include "common/fileio.h"
#include "kjump/internal.h"

enum kj_tristate kj_config_lookup(const char *path, const char *option)
{
	gzFile f = gzopen(path, "rb"); /* reads plain files as they are */
	enum kj_tristate ret = KJ_NO;
	size_t len = strlen(option);
	char line[256];

	if (!f)
		return KJ_UNKNOWN;
	while (gzgets(f, line, sizeof(line)))
		if (!strncmp(line, option, len) && line[len] == '=') {
			ret = line[len + 1] == 'y' || line[len + 1] == 'm' ? KJ_YES : KJ_NO;
			break;
		}
	gzclose(f);
	return ret;
}

/* The running kernel's configuration: /proc/config.gz (CONFIG_IKCONFIG_PROC), else the file
 * distributions install beside the kernel (/boot/config-RELEASE). */
static void kernel_config(struct kj_status *st)
{
	char boot[sizeof(st->config_path)];

	snprintf(boot, sizeof(boot), "/boot/config-%s", st->release);
	for (unsigned i = 0; i < 2; i++) {
		const char *path = i ? boot : "/proc/config.gz";

		st->kexec_jump = kj_config_lookup(path, "CONFIG_KEXEC_JUMP");
		if (st->kexec_jump == KJ_UNKNOWN)
			continue;
		st->randomize_base = kj_config_lookup(path, "CONFIG_RANDOMIZE_BASE");
		snprintf(st->config_path, sizeof(st->config_path), "%s", path);
		return;
	}
	st->randomize_base = KJ_UNKNOWN;
}

static enum kj_tristate kexec_loaded(void)
{
	char *s;
	size_t n;
	enum kj_tristate ret;

	if (kc_read_file("/sys/kernel/kexec_loaded", 64, &s, &n) < 0)
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
	if (kc_read_file("/sys/kernel/security/lockdown", 256, &s, &n) < 0)
		return;
	open = strchr(s, '[');
	close = open ? strchr(open, ']') : NULL;
	if (close && (size_t)(close - open - 1) < size) {
		memcpy(out, open + 1, (size_t)(close - open - 1));
		out[close - open - 1] = '\0';
	}
	free(s);
}

/* "6.12.117+deb12-amd64" -> 6, 12, 117; a missing patch level is 0 ("6.14-rc1"). */
static int parse_release(const char *s, unsigned v[3])
{
	char *end;

	v[0] = v[1] = v[2] = 0;
	for (unsigned i = 0; i < 3; i++) {
		unsigned long n;

		if (!isdigit((unsigned char)*s))
			return i < 2 ? -EINVAL : 0;
		n = strtoul(s, &end, 10);
		v[i] = n > 999999 ? 999999 : (unsigned)n;
		s = end;
		if (*s++ != '.')
			return i < 1 ? -EINVAL : 0;
	}
	return 0;
}

static int release_cmp(const unsigned a[3], const unsigned b[3])
{
	for (unsigned i = 0; i < 3; i++)
		if (a[i] != b[i])
			return a[i] < b[i] ? -1 : 1;
	return 0;
}

enum kj_release kj_release_check(const char *release)
{
	unsigned v[3], first[3], end[3];

	if (parse_release(release, v) < 0 || parse_release(KJ_RELEASE_FIRST, first) < 0 ||
	    parse_release(KJ_RELEASE_END, end) < 0)
		return KJ_RELEASE_UNKNOWN;
	if (release_cmp(v, first) < 0)
		return KJ_RELEASE_OLD;
	return release_cmp(v, end) < 0 ? KJ_RELEASE_OK : KJ_RELEASE_NEW;
}

static void helper_params(struct kj_status *st)
{
	char *cmdline;
	size_t n;

	if (kc_read_file("/proc/cmdline", KC_CMDLINE_MAX, &cmdline, &n) < 0)
		return;
	st->nokaslr = kc_cmdline_flag(cmdline, "nokaslr");
	st->in_helper = kc_cmdline_u64(cmdline, "kjump.handoff=", &st->handoff) == 0;
	if (st->in_helper && kc_cmdline_u64(cmdline, "kjump.entry=", &st->entry) < 0)
		st->entry = 0;
	free(cmdline);
}

int kj_probe(struct kj_status *ret)
{
	struct utsname u;

	memset(ret, 0, sizeof(*ret));
	if (uname(&u) == 0)
		snprintf(ret->release, sizeof(ret->release), "%s", u.release);
	kernel_config(ret);
	ret->loaded = kexec_loaded();
	ret->root = geteuid() == 0;
	lockdown_mode(ret->lockdown, sizeof(ret->lockdown));
	helper_params(ret);
	return 0;
}
