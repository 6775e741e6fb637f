/* A locked page with a known physical address; see statuspage.h. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "khibernate/statuspage.h"

#define PAGEMAP_PRESENT (1ULL << 63)
#define PAGEMAP_PFN_MASK ((1ULL << 55) - 1)

int kh_statuspage_new(struct kh_statuspage *ret)
{
	uint64_t entry = 0;
	uint8_t *page;
	int fd, r = 0;

	page = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (page == MAP_FAILED)
		return -errno;
	/* Locked and touched: the frame must not move or be swapped out before B writes it. */
	if (mlock(page, 4096) < 0) {
		r = -errno;
		goto fail;
	}
	memset(page, 0, 4096);
	fd = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		r = -errno;
		goto fail;
	}
	if (pread(fd, &entry, sizeof(entry), (off_t)((uintptr_t)page / 4096 * 8)) != sizeof(entry))
		r = -EIO;
	close(fd);
	if (!r && (!(entry & PAGEMAP_PRESENT) || !(entry & PAGEMAP_PFN_MASK)))
		r = -EPERM;
	if (r)
		goto fail;
	ret->page = page;
	ret->phys = (entry & PAGEMAP_PFN_MASK) * 4096;
	return 0;
fail:
	munmap(page, 4096);
	return r;
}

void kh_statuspage_free(struct kh_statuspage *s)
{
	if (s->page)
		munmap(s->page, 4096);
	s->page = NULL;
	s->phys = 0;
}
