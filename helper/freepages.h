/* freepages: which of A's pages sit on A's buddy free lists, so that the helper need not
 * save them. Read from A's own struct pages, the way makedumpfile does.
 *
 * Every layout fact comes from A's vmcoreinfo note (kernel/vmcore_info.c and
 * arch/x86/kernel/vmcore_info_64.c write it): where the struct pages are (SYMBOL(vmemmap)),
 * their size and the offsets of the fields read (SIZE(page), OFFSET(page._mapcount),
 * OFFSET(page.private)), the buddy page type (NUMBER(PAGE_BUDDY_MAPCOUNT_VALUE)), the number
 * of orders (LENGTH(zone.free_area)) and the page tables that map the struct pages
 * (SYMBOL(init_top_pgt), NUMBER(phys_base), NUMBER(pgtable_l5_enabled), NUMBER(sme_mask),
 * NUMBER(MAX_PHYSMEM_BITS)). Only architectural x86-64 facts are built in: the page-table
 * entry format and the base of the kernel image mapping (__START_KERNEL_map, fixed by the
 * kernel code model; checked: init_top_pgt must map itself to where it is computed to be).
 *
 * Why leaving these pages out is safe:
 *  - A is frozen while B runs: no page changes state, so the free lists read are exact.
 *  - A buddy page's contents are dead: the allocator hands it out and its new owner writes
 *    it before reading it (or asks for zeroing, done on allocation), as the kernel's own
 *    hibernation relies on (kernel/power/snapshot.c does not save free pages).
 *  - Except when A fills free pages on free and trusts that on allocation: init_on_free=1
 *    (then __GFP_ZERO does not zero again) or page_poison=1 (then allocation checks the
 *    poison). The kernel's hibernation clears or poisons free pages after a restore
 *    (clear_or_poison_free_pages()); A resumed by us runs no such code. So free pages are
 *    skipped only once one of them is seen holding data neither mode can leave there (not
 *    all zeros, not all PAGE_POISON bytes, 0xaa in include/linux/poison.h). Under either
 *    mode no such page exists, nothing is skipped, and the zero or poison pages are saved
 *    (cheaply: they compress to nothing).
 *  - Only head pages that carry the buddy type count; a block covers 2^order pages, with
 *    order < LENGTH(zone.free_area), its head aligned to 2^order, inside one run of A's
 *    contiguous RAM. Anything else is taken as corruption of the scan, not of A: the whole
 *    filter fails and the caller saves every page. Tail pages and pages on the per-CPU lists
 *    carry no buddy type and are saved: free, but never assumed to be.
 *  - Output ranges are pieces of the input ranges, never spanning two of them, so the
 *    restore's check that an image stays inside A's RAM (khh_ranges_within()) still holds.
 *
 * Errors: -EBADMSG an inconsistency (malformed note, a page-table entry that does not resolve,
 * a bad order, a block outside its run); -EPROTONOSUPPORT a note this code cannot use (a field
 * missing, another page size, an unknown page-type encoding); -ECANCELED A's free pages may
 * be zeroed or poisoned by its allocator (see above); -ENOMEM; or what the read callback
 * returns. Nothing prints; the result's `why` names the failed check.
 */
#ifndef KHH_FREEPAGES_H
#define KHH_FREEPAGES_H

#include <stddef.h>
#include <stdint.h>

#include "image/khimage.h"

/* The ranges the filter returns, at most (merging the smallest gaps first). */
#define KHH_FREEPAGES_RANGES_MAX 4096u
/* Struct pages read per batch. */
#define KHH_FREEPAGES_BATCH 1024u
/* A vmcoreinfo note larger than this is refused (the kernel's is one page plus headers). */
#define KHH_VMCOREINFO_MAX 65536u

/* Reads len bytes of A's physical memory at addr. @return 0 or -errno. */
struct khh_physread {
	int (*read)(void *ctx, uint64_t addr, void *buf, size_t len);
	void *ctx;
};

