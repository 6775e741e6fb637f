/* khimage.h: the khibernate hibernation image library (libkhimage.a).
 *
 * Implements docs/image-format.md v1.
 *
 * An image holds the pages of a set of physical page-frame ranges, compressed in chunks of up to
 * KHI_CHUNK_PAGES pages, checksummed and optionally encrypted, written into a Linux swap area
 * without making it unusable: the image lives in swap slots the caller grants, and only the
 * commit record in the swap header page (page 0 of the area) turns the area into an image.
 *
 *   writer:  khi_writer_new() -> khi_writer_write() -> khi_writer_free()
 *   reader:  khi_reader_open() -> khi_reader_meta()/khi_reader_check_identity()
 *            -> khi_reader_restore() (or khi_reader_verify()) -> khi_reader_free()
 *   state:   khi_probe(), khi_mark_consumed(), khi_discard()
 *
 * Errors: every fallible function returns 0 (or a count) on success and a negative errno:
 *   -EBADMSG          corrupt image: bad checksum, bad GCM tag, inconsistent field, truncation
 *   -EPROTONOSUPPORT  unknown format version, flag, algorithm or reserved field set
 *   -ENODATA          no image in this swap area (plain swap, or discarded)
 *   -EALREADY         the image was consumed (a resume already started from it)
 *   -EEXIST           khi_writer_new(): the area already holds a committed image
 *   -EMEDIUMTYPE      page 0 is not a Linux swap header (v1, "SWAPSPACE2") nor our image
 *   -ENOSPC           the granted space cannot hold the image
 *   -ENOKEY           the image is encrypted and no key or passphrase was given
 *   -EKEYREJECTED     wrong key or passphrase
 *   -EPROTO           a key or passphrase was given and the image is not encrypted: refused,
 *                     since nothing authenticates it (an encryption downgrade)
 *   -E2BIG            the image needs more memory or key-derivation work than the caller's
 *                     bounds (mem_max, kdf_*_max) allow
 *   -ESTALE           khi_reader_check_identity(): image of another kernel or machine
 *   -EXDEV            the image was written for its swap header at another byte offset of
 *                     the device than the one given (a partition read as part of its disk,
 *                     a wrong swap-file offset)
 *   -ENOBUFS          a caller's buffer is too small
 *   -EINVAL           bad argument (a MUST below was not met)
 *   other             errno of a failed system call (-EIO, -ENOMEM, ...)
 * The library never prints and never exits.
 *
 * Thread safety: a handle (khi_writer, khi_reader) MUST be used by one thread at a time; distinct
 * handles are independent. The library starts its own worker threads inside khi_writer_write(),
 * khi_reader_verify() and khi_reader_restore() and joins them before returning; every callback
 * (page source, page sink, progress) is called from the thread that called the library, never
 * from a worker, so callbacks need not be thread-safe. khi_global_init() is the only function
 * that must not race with anything; the others call it themselves.
 */
#ifndef KHIMAGE_H
#define KHIMAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---------------------------------------------------------------------------------------------
 * Constants
 * ------------------------------------------------------------------------------------------- */

#define KHI_FORMAT_VERSION 1u
#define KHI_PAGE_SIZE 4096u
#define KHI_CHUNK_PAGES 64u             /* pages per chunk: one 64-bit presence bitmap */
#define KHI_KERNEL_ID_SIZE 32u
#define KHI_MACHINE_ID_SIZE 32u
#define KHI_IMAGE_ID_SIZE 16u
#define KHI_KEY_SIZE 32u                /* AES-256 */
#define KHI_RELEASE_MAX 63u             /* printable bytes in kernel_release, label */
#define KHI_LABEL_MAX 63u
#define KHI_PLATFORM_MAX (64u * 1024u)  /* opaque platform blob */
#define KHI_RANGES_MAX 65536u
/* Page frames end below 2^40 (2^52 bytes, the physical address width of x86-64 with 5-level
 * paging): so that byte offsets of pages never wrap and two pfns never name one address. */
#define KHI_PFN_LIMIT (1ull << 40)
#define KHI_THREADS_MAX 64u

/* ---------------------------------------------------------------------------------------------
 * Target: where the image lives
 * ------------------------------------------------------------------------------------------- */

/* A byte range of the target fd: offset and length MUST be multiples of KHI_PAGE_SIZE. */
struct khi_extent {
	uint64_t offset;
	uint64_t length;
};

