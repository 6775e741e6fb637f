/* writer.c: khi_writer, a page source in, a committed image out.
 *
 * Logical layout (docs/image-format.md "General structure"): extent table at 0, chunk
 * payloads (page aligned, zero pages absent), chunk table, header; then the commit record in
 * page 0. Nothing is written in page 0 until everything else is durable.
 */
#include <errno.h>
#include <lz4.h>
#include <lz4hc.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/clock.h"
#include "image/crypto.h"
#include "image/format.h"
#include "image/io.h"
#include "image/pool.h"
#include "image/progress.h"
#include "image/swap.h"

#define CHUNK_BYTES (KHI_CHUNK_PAGES * KHI_PAGE_SIZE)

struct wslot {
	uint64_t index;           /* chunk number: the GCM nonce counter */
	uint64_t pfn;
	uint32_t nr_pages;
	const uint8_t *src;       /* the source's pages, or gather */
	uint8_t *gather;          /* page aligned, CHUNK_BYTES: source buffer, then packed pages */
	uint8_t *out;             /* page aligned: compressed or encrypted payload */
	const uint8_t *payload;
	struct khi_chunk rec;
	uint64_t ns_compress, ns_checksum, ns_crypt;
};

struct khi_writer {
	struct khi_io io;
	uint64_t swap_offset;
	uint8_t *page0;                    /* page aligned */
	struct khi_header hdr;
	struct khi_range *ranges;
	void *platform;
	struct khi_source src;
	struct khi_writer_opts opts;
	unsigned nr_workers;
	uint8_t key[KHI_KEY_SIZE];
	struct khi_gcm *gcm;               /* per worker, when encrypted */
	void **hc_state;                   /* per worker, for lz4hc */
	struct wslot *slots;
	struct iovec *run;                 /* payloads collected, for flush: one a slot at most */
	unsigned run_len;
	uint64_t run_lofs;
	size_t out_size;
	uint8_t *chunk_table;
	uint64_t ext_table_size, chunk_table_size, worst_case, next_lofs, tail_size;
	size_t range_i;                    /* chunk cursor: range, pages done in it */
	uint64_t range_done;
	struct khi_progress progress;
	struct khi_stats stats;
	bool written;
};

/* ---- checks done by khi_writer_new() ---- */

static bool reserved_zero(const uint64_t *r, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (r[i])
			return false;
	return true;
}

static bool printable(const char *s, size_t max)
{
	size_t n = strnlen(s, max + 1);

	if (n > max)
		return false;
	for (size_t i = 0; i < n; i++)
		if (s[i] < 0x20 || s[i] > 0x7e)
			return false;
	return true;
}

static int check_opts(const struct khi_writer_opts *o, const struct khi_meta *m)
{
	if (!reserved_zero(o->reserved, sizeof(o->reserved) / sizeof(o->reserved[0])) ||
	    !khi_compression_valid(o->compression, o->level) || (o->key.key && o->key.passphrase))
		return -EINVAL;
	if (!printable(m->kernel_release, KHI_RELEASE_MAX) || !printable(m->label, KHI_LABEL_MAX) ||
	    m->platform_size > KHI_PLATFORM_MAX || (m->platform_size && !m->platform))
		return -EINVAL;
	return 0;
}

/* Reads page 0: it must be a plain swap area. Keeps its boot-block bytes for khi_discard(). */
static int load_swap_header(khi_writer *w, struct khi_swap *sw)
{
	int r = khi_pread_full(w->io.fd, w->page0, KHI_PAGE_SIZE, w->swap_offset);

	if (r == -ENXIO)
		return -EMEDIUMTYPE;
	if (r < 0 || (r = khi_swap_parse(w->page0, sw)) < 0)
		return r;
	if (sw->sig != KHI_SIG_IS_SWAP)
		return -EEXIST;
	/* The record of a consumed image is not the user's: do not hand it back on discard. */
	if (!khi_anchor_present(w->page0))
		memcpy(w->hdr.orig_bootbits, w->page0, KHI_SWAP_BOOTBITS);
	return 0;
}

