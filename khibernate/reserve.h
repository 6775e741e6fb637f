/* reserve: swap slots for the image, taken from the running kernel's own swap allocator.
 *
 * On a live system the swap area holds A's swapped-out pages; the helper may write only where
 * A's allocator says it is free and will stay free until A runs again. /dev/snapshot (the
 * uswsusp interface) hands out such slots one page at a time as byte offsets on the block
 * device (already mapped through a swap file's extents) and takes them all back when the file
 * is closed. So: reserve before the jump, keep the fd open across it, close it when A runs
 * again (after --test, a failed save, or a resume). NOTES.md, "The swap area is live".
 */
#ifndef KH_RESERVE_H
#define KH_RESERVE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "image/khimage.h"

struct kh_reservation {
	int fd;                      /* /dev/snapshot; -1 when nothing is held */
	struct khi_extent *extents;  /* merged runs of reserved slots, in allocation order */
	size_t nr_extents, cap;      /* cap: allocated length of extents */
	uint64_t bytes;              /* sum of the extents */
	uint64_t ns;                 /* time the reservation took, growing included */
};
#define KH_RESERVATION_INIT { .fd = -1 }

/*! kh_reserve() : reserves up to `bytes` (rounded up to pages) of free slots of the active swap
 *  area on dev whose header is at header_offset bytes; when the area runs out first, what was
 *  reserved is kept if it is at least `min_bytes` (A's own swapping changes the free space
 *  between the preflight's count and now). On failure nothing stays reserved.
 *  @return 0; -ENOSPC (less than min_bytes free); -ENODEV (that area is not on); -EPERM
 *  (lockdown, or another hibernation holds the swap area); -EBUSY (another user of
 *  /dev/snapshot); -ENOMEM; -errno. */
int kh_reserve(dev_t dev, uint64_t header_offset, uint64_t bytes, uint64_t min_bytes,
	       struct kh_reservation *ret);

/*! kh_reserve_grow() : reserves more slots on r's area until r holds `bytes`; when the area runs
 *  out first, what it holds then is kept if it is more than before (the caller decides whether
 *  that is enough). On failure r still holds at least what it held (slots once taken stay
 *  held until kh_reservation_release()).
 *  @return 0; -ENOSPC (nothing more free); -ENOMEM; -errno. */
int kh_reserve_grow(struct kh_reservation *r, uint64_t bytes);

/*! kh_reservation_release() : gives the slots back (closes /dev/snapshot) and frees the list.
 *  Accepts a released or KH_RESERVATION_INIT reservation. */
void kh_reservation_release(struct kh_reservation *r);

/*! kh_extents_add() : appends the page-aligned run [offset, offset + length) to a growing
 *  list, merging it with the last run when they touch. *cap is the allocated length.
 *  @return 0 or -ENOMEM. */
int kh_extents_add(struct khi_extent **list, size_t *nr, size_t *cap, uint64_t offset,
		   uint64_t length);

#endif
