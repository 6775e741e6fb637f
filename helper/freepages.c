/* A's free buddy blocks from its struct pages, and the ranges left to save; see freepages.h. */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "helper/freepages.h"

#define PAGE KHI_PAGE_SIZE
/* x86-64 page-table entries (Intel SDM vol. 3, 4.5): present, page size (a 1 GiB or 2 MiB
 * page at levels 3 and 2; PAT at level 1, reserved above 3), address bits 51:12. */
#define PTE_PRESENT 0x1ull
#define PTE_PS 0x80ull
#define PTE_ADDR 0x000ffffffffff000ull
/* __START_KERNEL_map: the kernel image is linked in the top 2 GiB (code model "kernel");
 * a symbol's physical address is va - this + phys_base, with or without KASLR. */
#define KERNEL_MAP_BASE 0xffffffff80000000ull
/* include/linux/poison.h PAGE_POISON: what page_poison=1 fills free pages with. */
#define PAGE_POISON_BYTE 0xaa
/* Free pages looked at, at most, for one that proves A neither zeroes nor poisons them. */
#define PROBE_MAX 16384u
#define PROBE_STRIDE 512u

static uint64_t get_le(const uint8_t *p, unsigned n)
{
	uint64_t v = 0;

	while (n--)
		v = v << 8 | p[n];
	return v;
}

static bool is_canonical_va(const struct khh_vmcoreinfo *vi, uint64_t va)
{
	unsigned bits = vi->levels == 5 ? 57 : 48;
	int64_t top = (int64_t)va >> (bits - 1);

	return top == 0 || top == -1;
}

int khh_vtop(const struct khh_vmcoreinfo *vi, const struct khh_physread *m, uint64_t va,
	    uint64_t *ret_pa, uint64_t *ret_len)
{
	uint64_t table = vi->init_top_pgt - KERNEL_MAP_BASE + vi->phys_base;
	uint64_t limit = 1ull << vi->max_physmem_bits;

	if (vi->init_top_pgt < KERNEL_MAP_BASE || !is_canonical_va(vi, va))
		return -EBADMSG;
	for (unsigned level = vi->levels; level >= 1; level--) {
		unsigned shift = 12 + 9 * (level - 1);
		uint64_t size = 1ull << shift, e, base;
		uint8_t b[8];
		int r = m->read(m->ctx, table + ((va >> shift) & 511) * 8, b, sizeof(b));

		if (r)
			return r;
		e = get_le(b, 8);
		base = e & PTE_ADDR & ~vi->sme_mask;
		if (!(e & PTE_PRESENT) || base >= limit)
			return -EBADMSG;
		if (level > 1 && !(e & PTE_PS)) {
			table = base;
			continue;
		}
		if (level > 3)
			return -EBADMSG;
		/* Bit 12 of a large page's entry is PAT, not address. */
		*ret_pa = (base & ~(size - 1)) + (va & (size - 1));
		*ret_len = size - (va & (size - 1));
		return 0;
	}
	return -EBADMSG;
}

struct scan {
	const struct khh_vmcoreinfo *vi;
	const struct khh_physread *m;
	uint32_t buddy_mask;       /* the bits of page_type that say "buddy" */
	uint8_t *batch;            /* struct pages of batch_pfn .. + batch_nr */
	uint64_t batch_pfn, batch_nr;
	struct khi_range *blocks;  /* free blocks found, ascending, adjacent ones joined */
	size_t nr, cap;
	uint64_t nr_blocks, pages;
	const char *why;
};

static int fail(struct scan *s, int err, const char *why)
{
	s->why = why;
	return err;
}

/* Chosen once: v6.12 keeps one page type in the top byte of page_type and leaves the low
 * bits to the type's owner (include/linux/page-flags.h, PGTY_buddy << 24, tested with
 * `page_type >> 24`); earlier kernels store the buddy mark as a value no mapcount takes
 * (-128 in v4.x, tested with `_mapcount == PAGE_BUDDY_MAPCOUNT_VALUE`). An exact match is
 * also the safe reading of any other negative value: a page with a second type is saved. */
