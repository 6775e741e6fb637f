/* Direct resume's command line words; see direct.h. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "common/cmdline.h"
#include "protocol/direct.h"

/* Appends printf output at *len; @return 0 or -E2BIG. */
static int append(char *buf, size_t size, size_t *len, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int append(char *buf, size_t size, size_t *len, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf + *len, size - *len, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= size - *len)
		return -E2BIG;
	*len += (size_t)n;
	return 0;
}

static int append_hex(char *buf, size_t size, size_t *len, const uint8_t *id, size_t n)
{
	int err = 0;

	for (size_t i = 0; i < n && !err; i++)
		err = append(buf, size, len, "%02x", id[i]);
	return err;
}

int khp_direct_words(const struct kj_layout *l, const uint8_t kernel_id[KHI_KERNEL_ID_SIZE],
		     const uint8_t machine_id[KHI_MACHINE_ID_SIZE], char *buf, size_t size)
{
	struct kj_map_entry e820[KJ_LAYOUT_MAX_ENTRIES];
	size_t len = 0;
	unsigned n;
	int err = kj_layout_e820(l, NULL, 0, e820, KJ_LAYOUT_MAX_ENTRIES, &n);

	if (err)
		return err == -E2BIG ? -E2BIG : -EINVAL;
	if (size > KHP_DIRECT_WORDS_MAX + 1)
		size = KHP_DIRECT_WORDS_MAX + 1;
	err = append(buf, size, &len, "memmap=exactmap");
	for (unsigned i = 0; i < n && !err; i++)
		err = append(buf, size, &len, ",0x%llx%%0x%llx+%u", (unsigned long long)e820[i].size,
			     (unsigned long long)e820[i].start, e820[i].type);
	if (!err)
		err = append(buf, size, &len, " " KHP_DIRECT_KEY);
	if (!err)
		err = append_hex(buf, size, &len, kernel_id, KHI_KERNEL_ID_SIZE);
	if (!err)
		err = append(buf, size, &len, ",");
	if (!err)
		err = append_hex(buf, size, &len, machine_id, KHI_MACHINE_ID_SIZE);
	return err;
}

/* A lower-case hex digit's value, else -1: A writes lower case, and nothing else is read. */
static int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

static int parse_hex(const char *s, uint8_t *out, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		int hi = hex_digit(s[2 * i]), lo = hi < 0 ? -1 : hex_digit(s[2 * i + 1]);

		if (lo < 0)
			return -EINVAL;
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	return 0;
}

int khp_direct_parse(const char *cmdline, uint8_t ret_kernel_id[KHI_KERNEL_ID_SIZE],
		     uint8_t ret_machine_id[KHI_MACHINE_ID_SIZE])
{
	char v[2 * (KHI_KERNEL_ID_SIZE + KHI_MACHINE_ID_SIZE) + 2];
	int err = kc_cmdline_value(cmdline, KHP_DIRECT_KEY, v, sizeof(v));

	if (err)
		return err == -ENODATA ? -ENODATA : -EINVAL;
	if (strlen(v) != sizeof(v) - 1 || v[2 * KHI_KERNEL_ID_SIZE] != ',')
		return -EINVAL;
	err = parse_hex(v, ret_kernel_id, KHI_KERNEL_ID_SIZE);
	if (!err)
		err = parse_hex(v + 2 * KHI_KERNEL_ID_SIZE + 1, ret_machine_id, KHI_MACHINE_ID_SIZE);
	return err;
}
