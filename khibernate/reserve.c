/* Reserving swap slots through /dev/snapshot; see reserve.h. */
#include <errno.h>
#include <fcntl.h>
#include <linux/suspend_ioctls.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "common/clock.h"
#include "khibernate/reserve.h"

int kh_extents_add(struct khi_extent **list, size_t *nr, size_t *cap, uint64_t offset,
		   uint64_t length)
{
	if (*nr && (*list)[*nr - 1].offset + (*list)[*nr - 1].length == offset) {
		(*list)[*nr - 1].length += length;
		return 0;
	}
	if (*nr == *cap) {
		size_t ncap = *cap ? *cap * 2 : 64;
		struct khi_extent *n = realloc(*list, ncap * sizeof(*n));
		if (!n)
			return -ENOMEM;
		*list = n;
		*cap = ncap;
	}
	(*list)[(*nr)++] = (struct khi_extent){ .offset = offset, .length = length };
	return 0;
}

/* The kernel's "new" dev_t encoding, which /dev/snapshot expects. */
static uint32_t new_encode_dev(dev_t dev)
{
	unsigned maj = major(dev), min = minor(dev);
	return (min & 0xff) | (maj << 8) | ((min & ~0xffu) << 12);
}

/* Slots one page at a time until r holds `pages` or the area runs out (-ENOSPC). A slot
 * taken stays in r whatever happens next: the kernel holds it until the fd is closed. */
static int take_slots(struct kh_reservation *r, uint64_t pages)
{
	uint64_t held = r->bytes / KHI_PAGE_SIZE;
	int err = 0;

	while (!err && held < pages) {
		__kernel_loff_t off;
		if (ioctl(r->fd, SNAPSHOT_ALLOC_SWAP_PAGE, &off) < 0)
			err = -errno;
		else if (!(err = kh_extents_add(&r->extents, &r->nr_extents, &r->cap, (uint64_t)off,
						KHI_PAGE_SIZE)))
			held++;
	}
	r->bytes = held * KHI_PAGE_SIZE;
	return err;
}

int kh_reserve(dev_t dev, uint64_t header_offset, uint64_t bytes, uint64_t min_bytes,
	       struct kh_reservation *ret)
{
	struct kh_reservation r = KH_RESERVATION_INIT;
	struct resume_swap_area area = {
		.offset = (__kernel_loff_t)(header_offset / KHI_PAGE_SIZE),
		.dev = new_encode_dev(dev),
	};
	uint64_t start = kc_now_ns();
	int err = 0;

	r.fd = open("/dev/snapshot", O_RDONLY | O_CLOEXEC);
	if (r.fd < 0)
		return -errno;
	if (ioctl(r.fd, SNAPSHOT_SET_SWAP_AREA, &area) < 0)
		err = -errno;
	if (!err)
		err = take_slots(&r, (bytes + KHI_PAGE_SIZE - 1) / KHI_PAGE_SIZE);
	if (err == -ENOSPC && r.bytes && r.bytes >= min_bytes)
		err = 0;
	if (err) {
		kh_reservation_release(&r);
		return err;
	}
	r.ns = kc_now_ns() - start;
	*ret = r;
	return 0;
}

int kh_reserve_grow(struct kh_reservation *r, uint64_t bytes)
{
	uint64_t start = kc_now_ns(), before = r->bytes;
	int err = take_slots(r, (bytes + KHI_PAGE_SIZE - 1) / KHI_PAGE_SIZE);

	r->ns += kc_now_ns() - start;
	/* Less than asked is still more room: the helper may need only part of it. */
	return err == -ENOSPC && r->bytes > before ? 0 : err;
}

void kh_reservation_release(struct kh_reservation *r)
{
	if (r->fd >= 0)
		close(r->fd);
	free(r->extents);
	*r = (struct kh_reservation)KH_RESERVATION_INIT;
}