static uint32_t buddy_mask(const struct khh_vmcoreinfo *vi)
{
	return vi->buddy & 0x00ffffffu ? 0xffffffffu : 0xff000000u;
}

/* A's virtual [va, va + len) into buf, one physically contiguous piece at a time. */
static int read_virt(struct scan *s, uint64_t va, uint8_t *buf, uint64_t len)
{
	while (len) {
		uint64_t pa, n;
		int r = khh_vtop(s->vi, s->m, va, &pa, &n);

		if (r)
			return fail(s, r, "a struct page is not mapped in A's page tables");
		n = n < len ? n : len;
		r = s->m->read(s->m->ctx, pa, buf, n);
		if (r)
			return fail(s, r, "reading A's struct pages");
		va += n;
		buf += n;
		len -= n;
	}
	return 0;
}

static int load_batch(struct scan *s, uint64_t pfn, uint64_t end)
{
	uint64_t n = end - pfn < KHH_FREEPAGES_BATCH ? end - pfn : KHH_FREEPAGES_BATCH;
	int r = read_virt(s, s->vi->vmemmap + pfn * s->vi->page_size, s->batch,
			  n * s->vi->page_size);

	s->batch_pfn = pfn;
	s->batch_nr = r ? 0 : n;
	return r;
}

static int add_block(struct scan *s, uint64_t pfn, uint64_t count)
{
	s->nr_blocks++;
	s->pages += count;
	if (s->nr && s->blocks[s->nr - 1].pfn + s->blocks[s->nr - 1].count == pfn) {
		s->blocks[s->nr - 1].count += count;
		return 0;
	}
	if (s->nr == s->cap) {
		size_t cap = s->cap ? 2 * s->cap : 256;
		struct khi_range *v = realloc(s->blocks, cap * sizeof(*v));

		if (!v)
			return fail(s, -ENOMEM, "out of memory");
		s->blocks = v;
		s->cap = cap;
	}
	s->blocks[s->nr++] = (struct khi_range){ pfn, count };
	return 0;
}

/* One run of contiguous RAM [pfn, end): a block never leaves the run it starts in, since
 * the buddy allocator only joins pages that exist. */
static int scan_run(struct scan *s, uint64_t pfn, uint64_t end)
{
	const struct khh_vmcoreinfo *vi = s->vi;

	while (pfn < end) {
		const uint8_t *p;
		uint64_t order;
		int r;

		if (pfn < s->batch_pfn || pfn >= s->batch_pfn + s->batch_nr) {
			r = load_batch(s, pfn, end);
			if (r)
				return r;
		}
		p = s->batch + (pfn - s->batch_pfn) * vi->page_size;
		if (((uint32_t)get_le(p + vi->off_page_type, 4) & s->buddy_mask) !=
		    (vi->buddy & s->buddy_mask)) {
			pfn++;
			continue;
		}
		order = get_le(p + vi->off_private, 8);
		if (order >= vi->nr_orders)
			return fail(s, -EBADMSG, "a free block's order is out of range");
		if (pfn & ((1ull << order) - 1))
			return fail(s, -EBADMSG, "a free block is not aligned to its size");
		if (end - pfn < 1ull << order)
			return fail(s, -EBADMSG, "a free block runs past the end of A's RAM");
		r = add_block(s, pfn, 1ull << order);
		if (r)
			return r;
		pfn += 1ull << order;
	}
	return 0;
}

static int scan_all(struct scan *s, const struct khi_range *in, size_t n_in)
{
	uint64_t limit = (UINT64_MAX - s->vi->vmemmap) / s->vi->page_size;

	for (size_t i = 0; i < n_in;) {
		uint64_t start = in[i].pfn, end = in[i].pfn + in[i].count;
		int r;

		/* Ranges that touch form one run (A's RAM cut in two e820 entries). */
		while (++i < n_in && in[i].pfn == end)
			end += in[i].count;
		if (end > limit)
			return fail(s, -EBADMSG, "A's RAM lies beyond its struct pages");
		r = scan_run(s, start, end);
		if (r)
			return r;
	}
	return 0;
}

