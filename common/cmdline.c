/* Words of a kernel command line; see cmdline.h. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/cmdline.h"

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

/* The next word "key=VALUE": 1 and VALUE in buf, -ENAMETOOLONG (skipped), 0 at the end. */
static int next_value(const char **p, const char *key, char *buf, size_t size)
{
	size_t klen = strlen(key), len;
	char word[1024];

	while (next_word(p, word, sizeof(word), &len)) {
		if (strncmp(word, key, klen))
			continue;
		if (len >= sizeof(word) || len - klen >= size)
			return -ENAMETOOLONG;
		memcpy(buf, word + klen, len - klen + 1);
		return 1;
	}
	return 0;
}

bool kc_cmdline_next(const char **p, const char *key, char *buf, size_t size)
{
	int r;

	while ((r = next_value(p, key, buf, size)) < 0)
		;
	return r > 0;
}

int kc_cmdline_value(const char *cmdline, const char *key, char *buf, size_t size)
{
	const char *p = cmdline;
	int r, ret = -ENODATA;

	while ((r = next_value(&p, key, buf, size)) != 0)
		ret = r < 0 ? r : 0;
	return ret;
}

bool kc_cmdline_flag(const char *cmdline, const char *flag)
{
	const char *p = cmdline;
	char word[1024];
	size_t len;

	while (next_word(&p, word, sizeof(word), &len))
		if (len < sizeof(word) && !strcmp(word, flag))
			return true;
	return false;
}

int kc_cmdline_u64(const char *cmdline, const char *key, uint64_t *ret)
{
	char value[32], *end;
	int r = kc_cmdline_value(cmdline, key, value, sizeof(value));

	if (r == -ENAMETOOLONG)
		return -EINVAL;
	if (r < 0)
		return r;
	errno = 0;
	*ret = strtoull(value, &end, 0);
	return errno || end == value || *end || value[0] == '-' ? -EINVAL : 0;
}