struct khi_target {
	int fd;                /* block device or regular file; O_DIRECT or not (see khi_open()) */
	uint64_t swap_offset;  /* byte offset of the swap header page on fd; page aligned */
	/* Writer only: the space it may use, in this order. NULL/0 means the whole usable area of
	 * the swap area (pages 1..last_page minus bad pages). When given, every extent MUST be
	 * free swap slots of this area (e.g. from SNAPSHOT_ALLOC_SWAP_PAGE); adjacent extents are
	 * merged. */
	const struct khi_extent *extents;
	size_t nr_extents;
	/* Writer only: set when the swap area is a file on a filesystem, so its slots are not
	 * inside [swap_offset, swap_offset + size): extents are then only checked to be on the
	 * device, off the header page and disjoint. Otherwise they MUST be inside the usable area
	 * and avoid bad pages. */
	int swapfile;
};

/*! khi_open() :
 * Opens @path for image I/O, with O_DIRECT when the file system or device accepts it (falls
 * back to buffered I/O otherwise; the library also drops O_DIRECT later if a transfer is
 * refused with EINVAL). @writable: O_RDWR instead of O_RDONLY. O_CLOEXEC always.
 * @return 0 and *ret_fd, or -errno of open(2). */
int khi_open(const char *path, int writable, int *ret_fd);

/* ---------------------------------------------------------------------------------------------
 * Metadata the caller sets (writer) and reads back (reader)
 * ------------------------------------------------------------------------------------------- */

struct khi_range {
	uint64_t pfn;    /* first page frame number */
	uint64_t count;  /* pages, >= 1; pfn + count <= KHI_PFN_LIMIT */
};

struct khi_meta {
	uint8_t kernel_id[KHI_KERNEL_ID_SIZE];    /* e.g. GNU build-id, zero padded */
	char kernel_release[KHI_RELEASE_MAX + 1]; /* printable ASCII, NUL terminated */
	uint8_t machine_id[KHI_MACHINE_ID_SIZE];
	char label[KHI_LABEL_MAX + 1];            /* hostname-like, printable ASCII */
	uint64_t entry;                           /* A's re-entry address */
	const void *platform;                     /* opaque blob (kjump's layout), may be NULL */
	uint32_t platform_size;                   /* <= KHI_PLATFORM_MAX */
	/* Set by the library (ignored on input): */
	uint64_t created_ns;                      /* CLOCK_REALTIME at khi_writer_write() start */
	uint64_t committed_ns;                    /* CLOCK_REALTIME just before the commit */
	uint8_t image_id[KHI_IMAGE_ID_SIZE];      /* random, unique per image */
};

/* ---------------------------------------------------------------------------------------------
 * Options common to writer and reader
 * ------------------------------------------------------------------------------------------- */

enum khi_compression {
	KHI_COMPRESS_NONE = 0,
	KHI_COMPRESS_LZ4 = 1,    /* LZ4_compress_fast, level = its acceleration (0: 1, the default) */
	KHI_COMPRESS_LZ4HC = 2,  /* LZ4_compress_HC at level (0: 9, the default) */
};

/* LZ4's acceleration trades ratio for speed, as lz4 --fast=N does (what it buys on a guest's
 * memory: docs/bench/README.md). */
#define KHI_LZ4_ACCEL_MAX 64u

/*! khi_compression_parse() :
 * "none", "lz4", "lz4:ACCEL" (1..KHI_LZ4_ACCEL_MAX), "lz4hc" or "lz4hc:LEVEL" (1..12) into
 * *@ret and *@ret_level (0: the default). @return 0, or -EINVAL. */
int khi_compression_parse(const char *s, enum khi_compression *ret, int *ret_level);

/*! khi_compression_name() : the same spelling of @c at @level, into @buf. @return buf. */
const char *khi_compression_name(enum khi_compression c, int level, char *buf, size_t size);

/*! khi_compression_valid() : whether @level is one @c takes (0 always is). */
bool khi_compression_valid(enum khi_compression c, int level);

/* Called at most ~10 times per second and once at the end with done == total. */
typedef void (*khi_progress_fn)(void *ctx, uint64_t done, uint64_t total);

/* Argon2id costs the writer uses by default: sized for a helper kernel in a 128 MiB region
 * (0.2 s on this project's build machine). */
