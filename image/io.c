/* io.c: aligned transfers over the extents of an image. */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

#include "common/clock.h"
#include "common/fileio.h"
#include "common/overflow.h"
#include "image/io.h"

int khi_open(const char *path, int writable, int *ret_fd)
{
	int flags = (writable ? O_RDWR : O_RDONLY) | O_CLOEXEC;
	/* tmpfs and some file systems refuse O_DIRECT at open time. */
	int fd = open(path, flags | O_DIRECT);

	if (fd < 0 && errno == EINVAL)
		fd = open(path, flags);
	if (fd < 0)
		return -errno;
	*ret_fd = fd;
	return 0;
}

/* EINVAL from a page-aligned transfer on an O_DIRECT fd means the device wants another
 * alignment: drop O_DIRECT for this fd and let the caller retry. */
static bool drop_direct(int fd)
{
	int fl = fcntl(fd, F_GETFL);

	if (fl < 0 || !(fl & O_DIRECT))
		return false;
	return fcntl(fd, F_SETFL, fl & ~O_DIRECT) == 0;
}

/* Drops the first @n bytes of the buffers @*iov (@*cnt of them), in place. */
static void iov_advance(struct iovec **iov, unsigned *cnt, size_t n)
{
	while (*cnt && n >= (*iov)->iov_len) {
		n -= (*iov)->iov_len;
		(*iov)++, (*cnt)--;
	}
	if (*cnt) {
		(*iov)->iov_base = (uint8_t *)(*iov)->iov_base + n;
		(*iov)->iov_len -= n;
	}
}

/* All of @iov at off, read or written: EINTR retried, O_DIRECT dropped where refused. A read
 * that meets the end is -ENXIO, a write that makes no progress -EIO. Clobbers @iov. */
static int rw_full(int fd, struct iovec *iov, unsigned cnt, uint64_t off, bool write)
{
	while (cnt) {
		ssize_t n = write ? pwritev(fd, iov, (int)cnt, (off_t)off)
				  : preadv(fd, iov, (int)cnt, (off_t)off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EINVAL && drop_direct(fd))
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			return write ? -EIO : -ENXIO;
		iov_advance(&iov, &cnt, (size_t)n);
		off += (uint64_t)n;
	}
	return 0;
}

int khi_pread_full(int fd, void *buf, size_t len, uint64_t off)
{
	struct iovec iov = { buf, len };

	return len ? rw_full(fd, &iov, 1, off, false) : 0;
}

int khi_pwrite_full(int fd, const void *buf, size_t len, uint64_t off)
{
	struct iovec iov = { (void *)buf, len }; /* only read from when writing */

	return len ? rw_full(fd, &iov, 1, off, true) : 0;
}

int khi_sync(int fd)
{
	return fdatasync(fd) < 0 ? -errno : 0;
}

void *khi_alloc_pages(size_t len)
{
	size_t n = (len + KHI_PAGE_SIZE - 1) & ~(size_t)(KHI_PAGE_SIZE - 1);
	void *p;

	if (n == 0)
		n = KHI_PAGE_SIZE;
	if (posix_memalign(&p, KHI_PAGE_SIZE, n))
		return NULL;
	memset(p, 0, n);
	return p;
}

int khi_io_init(struct khi_io *io, int fd)
{
	*io = (struct khi_io){ .fd = fd };
	return kc_dev_size(fd, &io->dev_size);
}

int khi_io_reserve(struct khi_io *io, size_t n)
{
	struct khi_extent *ext;
	uint64_t *lstart;

	if (n <= io->room)
		return 0;
	if (!(ext = realloc(io->ext, n * sizeof(*ext))))
		return -ENOMEM;
	io->ext = ext;
	if (!(lstart = realloc(io->lstart, (n + 1) * sizeof(*lstart))))
		return -ENOMEM;
	if (!io->lstart)
		lstart[0] = 0;
	io->lstart = lstart;
	io->room = n;
	return 0;
}

