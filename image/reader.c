/* reader.c: khi_reader: the metadata checked first, then one pass that reads each chunk once,
 * checks it and hands its pages to a sink (restore) or to nobody (verify).
 *
 * The order is the contract of khimage.h: the header is checked on open, the chunk table
 * (digest, records against the ranges) before the first chunk is read, and a chunk reaches the
 * sink only from the in-order collect (from its worker, for a concurrent sink), after its worker
 * checked the checksum, the tag and the decompressed size (as it decompressed into place, for
 * a sink that places). A second read of the disk before the restore (a verify pass) bought
 * nothing: the restore helper reboots after a failure in either, the image already consumed.
 * The payloads are read ahead, several chunks a read, into a ring the slots point into.
 */
#include <errno.h>
#include <lz4.h>
#include <stdlib.h>
#include <string.h>

#include "common/clock.h"
#include "common/overflow.h"
#include "image/crypto.h"
#include "image/metadata.h"
#include "image/pool.h"
#include "image/progress.h"

#define CHUNK_BYTES (KHI_CHUNK_PAGES * KHI_PAGE_SIZE)

struct rslot {
	uint64_t index;
	struct khi_chunk rec;      /* decoded from the table, which was checked once */
	uint8_t *in;               /* payload as read: inside the read-ahead ring */
	uint8_t *out;              /* decompressed present pages */
	const uint8_t *pages;      /* in or out */
	uint64_t ns_compress, ns_checksum, ns_crypt, ns_sink;
};

struct khi_reader {
	struct khi_image img;
	struct khi_reader_opts opts;
	unsigned nr_workers;
	uint8_t key[KHI_KEY_SIZE];
	struct khi_gcm *gcm;
	struct rslot *slots;
	/* Read-ahead: chunk payloads are read a window of consecutive chunks at a time into a
	 * ring, and a slot's `in` points into it (see read_window()). */
	uint8_t *ring;
	size_t ring_size, ring_next;
	uint64_t win_lofs, win_end;   /* the last window: image bytes [win_lofs, win_end) ... */
	uint8_t *win;                 /* ... are here */
	uint8_t *table;            /* the chunk table as read and checked; records decoded again
	                              when used: 64 bytes a chunk, not 120 */
	uint8_t *zero;             /* KHI_CHUNK_PAGES zero pages for the sink */
	const struct khi_sink *sink;
	struct khi_progress progress;
	struct khi_stats stats;
};

/* ---- open ---- */

/* Which commit record the caller may read: see khi_reader_opts.consumed_id. */
static int pick_anchor(const uint8_t *page, const struct khi_swap *sw, const uint8_t *consumed_id,
		       struct khi_anchor *a)
{
	int r = khi_anchor_decode(page, a);

	if (sw->sig == KHI_SIG_IS_SWAP) {
		/* A plain swap signature never vouches for a record: at most a consumed one. */
		if (r < 0 || a->state != KHI_STATE_CONSUMED)
			return -ENODATA;
		if (!consumed_id)
			return -EALREADY;
		return memcmp(consumed_id, a->image_id, KHI_IMAGE_ID_SIZE) ? -ENODATA : 0;
	}
	if (r == -ENODATA)
		return -EBADMSG;     /* our signature without a record: a torn commit */
	if (r < 0)
		return r;
	if (a->state != KHI_STATE_COMMITTED)
		return -EBADMSG;
	return consumed_id ? -ENODATA : 0;
}