#define KHI_KDF_PASSES_DEFAULT 3u
#define KHI_KDF_MEMORY_DEFAULT (32u * 1024)   /* KiB */
#define KHI_KDF_LANES_DEFAULT 1u
/* The costs a reader accepts by default (khi_reader_opts.kdf_*_max): the writer's defaults with
 * headroom, four times their work at most. */
#define KHI_KDF_PASSES_MAX_DEFAULT 6u
#define KHI_KDF_MEMORY_MAX_DEFAULT (64u * 1024)   /* KiB */

/* Encryption key: give a raw 32-byte key or a passphrase (not both), or neither. */
struct khi_key {
	const uint8_t *key;       /* KHI_KEY_SIZE bytes, or NULL */
	const char *passphrase;   /* NUL terminated, or NULL: derived with Argon2id */
	/* Writer, passphrase only: Argon2id costs, 0 = the KHI_KDF_*_DEFAULT values. */
	uint32_t kdf_passes;
	uint32_t kdf_memory_kib;
	uint32_t kdf_lanes;
};

struct khi_stats {
	uint64_t pages_total;       /* pages in the ranges */
	uint64_t pages_zero;        /* all-zero pages: recorded, not stored */
	uint64_t pages_raw;         /* stored uncompressed (incompressible chunk or mode none) */
	uint64_t pages_compressed;  /* stored in compressed chunks */
	uint64_t bytes_in;          /* raw bytes of the non-zero pages */
	uint64_t bytes_out;         /* payload bytes on disk, padding included */
	uint64_t bytes_image;       /* everything the image occupies on disk */
	uint64_t ns_compress;       /* summed over workers: (de)compression */
	uint64_t ns_checksum;       /* summed over workers and metadata: chunk checksums, SHA-256 */
	uint64_t ns_crypt;          /* summed over workers: AES-GCM */
	uint64_t ns_io;             /* caller's thread: reads and writes of the target */
	uint64_t ns_source;         /* page source or sink callbacks (caller's thread; a
	                             * concurrent sink's: summed over workers) */
	uint64_t ns_total;          /* wall clock of the last write/verify/restore call */
	uint32_t threads;           /* workers used */
	uint32_t reserved;
};

/* ---------------------------------------------------------------------------------------------
 * Writer
 * ------------------------------------------------------------------------------------------- */

/* Page source: the pages to save. read() gives the bytes of @nr_pages pages from @pfn (a run
 * inside one range, at most KHI_CHUNK_PAGES): either it sets *ret_data to memory it owns that
 * stays valid and unchanged until khi_writer_write() returns (zero copy, e.g. a mmap of
 * /dev/mem), or it fills @buf (nr_pages * KHI_PAGE_SIZE bytes, page aligned) and sets
 * *ret_data = buf. Returns 0 or -errno (which aborts the write). */
struct khi_source {
	const struct khi_range *ranges;  /* ascending, disjoint, each count >= 1 */
	size_t nr_ranges;                /* 1..KHI_RANGES_MAX */
	int (*read)(void *ctx, uint64_t pfn, uint32_t nr_pages, void *buf, const void **ret_data);
	void *ctx;
	/* Non-zero when memory read() points to cannot be the buffer of a direct I/O transfer
	 * (a mmap of /dev/mem is VM_PFNMAP: O_DIRECT from it fails with EFAULT). The writer then
	 * copies a chunk it stores uncompressed into its own buffer first; compressed chunks
	 * need no copy. */
	int unpinnable;
};

struct khi_writer_opts {
	enum khi_compression compression;
	int level;              /* lz4 acceleration or lz4hc level (khi_compression_valid()) */
	unsigned threads;       /* workers, clamped to 1..KHI_THREADS_MAX; 0 = 1 */
	struct khi_key key;     /* encryption when key.key or key.passphrase is set */
	/* Upper bound of the image size in bytes the caller expects (e.g. from a previous image's
	 * ratio), checked against the granted space before the first write. 0 = the worst case:
	 * every page stored uncompressed, plus metadata (khi_writer_worst_case()). With an
	 * estimate the write can still run out of space: it then fails with -ENOSPC and leaves the
	 * swap header untouched. */
	uint64_t size_estimate;
	khi_progress_fn progress;
	void *progress_ctx;
	uint64_t reserved[4];   /* MUST be 0 */
};
#define KHI_WRITER_OPTS_INIT { .compression = KHI_COMPRESS_LZ4, .threads = 1 }

