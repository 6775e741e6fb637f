/* swap.c: parse the Linux swap header and check extents against it. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/byteorder.h"
#include "common/overflow.h"
#include "image/swap.h"

enum { S_VERSION = 1024, S_LAST_PAGE = 1028, S_NR_BAD = 1032, S_UUID = 1036, S_LABEL = 1052 };

int khi_swap_parse(const uint8_t page[KHI_PAGE_SIZE], struct khi_swap *ret)
{
	struct khi_swap sw = { 0 };

	if (memcmp(page + KHI_SIG_OFFSET, KHI_SIG_SWAP, 10) == 0)
		sw.sig = KHI_SIG_IS_SWAP;
	else if (memcmp(page + KHI_SIG_OFFSET, KHI_SIG_IMAGE, 10) == 0)
		sw.sig = KHI_SIG_IS_IMAGE;
	else
		return -EMEDIUMTYPE;
	/* mkswap refuses fewer than 10 pages; a byte-swapped version means another endianness. */
	sw.last_page = get_le32(page + S_LAST_PAGE);
	sw.nr_badpages = get_le32(page + S_NR_BAD);
	if (get_le32(page + S_VERSION) != 1 || sw.last_page < 9 || sw.nr_badpages > KHI_SWAP_BADPAGES_MAX)
		return -EMEDIUMTYPE;
	for (uint32_t i = 0; i < sw.nr_badpages; i++) {
		sw.badpages[i] = get_le32(page + KHI_SWAP_INFO_END + 4 * i);
		if (sw.badpages[i] == 0 || sw.badpages[i] > sw.last_page)
			return -EMEDIUMTYPE;
	}
	memcpy(sw.uuid, page + S_UUID, 16);
	memcpy(sw.label, page + S_LABEL, 16);
	*ret = sw;
	return 0;
}

void khi_swap_set_sig(uint8_t page[KHI_PAGE_SIZE], const char sig[10])
{
	memcpy(page + KHI_SIG_OFFSET, sig, 10);
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return (x > y) - (x < y);
}

int khi_swap_extents(const struct khi_swap *sw, uint64_t swap_offset, struct khi_extent **ret,
		     size_t *ret_n)
{
	uint32_t bad[KHI_SWAP_BADPAGES_MAX + 1];
	struct khi_extent *e = calloc(sw->nr_badpages + 1, sizeof(*e));
	uint32_t start = 1;
	size_t n = 0;

	if (!e)
		return -ENOMEM;
	memcpy(bad, sw->badpages, sw->nr_badpages * sizeof(*bad));
	qsort(bad, sw->nr_badpages, sizeof(*bad), cmp_u32);
	bad[sw->nr_badpages] = sw->last_page + 1;   /* sentinel: end of the area */
	for (uint32_t i = 0; i <= sw->nr_badpages; i++) {
		if (bad[i] > start) {
			e[n].offset = swap_offset + (uint64_t)start * KHI_PAGE_SIZE;
			e[n].length = (uint64_t)(bad[i] - start) * KHI_PAGE_SIZE;
			n++;
		}
		if (bad[i] + 1 > start)
			start = bad[i] + 1;
	}
	*ret = e;
	*ret_n = n;
	return 0;
}

/* Orders indices into an extent array by device offset. */
static int cmp_extent_at(const void *a, const void *b, void *ctx)
{
	const struct khi_extent *e = ctx;
	uint64_t x = e[*(const uint32_t *)a].offset, y = e[*(const uint32_t *)b].offset;
	return (x > y) - (x < y);
}

static bool in_area(const struct khi_extent *e, uint64_t swap_offset, const struct khi_swap *sw)
{
	uint64_t first, end;

	if (e->offset < swap_offset + KHI_PAGE_SIZE)
		return false;
	first = (e->offset - swap_offset) / KHI_PAGE_SIZE;
	end = first + e->length / KHI_PAGE_SIZE;
	if (end > (uint64_t)sw->last_page + 1)
		return false;
	for (uint32_t i = 0; i < sw->nr_badpages; i++)
		if (sw->badpages[i] >= first && sw->badpages[i] < end)
			return false;
	return true;
}

bool khi_extent_ok(const struct khi_extent *e, uint64_t dev_size, uint64_t swap_offset)
{
	return e->offset % KHI_PAGE_SIZE == 0 && e->length % KHI_PAGE_SIZE == 0 && e->length &&
	       range_within(e->offset, e->length, dev_size) &&
	       (e->offset + e->length <= swap_offset ||
		(e->offset >= swap_offset && e->offset - swap_offset >= KHI_PAGE_SIZE));
}

int khi_extents_disjoint(const struct khi_extent *e, size_t n)
{
	uint32_t *idx;
	int r = 0;

	if (n > KHI_EXTENTS_MAX)
		return -EINVAL;
	if (!(idx = malloc((n ? n : 1) * sizeof(*idx))))
		return -ENOMEM;
	for (size_t i = 0; i < n; i++)
		idx[i] = (uint32_t)i;
	qsort_r(idx, n, sizeof(*idx), cmp_extent_at, (void *)e);
	for (size_t i = 0; i + 1 < n && !r; i++)
		if (e[idx[i]].offset + e[idx[i]].length > e[idx[i + 1]].offset)
			r = -EINVAL;
	free(idx);
	return r;
}

int khi_extents_check(const struct khi_extent *e, size_t n, uint64_t dev_size,
		      uint64_t swap_offset, const struct khi_swap *area)
{
	if (n == 0 || n > KHI_EXTENTS_MAX)
		return -EINVAL;
	for (size_t i = 0; i < n; i++)
		if (!khi_extent_ok(&e[i], dev_size, swap_offset) || (area && !in_area(&e[i], swap_offset, area)))
			return -EINVAL;
	return khi_extents_disjoint(e, n);
}

size_t khi_extents_merge(struct khi_extent *e, size_t n)
{
	size_t out = 0;

	for (size_t i = 0; i < n; i++) {
		if (out && e[out - 1].offset + e[out - 1].length == e[i].offset)
			e[out - 1].length += e[i].length;
		else
			e[out++] = e[i];
	}
	return out;
}