static bool is_filled(const uint8_t *p, size_t n, uint8_t c)
{
	return p[0] == c && !memcmp(p, p + 1, n - 1);
}

/* See freepages.h: a free page that neither init_on_free nor page_poison can leave behind.
 * Looks at one page every PROBE_STRIDE pages of free blocks, PROBE_MAX pages at most. */
static int probe_contents(struct scan *s)
{
	uint8_t *page = malloc(PAGE);
	unsigned probes = 0;
	int r = s->nr ? -ECANCELED : 0;  /* no free block: nothing to prove */

	if (!page)
		return fail(s, -ENOMEM, "out of memory");
	for (size_t i = 0; r == -ECANCELED && i < s->nr; i++) {
		for (uint64_t k = 0; r == -ECANCELED && k < s->blocks[i].count &&
				     probes++ < PROBE_MAX; k += PROBE_STRIDE) {
			int e = s->m->read(s->m->ctx, (s->blocks[i].pfn + k) * PAGE, page, PAGE);

			if (e)
				r = e;
			else if (!is_filled(page, PAGE, 0) && !is_filled(page, PAGE, PAGE_POISON_BYTE))
				r = 0;
		}
	}
	free(page);
	if (r == -ECANCELED)
		return fail(s, r, "free pages hold only zeros or poison (init_on_free or page_poison in A?)");
	return r ? fail(s, r, "reading a free page") : 0;
}

struct piece {
	uint64_t start, end;
	size_t owner;              /* index of the input range it comes from */
};

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return (x > y) - (x < y);
}

static void push_piece(struct piece *v, size_t *n, uint64_t start, uint64_t end, size_t owner)
{
	if (start < end)
		v[(*n)++] = (struct piece){ start, end, owner };
}

/* in minus blocks, as pieces that each lie in one input range. v has n_in + n_blocks slots:
 * each block splits at most one piece in two. */
static int cut(const struct khi_range *in, size_t n_in, const struct khi_range *blocks,
	       size_t n_blocks, struct piece *v, size_t *ret_n)
{
	uint64_t prev_end = 0;
	size_t j = 0, n = 0;

	for (size_t i = 0; i < n_in; i++) {
		uint64_t s = in[i].pfn, e = in[i].pfn + in[i].count, cur = s;

		if (!in[i].count || e < s || s < prev_end)
			return -EINVAL;
		prev_end = e;
		for (; j < n_blocks; j++) {
			uint64_t bs = blocks[j].pfn, be = blocks[j].pfn + blocks[j].count;

			if (bs >= e)
				break;
			if (be > cur) {
				push_piece(v, &n, cur, bs > cur ? bs : cur, i);
				cur = be < e ? be : e;
			}
			if (be > e)
				break;  /* continues into the next range */
		}
		push_piece(v, &n, cur, e, i);
	}
	*ret_n = n;
	return 0;
}

/* The gap size at or below which gaps are filled so that at most `bound` pieces remain,
 * and how many gaps of exactly that size to fill (the first ones). */
static int gap_threshold(const struct piece *v, size_t n, size_t bound, uint64_t *ret_t,
			 size_t *ret_eq)
{
	size_t k = n - bound, g = 0, less = 0;
	uint64_t *gaps = malloc(n * sizeof(*gaps));

	if (!gaps)
		return -ENOMEM;
	for (size_t i = 1; i < n; i++)
		if (v[i].owner == v[i - 1].owner)
			gaps[g++] = v[i].start - v[i - 1].end;
	/* g >= n - n_in >= k, as bound >= n_in. */
	qsort(gaps, g, sizeof(*gaps), cmp_u64);
	*ret_t = gaps[k - 1];
	while (less < k && gaps[less] < *ret_t)
		less++;
	*ret_eq = k - less;
	free(gaps);
	return 0;
}

