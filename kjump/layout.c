/* Layout validation and B's e820 map. */
#include <errno.h>
#include <stdlib.h>

#include "kjump/internal.h"
#include "kjump/kjump.h"

#define LOW_MEM_END 0x100000ULL /* B's real-mode trampoline must sit below 1 MiB */

static uint64_t end_of(uint64_t start, uint64_t size)
{
	return start + size;
}

static bool page_aligned(uint64_t v)
{
	return (v & (KJ_PAGE_SIZE - 1)) == 0;
}

static bool overlaps(uint64_t s1, uint64_t n1, uint64_t s2, uint64_t n2)
{
	return n1 && n2 && s1 < end_of(s2, n2) && s2 < end_of(s1, n1);
}

static bool inside(uint64_t s, uint64_t n, uint64_t outer_s, uint64_t outer_n)
{
	return s >= outer_s && end_of(s, n) <= end_of(outer_s, outer_n);
}

uint64_t kj_highest_fit(const struct kj_range *region, uint64_t align, uint64_t size)
{
	uint64_t low = kj_align_up(region->start, align), end = end_of(region->start, region->size);

	if (size > end || end - size < low)
		return low;
	return (end - size) & ~(align - 1);
}

static int check_entries(const struct kj_layout *l)
{
	uint32_t i;

	if (l->nr_entries > KJ_LAYOUT_MAX_ENTRIES)
		return -EINVAL;
	for (i = 0; i < l->nr_entries; i++) {
		const struct kj_map_entry *e = &l->entries[i];

		/* A wrapping range would make every comparison below lie. */
		if (e->size == 0 || end_of(e->start, e->size) < e->start || e->type == 0)
			return -EINVAL;
		if (i > 0 && e->start < end_of(l->entries[i - 1].start, l->entries[i - 1].size))
			return -EINVAL;
	}
	return 0;
}

static bool region_in_ram(const struct kj_layout *l)
{
	uint32_t i;

	for (i = 0; i < l->nr_entries; i++)
		if (l->entries[i].type == KJ_E820_RAM &&
		    inside(l->region.start, l->region.size, l->entries[i].start, l->entries[i].size))
			return true;
	return false;
}

static bool hole_in_ram(const struct kj_layout *l)
{
	uint32_t i;

	for (i = 0; i < l->nr_entries; i++)
		if (l->entries[i].type == KJ_E820_RAM &&
		    overlaps(l->hole.start, l->hole.size, l->entries[i].start, l->entries[i].size))
			return true;
	return false;
}

int kj_layout_check(const struct kj_layout *l)
{
	const struct kj_range *r = &l->region, *h = &l->hole;
	int ret = check_entries(l);

	if (ret < 0)
		return ret;
	if (r->size == 0)
		return -ENODATA;
	if (!page_aligned(r->start) || !page_aligned(r->size) || end_of(r->start, r->size) < r->start)
		return -EINVAL;
	if (!region_in_ram(l))
		return -EINVAL;
	if (h->size == 0)
		return 0;
	/* The hole is RAM that A must not use: B will own it. So it must not be A's RAM. */
	if (!page_aligned(h->start) || !page_aligned(h->size) || end_of(h->start, h->size) > LOW_MEM_END)
		return -EINVAL;
	if (overlaps(h->start, h->size, r->start, r->size) || hole_in_ram(l))
		return -EINVAL;
	return 0;
}

/* B's map is computed over elementary intervals: between any two consecutive boundaries of any
 * input range the type is constant. Priority: reserved > region/hole > A's map. */
struct map_input {
	const struct kj_layout *l;
	const struct kj_range *reserved;
	unsigned nr_reserved;
};

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return (x > y) - (x < y);
}

static uint32_t type_at(const struct map_input *in, uint64_t addr)
{
	const struct kj_layout *l = in->l;
	unsigned i;

	for (i = 0; i < in->nr_reserved; i++)
		if (inside(addr, 1, in->reserved[i].start, in->reserved[i].size))
			return KJ_E820_RESERVED;
	if (inside(addr, 1, l->region.start, l->region.size) ||
	    (l->hole.size && inside(addr, 1, l->hole.start, l->hole.size)))
		return KJ_E820_RAM;
	for (i = 0; i < l->nr_entries; i++)
		if (inside(addr, 1, l->entries[i].start, l->entries[i].size))
			return l->entries[i].type == KJ_E820_RAM ? KJ_E820_ACPI : l->entries[i].type;
	return 0; /* a gap: not in B's map */
}

static int emit(struct kj_map_entry *out, unsigned max, unsigned *n, uint64_t s, uint64_t e,
		uint32_t type)
{
	if (*n > 0 && out[*n - 1].type == type && end_of(out[*n - 1].start, out[*n - 1].size) == s) {
		out[*n - 1].size += e - s;
		return 0;
	}
	if (*n == max)
		return -E2BIG;
	out[(*n)++] = (struct kj_map_entry){ .start = s, .size = e - s, .type = type };
	return 0;
}

static unsigned collect_bounds(const struct map_input *in, uint64_t *b)
{
	const struct kj_layout *l = in->l;
	unsigned i, n = 0;

	b[n++] = l->region.start;
	b[n++] = end_of(l->region.start, l->region.size);
	if (l->hole.size) {
		b[n++] = l->hole.start;
		b[n++] = end_of(l->hole.start, l->hole.size);
	}
	for (i = 0; i < in->nr_reserved; i++) {
		b[n++] = in->reserved[i].start;
		b[n++] = end_of(in->reserved[i].start, in->reserved[i].size);
	}
	for (i = 0; i < l->nr_entries; i++) {
		b[n++] = l->entries[i].start;
		b[n++] = end_of(l->entries[i].start, l->entries[i].size);
	}
	qsort(b, n, sizeof(*b), cmp_u64);
	return n;
}

int kj_layout_e820(const struct kj_layout *l, const struct kj_range *reserved,
		   unsigned nr_reserved, struct kj_map_entry *out, unsigned max, unsigned *ret_n)
{
	struct map_input in = { l, reserved, nr_reserved };
	uint64_t *b;
	unsigned i, nb, n = 0;
	int ret = kj_layout_check(l);

	if (ret < 0)
		return ret == -ENODATA ? -EINVAL : ret;
	for (i = 0; i < nr_reserved; i++)
		if (!reserved[i].size || !inside(reserved[i].start, reserved[i].size,
						 l->region.start, l->region.size))
			return -EINVAL;
	b = malloc(sizeof(*b) * (4 + 2 * (size_t)nr_reserved + 2 * (size_t)l->nr_entries));
	if (!b)
		return -ENOMEM;
	nb = collect_bounds(&in, b);
	for (i = 0; i + 1 < nb && ret == 0; i++) {
		uint32_t type;

		if (b[i] == b[i + 1])
			continue;
		type = type_at(&in, b[i]);
		if (type)
			ret = emit(out, max, &n, b[i], b[i + 1], type);
	}
	free(b);
	if (ret == 0)
		*ret_n = n;
	return ret;
}
