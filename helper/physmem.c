/* Mapping A's RAM through /dev/mem; see physmem.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "common/overflow.h"
#include "helper/physmem.h"

#define PAGE KHI_PAGE_SIZE

static int push(struct khi_range **v, size_t *n, uint64_t start, uint64_t end)
{
	struct khi_range *nv;

	if (end <= start)
		return 0;
	nv = realloc(*v, (*n + 1) * sizeof(**v));
	if (!nv)
		return -ENOMEM;
	*v = nv;
	nv[(*n)++] = (struct khi_range){ .pfn = start / PAGE, .count = (end - start) / PAGE };
	return 0;
}

int khh_saved_ranges(const struct kj_layout *l, struct khi_range **ret, size_t *ret_nr)
{
	uint64_t rs = l->region.start, re = l->region.start + l->region.size;
	struct khi_range *v = NULL;
	size_t n = 0;
	int r = 0;

	for (unsigned i = 0; !r && i < l->nr_entries; i++) {
		const struct kj_map_entry *e = &l->entries[i];
		/* Whole pages only: a partial page at an edge belongs to the firmware as well. */
		uint64_t s = (e->start + PAGE - 1) / PAGE * PAGE, end = (e->start + e->size) / PAGE * PAGE;

		if (e->type != KJ_E820_RAM)
			continue;
		if (re <= s || rs >= end) {
			r = push(&v, &n, s, end);
		} else {
			r = push(&v, &n, s, rs > s ? rs : s);
			if (!r)
				r = push(&v, &n, re < end ? re : end, end);
		}
	}
	if (!r && !n)
		r = -ENODATA;
	if (r) {
		free(v);
		return r;
	}
	*ret = v;
	*ret_nr = n;
	return 0;
}

int khh_ranges_within(const struct khi_range *inner, size_t n_inner,
		     const struct khi_range *outer, size_t n_outer)
{
	for (size_t i = 0; i < n_inner; i++) {
		uint64_t s = inner[i].pfn, e = inner[i].pfn + inner[i].count;
		size_t j = 0;

		if (e < s)
			return 0;
		while (j < n_outer && !(outer[j].pfn <= s && e <= outer[j].pfn + outer[j].count))
			j++;
		if (j == n_outer)
			return 0;
	}
	return 1;
}

int khh_restore_targets_ok(const struct khi_range *ranges, size_t n, uint64_t entry,
			  uint64_t status_addr, uint64_t status_size)
{
	struct khi_range e = { entry / PAGE, 1 }, s = { status_addr / PAGE, 0 };
	uint64_t end;

	if (!entry || !khh_ranges_within(&e, 1, ranges, n))
		return 0;
	if (!status_addr)
		return 1;
	if (!status_size || add_overflows(status_addr, status_size - 1, &end) || end / PAGE >= KHI_PFN_LIMIT)
		return 0;
	s.count = end / PAGE - s.pfn + 1;
	return khh_ranges_within(&s, 1, ranges, n);
}

int khh_physmem_map(const struct khi_range *ranges, size_t nr, int writable, struct khh_physmem *ret)
{
	struct khh_physmem m = { .nr = nr };
	int prot = PROT_READ | (writable ? PROT_WRITE : 0);

	/* No O_SYNC: that would map the pages uncached, slow and not coherent with A's caches. */
	m.fd = open("/dev/mem", (writable ? O_RDWR : O_RDONLY) | O_CLOEXEC);
	if (m.fd < 0)
		return -errno;
	m.ranges = malloc(nr * sizeof(*ranges));
	m.maps = calloc(nr, sizeof(*m.maps));
	if (!m.ranges || !m.maps) {
		khh_physmem_unmap(&m);
		return -ENOMEM;
	}
	memcpy(m.ranges, ranges, nr * sizeof(*ranges));
	for (size_t i = 0; i < nr; i++) {
		void *p = mmap(NULL, ranges[i].count * PAGE, prot, MAP_SHARED, m.fd,
			       (off_t)(ranges[i].pfn * PAGE));
		if (p == MAP_FAILED) {
			int err = -errno;
			khh_physmem_unmap(&m);
			return err;
		}
		m.maps[i] = p;
	}
	*ret = m;
	return 0;
}

uint8_t *khh_physmem_ptr(const struct khh_physmem *m, uint64_t pfn, uint64_t nr_pages)
{
	for (size_t i = 0; i < m->nr; i++) {
		const struct khi_range *r = &m->ranges[i];
		if (r->pfn <= pfn && pfn + nr_pages <= r->pfn + r->count)
			return m->maps[i] + (pfn - r->pfn) * PAGE;
	}
	return NULL;
}

void khh_physmem_unmap(struct khh_physmem *m)
{
	for (size_t i = 0; m->maps && i < m->nr; i++)
		if (m->maps[i])
			munmap(m->maps[i], m->ranges[i].count * PAGE);
	free(m->maps);
	free(m->ranges);
	if (m->fd > 0)
		close(m->fd);
	memset(m, 0, sizeof(*m));
}

int khh_physmem_write(uint64_t addr, const void *data, size_t size)
{
	uint64_t base = addr / PAGE * PAGE, len = addr + size - base;
	uint8_t *p;
	int fd, err = 0;

	fd = open("/dev/mem", O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, (off_t)base);
	if (p == MAP_FAILED)
		err = -errno;
	else {
		memcpy(p + (addr - base), data, size);
		munmap(p, len);
	}
	close(fd);
	return err;
}
