/* io.h: I/O on the target. The image is a logical byte stream laid over a list of extents;
 * every transfer is page aligned in offset, length and buffer, so O_DIRECT works; a device
 * that refuses O_DIRECT for a transfer (EINVAL) gets buffered I/O from then on. Internal.
 */
#ifndef KHI_IO_H
#define KHI_IO_H

#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

#include "image/khimage.h"

struct khi_io {
	int fd;
	uint64_t dev_size;
	struct khi_extent *ext;   /* owned */
	uint64_t *lstart;         /* logical offset of each extent; lstart[n] = capacity */
	size_t n, room;           /* extents, and room for that many */
	size_t cursor;            /* last extent used: transfers are mostly sequential */
	uint64_t ns;              /* time spent in transfers */
};

/* Whole transfers at a device offset. A read past the end of the file gives -ENXIO. */
int khi_pread_full(int fd, void *buf, size_t len, uint64_t off);
int khi_pwrite_full(int fd, const void *buf, size_t len, uint64_t off);
int khi_sync(int fd);

void *khi_alloc_pages(size_t len);   /* page aligned, zeroed, length rounded up to a page */

int khi_io_init(struct khi_io *io, int fd);
/* Takes a copy of the extents. */
int khi_io_set_extents(struct khi_io *io, const struct khi_extent *e, size_t n);
/* Room for @n extents in all (those there stay): KHI_IO_EXTENT_BYTES each. -ENOMEM. */
#define KHI_IO_EXTENT_BYTES (sizeof(struct khi_extent) + sizeof(uint64_t))
int khi_io_reserve(struct khi_io *io, size_t n);
/* Appends one extent (room MUST be reserved). -EOVERFLOW if the capacity would wrap. */
int khi_io_push(struct khi_io *io, const struct khi_extent *e);
uint64_t khi_io_capacity(const struct khi_io *io);
/* Logical transfers; @lofs and @len page aligned. Beyond the capacity: -ENOSPC (write),
 * -EBADMSG (read). */
int khi_io_write(struct khi_io *io, uint64_t lofs, const void *buf, size_t len);
/* The @cnt buffers of @iov back to back from @lofs, each page aligned in address and length,
 * in one system call per extent they cross: fewer round trips than a write per buffer.
 * Clobbers @iov. */
int khi_io_writev(struct khi_io *io, uint64_t lofs, struct iovec *iov, unsigned cnt);
int khi_io_read(struct khi_io *io, uint64_t lofs, void *buf, size_t len);
void khi_io_done(struct khi_io *io);

/* The reader's read-ahead (reader.c, read_window()): its largest read, and the ring its
 * windows go round with @slots pipeline slots. */
#define KHI_READ_WINDOW (2u << 20)
static inline uint64_t khi_read_ring_bytes(unsigned slots)
{
	return (uint64_t)slots * KHI_CHUNK_PAGES * KHI_PAGE_SIZE + 2 * KHI_READ_WINDOW;
}

#endif
