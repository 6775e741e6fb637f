/* A's vmcoreinfo note: the layout facts the free-page filter needs; see freepages.h. */
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "helper/freepages.h"

enum vi_kind { HEX, DEC, SDEC };

enum {
	K_PAGESIZE, K_PHYS_BASE, K_TOP_PGT, K_VMEMMAP, K_SME, K_L5, K_PHYS_BITS, K_PAGE,
	K_MAPCOUNT, K_PRIVATE, K_BUDDY, K_ORDERS, K_NR
};

/* The lines used, how their values are printed (include/linux/vmcore_info.h: SYMBOL %lx,
 * NUMBER %ld, SIZE/OFFSET/LENGTH %lu), and whether a note without them is refused. */
static const struct vi_key {
	const char *key;
	enum vi_kind kind;
	bool required;
} vi_keys[K_NR] = {
	[K_PAGESIZE] = { "PAGESIZE", DEC, true },
	[K_PHYS_BASE] = { "NUMBER(phys_base)", SDEC, true },
	[K_TOP_PGT] = { "SYMBOL(init_top_pgt)", HEX, true },
	[K_VMEMMAP] = { "SYMBOL(vmemmap)", HEX, true },
	[K_SME] = { "NUMBER(sme_mask)", SDEC, false },           /* absent: no encryption bit */
	[K_L5] = { "NUMBER(pgtable_l5_enabled)", SDEC, false },  /* absent: 4 levels */
	[K_PHYS_BITS] = { "NUMBER(MAX_PHYSMEM_BITS)", SDEC, true },
	[K_PAGE] = { "SIZE(page)", DEC, true },
	[K_MAPCOUNT] = { "OFFSET(page._mapcount)", DEC, true },
	[K_PRIVATE] = { "OFFSET(page.private)", DEC, true },
	[K_BUDDY] = { "NUMBER(PAGE_BUDDY_MAPCOUNT_VALUE)", SDEC, true },
	[K_ORDERS] = { "LENGTH(zone.free_area)", DEC, true },
};

/* Digits only, no sign unless SDEC, no overflow; a negative SDEC comes back two's complement. */
static int parse_value(const char *s, size_t len, enum vi_kind kind, uint64_t *ret)
{
	unsigned base = kind == HEX ? 16 : 10;
	bool neg = kind == SDEC && len && *s == '-';
	uint64_t v = 0;

	if (neg) {
		s++;
		len--;
	}
	if (!len || len > 20)
		return -EBADMSG;
	for (size_t i = 0; i < len; i++) {
		const char *digits = "0123456789abcdef", *d = memchr(digits, s[i], base);

		if (!d || v > (UINT64_MAX - (uint64_t)(d - digits)) / base)
			return -EBADMSG;
		v = v * base + (uint64_t)(d - digits);
	}
	if (neg && v > (uint64_t)INT64_MAX + 1)
		return -EBADMSG;
	*ret = neg ? -v : v;
	return 0;
}

/* Fills val[] for the keys of vi_keys; `seen` bit i for each one found. */
static int parse_lines(const char *text, size_t len, uint64_t *val, unsigned *seen)
{
	const char *p = text, *end = text + len;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p)), *le = nl ? nl : end;
		const char *eq = memchr(p, '=', (size_t)(le - p));

		if (le == p || !eq)
			return -EBADMSG;
		for (unsigned i = 0; i < K_NR; i++) {
			if (strlen(vi_keys[i].key) != (size_t)(eq - p) ||
			    memcmp(p, vi_keys[i].key, (size_t)(eq - p)))
				continue;
			if (*seen & (1u << i) ||
			    parse_value(eq + 1, (size_t)(le - eq - 1), vi_keys[i].kind, &val[i]))
				return -EBADMSG;
			*seen |= 1u << i;
		}
		p = le + 1;
	}
	return 0;
}

static bool is_canonical(uint64_t va, uint32_t levels)
{
	int64_t sva = (int64_t)va;
	unsigned bits = levels == 5 ? 57 : 48;

	return sva >> (bits - 1) == 0 || sva >> (bits - 1) == -1;
}

