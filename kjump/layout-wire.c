/* Layout v1 encoding (docs/kjump.md, "Layout v1"). */
#include <errno.h>
#include <string.h>

#include "common/byteorder.h"
#include "kjump/kjump.h"

static const char layout_magic[8] = { 'K', 'J', 'L', 'A', 'Y', 'O', 'U', 'T' };
#define LAYOUT_VERSION 1

/* Header field offsets. */
enum {
	L_MAGIC = 0, L_VERSION = 8, L_SIZE = 12, L_NR = 16, L_RSV0 = 20,
	L_REGION_START = 24, L_REGION_SIZE = 32, L_HOLE_START = 40, L_HOLE_SIZE = 48, L_RSV1 = 56,
};
/* Entry field offsets. */
enum { E_START = 0, E_SIZE = 8, E_TYPE = 16, E_RSV = 20 };

size_t kj_layout_encoded_size(const struct kj_layout *l)
{
	return KJ_LAYOUT_WIRE_HEADER + (size_t)l->nr_entries * KJ_LAYOUT_WIRE_ENTRY;
}

ssize_t kj_layout_encode(const struct kj_layout *l, void *buf, size_t size)
{
	size_t need = kj_layout_encoded_size(l);
	uint8_t *p = buf;
	uint32_t i;

	if (l->nr_entries > KJ_LAYOUT_MAX_ENTRIES)
		return -EINVAL;
	if (size < need)
		return -ENOBUFS;
	memset(p, 0, need);
	memcpy(p + L_MAGIC, layout_magic, sizeof(layout_magic));
	put_le32(p + L_VERSION, LAYOUT_VERSION);
	put_le32(p + L_SIZE, (uint32_t)need);
	put_le32(p + L_NR, l->nr_entries);
	put_le64(p + L_REGION_START, l->region.start);
	put_le64(p + L_REGION_SIZE, l->region.size);
	put_le64(p + L_HOLE_START, l->hole.start);
	put_le64(p + L_HOLE_SIZE, l->hole.size);
	for (i = 0; i < l->nr_entries; i++) {
		uint8_t *e = p + KJ_LAYOUT_WIRE_HEADER + (size_t)i * KJ_LAYOUT_WIRE_ENTRY;

		put_le64(e + E_START, l->entries[i].start);
		put_le64(e + E_SIZE, l->entries[i].size);
		put_le32(e + E_TYPE, l->entries[i].type);
	}
	return (ssize_t)need;
}

static int decode_header(const uint8_t *p, size_t size, struct kj_layout *ret)
{
	uint32_t nr;

	if (size < sizeof(layout_magic) || memcmp(p, layout_magic, sizeof(layout_magic)))
		return -ENODATA;
	if (size < KJ_LAYOUT_WIRE_HEADER)
		return -EBADMSG;
	if (get_le32(p + L_VERSION) != LAYOUT_VERSION)
		return -EPROTONOSUPPORT;
	nr = get_le32(p + L_NR);
	if (nr > KJ_LAYOUT_MAX_ENTRIES || get_le32(p + L_RSV0) || get_le64(p + L_RSV1))
		return -EBADMSG;
	if (get_le32(p + L_SIZE) != KJ_LAYOUT_WIRE_HEADER + nr * KJ_LAYOUT_WIRE_ENTRY ||
	    get_le32(p + L_SIZE) > size)
		return -EBADMSG;
	ret->nr_entries = nr;
	ret->region = (struct kj_range){ get_le64(p + L_REGION_START), get_le64(p + L_REGION_SIZE) };
	ret->hole = (struct kj_range){ get_le64(p + L_HOLE_START), get_le64(p + L_HOLE_SIZE) };
	return 0;
}

int kj_layout_decode(const void *buf, size_t size, struct kj_layout *ret)
{
	const uint8_t *p = buf;
	uint32_t i;
	int r;

	memset(ret, 0, sizeof(*ret));
	r = decode_header(p, size, ret);
	if (r < 0)
		return r;
	for (i = 0; i < ret->nr_entries; i++) {
		const uint8_t *e = p + KJ_LAYOUT_WIRE_HEADER + (size_t)i * KJ_LAYOUT_WIRE_ENTRY;

		if (get_le32(e + E_RSV))
			return -EBADMSG;
		ret->entries[i] = (struct kj_map_entry){
			.start = get_le64(e + E_START),
			.size = get_le64(e + E_SIZE),
			.type = get_le32(e + E_TYPE),
		};
	}
	/* A decoded layout is only useful if a helper can be confined to it. */
	return kj_layout_check(ret) < 0 ? -EBADMSG : 0;
}