static int setup_extents(khi_writer *w, const struct khi_target *t, const struct khi_swap *sw)
{
	struct khi_extent *e;
	size_t n;
	int r;

	if (t->nr_extents) {
		if (!t->extents || t->nr_extents > KHI_EXTENTS_MAX)
			return -EINVAL;
		r = khi_extents_check(t->extents, t->nr_extents, w->io.dev_size, t->swap_offset,
				      t->swapfile ? NULL : sw);
		if (r < 0)
			return r;
		e = malloc(t->nr_extents * sizeof(*e));
		if (!e)
			return -ENOMEM;
		memcpy(e, t->extents, t->nr_extents * sizeof(*e));
		n = t->nr_extents;
	} else {
		if ((r = khi_swap_extents(sw, t->swap_offset, &e, &n)) < 0)
			return r;
		if (n == 0 || (r = khi_extents_check(e, n, w->io.dev_size, t->swap_offset, sw)) < 0) {
			free(e);
			return n ? -EMEDIUMTYPE : -ENOSPC; /* an area larger than its device */
		}
	}
	n = khi_extents_merge(e, n);
	r = khi_io_set_extents(&w->io, e, n);
	free(e);
	return r;
}

static uint64_t count_chunks(const struct khi_range *r, size_t n)
{
	uint64_t c = 0;

	for (size_t i = 0; i < n; i++)
		c += (r[i].count + KHI_CHUNK_PAGES - 1) / KHI_CHUNK_PAGES;
	return c;
}

static int plan_space(khi_writer *w, uint64_t pages)
{
	w->hdr.nr_chunks = count_chunks(w->ranges, w->hdr.nr_ranges);
	if (w->hdr.nr_chunks > UINT32_MAX - 1)
		return -EINVAL;   /* the chunk index is the GCM nonce counter */
	w->ext_table_size = khi_ext_table_size(w->io.n);
	w->chunk_table_size = w->hdr.nr_chunks * KHI_CHUNK_RECORD;
	w->tail_size = khi_page_align(w->chunk_table_size) + khi_page_align(w->hdr.header_size);
	w->worst_case = khi_page_align(w->ext_table_size) + pages * KHI_PAGE_SIZE + w->tail_size;
	uint64_t need = w->opts.size_estimate ? w->opts.size_estimate : w->worst_case;
	return need > khi_io_capacity(&w->io) ? -ENOSPC : 0;
}

static int setup_key(khi_writer *w)
{
	const struct khi_key *k = &w->opts.key;
	int r;

	if (!k->key && !k->passphrase)
		return 0;
	w->hdr.cipher = KHI_CIPHER_AES256_GCM;
	if (k->key) {
		memcpy(w->key, k->key, KHI_KEY_SIZE);
		return 0;
	}
	w->hdr.kdf = KHI_KDF_ARGON2ID;
	w->hdr.kdf_passes = k->kdf_passes ? k->kdf_passes : KHI_KDF_PASSES_DEFAULT;
	w->hdr.kdf_memory_kib = k->kdf_memory_kib ? k->kdf_memory_kib : KHI_KDF_MEMORY_DEFAULT;
	w->hdr.kdf_lanes = k->kdf_lanes ? k->kdf_lanes : KHI_KDF_LANES_DEFAULT;
	khi_random(w->hdr.kdf_salt, KHI_SALT_SIZE, true);
	r = khi_kdf_argon2id(k->passphrase, w->hdr.kdf_salt, w->hdr.kdf_passes, w->hdr.kdf_memory_kib,
			     w->hdr.kdf_lanes, w->key);
	return r;
}

static size_t out_size(void)
{
	return khi_page_align((uint64_t)LZ4_compressBound(CHUNK_BYTES));
}

uint64_t khi_buffer_bytes(unsigned threads)
{
	/* A writer slot holds a gather buffer and an output buffer; a reader slot a chunk, and
	 * the reader's read-ahead ring a chunk a slot and two windows: this bounds both. */
	return (uint64_t)khi_pool_slots(threads) * (CHUNK_BYTES + out_size()) + 2 * KHI_READ_WINDOW;
}

static int setup_workers(khi_writer *w)
{
	unsigned nslots = khi_pool_slots(w->nr_workers);
	int r;

	w->out_size = out_size();
	w->slots = calloc(nslots, sizeof(*w->slots));
	w->run = calloc(nslots, sizeof(*w->run));
	w->gcm = calloc(w->nr_workers, sizeof(*w->gcm));
	w->hc_state = calloc(w->nr_workers, sizeof(*w->hc_state));
	if (!w->slots || !w->run || !w->gcm || !w->hc_state)
		return -ENOMEM;
	for (unsigned i = 0; i < nslots; i++) {
		w->slots[i].gather = khi_alloc_pages(CHUNK_BYTES);
		w->slots[i].out = khi_alloc_pages(w->out_size);
		if (!w->slots[i].gather || !w->slots[i].out)
			return -ENOMEM;
	}
	for (unsigned i = 0; i < w->nr_workers; i++) {
		if (w->hdr.cipher && (r = khi_gcm_init(&w->gcm[i], w->key)) < 0)
			return r;
		if (w->hdr.compression == KHI_COMPRESS_LZ4HC &&
		    !(w->hc_state[i] = malloc((size_t)LZ4_sizeofStateHC())))
			return -ENOMEM;
	}
	return 0;
}

