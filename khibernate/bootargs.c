/* The kernel command line khibernate needs and its GRUB quoting; see bootargs.h. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/hex.h"
#include "khibernate/bootargs.h"

#define GiB (1ull << 30)

bool kh_region_fits(const struct kh_machine *m, uint64_t start, uint64_t size)
{
	uint64_t end = start + size;

	if (end < start || end > 4 * GiB || start % KHP_REGION_ALIGN)
		return false;
	if (m->kernel.size && start < m->kernel.start + m->kernel.size && m->kernel.start < end)
		return false;
	for (unsigned i = 0; i < m->nr_ram; i++)
		if (start >= m->ram[i].start && end <= m->ram[i].start + m->ram[i].size)
			return true;
	return false;
}

int kh_region_choose(const char *setting, const struct kh_machine *m, char *buf, size_t size,
		     const char **ret_why)
{
	uint64_t bytes, offset;
	int n;

	if (khp_region_parse(setting, &bytes, &offset) < 0)
		return -EINVAL;
	if (!bytes) {
		if (khp_size_parse(KH_REGION_SIZE_DEFAULT, &bytes) < 0)
			return -EINVAL;
		if (m->kaslr) {
			*ret_why = "KASLR is on: the kernel may place itself on any fixed address, so "
				   "it reserves the region itself after placing itself";
			n = snprintf(buf, size, "%s", KH_REGION_SIZE_DEFAULT);
		} else if (!kh_region_fits(m, KH_REGION_OFFSET_DEFAULT, bytes)) {
			*ret_why = "the default address is not free RAM on this machine: the kernel "
				   "chooses the place";
			n = snprintf(buf, size, "%s", KH_REGION_SIZE_DEFAULT);
		} else {
			*ret_why = "the default";
			n = snprintf(buf, size, "%s@%#" PRIx64, KH_REGION_SIZE_DEFAULT,
				     (uint64_t)KH_REGION_OFFSET_DEFAULT);
		}
		return n < (int)size ? 0 : -ENOBUFS;
	}
	*ret_why = "as configured (region)";
	if (offset != UINT64_MAX && !kh_region_fits(m, offset, bytes)) {
		*ret_why = "the configured region (region = SIZE@OFFSET) is not free RAM below 4 GiB "
			   "away from the kernel on this machine; give only a SIZE to let the kernel "
			   "choose the place";
		return -ERANGE;
	}
	return snprintf(buf, size, "%s", setting) < (int)size ? 0 : -ENOBUFS;
}

void kh_uuid_format(const uint8_t uuid[16], char out[37])
{
	static const unsigned group[] = { 4, 2, 2, 2, 6 };
	char *p = out;

	for (unsigned g = 0; g < 5; g++) {
		if (g)
			*p++ = '-';
		kc_hex_encode(uuid, group[g], p);
		uuid += group[g];
		p += 2 * group[g];
	}
}

unsigned kh_resume_words(const uint8_t uuid[16], const char *dev_path, uint64_t header_offset,
			 char words[2][KH_WORD_MAX])
{
	char id[37];

	if (memcmp(uuid, (const uint8_t[16]){ 0 }, 16)) {
		kh_uuid_format(uuid, id);
		snprintf(words[0], KH_WORD_MAX, "khibernate.resume=UUID=%s", id);
	} else {
		snprintf(words[0], KH_WORD_MAX, "khibernate.resume=%s", dev_path);
	}
	if (!header_offset)
		return 1;
	snprintf(words[1], KH_WORD_MAX, "khibernate.resume_offset=%llu",
		 (unsigned long long)(header_offset / KJ_PAGE_SIZE));
	return 2;
}

/* Characters that mean nothing to GRUB's lexer (grub-core/script/yylex.l: CHAR excludes
 * {}|&$;<> blanks quotes and backslash) nor to the shell within double quotes; others are
 * escaped rather than trusted. */
static bool plain(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       strchr("_.,:/=@+%-", c);
}

static bool grub_special(char c)
{
	return !plain(c);
}

/* Within a shell's double quotes only these keep a meaning. */
static bool shell_special(char c)
{
	return c == '\\' || c == '$' || c == '"' || c == '`';
}

/* word into buf with a backslash before each character special() names. */
static int escape(const char *word, bool (*special)(char), char *buf, size_t size)
{
	size_t n = 0;

	for (const char *s = word; *s; s++) {
		if (n + 3 > size)
			return -ENOBUFS;
		if (special(*s))
			buf[n++] = '\\';
		buf[n++] = *s;
	}
	if (n + 1 > size)
		return -ENOBUFS;
	buf[n] = 0;
	return 0;
}

int kh_grub_cfg_word(const char *word, char *buf, size_t size)
{
	return escape(word, grub_special, buf, size);
}

int kh_grub_quote(const char *word, char *buf, size_t size)
{
	char cfg[2 * KH_WORD_MAX + 1];
	int r = kh_grub_cfg_word(word, cfg, sizeof(cfg));

	return r < 0 ? r : escape(cfg, shell_special, buf, size);
}

int kh_grub_file(const char *const *words, unsigned nr, char *buf, size_t size)
{
	char q[4 * KH_WORD_MAX + 1];
	size_t n;
	int r;

	r = snprintf(buf, size,
		"# Written by 'khibernate setup': the kernel command line khibernate needs. Run it\n"
		"# again rather than editing this file (and update-grub after removing it).\n"
		"# Each '$' is escaped twice: for this shell file, then for grub.cfg, where GRUB\n"
		"# would read \"$0x80000\" as its variable $0 and leave memmap=64Kx80000.\n"
		"# GRUB_CMDLINE_LINUX, not _DEFAULT: recovery entries get only this one, and every\n"
		"# boot must know the swap area (a waiting image is resumed or discarded).\n"
		"#   kernel:");
	if (r < 0 || (size_t)r >= size)
		return -ENOBUFS;
	n = (size_t)r;
	for (unsigned i = 0; i < nr; i++) {
		r = snprintf(buf + n, size - n, " %s", words[i]);
		if (r < 0 || (size_t)r >= size - n)
			return -ENOBUFS;
		n += (size_t)r;
	}
	r = snprintf(buf + n, size - n, "\nGRUB_CMDLINE_LINUX=\"$GRUB_CMDLINE_LINUX");
	if (r < 0 || (size_t)r >= size - n)
		return -ENOBUFS;
	n += (size_t)r;
	for (unsigned i = 0; i < nr; i++) {
		if (kh_grub_quote(words[i], q, sizeof(q)) < 0)
			return -ENOBUFS;
		r = snprintf(buf + n, size - n, " %s", q);
		if (r < 0 || (size_t)r >= size - n)
			return -ENOBUFS;
		n += (size_t)r;
	}
	r = snprintf(buf + n, size - n, "\"\n");
	return r < 0 || (size_t)r >= size - n ? -ENOBUFS : 0;
}
