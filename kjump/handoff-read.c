/* B's side of the handoff: finding it on the command line and copying it out of A's memory. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "common/byteorder.h"
#include "common/cmdline.h"
#include "kjump/kjump.h"

struct phys_map {
	void *map;        /* for munmap() */
	size_t len;
	const uint8_t *p; /* the requested address */
};

/* Maps [addr, addr + size) of physical memory read-only. */
static int map_phys(int fd, uint64_t addr, size_t size, struct phys_map *ret)
{
	uint64_t base = addr & ~(uint64_t)(KJ_PAGE_SIZE - 1);
	size_t len = (size_t)(addr - base) + size;
	void *m = mmap(NULL, len, PROT_READ, MAP_SHARED, fd, (off_t)base);

	if (m == MAP_FAILED)
		return -errno;
	*ret = (struct phys_map){ m, len, (const uint8_t *)m + (addr - base) };
	return 0;
}

static int copy_handoff(int fd, uint64_t addr, void **ret_buf, size_t *ret_size)
{
	struct phys_map m = { 0 };
	size_t total;
	void *buf;
	int r;

	r = map_phys(fd, addr, KJ_HANDOFF_HEADER_SIZE, &m);
	if (r < 0)
		return r;
	total = get_le32(m.p + 16); /* total_size; kj_handoff_decode() checks it all */
	munmap(m.map, m.len);
	if (total < KJ_HANDOFF_HEADER_SIZE || total > KJ_HANDOFF_MAX_SIZE)
		return -EBADMSG;
	r = map_phys(fd, addr, total, &m);
	if (r < 0)
		return r;
	buf = malloc(total);
	if (buf)
		memcpy(buf, m.p, total);
	munmap(m.map, m.len);
	if (!buf)
		return -ENOMEM;
	*ret_buf = buf;
	*ret_size = total;
	return 0;
}

int kj_handoff_read(const char *cmdline, void **ret_buf, size_t *ret_size)
{
	struct kj_handoff h;
	uint64_t addr;
	void *buf;
	size_t size;
	int fd, r;

	r = kc_cmdline_u64(cmdline, "kjump.handoff=", &addr);
	if (r < 0)
		return r;
	/* mmap, not read(): read() of /dev/mem is refused outside the kernel's own RAM, and the
	 * handoff sits in a range B's map declares reserved. */
	fd = open("/dev/mem", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	r = copy_handoff(fd, addr, &buf, &size);
	close(fd);
	if (r < 0)
		return r;
	r = kj_handoff_decode(buf, size, &h);
	if (r < 0) {
		free(buf);
		return r;
	}
	*ret_buf = buf;
	*ret_size = size;
	return 0;
}