static int copy_inputs(khi_writer *w, const struct khi_meta *meta, const struct khi_source *src)
{
	uint64_t pages;

	if (!src->read || !src->ranges || src->nr_ranges == 0 || src->nr_ranges > KHI_RANGES_MAX ||
	    khi_ranges_check(src->ranges, src->nr_ranges, &pages) < 0)
		return -EINVAL;
	w->ranges = malloc(src->nr_ranges * sizeof(*w->ranges));
	w->platform = malloc(meta->platform_size ? meta->platform_size : 1);
	if (!w->ranges || !w->platform)
		return -ENOMEM;
	memcpy(w->ranges, src->ranges, src->nr_ranges * sizeof(*w->ranges));
	if (meta->platform_size)
		memcpy(w->platform, meta->platform, meta->platform_size);
	w->src = *src;
	w->src.ranges = w->ranges;
	w->hdr.meta = *meta;
	w->hdr.meta.platform = w->platform;
	w->hdr.ranges = w->ranges;
	w->hdr.nr_ranges = (uint32_t)src->nr_ranges;
	w->hdr.pages_total = pages;
	w->hdr.header_size = (uint32_t)khi_header_size(w->hdr.nr_ranges, meta->platform_size);
	khi_random(w->hdr.meta.image_id, KHI_IMAGE_ID_SIZE, false);
	return 0;
}

int khi_writer_new(const struct khi_target *target, const struct khi_writer_opts *opts,
		   const struct khi_meta *meta, const struct khi_source *source, khi_writer **ret)
{
	struct khi_swap sw;
	khi_writer *w;
	int r;

	if (!target || !opts || !meta || !source || !ret || target->swap_offset % KHI_PAGE_SIZE)
		return -EINVAL;
	if ((r = khi_global_init()) < 0 || (r = check_opts(opts, meta)) < 0)
		return r;
	w = calloc(1, sizeof(*w));
	if (!w)
		return -ENOMEM;
	w->opts = *opts;
	w->swap_offset = target->swap_offset;
	w->nr_workers = opts->threads < 1 ? 1 : opts->threads > KHI_THREADS_MAX ? KHI_THREADS_MAX : opts->threads;
	w->hdr.compression = (uint8_t)opts->compression;
	w->hdr.level = (uint8_t)opts->level;
	w->hdr.cksum = KHI_CKSUM_XXH64;
	w->hdr.swap_offset = target->swap_offset;
	w->page0 = khi_alloc_pages(KHI_PAGE_SIZE);
	if (!w->page0) {
		r = -ENOMEM;
		goto fail;
	}
	if ((r = copy_inputs(w, meta, source)) < 0 || (r = khi_io_init(&w->io, target->fd)) < 0 ||
	    (r = load_swap_header(w, &sw)) < 0 || (r = setup_extents(w, target, &sw)) < 0 ||
	    (r = plan_space(w, w->hdr.pages_total)) < 0 || (r = setup_key(w)) < 0 ||
	    (r = setup_workers(w)) < 0)
		goto fail;
	*ret = w;
	return 0;
fail:
	khi_writer_free(w);
	return r;
}

uint64_t khi_writer_worst_case(const khi_writer *w)
{
	return w->worst_case;
}

/* ---- the pipeline ---- */

static int w_prepare(void *ctx, uint64_t job, unsigned slot)
{
	khi_writer *w = ctx;
	struct wslot *s = &w->slots[slot];
	const struct khi_range *rg = &w->ranges[w->range_i];
	uint64_t left = rg->count - w->range_done;
	const void *data = NULL;
	uint64_t t0 = kc_now_ns();
	int r;

	s->index = job;
	s->pfn = rg->pfn + w->range_done;
	s->nr_pages = (uint32_t)(left < KHI_CHUNK_PAGES ? left : KHI_CHUNK_PAGES);
	w->range_done += s->nr_pages;
	if (w->range_done == rg->count) {
		w->range_i++;
		w->range_done = 0;
	}
	r = w->src.read(w->src.ctx, s->pfn, s->nr_pages, s->gather, &data);
	w->stats.ns_source += kc_now_ns() - t0;
	if (r < 0)
		return r;
	if (!data)
		return -EINVAL;
	s->src = data;
	return 0;
}