int khi_io_push(struct khi_io *io, const struct khi_extent *e)
{
	uint64_t end;

	if (add_overflows(io->lstart[io->n], e->length, &end))
		return -EOVERFLOW;
	io->ext[io->n++] = *e;
	io->lstart[io->n] = end;
	return 0;
}

int khi_io_set_extents(struct khi_io *io, const struct khi_extent *e, size_t n)
{
	int r = khi_io_reserve(io, n);

	io->n = 0;
	io->cursor = 0;
	for (size_t i = 0; !r && i < n; i++)
		r = khi_io_push(io, &e[i]);
	return r;
}

uint64_t khi_io_capacity(const struct khi_io *io)
{
	return io->lstart ? io->lstart[io->n] : 0;
}

/* The extent holding logical offset @lofs (< capacity). */
static size_t find_extent(struct khi_io *io, uint64_t lofs)
{
	size_t lo = 0, hi = io->n;

	if (lofs >= io->lstart[io->cursor] && lofs < io->lstart[io->cursor + 1])
		return io->cursor;
	while (hi - lo > 1) {
		size_t mid = (lo + hi) / 2;
		if (io->lstart[mid] <= lofs)
			lo = mid;
		else
			hi = mid;
	}
	return lo;
}

/* The first @n bytes of @iov, as many of its buffers as they take (the last one cut short):
 * the count, and in *@cut what was cut off the last, to put back after the transfer. */
static unsigned iov_head(struct iovec *iov, size_t n, struct iovec *cut)
{
	unsigned k = 0;

	while (n > iov[k].iov_len)
		n -= iov[k++].iov_len;
	cut->iov_base = (uint8_t *)iov[k].iov_base + n;
	cut->iov_len = iov[k].iov_len - n;
	iov[k].iov_len = n;
	return k + 1;
}

static int io_rw(struct khi_io *io, uint64_t lofs, struct iovec *iov, unsigned cnt, bool write)
{
	uint64_t t0 = kc_now_ns();
	size_t len = 0;
	int r = 0;

	for (unsigned k = 0; k < cnt; k++)
		if (add_overflows(len, iov[k].iov_len, &len))
			return -EINVAL;
	if (lofs > khi_io_capacity(io) || len > khi_io_capacity(io) - lofs)
		return write ? -ENOSPC : -EBADMSG;
	while (len && !r) {
		size_t i = find_extent(io, lofs);
		uint64_t skip = lofs - io->lstart[i];
		size_t n = (size_t)(io->ext[i].length - skip < len ? io->ext[i].length - skip : len);
		struct iovec cut;
		unsigned k = iov_head(iov, n, &cut);

		io->cursor = i;
		r = rw_full(io->fd, iov, k, io->ext[i].offset + skip, write);
		iov += k - 1, cnt -= k - 1;
		*iov = cut;
		iov_advance(&iov, &cnt, 0);   /* drops the last buffer if it went whole */
		lofs += n, len -= n;
	}
	io->ns += kc_now_ns() - t0;
	return r == -ENXIO ? -EBADMSG : r;
}

int khi_io_writev(struct khi_io *io, uint64_t lofs, struct iovec *iov, unsigned cnt)
{
	return io_rw(io, lofs, iov, cnt, true);
}

int khi_io_write(struct khi_io *io, uint64_t lofs, const void *buf, size_t len)
{
	struct iovec iov = { (void *)buf, len };

	return io_rw(io, lofs, &iov, 1, true);
}

int khi_io_read(struct khi_io *io, uint64_t lofs, void *buf, size_t len)
{
	struct iovec iov = { buf, len };

	return io_rw(io, lofs, &iov, 1, false);
}

void khi_io_done(struct khi_io *io)
{
	free(io->ext);
	free(io->lstart);
	io->ext = NULL;
	io->lstart = NULL;
	io->n = io->room = 0;
}
