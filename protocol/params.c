/* Encoding of the A→B parameter block; the layout is in docs/design.md, "Parameters v2". */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/byteorder.h"
#include "protocol/params.h"

static const char magic[8] = { 'K', 'H', 'P', 'A', 'R', 'A', 'M', '1' }; /* all versions */

/* Byte offsets of the fixed part. */
enum {
	O_MAGIC = 0, O_VERSION = 8, O_FIXED = 12, O_TOTAL = 16, O_MODE = 20, O_AFTER = 24,
	O_COMPRESSION = 28, O_LEVEL = 32, O_THREADS = 36, O_FLAGS = 40, O_MAJOR = 44,
	O_MINOR = 48, O_NR_EXTENTS = 52, O_SWAP_OFFSET = 56, O_ESTIMATE = 64, O_STATUS = 72,
	O_ENTRY = 80, O_VMCI_ADDR = 88, O_VMCI_SIZE = 96, O_KEY = 104, O_PASSPHRASE = 136,
	O_KERNEL_ID = 392, O_RELEASE = 424, O_MACHINE_ID = 488, O_LABEL = 520,
	O_IMAGE_ID = 584, O_SWAP_PATH = 600, O_SWAP_UUID = 728, O_RESERVED = 744,
};

_Static_assert(O_PASSPHRASE + KHP_PASSPHRASE_MAX + 1 == O_KERNEL_ID, "layout");
_Static_assert(O_RELEASE + KHI_RELEASE_MAX + 1 == O_MACHINE_ID, "layout");
_Static_assert(O_LABEL + KHI_LABEL_MAX + 1 == O_IMAGE_ID, "layout");
_Static_assert(O_SWAP_PATH + KHP_PATH_MAX + 1 == O_SWAP_UUID, "layout");
_Static_assert(O_SWAP_UUID + KHP_SWAP_UUID_SIZE == O_RESERVED, "layout");
_Static_assert(O_RESERVED <= KHP_PARAMS_FIXED_SIZE, "layout");

size_t khp_params_size(const struct khp_params *p)
{
	return KHP_PARAMS_FIXED_SIZE + (size_t)p->nr_extents * KHP_PARAMS_EXTENT_SIZE;
}

static int put_str(uint8_t *dst, const char *src, size_t field)
{
	size_t n = strnlen(src, field);

	if (n == field)
		return -EINVAL;
	memcpy(dst, src, n);
	return 0;
}

/* A string field is valid if it has a NUL and nothing but NULs after it. */
static int get_str(char *dst, const uint8_t *src, size_t field)
{
	size_t n = strnlen((const char *)src, field);

	if (n == field)
		return -EBADMSG;
	for (size_t i = n; i < field; i++)
		if (src[i])
			return -EBADMSG;
	memcpy(dst, src, n);
	dst[n] = 0;
	return 0;
}

