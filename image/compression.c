/* The spelling of a compression setting; see khimage.h. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "image/format.h"
#include "image/khimage.h"

static int level_max(enum khi_compression c)
{
	return c == KHI_COMPRESS_LZ4 ? (int)KHI_LZ4_ACCEL_MAX : c == KHI_COMPRESS_LZ4HC ? KHI_LZ4HC_LEVEL_MAX : 0;
}

bool khi_compression_valid(enum khi_compression c, int level)
{
	return c <= KHI_COMPRESS_LZ4HC && level >= 0 && level <= level_max(c);
}

int khi_compression_parse(const char *s, enum khi_compression *ret, int *ret_level)
{
	static const char *const names[] = { "none", "lz4", "lz4hc" };
	size_t len = strcspn(s, ":");
	long level = 0;
	char *end;

	for (unsigned c = 0; c < sizeof(names) / sizeof(names[0]); c++) {
		if (len != strlen(names[c]) || strncmp(s, names[c], len))
			continue;
		if (s[len]) {
			if (s[len + 1] < '0' || s[len + 1] > '9')
				return -EINVAL;
			level = strtol(s + len + 1, &end, 10);
			if (*end || level < 1 || level > level_max(c))
				return -EINVAL;
		}
		*ret = c;
		*ret_level = (int)level;
		return 0;
	}
	return -EINVAL;
}

const char *khi_compression_name(enum khi_compression c, int level, char *buf, size_t size)
{
	const char *name = c == KHI_COMPRESS_LZ4 ? "lz4" : c == KHI_COMPRESS_LZ4HC ? "lz4hc" : "none";

	if (level)
		snprintf(buf, size, "%s:%d", name, level);
	else
		snprintf(buf, size, "%s", name);
	return buf;
}
