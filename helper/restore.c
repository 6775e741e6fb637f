/* Restore mode: check the image's metadata, then put A's pages back in one pass; see
 * helper.h. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysinfo.h>
#include <unistd.h>

#include "common/clock.h"
#include "helper/helper.h"
#include "helper/physmem.h"
#include "protocol/platform.h"

/* Called by the reader's workers at once (a concurrent sink): each call writes its own pages,
 * and the mapping is only read. */
static int write_pages(void *ctx, uint64_t pfn, uint32_t nr_pages, const void *data)
{
	uint8_t *p = khh_physmem_ptr(ctx, pfn, nr_pages);

	if (!p)
		return -EFAULT;
	memcpy(p, data, (size_t)nr_pages * KHI_PAGE_SIZE);
	return 0;
}

static void *place_pages(void *ctx, uint64_t pfn, uint32_t nr_pages)
{
	return khh_physmem_ptr(ctx, pfn, nr_pages);
}

/* What the reader may allocate for the image's tables: B lives in its region, and
 * khh_threads() gave at most half of its free memory to the chunk buffers; the tables get the
 * rest (docs/image-format.md, "Memory bounds"). Each MiB of it holds the chunk table of 4 GiB
 * of A's RAM; a forged image gets no more. */
static uint64_t spare_memory(void)
{
	struct sysinfo si;

	if (sysinfo(&si) < 0)
		return 0;   /* the library's default */
	return (uint64_t)si.freeram * si.mem_unit / 2;
}

static bool same_layout(const struct kj_layout *a, const struct kj_layout *b)
{
	if (memcmp(&a->region, &b->region, sizeof(a->region)) || memcmp(&a->hole, &b->hole, sizeof(a->hole)) ||
	    a->nr_entries != b->nr_entries)
		return false;
	for (uint32_t i = 0; i < a->nr_entries; i++)
		if (a->entries[i].start != b->entries[i].start || a->entries[i].size != b->entries[i].size ||
		    a->entries[i].type != b->entries[i].type)
			return false;
	return true;
}

/* The image must describe the very layout B was loaded with (the boot hook checked it against
 * the firmware's map: memmap.h), save only A's RAM outside our region, and restore the page A
 * resumes at and the one the status record goes to: B writes nothing else, and jumps nowhere
 * else (an unencrypted image names all three). */
static int check_image(khi_reader *r, const struct khp_params *pa, const struct kj_layout *l,
		       const struct khi_range *allowed, size_t n_allowed)
{
	const struct khi_meta *m = khi_reader_meta(r);
	const struct khi_range *ranges;
	struct kj_layout saved;
	uint64_t status_addr;
	size_t nr;
	int err;

	err = khi_reader_check_identity(r, pa->kernel_id, pa->machine_id);
	if (err)
		return err;
	if (m->entry != pa->entry)
		return -ESTALE;
	err = khp_platform_decode(m->platform, m->platform_size, &saved, &status_addr);
	if (err)
		return err;
	if (!same_layout(&saved, l) || status_addr != pa->status_addr)
		return -ESTALE;
	ranges = khi_reader_ranges(r, &nr);
	if (!khh_ranges_within(ranges, nr, allowed, n_allowed) ||
	    !khh_restore_targets_ok(ranges, nr, m->entry, status_addr, KHP_STATUS_SIZE))
		return -EBADMSG;
	return 0;
}

int khh_restore(const struct khp_params *pa, const struct kj_layout *l, bool in_place,
		struct khp_status *st)
{
	struct khi_reader_opts opts = KHI_READER_OPTS_INIT;
	struct khi_target t = { .fd = -1, .swap_offset = pa->swap_offset };
	struct khh_progress prog = { .verb = "restoring" };
	struct khh_physmem mem = { 0 };
	struct khi_range *allowed = NULL;
	khi_reader *r = NULL;
	uint64_t t0 = kc_now_ns();
	size_t n_allowed;
	int err;

	opts.threads = khh_threads(pa->threads);
	opts.mem_max = spare_memory();
	/* Argon2id runs before the chunk buffers exist: it may have that half too. */
	if (opts.mem_max && opts.mem_max >> 10 < KHI_KDF_MEMORY_MAX_DEFAULT)
		opts.kdf_memory_max_kib = (uint32_t)(opts.mem_max >> 10);
	opts.consumed_id = pa->image_id;
	opts.key.key = pa->flags & KHP_F_KEY ? pa->key : NULL;
	opts.key.passphrase = pa->flags & KHP_F_PASSPHRASE ? pa->passphrase : NULL;
	opts.progress = khh_progress_cb;
	opts.progress_ctx = &prog;
	memcpy(st->image_id, pa->image_id, KHI_IMAGE_ID_SIZE);

	err = khh_saved_ranges(l, &allowed, &n_allowed);
	if (!err)
		err = khh_open_swap(pa, 0, &t.fd);
	if (!err)
		err = khi_reader_open(&t, &opts, &r);
	if (!err)
		err = check_image(r, pa, l, allowed, n_allowed);
	if (!err)
		err = khh_physmem_map(allowed, n_allowed, 1, &mem);
	st->phase_ns[KHP_PHASE_PREPARE] = kc_now_ns() - t0;
	if (err)
		goto out;

	/* One pass: the chunk table is checked before the first page is written, each chunk
	 * before its pages are. A failure after the first write leaves A half restored: finish()
	 * in main.c reboots then, and the boot path consumed the image before loading us, so
	 * the next boot is a normal one. A verify pass first would only read the image twice. */
	prog.start_ns = prog.last_ns = t0 = kc_now_ns();
	err = khi_reader_restore(r, &(struct khi_sink){ .write = write_pages, .ctx = &mem,
							  .place = in_place ? place_pages : NULL,
							  .concurrent = true });
	st->phase_ns[KHP_PHASE_PASS] = kc_now_ns() - t0;
	khi_reader_stats(r, &st->stats);
out:
	khi_reader_free(r);
	if (t.fd >= 0)
		close(t.fd);
	khh_physmem_unmap(&mem);
	free(allowed);
	return err;
}