int khh_ranges_subtract(const struct khi_range *in, size_t n_in, const struct khi_range *blocks,
		       size_t n_blocks, size_t max_out, struct khi_range **ret, size_t *ret_nr,
		       uint64_t *ret_refilled)
{
	size_t bound = max_out > n_in ? max_out : n_in, n = 0, eq = 0, out = 0;
	struct khi_range *r = NULL;
	uint64_t t = UINT64_MAX, refilled = 0;
	struct piece *v;
	int err;

	for (size_t j = 0; j < n_blocks; j++)
		if (!blocks[j].count || blocks[j].pfn + blocks[j].count < blocks[j].pfn ||
		    (j && blocks[j].pfn < blocks[j - 1].pfn + blocks[j - 1].count))
			return -EINVAL;
	v = malloc((n_in + n_blocks + 1) * sizeof(*v));
	if (!v)
		return -ENOMEM;
	err = cut(in, n_in, blocks, n_blocks, v, &n);
	if (!err && n > bound)
		err = gap_threshold(v, n, bound, &t, &eq);
	if (!err && n && !(r = malloc(n * sizeof(*r))))
		err = -ENOMEM;
	for (size_t i = 0; !err && i < n; i++) {
		uint64_t gap = i ? v[i].start - v[i - 1].end : 0;
		bool fill = i && n > bound && v[i].owner == v[i - 1].owner &&
			    (gap < t || (gap == t && eq));

		if (fill && gap == t)
			eq--;
		if (fill) {
			r[out - 1].count = v[i].end - r[out - 1].pfn;
			refilled += gap;
		} else {
			r[out++] = (struct khi_range){ v[i].start, v[i].end - v[i].start };
		}
	}
	free(v);
	if (err) {
		free(r);
		return err;
	}
	*ret = r;
	*ret_nr = out;
	*ret_refilled = refilled;
	return 0;
}

/* The page tables are where the note says: init_top_pgt maps itself to the physical address
 * computed for it. A wrong phys_base or kernel map base fails here, before any scan. */
static int check_page_tables(struct scan *s)
{
	uint64_t pa, len;
	int r = khh_vtop(s->vi, s->m, s->vi->init_top_pgt, &pa, &len);

	if (r)
		return fail(s, r, "init_top_pgt does not resolve in A's page tables");
	if (pa != s->vi->init_top_pgt - KERNEL_MAP_BASE + s->vi->phys_base)
		return fail(s, -EBADMSG, "init_top_pgt does not map itself");
	return 0;
}

int khh_freepages_filter(const struct khh_physread *m, uint64_t note_addr, uint64_t note_size,
			const struct khi_range *in, size_t n_in, size_t max_out,
			struct khh_freepages *ret)
{
	struct khh_vmcoreinfo vi;
	struct scan s = { .vi = &vi, .m = m };
	uint64_t refilled = 0;
	int r;

	memset(ret, 0, sizeof(*ret));
	r = khh_vmcoreinfo_read(m, note_addr, note_size, &vi);
	if (r) {
		ret->why = "A's vmcoreinfo note is unusable";
		return r;
	}
	s.buddy_mask = buddy_mask(&vi);
	s.batch = malloc(KHH_FREEPAGES_BATCH * vi.page_size);
	r = s.batch ? check_page_tables(&s) : fail(&s, -ENOMEM, "out of memory");
	if (!r)
		r = scan_all(&s, in, n_in);
	if (!r)
		r = probe_contents(&s);
	if (!r) {
		r = khh_ranges_subtract(in, n_in, s.blocks, s.nr, max_out, &ret->ranges, &ret->nr,
				       &refilled);
		s.why = r ? "cutting the free blocks out" : NULL;
	}
	if (!r && !ret->nr)
		r = fail(&s, -EBADMSG, "every page is free");
	free(s.batch);
	free(s.blocks);
	if (r) {
		free(ret->ranges);
		ret->ranges = NULL;
		ret->nr = 0;
		ret->why = s.why;
		return r;
	}
	ret->pages_free = s.pages;
	ret->pages_skipped = s.pages - refilled;
	ret->blocks = s.nr_blocks;
	return 0;
}
