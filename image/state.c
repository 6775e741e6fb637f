/* state.c: none -> committed -> consumed, any -> discarded; only page 0 is ever written, and
 * of it only the boot-block bytes and the signature, so the swap info stays as mkswap left it.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "image/crypto.h"
#include "image/metadata.h"

static int with_page0(int fd, uint64_t swap_offset, uint8_t **ret_page, struct khi_swap *sw)
{
	uint8_t *page;
	int r;

	if (swap_offset % KHI_PAGE_SIZE)
		return -EINVAL;
	if ((r = khi_global_init()) < 0)
		return r;
	if (!(page = khi_alloc_pages(KHI_PAGE_SIZE)))
		return -ENOMEM;
	if ((r = khi_read_page0(fd, swap_offset, page, sw)) < 0) {
		free(page);
		return r;
	}
	*ret_page = page;
	return 0;
}

static int write_page0(int fd, uint64_t swap_offset, const uint8_t *page)
{
	int r = khi_pwrite_full(fd, page, KHI_PAGE_SIZE, swap_offset);

	return r < 0 ? r : khi_sync(fd);
}

int khi_probe(int fd, uint64_t swap_offset, struct khi_probe_info *ret)
{
	struct khi_anchor a;
	struct khi_swap sw;
	uint8_t *page;
	int r;

	if ((r = with_page0(fd, swap_offset, &page, &sw)) < 0)
		return r;
	memset(ret, 0, sizeof(*ret));
	ret->swap_last_page = sw.last_page;
	ret->swap_bad_pages = sw.nr_badpages;
	memcpy(ret->swap_uuid, sw.uuid, 16);
	memcpy(ret->swap_label, sw.label, 16);
	r = khi_anchor_decode(page, &a);
	if (sw.sig == KHI_SIG_IS_SWAP) {
		/* Only a consumed record may sit under a plain signature; anything else is ignored. */
		if (r == 0 && a.state == KHI_STATE_CONSUMED) {
			ret->state = KHI_STATE_CONSUMED;
			memcpy(ret->image_id, a.image_id, KHI_IMAGE_ID_SIZE);
		}
		r = 0;
	} else if (r == 0 && a.state == KHI_STATE_COMMITTED) {
		ret->state = KHI_STATE_COMMITTED;
		memcpy(ret->image_id, a.image_id, KHI_IMAGE_ID_SIZE);
	} else if (r == 0 || r == -ENODATA) {
		r = -EBADMSG;
	}
	free(page);
	return r;
}

int khi_mark_consumed(int fd, uint64_t swap_offset, uint8_t ret_image_id[KHI_IMAGE_ID_SIZE])
{
	struct khi_anchor a;
	struct khi_swap sw;
	uint8_t *page;
	int r;

	if ((r = with_page0(fd, swap_offset, &page, &sw)) < 0)
		return r;
	r = khi_anchor_decode(page, &a);
	if (sw.sig == KHI_SIG_IS_SWAP) {
		r = r == 0 && a.state == KHI_STATE_CONSUMED ? -EALREADY : -ENODATA;
		goto out;
	}
	/* Our signature: whatever happens now, the area becomes swap again in this one write. */
	khi_swap_set_sig(page, KHI_SIG_SWAP);
	if (r == 0 && a.state == KHI_STATE_COMMITTED) {
		a.state = KHI_STATE_CONSUMED;
		khi_anchor_encode(&a, page);
		if (ret_image_id)
			memcpy(ret_image_id, a.image_id, KHI_IMAGE_ID_SIZE);
	} else {
		memset(page, 0, KHI_SWAP_BOOTBITS);
		r = -EBADMSG;
	}
	int w = write_page0(fd, swap_offset, page);
	if (w < 0)
		r = w;
out:
	free(page);
	return r;
}

/* Puts the user's boot-block bytes, saved in the header, back into @page; zeros when the
 * header is unreadable (mkswap leaves them zero, and the kernel never reads them). */
static void restore_bootbits(int fd, uint64_t swap_offset, uint8_t *page)
{
	struct khi_image img;
	struct khi_anchor a;
	bool have = khi_anchor_decode(page, &a) == 0;

	memset(page, 0, KHI_SWAP_BOOTBITS);
	if (!have || khi_image_load(&img, fd, swap_offset, &a, 0) < 0)
		return;
	memcpy(page, img.hdr.orig_bootbits, KHI_SWAP_BOOTBITS);
	khi_image_done(&img);
}

int khi_discard(int fd, uint64_t swap_offset)
{
	struct khi_swap sw;
	uint8_t *page;
	int r;

	if ((r = with_page0(fd, swap_offset, &page, &sw)) < 0)
		return r;
	if (sw.sig == KHI_SIG_IS_SWAP && !khi_anchor_present(page)) {
		free(page);
		return -ENODATA;
	}
	restore_bootbits(fd, swap_offset, page);
	khi_swap_set_sig(page, KHI_SIG_SWAP);
	r = write_page0(fd, swap_offset, page);
	free(page);
	return r;
}
