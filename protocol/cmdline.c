/* Small files and the helper's command line; see cmdline.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "protocol/cmdline.h"

int khp_read_file(const char *path, char *buf, size_t size, size_t *ret_len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = read(fd, buf, size - 1);
	close(fd);
	if (n < 0)
		return -errno;
	buf[n] = 0;
	*ret_len = (size_t)n;
	return 0;
}

/* The CPU says it runs under a hypervisor (the "hypervisor" flag of /proc/cpuinfo). */
static bool under_hypervisor(void)
{
	char line[4096];
	bool found = false;
	FILE *f = fopen("/proc/cpuinfo", "re");

	while (f && fgets(line, sizeof(line), f))
		if (!strncmp(line, "flags", 5)) {
			found = strstr(line, " hypervisor") != NULL;
			break;
		}
	if (f)
		fclose(f);
	return found;
}

void khp_helper_cmdline(const char *extra, char *buf, size_t size)
{
	char a[4096], *tok, *save;
	size_t n = 0, len;

	if (khp_read_file("/proc/cmdline", a, sizeof(a), &len) < 0)
		a[0] = 0;
	buf[0] = 0;
	for (tok = strtok_r(a, " \n", &save); tok; tok = strtok_r(NULL, " \n", &save))
		if (!strncmp(tok, "console=", 8) && n + strlen(tok) + 2 < size)
			n += (size_t)snprintf(buf + n, size - n, "%s ", tok);
	snprintf(buf + n, size - n, "panic=5 %s%s", under_hypervisor() ? "no_timer_check " : "",
		 extra ? extra : "");
}

/* The next word of *p, quotes removed, into buf (truncated to size - 1; *ret_len its full
 * length). @return false at the end. */
static bool next_word(const char **p, char *buf, size_t size, size_t *ret_len)
{
	const char *s = *p;
	bool quoted = false;
	size_t n = 0;

	while (*s == ' ' || *s == '\t' || *s == '\n')
		s++;
	if (!*s)
		return false;
	for (; *s && (quoted || (*s != ' ' && *s != '\t' && *s != '\n')); s++) {
		if (*s == '"') {
			quoted = !quoted;
			continue;
		}
		if (n + 1 < size)
			buf[n] = *s;
		n++;
	}
	buf[n + 1 < size ? n : size - 1] = 0;
	*ret_len = n;
	*p = s;
	return true;
}

int khp_cmdline_value(const char *cmdline, const char *key, char *buf, size_t size)
{
	size_t klen = strlen(key), len;
	const char *p = cmdline;
	char word[1024];
	int r = -ENODATA;

	while (next_word(&p, word, sizeof(word), &len)) {
		if (strncmp(word, key, klen))
			continue;
		if (len >= sizeof(word) || len - klen >= size) {
			r = -ENAMETOOLONG;
			continue;
		}
		memcpy(buf, word + klen, len - klen + 1);
		r = 0;
	}
	return r;
}

bool khp_cmdline_flag(const char *cmdline, const char *flag)
{
	const char *p = cmdline;
	char word[1024];
	size_t len;

	while (next_word(&p, word, sizeof(word), &len))
		if (len < sizeof(word) && !strcmp(word, flag))
			return true;
	return false;
}

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
	ret->noresume = khp_cmdline_flag(cmdline, "noresume") ||
			khp_cmdline_flag(cmdline, "khibernate.noresume");
	r = khp_cmdline_value(cmdline, "khibernate.resume=", ret->device, sizeof(ret->device));
	if (r)
		return r;
	if (!ret->device[0])
		return -EINVAL;
	r = khp_cmdline_value(cmdline, "khibernate.resume_offset=", offset, sizeof(offset));
	if (r == -ENODATA)
		return 0;
	if (r == -ENAMETOOLONG)
		return -ERANGE;
	return r ? r : khp_parse_pages(offset, &ret->offset);
}
