/* Configuration file and overrides; see config.h. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "image/khimage.h"

void kh_config_init(struct kh_config *c)
{
	memset(c, 0, sizeof(*c));
	c->compression = KHI_COMPRESS_LZ4;
	snprintf(c->helper_kernel, sizeof(c->helper_kernel), "/boot/khib/bzImage");
	snprintf(c->helper_initrd, sizeof(c->helper_initrd), "/boot/khib/helper.img");
}

int kh_parse_compression(const char *s, uint32_t *ret_compression, uint32_t *ret_level)
{
	char *end;
	long level;

	if (!strcmp(s, "none") || !strcmp(s, "lz4")) {
		*ret_compression = s[0] == 'n' ? KHI_COMPRESS_NONE : KHI_COMPRESS_LZ4;
		*ret_level = 0;
		return 0;
	}
	if (strncmp(s, "lz4hc", 5))
		return -EINVAL;
	level = 0;
	if (s[5] == ':') {
		level = strtol(s + 6, &end, 10);
		if (*end || end == s + 6 || level < 1 || level > 12)
			return -EINVAL;
	} else if (s[5]) {
		return -EINVAL;
	}
	*ret_compression = KHI_COMPRESS_LZ4HC;
	*ret_level = (uint32_t)level;
	return 0;
}

static int set_str(char *dst, const char *value)
{
	if (strlen(value) >= KH_CONFIG_STR)
		return -ENAMETOOLONG;
	strcpy(dst, value);
	return 0;
}

/* A decimal number, at most max. */
static int set_uint(uint32_t *dst, const char *value, uint32_t max)
{
	char *end;
	unsigned long n;

	errno = 0;
	n = strtoul(value, &end, 10);
	if (!*value || *end || *value == '-' || errno || n > max)
		return -EINVAL;
	*dst = (uint32_t)n;
	return 0;
}

int kh_config_set(struct kh_config *c, const char *key, const char *value)
{
	if (!strcmp(key, "swap"))
		return set_str(c->swap, value);
	if (!strcmp(key, "helper_kernel"))
		return set_str(c->helper_kernel, value);
	if (!strcmp(key, "helper_initrd"))
		return set_str(c->helper_initrd, value);
	if (!strcmp(key, "helper_cmdline"))
		return set_str(c->helper_cmdline, value);
	if (!strcmp(key, "compress"))
		return kh_parse_compression(value, &c->compression, &c->level);
	if (!strcmp(key, "threads"))
		return set_uint(&c->threads, value, KHI_THREADS_MAX);
	if (!strcmp(key, "reserve"))
		return set_uint(&c->reserve_mib, value, 1u << 30);
	if (!strcmp(key, "encrypt")) {
		if (!strcmp(value, "none"))
			c->encrypt = KH_ENCRYPT_NONE;
		else if (!strcmp(value, "passphrase"))
			c->encrypt = KH_ENCRYPT_PASSPHRASE;
		else if (!strncmp(value, "keyfile:", 8) && value[8]) {
			c->encrypt = KH_ENCRYPT_KEYFILE;
			return set_str(c->keyfile, value + 8);
		} else
			return -EINVAL;
		return 0;
	}
	return -ENOENT;
}

static char *trim(char *s)
{
	char *end;

	while (isspace((unsigned char)*s))
		s++;
	end = s + strlen(s);
	while (end > s && isspace((unsigned char)end[-1]))
		*--end = 0;
	return s;
}

int kh_config_load(struct kh_config *c, const char *path, int must_exist, unsigned *ret_line)
{
	char line[1024];
	unsigned n = 0;
	int r = 0;
	FILE *f = fopen(path, "re");

	if (!f)
		return errno == ENOENT && !must_exist ? 0 : -errno;
	while (!r && fgets(line, sizeof(line), f)) {
		char *s, *eq;
		n++;
		line[strcspn(line, "#")] = 0;
		s = trim(line);
		if (!*s)
			continue;
		eq = strchr(s, '=');
		if (!eq) {
			r = -EINVAL;
			break;
		}
		*eq = 0;
		r = kh_config_set(c, trim(s), trim(eq + 1));
	}
	fclose(f);
	*ret_line = n;
	return r;
}