static int check_key(khi_reader *r)
{
	const struct khi_header *h = &r->img.hdr;
	const struct khi_key *k = &r->opts.key;
	uint8_t *buf = r->img.hdr_buf;
	uint8_t tag[KHI_TAG_SIZE], sum[32];
	struct khi_gcm g = { 0 };
	int e;

	/* A key says the caller expects an encrypted image. An unencrypted one proves nothing:
	 * anyone who can write the swap area can write one with every checksum right. */
	if (h->cipher == KHI_CIPHER_NONE)
		return k->key || k->passphrase ? -EPROTO : 0;
	if (!k->key && !k->passphrase)
		return -ENOKEY;
	if (h->kdf == KHI_KDF_ARGON2ID) {
		if (!k->passphrase)
			return -EKEYREJECTED;
		/* The costs come from a header nothing has authenticated yet: the caller bounds
		 * them, or a forged one costs minutes and a GiB at every boot. */
		if (h->kdf_passes > (r->opts.kdf_passes_max ?: KHI_KDF_PASSES_MAX_DEFAULT) ||
		    h->kdf_memory_kib > (r->opts.kdf_memory_max_kib ?: KHI_KDF_MEMORY_MAX_DEFAULT))
			return -E2BIG;
		e = khi_kdf_argon2id(k->passphrase, h->kdf_salt, h->kdf_passes, h->kdf_memory_kib,
				     h->kdf_lanes, r->key);
		if (e < 0)
			return e;
	} else {
		if (!k->key)
			return -EKEYREJECTED;
		memcpy(r->key, k->key, KHI_KEY_SIZE);
	}
	/* The tag was computed with tag and checksum zeroed. */
	memcpy(tag, buf + KHI_HDR_OFF_TAG, KHI_TAG_SIZE);
	memcpy(sum, buf + KHI_HDR_OFF_CHECKSUM, 32);
	memset(buf + KHI_HDR_OFF_TAG, 0, KHI_TAG_SIZE + 32);
	if ((e = khi_gcm_init(&g, r->key)) == 0)
		e = khi_gcm_unseal(&g, h->meta.image_id, KHI_HEADER_NONCE_INDEX, buf, h->header_size,
				   NULL, NULL, 0, tag);
	khi_gcm_done(&g);
	memcpy(buf + KHI_HDR_OFF_TAG, tag, KHI_TAG_SIZE);
	memcpy(buf + KHI_HDR_OFF_CHECKSUM, sum, 32);
	return e == -EBADMSG ? -EKEYREJECTED : e;
}

static int setup_workers(khi_reader *r)
{
	unsigned nslots = khi_pool_slots(r->nr_workers);
	int e;

	r->slots = calloc(nslots, sizeof(*r->slots));
	r->gcm = calloc(r->nr_workers, sizeof(*r->gcm));
	r->zero = khi_alloc_pages(CHUNK_BYTES);
	r->ring_size = khi_read_ring_bytes(nslots);
	r->ring = khi_alloc_pages(r->ring_size);
	if (!r->slots || !r->gcm || !r->zero || !r->ring)
		return -ENOMEM;
	for (unsigned i = 0; i < nslots; i++)
		if (!(r->slots[i].out = khi_alloc_pages(CHUNK_BYTES)))
			return -ENOMEM;
	if (r->img.hdr.cipher)
		for (unsigned i = 0; i < r->nr_workers; i++)
			if ((e = khi_gcm_init(&r->gcm[i], r->key)) < 0)
				return e;
	return 0;
}

int khi_reader_open(const struct khi_target *target, const struct khi_reader_opts *opts,
		    khi_reader **ret)
{
	struct khi_anchor a;
	struct khi_swap sw;
	uint8_t *page = NULL;
	khi_reader *r;
	int e;

	if (!target || !opts || !ret || target->swap_offset % KHI_PAGE_SIZE ||
	    (opts->key.key && opts->key.passphrase))
		return -EINVAL;
	for (size_t i = 0; i < sizeof(opts->reserved) / sizeof(opts->reserved[0]); i++)
		if (opts->reserved[i])
			return -EINVAL;
	if ((e = khi_global_init()) < 0)
		return e;
	if (!(r = calloc(1, sizeof(*r))) || !(page = khi_alloc_pages(KHI_PAGE_SIZE))) {
		free(r);
		return -ENOMEM;
	}
	r->opts = *opts;
	r->nr_workers = opts->threads < 1 ? 1 : opts->threads > KHI_THREADS_MAX ? KHI_THREADS_MAX : opts->threads;
	e = khi_read_page0(target->fd, target->swap_offset, page, &sw);
	if (!e)
		e = pick_anchor(page, &sw, opts->consumed_id, &a);
	free(page);
	if (!e)
		e = khi_image_load(&r->img, target->fd, target->swap_offset, &a, opts->mem_max);
	if (!e && !opts->header_only)
		e = check_key(r);
	if (!e && !opts->header_only)
		e = setup_workers(r);
	if (e < 0) {
		khi_reader_free(r);
		return e;
	}
	*ret = r;
	return 0;
}

