/* Direct resume's command line words; see direct.h. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "common/cmdline.h"
#include "common/hex.h"
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
	if (size - *len < 2 * n + 1)
		return -E2BIG;
	kc_hex_encode(id, n, buf + *len);
	*len += 2 * n;
	return 0;
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

int khp_direct_parse(const char *cmdline, uint8_t ret_kernel_id[KHI_KERNEL_ID_SIZE],
		     uint8_t ret_machine_id[KHI_MACHINE_ID_SIZE])
{
	char v[2 * (KHI_KERNEL_ID_SIZE + KHI_MACHINE_ID_SIZE) + 2];
	int err = kc_cmdline_value(cmdline, KHP_DIRECT_KEY, v, sizeof(v));

	if (err)
		return err == -ENODATA ? -ENODATA : -EINVAL;
	/* A writes lower case: anything else is not ours. */
	if (strlen(v) != sizeof(v) - 1 || v[2 * KHI_KERNEL_ID_SIZE] != ',' ||
	    strspn(v, "0123456789abcdef,") != sizeof(v) - 1)
		return -EINVAL;
	err = kc_hex_decode(v, ret_kernel_id, KHI_KERNEL_ID_SIZE);
	if (!err)
		err = kc_hex_decode(v + 2 * KHI_KERNEL_ID_SIZE + 1, ret_machine_id, KHI_MACHINE_ID_SIZE);
	return err;
}
