/* The image's platform blob; see platform.h. */
#include <errno.h>
#include <string.h>

#include "common/byteorder.h"
#include "protocol/platform.h"

static const char magic[8] = { 'K', 'H', 'P', 'L', 'A', 'T', 'F', '1' };

ssize_t khp_platform_encode(const struct kj_layout *l, uint64_t status_addr, void *buf, size_t size)
{
	uint8_t *b = buf;
	ssize_t n;

	if (size < KHP_PLATFORM_HEADER)
		return -ENOBUFS;
	n = kj_layout_encode(l, b + KHP_PLATFORM_HEADER, size - KHP_PLATFORM_HEADER);
	if (n < 0)
		return n;
	memcpy(b, magic, sizeof(magic));
	put_le32(b + 8, 1);
	put_le32(b + 12, (uint32_t)n);
	put_le64(b + 16, status_addr);
	return n + KHP_PLATFORM_HEADER;
}

int khp_platform_decode(const void *buf, size_t size, struct kj_layout *ret_layout,
		       uint64_t *ret_status_addr)
{
	const uint8_t *b = buf;

	if (size < KHP_PLATFORM_HEADER || memcmp(b, magic, sizeof(magic)))
		return -EBADMSG;
	if (get_le32(b + 8) != 1)
		return -EPROTONOSUPPORT;
	if (get_le32(b + 12) != size - KHP_PLATFORM_HEADER)
		return -EBADMSG;
	*ret_status_addr = get_le64(b + 16);
	return kj_layout_decode(b + KHP_PLATFORM_HEADER, size - KHP_PLATFORM_HEADER, ret_layout);
}