int khi_reader_encrypted(const khi_reader *r)
{
	return r->img.hdr.cipher != KHI_CIPHER_NONE;
}

enum khi_compression khi_reader_compression(const khi_reader *r, int *ret_level)
{
	if (ret_level)
		*ret_level = r->img.hdr.level;
	return (enum khi_compression)r->img.hdr.compression;
}

const struct khi_meta *khi_reader_meta(const khi_reader *r)
{
	return &r->img.hdr.meta;
}

const struct khi_range *khi_reader_ranges(const khi_reader *r, size_t *ret_nr)
{
	*ret_nr = r->img.hdr.nr_ranges;
	return r->img.hdr.ranges;
}

void khi_reader_header_stats(const khi_reader *r, struct khi_stats *ret)
{
	const struct khi_header *h = &r->img.hdr;

	*ret = (struct khi_stats){
		.pages_total = h->pages_total,
		.pages_zero = h->pages_zero,
		.pages_raw = h->pages_raw,
		.pages_compressed = h->pages_compressed,
		.bytes_in = h->bytes_in,
		.bytes_out = h->bytes_out,
		.bytes_image = h->bytes_image,
	};
}

int khi_reader_check_identity(const khi_reader *r, const uint8_t kernel_id[KHI_KERNEL_ID_SIZE],
			      const uint8_t machine_id[KHI_MACHINE_ID_SIZE])
{
	const struct khi_meta *m = &r->img.hdr.meta;

	if (kernel_id && memcmp(kernel_id, m->kernel_id, KHI_KERNEL_ID_SIZE))
		return -ESTALE;
	if (machine_id && memcmp(machine_id, m->machine_id, KHI_MACHINE_ID_SIZE))
		return -ESTALE;
	return 0;
}

/* ---- the chunk table ---- */

/* Records must follow the ranges in order, chunk by chunk, with their payloads in ascending
 * order inside the data area: anything else is a corrupt (or forged) table. Its size (64
 * bytes a chunk, fitting before the header: cross_check()) comes from the budget. */
static int load_chunk_table(khi_reader *r)
{
	const struct khi_header *h = &r->img.hdr;
	uint64_t size = h->nr_chunks * KHI_CHUNK_RECORD, next = khi_page_align(r->img.anchor.ext_table_size);
	uint8_t *buf, sum[32];
	size_t ri = 0;
	uint64_t done = 0;
	int e;

	if ((e = khi_budget_take(&r->img.budget, 1, khi_page_align(size))) < 0)
		return e;
	if (!(buf = khi_alloc_pages(size))) {
		khi_budget_give(&r->img.budget, 1, khi_page_align(size));
		return -ENOMEM;
	}
	if ((e = khi_io_read(&r->img.io, h->chunk_table_lofs, buf, khi_page_align(size))) < 0)
		goto out;
	khi_sha256(buf, size, sum);
	e = memcmp(sum, h->chunk_table_digest, 32) ? -EBADMSG : 0;
	for (uint64_t i = 0; !e && i < h->nr_chunks; i++) {
		struct khi_chunk rec, *c = &rec;
		uint64_t left = h->ranges[ri].count - done;

		if ((e = khi_chunk_decode(buf + i * KHI_CHUNK_RECORD, h->cksum, c)) < 0)
			break;
		if (c->pfn != h->ranges[ri].pfn + done || c->nr_pages != (left < KHI_CHUNK_PAGES ? left : KHI_CHUNK_PAGES) ||
		    (c->stored_len && (c->data_lofs < next ||
				       !range_within(c->data_lofs, khi_page_align(c->stored_len), h->chunk_table_lofs))) ||
		    (!c->stored_len && c->data_lofs)) {
			e = -EBADMSG;
			break;
		}
		if (c->stored_len)
			next = c->data_lofs + khi_page_align(c->stored_len);
		done += c->nr_pages;
		if (done == h->ranges[ri].count)
			ri++, done = 0;
	}
out:
	if (e < 0) {
		free(buf);
		khi_budget_give(&r->img.budget, 1, khi_page_align(size));
		return e;
	}
	r->table = buf;
	return 0;
}

