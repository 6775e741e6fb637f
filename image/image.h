/* image.h: loading the metadata of a committed or consumed image (commit record -> extent
 * table -> header), shared by the reader and khi_discard(). Internal to libkhimage.
 */
#ifndef KHI_IMAGE_H
#define KHI_IMAGE_H

#include "image/format.h"
#include "image/io.h"
#include "image/swap.h"

struct khi_image {
	struct khi_io io;
	struct khi_anchor anchor;
	struct khi_header hdr;     /* checksum verified; the GCM tag is the reader's business */
	uint8_t *hdr_buf;          /* page aligned; hdr.meta.platform points into it */
};

/* Reads page 0 into @page (page aligned) and parses it: -EMEDIUMTYPE if not a swap area. */
int khi_read_page0(int fd, uint64_t swap_offset, uint8_t *page, struct khi_swap *ret);

/* Reads and checks the extent table and the header that @a points to. -EBADMSG,
 * -EPROTONOSUPPORT, -errno. On failure @img holds nothing to free. */
int khi_image_load(struct khi_image *img, int fd, uint64_t swap_offset, const struct khi_anchor *a);
void khi_image_done(struct khi_image *img);

#endif
