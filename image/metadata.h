/* metadata.h: loading the metadata of a committed or consumed image (commit record -> extent
 * table -> header), shared by the reader and khi_discard(). Internal to libkhimage.
 */
#ifndef KHI_METADATA_H
#define KHI_METADATA_H

#include "image/format.h"
#include "image/io.h"
#include "image/swap.h"

/* What may still be allocated for structures the image's own fields size (extent table,
 * header, chunk table): khi_reader_opts.mem_max, docs/image-format.md "Memory bounds". */
struct khi_budget {
	uint64_t left;
};

/* The default budget for a target of @dev_size bytes: a quarter of this machine's RAM, and no
 * more than 4 x @dev_size + 1 MiB (what the tables of any image on that target can take). */
uint64_t khi_budget_default(uint64_t dev_size);
/* Takes @count items of @size bytes: -E2BIG when they do not fit (or their product wraps). */
int khi_budget_take(struct khi_budget *b, uint64_t count, uint64_t size);
/* Gives back what a take of the same arguments took. */
void khi_budget_give(struct khi_budget *b, uint64_t count, uint64_t size);

struct khi_image {
	struct khi_io io;
	struct khi_budget budget;
	struct khi_anchor anchor;
	struct khi_header hdr;     /* checksum verified; the GCM tag is the reader's business */
	uint8_t *hdr_buf;          /* page aligned; hdr.meta.platform points into it */
};

/* Reads page 0 into @page (page aligned) and parses it: -EMEDIUMTYPE if not a swap area. */
int khi_read_page0(int fd, uint64_t swap_offset, uint8_t *page, struct khi_swap *ret);

/* Reads and checks the extent table and the header that @a points to, allocating no more than
 * @mem_max bytes for them (0 = khi_budget_default()); what is left stays in img->budget.
 * -EBADMSG, -EPROTONOSUPPORT, -E2BIG, -errno. On failure @img holds nothing to free. */
int khi_image_load(struct khi_image *img, int fd, uint64_t swap_offset, const struct khi_anchor *a,
		   uint64_t mem_max);
void khi_image_done(struct khi_image *img);

#endif