/* ---- read-ahead ---- */

/* One read a chunk cost a round trip to the disk each (about 0.2 ms a read under TCG, where
 * the payloads of 1 GiB are 4,700 reads): the payloads of consecutive chunks lie back to
 * back, so they are read a window of up to KHI_READ_WINDOW bytes at a time. */
static void decode(const khi_reader *r, uint64_t index, struct khi_chunk *c)
{
	(void)khi_chunk_decode(r->table + index * KHI_CHUNK_RECORD, r->img.hdr.cksum, c);
}

/* Reads the window that starts with chunk @job's payload: it and the payloads that follow it
 * back to back, whole, up to KHI_READ_WINDOW bytes. A window never straddles the ring's end.
 * No live payload is overwritten: when job J is prepared, only jobs J - slots + 1 .. J - 1
 * can still use theirs (job J - slots was collected before its slot came round again): at
 * most (slots - 1) * CHUNK_BYTES of payload behind the write position, with at most one
 * skipped ring end (less than a window) among it, and a skip now means there was none among
 * it. So khi_read_ring_bytes(), two windows more than the slots' payloads, never wraps onto
 * a live byte. */
static int read_window(khi_reader *r, uint64_t job, const struct khi_chunk *first)
{
	uint64_t lofs = first->data_lofs, end = lofs + khi_page_align(first->stored_len);
	int e;

	for (uint64_t k = job + 1; k < r->img.hdr.nr_chunks; k++) {
		struct khi_chunk c;

		decode(r, k, &c);
		if (!c.stored_len)
			continue;
		if (c.data_lofs != end || end + khi_page_align(c.stored_len) - lofs > KHI_READ_WINDOW)
			break;
		end += khi_page_align(c.stored_len);
	}
	if (r->ring_next + KHI_READ_WINDOW > r->ring_size)
		r->ring_next = 0;
	if ((e = khi_io_read(&r->img.io, lofs, r->ring + r->ring_next, (size_t)(end - lofs))) < 0)
		return e;
	r->win = r->ring + r->ring_next;
	r->win_lofs = lofs;
	r->win_end = end;
	r->ring_next += (size_t)(end - lofs);
	return 0;
}

/* ---- the pipeline ---- */

static int r_prepare(void *ctx, uint64_t job, unsigned slot)
{
	khi_reader *r = ctx;
	struct rslot *s = &r->slots[slot];
	const struct khi_chunk *c = &s->rec;
	int e;

	s->index = job;
	decode(r, job, &s->rec);
	if (!c->stored_len)
		return 0;
	if ((c->data_lofs < r->win_lofs || c->data_lofs + khi_page_align(c->stored_len) > r->win_end) &&
	    (e = read_window(r, job, c)) < 0)
		return e;
	s->in = r->win + (c->data_lofs - r->win_lofs);
	return 0;
}

/* Runs of present pages come from the chunk (unless they were decompressed into place), runs
 * of zero pages from the zero buffer. */
