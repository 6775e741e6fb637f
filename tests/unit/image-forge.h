/* image-forge.h: images built field by field, the way someone who can write the swap area can
 * build them: every field at any value, and every checksum and digest recomputed to match, as
 * docs/image-format.md says to compute them (an unencrypted image has nothing else protecting
 * it). TEST-ONLY: the unit tests of issue 16 and the fuzzers' seeds use it.
 *
 * forge_init() sets up a valid image whose pages are all zero (no payload at all); a test then
 * changes the fields it wants and forge_write() lays it out on a file, over its extents.
 */
#ifndef IMAGE_FORGE_H
#define IMAGE_FORGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "image/format.h"

#define FORGE_RANGES_MAX 8u

struct forge {
	uint64_t dev_size;                  /* the file is made this long (sparse) */
	const struct khi_extent *ext;       /* the extent table; NULL: page 1 to the end */
	size_t nr_ext;
	struct khi_extent ext_default;
	struct khi_anchor anchor;           /* ext0, ext_table_size, digest: set by forge_write() */
	struct khi_header hdr;              /* hdr.ranges points to ranges[] */
	struct khi_range ranges[FORGE_RANGES_MAX];
	/* Write the chunk table (one record per chunk, all pages zero, or chunks[] when set) and
	 * put its digest into the header. Off for tables too large to write. */
	bool chunk_table;
	const struct khi_chunk *chunks;     /* hdr.nr_chunks records, or NULL */
	const uint8_t *key;                 /* non-NULL: seal the header with this raw key */
};

/* A valid all-zero image of @ranges on a device of @dev_size bytes. */
void forge_init(struct forge *f, uint64_t dev_size, const struct khi_range *ranges, size_t n);

/* Places the tables for the extents and chunks as they are now: chunk table right after the
 * extent table, header right after the chunk table, bytes_image at its end. */
void forge_layout(struct forge *f);

/* Writes page 0 (swap header, commit record, "KHIBERNATE"), the extent table, the chunk table
 * (if asked) and the header to @fd, with every digest and checksum computed over what is
 * written. Logical ranges outside the extents are skipped. @return 0 or -errno. */
int forge_write(struct forge *f, int fd);

/* Writes @len bytes at logical offset @lofs of @f's extents (what lies outside is skipped). */
int forge_pwrite(const struct forge *f, int fd, const void *buf, uint64_t len, uint64_t lofs);

#endif