static bool page_is_zero(const uint8_t *p)
{
	uint64_t acc = 0, w[2];

	/* Most pages that are not zero differ in the first words: check them first. memcpy()
	 * because a source may hand out pointers that are not 8-byte aligned. */
	memcpy(w, p, sizeof(w));
	if (w[0] | w[1])
		return false;
	for (size_t i = 0; i < KHI_PAGE_SIZE; i += sizeof(w)) {
		memcpy(w, p + i, sizeof(w));
		acc |= w[0] | w[1];
	}
	return acc == 0;
}

/* Finds the zero pages and returns the present pages as one contiguous page-aligned run:
 * the source itself when nothing has to move, else packed into the gather buffer. */
static const uint8_t *pack_pages(struct wslot *s)
{
	bool aligned = ((uintptr_t)s->src % KHI_PAGE_SIZE) == 0;
	uint32_t n = 0;

	s->rec.present = 0;
	for (uint32_t i = 0; i < s->nr_pages; i++)
		if (!page_is_zero(s->src + (size_t)i * KHI_PAGE_SIZE))
			s->rec.present |= 1ull << i;
	if (aligned && s->rec.present == (s->nr_pages == 64 ? ~0ull : (1ull << s->nr_pages) - 1))
		return s->src;
	for (uint32_t i = 0; i < s->nr_pages; i++)
		if (s->rec.present & (1ull << i)) {
			if (s->gather + (size_t)n * KHI_PAGE_SIZE != s->src + (size_t)i * KHI_PAGE_SIZE)
				memmove(s->gather + (size_t)n * KHI_PAGE_SIZE, s->src + (size_t)i * KHI_PAGE_SIZE,
					KHI_PAGE_SIZE);
			n++;
		}
	return s->gather;
}

static void compress(khi_writer *w, unsigned worker, struct wslot *s, const uint8_t *in, uint32_t raw)
{
	int n = 0;

	if (w->hdr.compression == KHI_COMPRESS_LZ4)
		n = LZ4_compress_fast((const char *)in, (char *)s->out, (int)raw, (int)w->out_size,
				      w->hdr.level ? w->hdr.level : 1);
	else if (w->hdr.compression == KHI_COMPRESS_LZ4HC)
		n = LZ4_compress_HC_extStateHC(w->hc_state[worker], (const char *)in, (char *)s->out,
					       (int)raw, (int)w->out_size, w->hdr.level ? w->hdr.level : LZ4HC_CLEVEL_DEFAULT);
	/* Store raw what does not save a page: it would cost the same disk and more CPU. */
	if (n <= 0 || khi_page_align((uint64_t)n) >= raw) {
		s->payload = in;
		if (w->src.unpinnable && in == s->src) {
			memcpy(s->out, in, raw);
			s->payload = s->out;
		}
		s->rec.stored_len = raw;
		s->rec.flags = KHI_CHUNK_RAW;
	} else {
		s->payload = s->out;
		s->rec.stored_len = (uint32_t)n;
		s->rec.flags = 0;
	}
}

static int encrypt(khi_writer *w, unsigned worker, struct wslot *s)
{
	uint8_t aad[KHI_CHUNK_AAD];
	int r;

	khi_chunk_aad(&s->rec, aad);
	r = khi_gcm_seal(&w->gcm[worker], w->hdr.meta.image_id, (uint32_t)s->index, aad, sizeof(aad),
			 s->payload, s->out, s->rec.stored_len, s->rec.tag);
	s->payload = s->out;
	return r;
}