static int deliver(khi_reader *r, const struct rslot *s, bool placed)
{
	const struct khi_chunk *c = &s->rec;
	const uint8_t *p = s->pages;
	uint32_t i = 0;
	int e = 0;

	while (i < c->nr_pages && !e) {
		bool present = c->present >> i & 1;
		uint32_t j = i;
		while (j < c->nr_pages && (bool)(c->present >> j & 1) == present)
			j++;
		if (!present)
			e = r->sink->write(r->sink->ctx, c->pfn + i, j - i, r->zero);
		else if (!placed)
			e = r->sink->write(r->sink->ctx, c->pfn + i, j - i, p);
		if (present)
			p += (size_t)(j - i) * KHI_PAGE_SIZE;
		i = j;
	}
	return e;
}

/* Where a compressed chunk decompresses: straight into the sink's memory when it places and
 * the chunk's present pages are one run (*placed), else into the slot's buffer. */
static uint8_t *chunk_target(const khi_reader *r, const struct rslot *s, bool *placed)
{
	const struct khi_sink *k = r->sink;
	const struct khi_chunk *c = &s->rec;
	unsigned first;
	uint64_t run;
	uint8_t *p;

	*placed = false;
	if (!k || !k->concurrent || !k->place || c->flags & KHI_CHUNK_RAW || !c->present)
		return s->out;
	first = (unsigned)__builtin_ctzll(c->present);
	run = c->present >> first;
	if (run & (run + 1))
		return s->out;
	p = k->place(k->ctx, c->pfn + first, (uint32_t)__builtin_popcountll(run));
	*placed = p != NULL;
	return p ? p : s->out;
}

/* Checksum, tag, decompressed size (into @dst): then s->pages holds the chunk's present
 * pages. */
static int check_chunk(khi_reader *r, unsigned worker, struct rslot *s, uint8_t *dst)
{
	const struct khi_chunk *c = &s->rec;
	int raw = __builtin_popcountll(c->present) * KHI_PAGE_SIZE;
	uint64_t t0 = kc_now_ns(), t1, t2;

	if (khi_chunk_cksum(r->img.hdr.cksum, s->in, c->stored_len) != c->cksum)
		return -EBADMSG;
	t1 = kc_now_ns();
	if (r->img.hdr.cipher) {
		uint8_t aad[KHI_CHUNK_AAD];
		int e;

		khi_chunk_aad(c, aad);
		e = khi_gcm_unseal(&r->gcm[worker], r->img.hdr.meta.image_id, (uint32_t)s->index, aad,
				   sizeof(aad), s->in, s->in, c->stored_len, c->tag);
		if (e < 0)
			return e;
	}
	t2 = kc_now_ns();
	s->ns_checksum = t1 - t0;
	s->ns_crypt = t2 - t1;
	/* The checksum and the tag vouch for the stored bytes, not for a stream the writer got
	 * wrong: its decompressed size is checked too, in verify as in restore. */
	if (c->flags & KHI_CHUNK_RAW) {
		s->pages = s->in;
	} else {
		int n = LZ4_decompress_safe((const char *)s->in, (char *)dst, (int)c->stored_len, raw);
		if (n != raw)
			return -EBADMSG;
		s->pages = dst;
	}
	s->ns_compress = kc_now_ns() - t2;
	return 0;
}

static int r_work(void *ctx, unsigned worker, unsigned slot)
{
	khi_reader *r = ctx;
	struct rslot *s = &r->slots[slot];
	bool placed = false;
	uint64_t t0;
	int e = 0;

	s->pages = NULL;
	s->ns_compress = s->ns_checksum = s->ns_crypt = s->ns_sink = 0;
	if (s->rec.stored_len && (e = check_chunk(r, worker, s, chunk_target(r, s, &placed))) < 0)
		return e;
	if (r->sink && r->sink->concurrent) {
		t0 = kc_now_ns();
		e = deliver(r, s, placed);
		s->ns_sink = kc_now_ns() - t0;
	}
	return e;
}

