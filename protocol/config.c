/* Configuration file and overrides; see config.h. */
#include <ctype.h>
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "image/khimage.h"
#include "protocol/config.h"

enum key_type { K_STR, K_UINT, K_COMPRESS, K_ENCRYPT, K_REGION };

/* Every key once: its name, where it lives, how it is spelled. The order is the order of
 * `khibernate config`. */
static const struct key {
	const char *name;
	enum key_type type;
	size_t offset;  /* K_STR, K_UINT */
	uint32_t max;   /* K_UINT */
} keys[] = {
	{ "swap", K_STR, offsetof(struct khp_config, swap), 0 },
	{ "threads", K_UINT, offsetof(struct khp_config, threads), KHI_THREADS_MAX },
	{ "compress", K_COMPRESS, 0, 0 },
	{ "encrypt", K_ENCRYPT, 0, 0 },
	{ "helper_kernel", K_STR, offsetof(struct khp_config, helper_kernel), 0 },
	{ "helper_initrd", K_STR, offsetof(struct khp_config, helper_initrd), 0 },
	{ "helper_cmdline", K_STR, offsetof(struct khp_config, helper_cmdline), 0 },
	{ "reserve", K_UINT, offsetof(struct khp_config, reserve_mib), 1u << 30 },
	/* The format's own limits: 64 passes, 1 GiB. */
	{ "kdf_passes_max", K_UINT, offsetof(struct khp_config, kdf_passes_max), 64 },
	{ "kdf_memory_max", K_UINT, offsetof(struct khp_config, kdf_memory_max_mib), 1024 },
	{ "region", K_REGION, offsetof(struct khp_config, region), 0 },
	{ "direct_resume", K_UINT, offsetof(struct khp_config, direct_resume), 1 },
};

_Static_assert(sizeof(unsigned) == sizeof(uint32_t), "K_UINT fields are 32-bit");

void khp_config_init(struct khp_config *c)
{
	memset(c, 0, sizeof(*c));
	c->compression = KHI_COMPRESS_LZ4;
	c->kdf_passes_max = KHI_KDF_PASSES_MAX_DEFAULT;
	c->kdf_memory_max_mib = KHI_KDF_MEMORY_MAX_DEFAULT >> 10;
	snprintf(c->helper_kernel, sizeof(c->helper_kernel), "/boot/khib/bzImage");
	snprintf(c->helper_initrd, sizeof(c->helper_initrd), "/boot/khib/helper.img");
}

/* khi_compression_parse() into the configuration's fields. */
static int parse_compression(const char *s, uint32_t *ret_compression, uint32_t *ret_level)
{
	enum khi_compression c;
	int level, err = khi_compression_parse(s, &c, &level);

	if (err)
		return err;
	*ret_compression = c;
	*ret_level = (uint32_t)level;
	return 0;
}

int khp_size_parse(const char *s, uint64_t *ret)
{
	unsigned shift = 0;
	uint64_t v;
	char *end;

	if (*s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno)
		return -ERANGE;
	switch (*end) {
	case 'K': case 'k': shift = 10; end++; break;
	case 'M': case 'm': shift = 20; end++; break;
	case 'G': case 'g': shift = 30; end++; break;
	}
	if (*end || !v)
		return -EINVAL;
	if (v > UINT64_MAX >> shift)
		return -ERANGE;
	*ret = v << shift;
	return 0;
}

int khp_region_parse(const char *setting, uint64_t *ret_size, uint64_t *ret_offset)
{
	const char *at = strchr(setting, '@');
	size_t n = at ? (size_t)(at - setting) : strlen(setting);
	char size[32];
	int r;

	*ret_size = 0;
	*ret_offset = UINT64_MAX;
	if (!setting[0] || !strcmp(setting, "auto"))
		return 0;
	if (n >= sizeof(size))
		return -EINVAL;
	memcpy(size, setting, n);
	size[n] = 0;
	r = khp_size_parse(size, ret_size);
	if (!r && at)
		r = khp_size_parse(at + 1, ret_offset);
	if (r || *ret_size % (1u << 20) || (at && *ret_offset % KHP_REGION_ALIGN))
		return -EINVAL;
	return 0;
}