static int w_work(void *ctx, unsigned worker, unsigned slot)
{
	khi_writer *w = ctx;
	struct wslot *s = &w->slots[slot];
	uint64_t t0 = kc_now_ns(), t1, t2, t3;
	const uint8_t *in = pack_pages(s);
	uint32_t raw = (uint32_t)__builtin_popcountll(s->rec.present) * KHI_PAGE_SIZE;
	int r = 0;

	s->rec.pfn = s->pfn;
	s->rec.nr_pages = s->nr_pages;
	memset(s->rec.tag, 0, sizeof(s->rec.tag));
	s->rec.stored_len = 0;
	s->rec.flags = 0;
	s->payload = NULL;
	if (raw)
		compress(w, worker, s, in, raw);
	t1 = kc_now_ns();
	if (raw && w->hdr.cipher)
		r = encrypt(w, worker, s);
	t2 = kc_now_ns();
	s->rec.cksum = raw ? khi_chunk_cksum(w->hdr.cksum, s->payload, s->rec.stored_len) : 0;
	if (s->payload == s->out)   /* zero the padding: no stale bytes on disk */
		memset(s->out + s->rec.stored_len, 0, khi_page_align(s->rec.stored_len) - s->rec.stored_len);
	t3 = kc_now_ns();
	s->ns_compress = t1 - t0;
	s->ns_crypt = t2 - t1;
	s->ns_checksum = t3 - t2;
	return r;
}

static int w_collect(void *ctx, uint64_t job, unsigned slot)
{
	khi_writer *w = ctx;
	struct wslot *s = &w->slots[slot];
	uint32_t padded = (uint32_t)khi_page_align(s->rec.stored_len);
	uint32_t present = (uint32_t)__builtin_popcountll(s->rec.present);

	s->rec.data_lofs = 0;
	if (padded) {
		/* Keep room for the chunk table and the header: running out there would be late. */
		if (w->next_lofs + padded + w->tail_size > khi_io_capacity(&w->io))
			return -ENOSPC;
		if (!w->run_len)
			w->run_lofs = w->next_lofs;
		s->rec.data_lofs = w->next_lofs;
		w->run[w->run_len++] = (struct iovec){ (void *)s->payload, padded };
		w->next_lofs += padded;
	}
	khi_chunk_encode(&s->rec, w->chunk_table + job * KHI_CHUNK_RECORD);

	w->stats.pages_zero += s->nr_pages - present;
	if (s->rec.flags & KHI_CHUNK_RAW)
		w->stats.pages_raw += present;
	else
		w->stats.pages_compressed += present;
	w->stats.bytes_in += (uint64_t)present * KHI_PAGE_SIZE;
	w->stats.bytes_out += padded;
	w->stats.ns_compress += s->ns_compress;
	w->stats.ns_crypt += s->ns_crypt;
	w->stats.ns_checksum += s->ns_checksum;
	w->stats.pages_total += s->nr_pages;
	khi_progress_update(&w->progress, w->stats.pages_total * KHI_PAGE_SIZE);
	return 0;
}

/* The payloads of the chunks just collected, in one write: under QEMU each write is a round
 * trip through the emulated disk, on CPUs the workers keep busy. */
static int w_flush(void *ctx)
{
	khi_writer *w = ctx;
	unsigned n = w->run_len;

	w->run_len = 0;
	return n ? khi_io_writev(&w->io, w->run_lofs, w->run, n) : 0;
}

static const struct khi_pool_ops writer_ops = {
	.prepare = w_prepare,
	.work = w_work,
	.collect = w_collect,
	.flush = w_flush,
};

static uint64_t realtime_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static int write_ext_table(khi_writer *w, uint8_t digest[32])
{
	uint8_t *buf = khi_alloc_pages(w->ext_table_size);
	int r;

	if (!buf)
		return -ENOMEM;
	khi_ext_table_encode(w->io.ext, w->io.n, buf);
	khi_sha256(buf, w->ext_table_size, digest);
	r = khi_io_write(&w->io, 0, buf, khi_page_align(w->ext_table_size));
	free(buf);
	return r;
}

/* Checksum, then (encrypted) the tag over the header, which also lets a reader check a key. */
static int seal_header(khi_writer *w, uint8_t *buf)
{
	uint8_t tag[KHI_TAG_SIZE];
	struct khi_gcm g = { 0 };
	int r;

	khi_header_encode(&w->hdr, buf);
	if (w->hdr.cipher) {
		if ((r = khi_gcm_init(&g, w->key)) < 0)
			return r;
		r = khi_gcm_seal(&g, w->hdr.meta.image_id, KHI_HEADER_NONCE_INDEX, buf, w->hdr.header_size,
				 NULL, NULL, 0, tag);
		khi_gcm_done(&g);
		if (r < 0)
			return r;
		memcpy(buf + KHI_HDR_OFF_TAG, tag, KHI_TAG_SIZE);
	}
	khi_sha256(buf, w->hdr.header_size, buf + KHI_HDR_OFF_CHECKSUM);
	return 0;
}