ssize_t khp_params_encode(const struct khp_params *p, void *buf, size_t size)
{
	uint8_t *b = buf;
	size_t total = khp_params_size(p);

	if (p->nr_extents > KHP_PARAMS_MAX_EXTENTS)
		return -EINVAL;
	if (size < total)
		return -ENOBUFS;
	memset(b, 0, KHP_PARAMS_FIXED_SIZE);
	memcpy(b + O_MAGIC, magic, sizeof(magic));
	put_le32(b + O_VERSION, KHP_PARAMS_VERSION);
	put_le32(b + O_FIXED, KHP_PARAMS_FIXED_SIZE);
	put_le32(b + O_TOTAL, (uint32_t)total);
	put_le32(b + O_MODE, p->mode);
	put_le32(b + O_AFTER, p->after);
	put_le32(b + O_COMPRESSION, p->compression);
	put_le32(b + O_LEVEL, p->level);
	put_le32(b + O_THREADS, p->threads);
	put_le32(b + O_FLAGS, p->flags);
	put_le32(b + O_MAJOR, p->swap_major);
	put_le32(b + O_MINOR, p->swap_minor);
	put_le32(b + O_NR_EXTENTS, p->nr_extents);
	put_le64(b + O_SWAP_OFFSET, p->swap_offset);
	put_le64(b + O_ESTIMATE, p->size_estimate);
	put_le64(b + O_STATUS, p->status_addr);
	put_le64(b + O_ENTRY, p->entry);
	put_le64(b + O_VMCI_ADDR, p->vmcoreinfo_addr);
	put_le64(b + O_VMCI_SIZE, p->vmcoreinfo_size);
	memcpy(b + O_KEY, p->key, KHI_KEY_SIZE);
	memcpy(b + O_KERNEL_ID, p->kernel_id, KHI_KERNEL_ID_SIZE);
	memcpy(b + O_MACHINE_ID, p->machine_id, KHI_MACHINE_ID_SIZE);
	memcpy(b + O_IMAGE_ID, p->image_id, KHI_IMAGE_ID_SIZE);
	memcpy(b + O_SWAP_UUID, p->swap_uuid, KHP_SWAP_UUID_SIZE);
	if (put_str(b + O_PASSPHRASE, p->passphrase, KHP_PASSPHRASE_MAX + 1) < 0 ||
	    put_str(b + O_RELEASE, p->kernel_release, KHI_RELEASE_MAX + 1) < 0 ||
	    put_str(b + O_LABEL, p->label, KHI_LABEL_MAX + 1) < 0 ||
	    put_str(b + O_SWAP_PATH, p->swap_path, KHP_PATH_MAX + 1) < 0)
		return -EINVAL;
	for (uint32_t i = 0; i < p->nr_extents; i++) {
		uint8_t *e = b + KHP_PARAMS_FIXED_SIZE + (size_t)i * KHP_PARAMS_EXTENT_SIZE;
		put_le64(e, p->extents[i].offset);
		put_le64(e + 8, p->extents[i].length);
	}
	return (ssize_t)total;
}

static int check_values(const struct khp_params *p)
{
	if (p->mode != KHP_MODE_SAVE && p->mode != KHP_MODE_RESTORE)
		return -EPROTONOSUPPORT;
	if (p->after < KHP_AFTER_POWEROFF || p->after > KHP_AFTER_JUMP_BACK)
		return -EPROTONOSUPPORT;
	if (p->compression > KHI_COMPRESS_LZ4HC || (p->flags & ~KHP_F_KNOWN))
		return -EPROTONOSUPPORT;
	if ((p->flags & KHP_F_KEY) && (p->flags & KHP_F_PASSPHRASE))
		return -EBADMSG;
	if (p->swap_offset % KHI_PAGE_SIZE || p->threads > KHI_THREADS_MAX)
		return -EBADMSG;
	for (uint32_t i = 0; i < p->nr_extents; i++)
		if (p->extents[i].offset % KHI_PAGE_SIZE || p->extents[i].length % KHI_PAGE_SIZE ||
		    !p->extents[i].length)
			return -EBADMSG;
	return 0;
}

