/* A's layout from /proc/iomem and /proc/cmdline. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/cmdline.h"
#include "common/fileio.h"
#include "kjump/internal.h"

#define IOMEM_MAX (1u << 20)

/* Top-level /proc/iomem names of A's memory map and the e820 type B gets them as. */
static const struct {
	const char *name;
	uint32_t type;
} iomem_types[] = {
	{ "System RAM", KJ_E820_RAM },
	{ "Reserved", KJ_E820_RESERVED },
	{ "reserved", KJ_E820_RESERVED },
	{ "ACPI Tables", KJ_E820_ACPI },
	{ "ACPI Non-volatile Storage", KJ_E820_NVS },
	{ "Unusable memory", KJ_E820_UNUSABLE },
	{ "Persistent Memory", KJ_E820_PMEM },
};

static uint32_t type_of(const char *name, size_t len)
{
	size_t i;

	for (i = 0; i < sizeof(iomem_types) / sizeof(iomem_types[0]); i++)
		if (strlen(iomem_types[i].name) == len && !memcmp(iomem_types[i].name, name, len))
			return iomem_types[i].type;
	return 0;
}

/* "  00100000-0009ffff : name\n": depth = leading spaces / 2, inclusive end. */
struct iomem_line {
	unsigned indent;
	uint64_t start, last;
	const char *name;
	size_t name_len;
};

static int parse_line(const char *p, const char *eol, struct iomem_line *ret)
{
	char *end;

	ret->indent = 0;
	while (p < eol && *p == ' ') {
		p++;
		ret->indent++;
	}
	errno = 0;
	ret->start = strtoull(p, &end, 16);
	if (errno || end == p || *end != '-')
		return -EBADMSG;
	p = end + 1;
	ret->last = strtoull(p, &end, 16);
	if (errno || end == p || strncmp(end, " : ", 3) || ret->last < ret->start || end + 3 > eol)
		return -EBADMSG;
	ret->name = end + 3;
	ret->name_len = (size_t)(eol - ret->name);
	return 0;
}

static int add_entry(struct kj_layout *l, const struct iomem_line *ln, uint32_t type)
{
	if (l->nr_entries == KJ_LAYOUT_MAX_ENTRIES)
		return -E2BIG;
	l->entries[l->nr_entries++] = (struct kj_map_entry){
		.start = ln->start, .size = ln->last - ln->start + 1, .type = type,
	};
	return 0;
}

static bool is_name(const struct iomem_line *ln, const char *name)
{
	return strlen(name) == ln->name_len && !memcmp(ln->name, name, ln->name_len);
}

static int parse_iomem(const char *p, struct kj_layout *l)
{
	while (*p) {
		const char *eol = strchr(p, '\n');
		struct iomem_line ln;
		uint32_t type;
		int ret;

		if (!eol)
			eol = p + strlen(p);
		ret = parse_line(p, eol, &ln);
		if (ret < 0)
			return ret;
		type = ln.indent == 0 ? type_of(ln.name, ln.name_len) : 0;
		if (type && (ret = add_entry(l, &ln, type)) < 0)
			return ret;
		if (is_name(&ln, "Crash kernel"))
			l->region = (struct kj_range){ ln.start, ln.last - ln.start + 1 };
		p = *eol ? eol + 1 : eol;
	}
	return 0;
}

int kj_iomem_span(const char *iomem, const char *prefix, struct kj_range *ret)
{
	uint64_t lo = UINT64_MAX, hi = 0;
	size_t plen = strlen(prefix);

	for (const char *p = iomem; *p;) {
		const char *eol = strchr(p, '\n');
		struct iomem_line ln;

		if (!eol)
			eol = p + strlen(p);
		if (parse_line(p, eol, &ln) < 0)
			return -EBADMSG;
		if (ln.name_len >= plen && !memcmp(ln.name, prefix, plen)) {
			lo = ln.start < lo ? ln.start : lo;
			hi = ln.last > hi ? ln.last : hi;
		}
		p = *eol ? eol + 1 : eol;
	}
	if (lo > hi)
		return -ENODATA;
	*ret = (struct kj_range){ lo, hi - lo + 1 };
	return 0;
}

/* "64K" -> 65536; K, M, G suffixes as the kernel's memparse(). */
static int parse_size(const char *p, char **end, uint64_t *ret)
{
	uint64_t v;

	errno = 0;
	v = strtoull(p, end, 0);
	if (errno || *end == p)
		return -EINVAL;
	switch (**end) {
	case 'G': case 'g': v <<= 10; /* fall through */
	case 'M': case 'm': v <<= 10; /* fall through */
	case 'K': case 'k': v <<= 10; (*end)++; break;
	default: break;
	}
	*ret = v;
	return 0;
}

/* The first memmap=SIZE$ADDR below 1 MiB: A reserved it for B's trampoline. */
static void parse_hole(const char *cmdline, struct kj_range *ret)
{
	const char *p = cmdline;
	char value[64];

	while (kc_cmdline_next(&p, "memmap=", value, sizeof(value))) {
		uint64_t size, start;
		char *end;

		if (parse_size(value, &end, &size) < 0 || *end != '$' ||
		    parse_size(end + 1, &end, &start) < 0 || *end)
			continue;
		if (start + size <= 0x100000 && size > 0) {
			*ret = (struct kj_range){ start, size };
			return;
		}
	}
}

int kj_layout_from_iomem(const char *iomem, const char *cmdline, struct kj_layout *ret)
{
	memset(ret, 0, sizeof(*ret));
	if (cmdline)
		parse_hole(cmdline, &ret->hole);
	return parse_iomem(iomem, ret);
}

int kj_layout_from_system(struct kj_layout *ret)
{
	char *iomem = NULL, *cmdline = NULL;
	size_t n;
	int r;

	r = kc_read_file("/proc/iomem", IOMEM_MAX, &iomem, &n);
	if (r == 0)
		r = kc_read_file("/proc/cmdline", KC_CMDLINE_MAX, &cmdline, &n);
	if (r == 0)
		r = kj_layout_from_iomem(iomem, cmdline, ret);
	/* Without CAP_SYS_ADMIN the kernel prints every address as 0. */
	if (r == 0 && ret->nr_entries > 0 && ret->entries[ret->nr_entries - 1].start == 0)
		r = -EPERM;
	free(iomem);
	free(cmdline);
	return r;
}