/* What the filter takes from A's vmcoreinfo note. */
struct khh_vmcoreinfo {
	uint64_t phys_base;        /* NUMBER(phys_base) */
	uint64_t init_top_pgt;     /* SYMBOL(init_top_pgt), virtual */
	uint64_t vmemmap;          /* SYMBOL(vmemmap): struct page of pfn 0, virtual */
	uint64_t sme_mask;         /* NUMBER(sme_mask), 0 if absent */
	uint32_t levels;           /* 4, or 5 with NUMBER(pgtable_l5_enabled)=1 */
	uint32_t max_physmem_bits; /* NUMBER(MAX_PHYSMEM_BITS) */
	uint32_t page_size;        /* SIZE(page) */
	uint32_t off_page_type;    /* OFFSET(page._mapcount): page_type shares its place */
	uint32_t off_private;      /* OFFSET(page.private): a buddy head's order */
	uint32_t buddy;            /* NUMBER(PAGE_BUDDY_MAPCOUNT_VALUE) */
	uint32_t nr_orders;        /* LENGTH(zone.free_area) */
};

/*! khh_vmcoreinfo_parse() : text (len bytes, untrusted, need not be NUL-terminated) is the
 *  note's descriptor: "KEY=VALUE" lines. Every value used is checked for range.
 *  @return 0, -EBADMSG (malformed line or value, a key twice), -EPROTONOSUPPORT (field
 *  missing, PAGESIZE other than 4096, values this code cannot use). */
int khh_vmcoreinfo_parse(const char *text, size_t len, struct khh_vmcoreinfo *ret);

/*! khh_vmcoreinfo_read() : reads the ELF note "VMCOREINFO" of size bytes at addr (what A's
 *  /sys/kernel/vmcoreinfo shows) and parses it. @return as khh_vmcoreinfo_parse(), -ENOMEM, or
 *  the callback's error. */
int khh_vmcoreinfo_read(const struct khh_physread *m, uint64_t addr, uint64_t size,
		       struct khh_vmcoreinfo *ret);

/*! khh_vtop() : translates A's virtual address va through A's page tables (from
 *  init_top_pgt; 4 KiB, 2 MiB and 1 GiB pages). *ret_len = bytes from va to the end of its
 *  page (so [va, va + *ret_len) is physically contiguous). @return 0, -EBADMSG (a
 *  non-canonical address, an entry not present or with reserved bits, an address beyond
 *  MAX_PHYSMEM_BITS), or the callback's error. */
int khh_vtop(const struct khh_vmcoreinfo *vi, const struct khh_physread *m, uint64_t va,
	    uint64_t *ret_pa, uint64_t *ret_len);

/*! khh_ranges_subtract() : in (ascending, disjoint) minus blocks (ascending, disjoint), with
 *  the smallest gaps inside one input range filled back until at most max(max_out, n_in)
 *  ranges remain. *ret is allocated (NULL when *ret_nr is 0); *ret_refilled = pages of
 *  blocks kept for that. @return 0, -EINVAL (unsorted input), -ENOMEM. */
int khh_ranges_subtract(const struct khi_range *in, size_t n_in, const struct khi_range *blocks,
		       size_t n_blocks, size_t max_out, struct khi_range **ret, size_t *ret_nr,
		       uint64_t *ret_refilled);

struct khh_freepages {
	struct khi_range *ranges;  /* the pages to save, ascending; free with free() */
	size_t nr;
	uint64_t pages_free;       /* pages in buddy blocks in the input ranges */
	uint64_t pages_skipped;    /* of those, left out (the rest fill small gaps) */
	uint64_t blocks;           /* buddy blocks found */
	const char *why;           /* on error: the check that failed (static string) */
};

/*! khh_freepages_filter() : the input ranges (A's RAM to save, ascending, disjoint) minus A's
 *  free buddy blocks, as at most max(max_out, n_in) ranges. A's memory is read only through
 *  m, in batches of KHH_FREEPAGES_BATCH struct pages. On error ret->ranges is NULL and
 *  ret->why says what failed: the caller MUST then save every page of in.
 *  @return 0 or -errno as above. Thread-safe if m->read is. */
int khh_freepages_filter(const struct khh_physread *m, uint64_t note_addr, uint64_t note_size,
			const struct khi_range *in, size_t n_in, size_t max_out,
			struct khh_freepages *ret);

#endif