/*! khi_buffer_bytes() : memory the writer's (or the reader's: no more) chunk buffers take with
 *  @threads workers, all of it touched. A caller short of memory (the helper kernel lives in a
 *  region of a few hundred MiB, while a machine may have 64 CPUs) picks its thread count with
 *  it. */
uint64_t khi_buffer_bytes(unsigned threads);

typedef struct khi_writer khi_writer;

/*! khi_writer_new() :
 * Checks everything that can be checked before writing: the options, @meta, the source ranges,
 * the swap header at @target->swap_offset (MUST be "SWAPSPACE2"), the extents, and that the
 * space holds the worst case (or @opts->size_estimate); derives the key from a passphrase.
 * Writes nothing. @target, @opts, @meta, @source MUST be non-NULL; their arrays and strings
 * are copied (meta->platform too), @source->read and ctx are kept and MUST stay valid.
 * @return 0 and *ret with a new writer; on failure *ret is untouched:
 *   -ENOSPC (space too small), -EEXIST (an image is committed: discard it first),
 *   -EMEDIUMTYPE (not a swap area), -EINVAL (bad options, ranges, extents), -errno of I/O. */
int khi_writer_new(const struct khi_target *target, const struct khi_writer_opts *opts,
		   const struct khi_meta *meta, const struct khi_source *source, khi_writer **ret);

/*! khi_writer_worst_case() :
 * @return the bytes the image can take at most (all pages stored, plus metadata). */
uint64_t khi_writer_worst_case(const khi_writer *w);

/*! khi_writer_write() :
 * Writes the whole image: extent table, chunks (in parallel), chunk table, header; syncs;
 * then the commit record in page 0 (our anchor in the boot-block bytes and our signature in
 * the last 10 bytes; the swap info in between is never written); syncs again. Call once.
 * @return 0 once the image is committed and durable. On failure nothing in page 0 was
 * written, so the area is still a plain swap area: -ENOSPC (ran out of granted space), an
 * error from the page source, -errno of I/O. */
int khi_writer_write(khi_writer *w);

/*! khi_writer_stats() : statistics of the last khi_writer_write() (also after a failure). */
void khi_writer_stats(const khi_writer *w, struct khi_stats *ret);

/*! khi_writer_free() : accepts NULL; wipes key material. @return NULL. */
khi_writer *khi_writer_free(khi_writer *w);

/* ---------------------------------------------------------------------------------------------
 * Reader
 * ------------------------------------------------------------------------------------------- */

/* Page sink: receives @nr_pages pages at @pfn (zero pages too, from a zeroed buffer: RAM after
 * a cold boot is not zero), each page exactly once, only from khi_reader_restore(). @data is
 * valid during the call only. Returns 0 or -errno (aborts).
 * By default write() is called on the caller's thread, in ascending pfn order. A sink that
 * sets @concurrent is called from the reader's workers instead, as each chunk is checked: in
 * any order and at the same time for different chunks (never for the same page twice). That
 * takes the copy off the caller's thread, which also reads the disk: restoring 1 GiB under
 * TCG, the in-order copy into A's RAM was most of the pass (docs/bench/README.md). */
struct khi_sink {
	int (*write)(void *ctx, uint64_t pfn, uint32_t nr_pages, const void *data);
	/* Optional, for a concurrent sink: where @nr_pages pages at @pfn are in the caller's
	 * memory, or NULL. A compressed chunk whose present pages are one run is then
	 * decompressed straight into them once its checksum and tag are checked, a copy of each
	 * page less; its zero pages and raw chunks still go to write(). A stream that then
	 * decompresses to a wrong size fails the pass with those pages partly written: as after a
	 * damaged chunk, the caller MUST NOT use them. */
	void *(*place)(void *ctx, uint64_t pfn, uint32_t nr_pages);
	void *ctx;
	bool concurrent;
};

