/* physmem: A's RAM as the helper sees it, mapped through /dev/mem.
 *
 * B's own memory map declares A's RAM as ACPI data, so read() of /dev/mem refuses it, but
 * mmap() (with CONFIG_STRICT_DEVMEM off) maps it, write-back cached and therefore coherent with
 * what A left in the caches (relocate_kernel does not flush them). Each saved range gets one
 * mapping: the image writer reads pages straight from it (no copy) and the restore writes
 * pages straight into it.
 */
#ifndef KHH_PHYSMEM_H
#define KHH_PHYSMEM_H

#include <stddef.h>
#include <stdint.h>

#include "image/khimage.h"
#include "kjump/kjump.h"

struct khh_physmem {
	int fd;
	size_t nr;
	struct khi_range *ranges;  /* page frames, ascending */
	uint8_t **maps;            /* one mapping per range */
};

/*! khh_saved_ranges() : the page frames an image covers: A's RAM in the layout, whole pages
 *  only, minus the helper's region (and the hole, which is not A's RAM). *ret is allocated.
 *  @return 0, -ENODATA (nothing left), -ENOMEM. */
int khh_saved_ranges(const struct kj_layout *l, struct khi_range **ret, size_t *ret_nr);

/*! khh_ranges_within() : @return 1 if every range of `inner` lies inside the union of `outer`
 *  (both ascending), else 0. The restore refuses to write anywhere an image's ranges leave
 *  A's RAM: above all, never into the helper's own region. */
int khh_ranges_within(const struct khi_range *inner, size_t n_inner,
		     const struct khi_range *outer, size_t n_outer);

/*! khh_restore_targets_ok() : @return 1 if the page of A's re-entry point and the @status_size
 *  bytes of the status record at @status_addr (0 = none) lie in pages the image restores
 *  (@ranges), else 0. An unencrypted image names both: forged, it must not make the helper jump
 *  into, or write to, memory it did not restore. */
int khh_restore_targets_ok(const struct khi_range *ranges, size_t n, uint64_t entry,
			  uint64_t status_addr, uint64_t status_size);

/*! khh_physmem_map() : maps each range of /dev/mem, read-only or read-write. ranges is copied.
 *  @return 0, -errno of open/mmap (everything mapped so far is unmapped). */
int khh_physmem_map(const struct khi_range *ranges, size_t nr, int writable, struct khh_physmem *ret);

/*! khh_physmem_ptr() : address of nr_pages pages from pfn, which MUST lie in one range;
 *  NULL otherwise. */
uint8_t *khh_physmem_ptr(const struct khh_physmem *m, uint64_t pfn, uint64_t nr_pages);

/*! khh_physmem_unmap() : accepts a zeroed or unmapped struct. */
void khh_physmem_unmap(struct khh_physmem *m);

/*! khh_physmem_write() : copies size bytes to physical address addr (one short mapping; for
 *  the status record). @return 0 or -errno. */
int khh_physmem_write(uint64_t addr, const void *data, size_t size);

#endif