static int set_str(char *dst, const char *value)
{
	if (strlen(value) >= KHP_CONFIG_STR)
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

static int set_encrypt(struct khp_config *c, const char *value)
{
	if (!strcmp(value, "none"))
		c->encrypt = KHP_ENCRYPT_NONE;
	else if (!strcmp(value, "passphrase"))
		c->encrypt = KHP_ENCRYPT_PASSPHRASE;
	else if (!strncmp(value, "keyfile:", 8) && value[8]) {
		int r = set_str(c->keyfile, value + 8);
		if (r)
			return r;
		c->encrypt = KHP_ENCRYPT_KEYFILE;
	} else
		return -EINVAL;
	return 0;
}

static const struct key *find_key(const char *name)
{
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (!strcmp(keys[i].name, name))
			return &keys[i];
	return NULL;
}

int khp_config_set(struct khp_config *c, const char *key, const char *value)
{
	const struct key *k = find_key(key);

	if (!k)
		return -ENOENT;
	switch (k->type) {
	case K_STR: return set_str((char *)c + k->offset, value);
	case K_UINT: return set_uint((uint32_t *)((char *)c + k->offset), value, k->max);
	case K_COMPRESS: return parse_compression(value, &c->compression, &c->level);
	case K_ENCRYPT: return set_encrypt(c, value);
	case K_REGION: {
		uint64_t size, offset;
		return khp_region_parse(value, &size, &offset) ? -EINVAL :
		       set_str((char *)c + k->offset, strcmp(value, "auto") ? value : "");
	}
	}
	return -ENOENT;
}

int khp_config_get(const struct khp_config *c, const char *key, char *buf, size_t size)
{
	static const char *const encrypt[] = { "none", "passphrase", "keyfile:" };
	const struct key *k = find_key(key);
	int n = 0;

	if (!k)
		return -ENOENT;
	switch (k->type) {
	case K_STR:
		n = snprintf(buf, size, "%s", (const char *)c + k->offset);
		break;
	case K_UINT:
		n = snprintf(buf, size, "%u", *(const uint32_t *)((const char *)c + k->offset));
		break;
	case K_COMPRESS: {
		char name[16];

		n = snprintf(buf, size, "%s", khi_compression_name(c->compression, (int)c->level, name,
								   sizeof(name)));
		break;
	}
	case K_ENCRYPT:
		n = snprintf(buf, size, "%s%s", encrypt[c->encrypt],
			     c->encrypt == KHP_ENCRYPT_KEYFILE ? c->keyfile : "");
		break;
	case K_REGION:
		n = snprintf(buf, size, "%s", c->region[0] ? c->region : "auto");
		break;
	}
	return n < 0 || (size_t)n >= size ? -ENOBUFS : 0;
}

void khp_config_write(const struct khp_config *c, FILE *out)
{
	char value[KHP_CONFIG_STR + 16];

	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		(void)khp_config_get(c, keys[i].name, value, sizeof(value)); /* fits: see value */
		fprintf(out, "%s = %s\n", keys[i].name, value);
	}
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

int khp_config_load(struct khp_config *c, const char *path, int must_exist, unsigned *ret_line)
{
	char line[1024];
	unsigned n = 0;
	int r = 0;
	FILE *f = fopen(path, "re");

	*ret_line = 0;
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
		r = khp_config_set(c, trim(s), trim(eq + 1));
	}
	fclose(f);
	if (r)
		*ret_line = n;
	return r;
}

const char *khp_config_strerror(int err)
{
	switch (err) {
	case -ENOENT: return "unknown key";
	case -EINVAL: return "bad line or value (see khibernate.conf(5))";
	case -ENAMETOOLONG: return "value too long";
	}
	return strerror(-err);
}