struct khi_reader_opts {
	unsigned threads;       /* workers, clamped to 1..KHI_THREADS_MAX; 0 = 1 */
	/* For encrypted images; the kdf_* fields are ignored. With a key or passphrase set, only
	 * an encrypted image is accepted (-EPROTO otherwise). */
	struct khi_key key;
	/* The Argon2id costs accepted from a header, which is not authenticated before the key is
	 * derived: beyond them -E2BIG, before deriving. 0 = KHI_KDF_PASSES_MAX_DEFAULT,
	 * KHI_KDF_MEMORY_MAX_DEFAULT. The format's own limits (64 passes, 1 GiB) still apply. */
	uint32_t kdf_passes_max;
	uint32_t kdf_memory_max_kib;
	/* NULL: only a committed image is accepted, a consumed one gives -EALREADY. Non-NULL
	 * (KHI_IMAGE_ID_SIZE bytes, from khi_mark_consumed()): only the consumed image with this
	 * id is accepted; this is how the restore helper reads the image the boot path consumed. */
	const uint8_t *consumed_id;
	/* Non-zero: open to read the metadata only (no key needed: the header checksum is still
	 * verified, its GCM tag is not); khi_reader_verify()/_restore() then give -EINVAL. */
	int header_only;
	/* The most memory, in bytes, the reader allocates for what the image's own fields size:
	 * the extent table (24 bytes an extent, plus 4 and a 256 KiB buffer while it is read and
	 * checked), the header (twice its size) and the chunk table (64 bytes a chunk, from the
	 * first khi_reader_restore() or khi_reader_verify() on). Beyond it: -E2BIG, before
	 * allocating (docs/image-format.md, "Memory bounds"). 0 = a quarter of this machine's RAM
	 * but no more than 4 x the target's size + 1 MiB. Not counted: the chunk buffers
	 * (khi_buffer_bytes()). */
	uint64_t mem_max;
	khi_progress_fn progress;
	void *progress_ctx;
	uint64_t reserved[4];   /* MUST be 0 */
};
#define KHI_READER_OPTS_INIT { .threads = 1 }

typedef struct khi_reader khi_reader;

/*! khi_reader_open() :
 * Reads and checks the commit record, the extent table and the header (checksum, then the
 * GCM tag when encrypted, which also proves the key). Reads only; @target->extents ignored.
 * @return 0 and *ret; -ENODATA, -EALREADY, -EMEDIUMTYPE, -EBADMSG, -EPROTONOSUPPORT, -EXDEV,
 *   -ENOKEY, -EKEYREJECTED, -EPROTO, -E2BIG, -EINVAL, -errno of I/O. The caller should then khi_discard() a
 *   refused image (except after -EMEDIUMTYPE or an I/O error). */
int khi_reader_open(const struct khi_target *target, const struct khi_reader_opts *opts,
		    khi_reader **ret);

/*! khi_reader_encrypted() : non-zero when the image is encrypted. */
int khi_reader_encrypted(const khi_reader *r);

/*! khi_reader_compression() : how the image was compressed; *ret_level the lz4hc level. */
enum khi_compression khi_reader_compression(const khi_reader *r, int *ret_level);

/*! khi_reader_meta() : the image's metadata, valid until khi_reader_free(). */
const struct khi_meta *khi_reader_meta(const khi_reader *r);

/*! khi_reader_ranges() : the saved ranges; *ret_nr set to their count. */
const struct khi_range *khi_reader_ranges(const khi_reader *r, size_t *ret_nr);

/*! khi_reader_header_stats() :
 * What the writer recorded: pages_total/zero/raw/compressed, bytes_in/out/image (no times). */
void khi_reader_header_stats(const khi_reader *r, struct khi_stats *ret);

/*! khi_reader_check_identity() :
 * Compares the image's kernel and machine identity with the running ones; a NULL argument is
 * not compared. @return 0, or -ESTALE when the image belongs to another kernel or machine. */
int khi_reader_check_identity(const khi_reader *r, const uint8_t kernel_id[KHI_KERNEL_ID_SIZE],
			      const uint8_t machine_id[KHI_MACHINE_ID_SIZE]);

/*! khi_reader_restore() :
 * One pass over the image: loads the chunk table and checks it (its digest, and that its
 * records follow the ranges) unless an earlier call did, then reads each chunk once, checks it
 * (checksum, GCM tag when encrypted, that it decompresses to its size) and hands its pages to
 * @sink (MUST be non-NULL, with write set), in chunk order unless @sink is concurrent, zero
 * pages included. Needs no
 * khi_reader_verify() before it. The contract:
 *   - nothing reaches @sink before the metadata was checked: the commit record, extent table
 *     and header by khi_reader_open(), the chunk table here, before the first chunk is read;
 *   - each chunk's pages reach @sink only after that chunk was checked (with @sink's place,
 *     its decompressed size is checked as it is decompressed into place);
 *   - at the end, the totals of zero, raw and stored pages and bytes must equal the header's.
 * So a damaged chunk table gives an error with no page delivered, while a damaged chunk is
 * found only when the pass reaches it: pages of the chunks before it may have been delivered,
 * none of it, and none after it unless @sink is concurrent (then any other chunk's). A caller that puts the pages into memory MUST then not use them (the
 * restore helper reboots; the image was consumed before the first write).
 * @return 0; -EBADMSG (a table or a chunk does not match, or the totals differ), -E2BIG (the
 * chunk table exceeds mem_max), -EINVAL (no sink, or opened header_only), an error from the
 * sink, -errno of I/O. Can be called again (the disk is read and checked again). */