/* A 32-bit value no mapcount can take (a page's _mapcount is -1 when unmapped, >= 0 when
 * mapped), so that a page holding it is a typed page: see is_buddy() in freepages.c. */
static bool known_buddy_value(int64_t v)
{
	return v >= INT32_MIN && v <= (int64_t)UINT32_MAX && (int32_t)(uint32_t)v < -1;
}

static int check(const uint64_t *val, struct khh_vmcoreinfo *vi)
{
	uint64_t field_end = val[K_MAPCOUNT] + 4 > val[K_PRIVATE] + 8 ? val[K_MAPCOUNT] + 4 :
									   val[K_PRIVATE] + 8;

	if (val[K_PAGESIZE] != KHI_PAGE_SIZE || val[K_L5] > 1 ||
	    val[K_PHYS_BITS] < 32 || val[K_PHYS_BITS] > 52 ||
	    val[K_PAGE] < 16 || val[K_PAGE] > 1024 || field_end > val[K_PAGE] ||
	    val[K_ORDERS] < 1 || val[K_ORDERS] > 32 ||
	    !known_buddy_value((int64_t)val[K_BUDDY]))
		return -EPROTONOSUPPORT;
	*vi = (struct khh_vmcoreinfo){
		.phys_base = val[K_PHYS_BASE], .init_top_pgt = val[K_TOP_PGT],
		.vmemmap = val[K_VMEMMAP], .sme_mask = val[K_SME],
		.levels = val[K_L5] ? 5 : 4, .max_physmem_bits = (uint32_t)val[K_PHYS_BITS],
		.page_size = (uint32_t)val[K_PAGE], .off_page_type = (uint32_t)val[K_MAPCOUNT],
		.off_private = (uint32_t)val[K_PRIVATE], .buddy = (uint32_t)val[K_BUDDY],
		.nr_orders = (uint32_t)val[K_ORDERS],
	};
	if (!is_canonical(vi->vmemmap, vi->levels) || !is_canonical(vi->init_top_pgt, vi->levels) ||
	    vi->init_top_pgt % KHI_PAGE_SIZE || vi->vmemmap % vi->page_size)
		return -EBADMSG;
	return 0;
}

int khh_vmcoreinfo_parse(const char *text, size_t len, struct khh_vmcoreinfo *ret)
{
	uint64_t val[K_NR] = { 0 };
	unsigned seen = 0;
	int r = parse_lines(text, len, val, &seen);

	if (r)
		return r;
	for (unsigned i = 0; i < K_NR; i++)
		if (vi_keys[i].required && !(seen & (1u << i)))
			return -EPROTONOSUPPORT;
	return check(val, ret);
}

static uint32_t get_le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* An ELF note: namesz, descsz, type (4 bytes each), the name and the descriptor, each padded
 * to 4 bytes (kernel/vmcore_info.c append_elf_note()). */
int khh_vmcoreinfo_read(const struct khh_physread *m, uint64_t addr, uint64_t size,
		       struct khh_vmcoreinfo *ret)
{
	static const char name[] = "VMCOREINFO";
	uint8_t *b;
	uint32_t namesz, descsz;
	int r;

	if (size < 12 + sizeof(name) || size > KHH_VMCOREINFO_MAX)
		return -EBADMSG;
	b = malloc(size);
	if (!b)
		return -ENOMEM;
	r = m->read(m->ctx, addr, b, size);
	if (r)
		goto out;
	namesz = get_le32(b);
	descsz = get_le32(b + 4);
	r = -EBADMSG;
	if (namesz != sizeof(name) || memcmp(b + 12, name, sizeof(name)) ||
	    descsz > size - 12 - (sizeof(name) + 3) / 4 * 4)
		goto out;
	r = khh_vmcoreinfo_parse((const char *)b + 12 + (sizeof(name) + 3) / 4 * 4, descsz, ret);
out:
	free(b);
	return r;
}
