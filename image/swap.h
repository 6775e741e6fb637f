/* swap.h: the Linux swap header (page 0 of a swap area, include/linux/swap.h union
 * swap_header, version 1 as written by mkswap on a little-endian machine) and the extents
 * of an area. Internal to libkhimage.
 */
#ifndef KHI_SWAP_H
#define KHI_SWAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "image/format.h"

enum khi_sig { KHI_SIG_IS_SWAP, KHI_SIG_IS_IMAGE };

struct khi_swap {
	enum khi_sig sig;
	uint32_t last_page;     /* usable pages are 1..last_page */
	uint32_t nr_badpages;
	uint32_t badpages[KHI_SWAP_BADPAGES_MAX];
	uint8_t uuid[16];
	char label[17];
};

/* -EMEDIUMTYPE unless page 0 is a v1 swap header signed "SWAPSPACE2" or "KHIBERNATE". */
int khi_swap_parse(const uint8_t page[KHI_PAGE_SIZE], struct khi_swap *ret);
void khi_swap_set_sig(uint8_t page[KHI_PAGE_SIZE], const char sig[10]);

/* The usable area as extents (pages 1..last_page around the bad pages); malloc'd. */
int khi_swap_extents(const struct khi_swap *sw, uint64_t swap_offset, struct khi_extent **ret,
		     size_t *ret_n);

/* Checks extents against the device: aligned, non-empty, on the device, disjoint, off the
 * header page; with @area also inside the usable area and off bad pages. -EINVAL if not. */
int khi_extents_check(const struct khi_extent *e, size_t n, uint64_t dev_size,
		      uint64_t swap_offset, const struct khi_swap *area);
/* One extent: aligned, non-empty, on the device (without wrapping), off the header page. */
bool khi_extent_ok(const struct khi_extent *e, uint64_t dev_size, uint64_t swap_offset);
/* Extents that passed khi_extent_ok(): no two overlap (sorts indices, 4 bytes each: the
 * reader counts them in its budget). -EINVAL, -ENOMEM. */
#define KHI_DISJOINT_BYTES_PER_EXTENT 4u
int khi_extents_disjoint(const struct khi_extent *e, size_t n);

/* Merges extents that follow each other on the device; returns the new count. */
size_t khi_extents_merge(struct khi_extent *e, size_t n);

#endif