static int r_collect(void *ctx, uint64_t job, unsigned slot)
{
	khi_reader *r = ctx;
	struct rslot *s = &r->slots[slot];
	int e = 0;

	(void)job;
	if (r->sink && !r->sink->concurrent) {
		uint64_t t0 = kc_now_ns();
		e = deliver(r, s, false);
		s->ns_sink = kc_now_ns() - t0;
	}
	r->stats.ns_source += s->ns_sink;
	uint32_t present = (uint32_t)__builtin_popcountll(s->rec.present);
	r->stats.pages_total += s->rec.nr_pages;
	r->stats.pages_zero += s->rec.nr_pages - present;
	if (s->rec.flags & KHI_CHUNK_RAW)
		r->stats.pages_raw += present;
	else
		r->stats.pages_compressed += present;
	r->stats.bytes_in += (uint64_t)present * KHI_PAGE_SIZE;
	r->stats.bytes_out += khi_page_align(s->rec.stored_len);
	if (s->rec.stored_len) {
		r->stats.ns_compress += s->ns_compress;
		r->stats.ns_crypt += s->ns_crypt;
		r->stats.ns_checksum += s->ns_checksum;
	}
	khi_progress_update(&r->progress, r->stats.pages_total * KHI_PAGE_SIZE);
	return e;
}

static const struct khi_pool_ops reader_ops = {
	.prepare = r_prepare,
	.work = r_work,
	.collect = r_collect,
};

/* The chunks through the pool; the totals must match what the header promised, or the table
 * lied somewhere. */
static int run_chunks(khi_reader *r)
{
	const struct khi_header *h = &r->img.hdr;
	int e;

	khi_progress_init(&r->progress, r->opts.progress, r->opts.progress_ctx,
			  h->pages_total * KHI_PAGE_SIZE);
	e = khi_pool_run(r->nr_workers, h->nr_chunks, &reader_ops, r);
	if (!e && (r->stats.pages_zero != h->pages_zero || r->stats.pages_raw != h->pages_raw ||
		   r->stats.bytes_out != h->bytes_out))
		e = -EBADMSG;
	return e;
}

/* One pass: the chunk table before the first chunk (kept for the next pass), then the chunks. */
static int run_pass(khi_reader *r, const struct khi_sink *sink)
{
	uint64_t t0 = kc_now_ns(), io0 = r->img.io.ns;
	int e = 0;

	if (r->opts.header_only)
		return -EINVAL;
	memset(&r->stats, 0, sizeof(r->stats));
	r->ring_next = 0;
	r->win_lofs = r->win_end = 0;
	r->stats.threads = r->nr_workers;
	r->stats.bytes_image = r->img.hdr.bytes_image;
	if (!r->table)
		e = load_chunk_table(r);
	if (!e) {
		r->sink = sink;
		e = run_chunks(r);
		r->sink = NULL;
	}
	r->stats.ns_io = r->img.io.ns - io0;
	r->stats.ns_total = kc_now_ns() - t0;
	return e;
}

int khi_reader_restore(khi_reader *r, const struct khi_sink *sink)
{
	if (!sink || !sink->write)
		return -EINVAL;
	return run_pass(r, sink);
}

int khi_reader_verify(khi_reader *r)
{
	return run_pass(r, NULL);
}

void khi_reader_stats(const khi_reader *r, struct khi_stats *ret)
{
	*ret = r->stats;
}

khi_reader *khi_reader_free(khi_reader *r)
{
	if (!r)
		return NULL;
	if (r->slots)
		for (unsigned i = 0; i < khi_pool_slots(r->nr_workers); i++)
			free(r->slots[i].out);
	if (r->gcm)
		for (unsigned i = 0; i < r->nr_workers; i++)
			khi_gcm_done(&r->gcm[i]);
	khi_wipe(r->key, sizeof(r->key));
	free(r->gcm);
	free(r->slots);
	free(r->table);
	free(r->ring);
	free(r->zero);
	khi_image_done(&r->img);
	free(r);
	return NULL;
}