int khi_reader_restore(khi_reader *r, const struct khi_sink *sink);

/*! khi_reader_verify() :
 * khi_reader_restore() without a sink: reads and checks everything it checks, including each
 * chunk's decompressed size, and delivers no page. For a caller that wants to know whether the
 * whole image is sound without restoring it (khib-image verify, khibernate --test reading its
 * image back). @return as khi_reader_restore(). Can be called again. */
int khi_reader_verify(khi_reader *r);

/*! khi_reader_stats() : statistics of the last restore or verify pass. */
void khi_reader_stats(const khi_reader *r, struct khi_stats *ret);

/*! khi_reader_free() : accepts NULL; wipes key material. @return NULL. */
khi_reader *khi_reader_free(khi_reader *r);

/* ---------------------------------------------------------------------------------------------
 * State of a swap area: none -> committed (writer) -> consumed; any -> discarded (= none)
 * ------------------------------------------------------------------------------------------- */

enum khi_state {
	KHI_STATE_NONE = 0,       /* plain swap area ("SWAPSPACE2", no commit record) */
	KHI_STATE_COMMITTED = 1,  /* an image waits to be resumed */
	KHI_STATE_CONSUMED = 2,   /* a resume started from it; the area is plain swap again */
};

struct khi_probe_info {
	enum khi_state state;
	uint8_t image_id[KHI_IMAGE_ID_SIZE];  /* when not KHI_STATE_NONE */
	uint32_t swap_last_page;              /* from the swap header */
	uint32_t swap_bad_pages;
	uint8_t swap_uuid[16];
	char swap_label[17];
};

/*! khi_probe() :
 * Reads page 0 only. @return 0 and *ret; -EMEDIUMTYPE (not a swap area), -EBADMSG (our
 * signature with a corrupt commit record), -EPROTONOSUPPORT (newer commit record), -errno.
 * With -EBADMSG and -EPROTONOSUPPORT too, ret's swap_* fields hold the swap header's. */
int khi_probe(int fd, uint64_t swap_offset, struct khi_probe_info *ret);

/*! khi_mark_consumed() :
 * The boot path calls it before anything else: turns a committed image into a consumed one
 * and puts "SWAPSPACE2" back, in one write of page 0, then syncs. @ret_image_id (may be NULL)
 * receives the id to pass to the restore helper (khi_reader_opts.consumed_id).
 * @return 0; -ENODATA (no image: nothing written), -EALREADY (already consumed: nothing
 * written), -EMEDIUMTYPE (not a swap area: nothing written), -EBADMSG (our signature but a
 * corrupt commit record: "SWAPSPACE2" was put back), -errno of I/O. */
int khi_mark_consumed(int fd, uint64_t swap_offset, uint8_t ret_image_id[KHI_IMAGE_ID_SIZE]);

/*! khi_discard() :
 * Removes any image (committed, consumed or corrupt): writes back the original boot-block
 * bytes saved in the image header (zeros when the header cannot be read) and "SWAPSPACE2",
 * then syncs. The swap info (bytes 1024..4085) is never written.
 * @return 0; -ENODATA (plain swap area: nothing written), -EMEDIUMTYPE (not a swap area:
 * nothing written), -errno of I/O. */
int khi_discard(int fd, uint64_t swap_offset);

/* ---------------------------------------------------------------------------------------------
 * Helpers
 * ------------------------------------------------------------------------------------------- */

/*! khi_global_init() : initialises libgcrypt once (secure memory off: key material is wiped
 * explicitly). @return 0 or -EPROTONOSUPPORT when libgcrypt is older than 1.10. */
int khi_global_init(void);

/*! khi_strerror() : a short description of the codes above ("corrupt image", ...) in the
 * image's terms, strerror() for a plain system error. @err is negative. Never NULL. Decode
 * only this library's errors with it: kjump and the protocol have their own. */
const char *khi_strerror(int err);

#ifdef __cplusplus
}
#endif
#endif
