/* Save mode: A's RAM into an image in the reserved swap slots; see helper.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "common/clock.h"
#include "helper/freepages.h"
#include "helper/helper.h"
#include "helper/physmem.h"
#include "protocol/blockdev.h"
#include "protocol/platform.h"

int khh_open_swap(const struct khp_params *pa, int writable, int *ret_fd)
{
	char path[128];
	int r = khp_dev_wait(makedev(pa->swap_major, pa->swap_minor), path, sizeof(path), 10000);

	return r < 0 ? r : khi_open(path, writable, ret_fd);
}

int khh_check_swap_area(const struct khp_params *pa, int fd)
{
	struct khi_probe_info info;
	int r = khi_probe(fd, pa->swap_offset, &info);

	if (r < 0)
		return r;
	if (memcmp(info.swap_uuid, pa->swap_uuid, KHP_SWAP_UUID_SIZE)) {
		fprintf(stderr, "khib-helper: %u:%u is not the swap area A chose (%s): its UUID differs; "
			"nothing written\n", pa->swap_major, pa->swap_minor, pa->swap_path);
		return -ENODEV;
	}
	return 0;
}

/* Zero copy: the writer reads A's pages where they are. */
static int read_pages(void *ctx, uint64_t pfn, uint32_t nr_pages, void *buf, const void **ret)
{
	const uint8_t *p = khh_physmem_ptr(ctx, pfn, nr_pages);

	(void)buf;
	if (!p)
		return -EFAULT;
	*ret = p;
	return 0;
}

/* For the free-page filter: A's memory through the mappings of its RAM. */
static int read_phys(void *ctx, uint64_t addr, void *buf, size_t len)
{
	uint64_t pfn = addr / KHI_PAGE_SIZE, end = (addr + len + KHI_PAGE_SIZE - 1) / KHI_PAGE_SIZE;
	const uint8_t *p = khh_physmem_ptr(ctx, pfn, end - pfn);

	if (!p)
		return -EFAULT;
	memcpy(buf, p + addr % KHI_PAGE_SIZE, len);
	return 0;
}

/* Replaces *ranges by those minus A's free pages; leaves them when that cannot be done
 * safely (freepages.h), so that every page is saved. */
static void skip_free_pages(const struct khp_params *pa, struct khh_physmem *mem,
			    struct khi_range **ranges, size_t *nr)
{
	struct khh_physread m = { read_phys, mem };
	uint64_t t0 = kc_now_ns();
	struct khh_freepages fp;
	int err;

	if (!pa->vmcoreinfo_addr)
		return;
	err = khh_freepages_filter(&m, pa->vmcoreinfo_addr, pa->vmcoreinfo_size, *ranges, *nr,
				  KHH_FREEPAGES_RANGES_MAX, &fp);
	if (err) {
		fprintf(stderr, "khib-helper: free pages not skipped: %s: %s\n", fp.why, strerror(-err));
		return;
	}
	fprintf(stderr, "khib-helper: %llu free pages skipped (%llu MiB, %llu blocks, %zu ranges)"
		" in %llu ms\n", (unsigned long long)fp.pages_skipped,
		(unsigned long long)(fp.pages_skipped * KHI_PAGE_SIZE >> 20),
		(unsigned long long)fp.blocks, fp.nr,
		(unsigned long long)((kc_now_ns() - t0) / 1000000));
	free(*ranges);
	*ranges = fp.ranges;
	*nr = fp.nr;
}

static void fill_meta(const struct khp_params *pa, uint64_t entry, const void *platform,
		      size_t platform_size, struct khi_meta *m)
{
	memset(m, 0, sizeof(*m));
	memcpy(m->kernel_id, pa->kernel_id, sizeof(m->kernel_id));
	memcpy(m->machine_id, pa->machine_id, sizeof(m->machine_id));
	strcpy(m->kernel_release, pa->kernel_release);
	strcpy(m->label, pa->label);
	m->entry = entry;
	m->platform = platform;
	m->platform_size = (uint32_t)platform_size;
}

static void fill_opts(const struct khp_params *pa, struct khh_progress *prog,
		      struct khi_writer_opts *o)
{
	o->compression = pa->compression;
	o->level = (int)pa->level;
	o->threads = khh_threads(pa->threads);
	o->size_estimate = pa->size_estimate;
	if (pa->flags & KHP_F_KEY)
		o->key.key = pa->key;
	if (pa->flags & KHP_F_PASSPHRASE)
		o->key.passphrase = pa->passphrase;
	o->progress = khh_progress_cb;
	o->progress_ctx = prog;
}

int khh_save(const struct khp_params *pa, const struct kj_layout *l, uint64_t entry,
	    struct khp_status *st)
{
	struct khi_writer_opts opts = KHI_WRITER_OPTS_INIT;
	struct khi_target t = { .fd = -1 };
	struct khh_progress prog = { .verb = "saving" };
	struct khh_physmem mem = { 0 };
	struct khi_range *ranges = NULL;
	uint8_t platform[KHI_PLATFORM_MAX];
	khi_writer *w = NULL;
	struct khi_meta meta;
	struct khi_source src;
	uint64_t t0 = kc_now_ns();
	ssize_t plen;
	size_t nr;
	int err;

	plen = khp_platform_encode(l, pa->status_addr, platform, sizeof(platform));
	if (plen < 0)
		return (int)plen;
	err = khh_saved_ranges(l, &ranges, &nr);
	if (!err)
		err = khh_physmem_map(ranges, nr, 0, &mem);
	if (!err)
		err = khh_open_swap(pa, 1, &t.fd);
	if (!err)
		err = khh_check_swap_area(pa, t.fd);
	if (err)
		goto out;
	/* mem keeps mapping all of A's RAM: the filtered ranges are pieces of it. */
	skip_free_pages(pa, &mem, &ranges, &nr);
	t.swap_offset = pa->swap_offset;
	t.extents = pa->extents;
	t.nr_extents = pa->nr_extents;
	t.swapfile = !!(pa->flags & KHP_F_SWAPFILE);
	fill_meta(pa, entry, platform, (size_t)plen, &meta);
	fill_opts(pa, &prog, &opts);
	src = (struct khi_source){ .ranges = ranges, .nr_ranges = nr, .read = read_pages, .ctx = &mem,
				   .unpinnable = 1 };
	err = khi_writer_new(&t, &opts, &meta, &src, &w);
	if (err)
		goto out;
	st->phase_ns[KHP_PHASE_PREPARE] = kc_now_ns() - t0;
	prog.start_ns = prog.last_ns = kc_now_ns();
	err = khi_writer_write(w);
	khi_writer_stats(w, &st->stats);
	st->phase_ns[KHP_PHASE_PASS] = kc_now_ns() - prog.start_ns;
	if (!err) {
		/* The reader returns the id; the writer keeps it in its meta copy. */
		struct khi_probe_info info;
		if (khi_probe(t.fd, t.swap_offset, &info) == 0)
			memcpy(st->image_id, info.image_id, KHI_IMAGE_ID_SIZE);
	}
out:
	khi_writer_free(w);
	if (t.fd >= 0)
		close(t.fd);
	khh_physmem_unmap(&mem);
	free(ranges);
	return err;
}