static int decode_fixed(const uint8_t *b, size_t size, struct khp_params *p)
{
	if (size < KHP_PARAMS_FIXED_SIZE || memcmp(b, magic, sizeof(magic)))
		return -EBADMSG;
	if (get_le32(b + O_VERSION) != KHP_PARAMS_VERSION)
		return -EPROTONOSUPPORT;
	if (get_le32(b + O_FIXED) != KHP_PARAMS_FIXED_SIZE)
		return -EBADMSG;
	for (size_t i = O_RESERVED; i < KHP_PARAMS_FIXED_SIZE; i++)
		if (b[i])
			return -EBADMSG;
	p->mode = get_le32(b + O_MODE);
	p->after = get_le32(b + O_AFTER);
	p->compression = get_le32(b + O_COMPRESSION);
	p->level = get_le32(b + O_LEVEL);
	p->threads = get_le32(b + O_THREADS);
	p->flags = get_le32(b + O_FLAGS);
	p->swap_major = get_le32(b + O_MAJOR);
	p->swap_minor = get_le32(b + O_MINOR);
	p->nr_extents = get_le32(b + O_NR_EXTENTS);
	p->swap_offset = get_le64(b + O_SWAP_OFFSET);
	p->size_estimate = get_le64(b + O_ESTIMATE);
	p->status_addr = get_le64(b + O_STATUS);
	p->entry = get_le64(b + O_ENTRY);
	p->vmcoreinfo_addr = get_le64(b + O_VMCI_ADDR);
	p->vmcoreinfo_size = get_le64(b + O_VMCI_SIZE);
	memcpy(p->key, b + O_KEY, KHI_KEY_SIZE);
	memcpy(p->kernel_id, b + O_KERNEL_ID, KHI_KERNEL_ID_SIZE);
	memcpy(p->machine_id, b + O_MACHINE_ID, KHI_MACHINE_ID_SIZE);
	memcpy(p->image_id, b + O_IMAGE_ID, KHI_IMAGE_ID_SIZE);
	memcpy(p->swap_uuid, b + O_SWAP_UUID, KHP_SWAP_UUID_SIZE);
	if (get_str(p->passphrase, b + O_PASSPHRASE, KHP_PASSPHRASE_MAX + 1) < 0 ||
	    get_str(p->kernel_release, b + O_RELEASE, KHI_RELEASE_MAX + 1) < 0 ||
	    get_str(p->label, b + O_LABEL, KHI_LABEL_MAX + 1) < 0 ||
	    get_str(p->swap_path, b + O_SWAP_PATH, KHP_PATH_MAX + 1) < 0)
		return -EBADMSG;
	if (p->nr_extents > KHP_PARAMS_MAX_EXTENTS ||
	    get_le32(b + O_TOTAL) != KHP_PARAMS_FIXED_SIZE + p->nr_extents * KHP_PARAMS_EXTENT_SIZE ||
	    size < get_le32(b + O_TOTAL))
		return -EBADMSG;
	return 0;
}

int khp_params_decode(const void *buf, size_t size, struct khp_params *ret)
{
	const uint8_t *b = buf;
	struct khp_params p = { 0 };
	int r;

	r = decode_fixed(b, size, &p);
	if (r < 0)
		goto fail;
	if (p.nr_extents) {
		p.extents = calloc(p.nr_extents, sizeof(*p.extents));
		if (!p.extents) {
			r = -ENOMEM;
			goto fail;
		}
	}
	for (uint32_t i = 0; i < p.nr_extents; i++) {
		const uint8_t *e = b + KHP_PARAMS_FIXED_SIZE + (size_t)i * KHP_PARAMS_EXTENT_SIZE;
		p.extents[i].offset = get_le64(e);
		p.extents[i].length = get_le64(e + 8);
	}
	r = check_values(&p);
	if (r < 0)
		goto fail;
	*ret = p;
	return 0;
fail:
	khp_params_clear(&p);
	memset(ret, 0, sizeof(*ret));
	return r;
}

void khp_params_set_secret(struct khp_params *p, const uint8_t *key, const char *passphrase)
{
	if (key) {
		p->flags |= KHP_F_KEY;
		memcpy(p->key, key, KHI_KEY_SIZE);
	} else if (passphrase) {
		p->flags |= KHP_F_PASSPHRASE;
		snprintf(p->passphrase, sizeof(p->passphrase), "%s", passphrase);
	}
}

void khp_params_clear(struct khp_params *p)
{
	free(p->extents);
	p->extents = NULL;
	p->nr_extents = 0;
	explicit_bzero(p->key, sizeof(p->key));
	explicit_bzero(p->passphrase, sizeof(p->passphrase));
}