static int write_tables(khi_writer *w, struct khi_anchor *a)
{
	struct khi_header *h = &w->hdr;
	uint8_t *buf;
	int r;

	h->chunk_table_lofs = w->next_lofs;
	khi_sha256(w->chunk_table, w->chunk_table_size, h->chunk_table_digest);
	r = khi_io_write(&w->io, h->chunk_table_lofs, w->chunk_table, khi_page_align(w->chunk_table_size));
	if (r < 0)
		return r;
	a->header_lofs = h->chunk_table_lofs + khi_page_align(w->chunk_table_size);
	h->bytes_image = a->header_lofs + khi_page_align(h->header_size);
	h->pages_zero = w->stats.pages_zero;
	h->pages_raw = w->stats.pages_raw;
	h->pages_compressed = w->stats.pages_compressed;
	h->bytes_in = w->stats.bytes_in;
	h->bytes_out = w->stats.bytes_out;
	h->meta.committed_ns = realtime_ns();
	if (!(buf = khi_alloc_pages(h->header_size)))
		return -ENOMEM;
	r = seal_header(w, buf);
	if (!r)
		r = khi_io_write(&w->io, a->header_lofs, buf, khi_page_align(h->header_size));
	free(buf);
	w->stats.bytes_image = h->bytes_image;
	return r;
}

/* The commit: one write of page 0, our record in the boot-block bytes, our signature last. */
static int commit(khi_writer *w, const struct khi_anchor *a)
{
	int r = khi_sync(w->io.fd);

	if (r < 0)
		return r;
	memset(w->page0, 0, KHI_SWAP_BOOTBITS);
	khi_anchor_encode(a, w->page0);
	khi_swap_set_sig(w->page0, KHI_SIG_IMAGE);
	if ((r = khi_pwrite_full(w->io.fd, w->page0, KHI_PAGE_SIZE, w->swap_offset)) < 0)
		return r;
	return khi_sync(w->io.fd);
}

int khi_writer_write(khi_writer *w)
{
	struct khi_anchor a = {
		.state = KHI_STATE_COMMITTED,
		.swap_offset = w->swap_offset,
		.ext0 = w->io.ext[0],
		.ext_table_size = (uint32_t)w->ext_table_size,
		.header_size = w->hdr.header_size,
	};
	uint64_t t0 = kc_now_ns();
	int r;

	if (w->written)
		return -EINVAL;
	w->written = true;
	memset(&w->stats, 0, sizeof(w->stats));
	w->stats.threads = w->nr_workers;
	w->hdr.meta.created_ns = realtime_ns();
	w->chunk_table = khi_alloc_pages(w->chunk_table_size);
	if (!w->chunk_table)
		return -ENOMEM;
	khi_progress_init(&w->progress, w->opts.progress, w->opts.progress_ctx,
			  w->hdr.pages_total * KHI_PAGE_SIZE);
	memcpy(a.image_id, w->hdr.meta.image_id, KHI_IMAGE_ID_SIZE);

	r = write_ext_table(w, a.ext_table_digest);
	memcpy(w->hdr.ext_table_digest, a.ext_table_digest, 32);
	w->next_lofs = khi_page_align(w->ext_table_size);
	if (!r)
		r = khi_pool_run(w->nr_workers, w->hdr.nr_chunks, &writer_ops, w);
	if (!r)
		r = write_tables(w, &a);
	if (!r)
		r = commit(w, &a);
	w->stats.ns_io = w->io.ns;
	w->stats.ns_total = kc_now_ns() - t0;
	return r;
}

void khi_writer_stats(const khi_writer *w, struct khi_stats *ret)
{
	*ret = w->stats;
}

khi_writer *khi_writer_free(khi_writer *w)
{
	if (!w)
		return NULL;
	if (w->slots)
		for (unsigned i = 0; i < khi_pool_slots(w->nr_workers); i++) {
			free(w->slots[i].gather);
			free(w->slots[i].out);
		}
	free(w->run);
	if (w->gcm)
		for (unsigned i = 0; i < w->nr_workers; i++)
			khi_gcm_done(&w->gcm[i]);
	if (w->hc_state)
		for (unsigned i = 0; i < w->nr_workers; i++)
			free(w->hc_state[i]);
	khi_wipe(w->key, sizeof(w->key));
	free(w->hc_state);
	free(w->gcm);
	free(w->slots);
	free(w->chunk_table);
	free(w->platform);
	free(w->ranges);
	free(w->page0);
	khi_io_done(&w->io);
	free(w);
	return NULL;
}
