/* Handoff v1 (docs/kjump.md, "Handoff v1"): A's layout and the caller's payload for B. */
#include <errno.h>
#include <string.h>

#include "common/byteorder.h"
#include "common/sha256.h"
#include "kjump/kjump.h"

static const char handoff_magic[8] = { 'K', 'J', 'H', 'A', 'N', 'D', 'O', 'F' };
#define HANDOFF_VERSION 1

enum {
	H_MAGIC = 0, H_VERSION = 8, H_HEADER_SIZE = 12, H_TOTAL_SIZE = 16, H_FLAGS = 20,
	H_LAYOUT_OFF = 24, H_LAYOUT_SIZE = 28, H_PAYLOAD_OFF = 32, H_PAYLOAD_SIZE = 36,
	H_RSV = 40, H_SHA256 = 48,
};
_Static_assert(H_SHA256 + 32 == KJ_HANDOFF_HEADER_SIZE, "handoff header size");

size_t kj_handoff_size(const struct kj_layout *l, size_t payload_size)
{
	return KJ_HANDOFF_HEADER_SIZE + kj_layout_encoded_size(l) + payload_size;
}

/* SHA-256 of the whole handoff with the digest field taken as zeros. */
static void digest(const uint8_t *p, size_t total, uint8_t out[KC_SHA256_DIGEST_SIZE])
{
	static const uint8_t zeros[KC_SHA256_DIGEST_SIZE];
	struct kc_sha256 c;

	kc_sha256_init(&c);
	kc_sha256_update(&c, p, H_SHA256);
	kc_sha256_update(&c, zeros, sizeof(zeros));
	kc_sha256_update(&c, p + KJ_HANDOFF_HEADER_SIZE, total - KJ_HANDOFF_HEADER_SIZE);
	kc_sha256_final(&c, out);
}

ssize_t kj_handoff_encode(const struct kj_layout *l, const void *payload, size_t payload_size,
			  void *buf, size_t size)
{
	size_t lsize = kj_layout_encoded_size(l), total = kj_handoff_size(l, payload_size);
	uint8_t *p = buf;
	ssize_t r;

	if (total > KJ_HANDOFF_MAX_SIZE)
		return -E2BIG;
	if (size < total)
		return -ENOBUFS;
	memset(p, 0, KJ_HANDOFF_HEADER_SIZE);
	memcpy(p + H_MAGIC, handoff_magic, sizeof(handoff_magic));
	put_le32(p + H_VERSION, HANDOFF_VERSION);
	put_le32(p + H_HEADER_SIZE, KJ_HANDOFF_HEADER_SIZE);
	put_le32(p + H_TOTAL_SIZE, (uint32_t)total);
	put_le32(p + H_LAYOUT_OFF, KJ_HANDOFF_HEADER_SIZE);
	put_le32(p + H_LAYOUT_SIZE, (uint32_t)lsize);
	put_le32(p + H_PAYLOAD_OFF, (uint32_t)(KJ_HANDOFF_HEADER_SIZE + lsize));
	put_le32(p + H_PAYLOAD_SIZE, (uint32_t)payload_size);
	r = kj_layout_encode(l, p + KJ_HANDOFF_HEADER_SIZE, lsize);
	if (r < 0)
		return r;
	if (payload_size)
		memcpy(p + KJ_HANDOFF_HEADER_SIZE + lsize, payload, payload_size);
	digest(p, total, p + H_SHA256);
	return (ssize_t)total;
}

/* Offsets and sizes must tile the handoff exactly: header, layout, payload, nothing else. */
static int check_sizes(const uint8_t *p, size_t size)
{
	uint32_t total = get_le32(p + H_TOTAL_SIZE);
	uint64_t loff = get_le32(p + H_LAYOUT_OFF), lsize = get_le32(p + H_LAYOUT_SIZE);
	uint64_t poff = get_le32(p + H_PAYLOAD_OFF), psize = get_le32(p + H_PAYLOAD_SIZE);

	if (get_le32(p + H_HEADER_SIZE) != KJ_HANDOFF_HEADER_SIZE || get_le64(p + H_RSV))
		return -EBADMSG;
	if (total > size || total > KJ_HANDOFF_MAX_SIZE)
		return -EBADMSG;
	if (loff != KJ_HANDOFF_HEADER_SIZE || poff != loff + lsize || poff + psize != total)
		return -EBADMSG;
	return 0;
}

int kj_handoff_decode(const void *buf, size_t size, struct kj_handoff *ret)
{
	uint8_t want[KC_SHA256_DIGEST_SIZE];
	const uint8_t *p = buf;
	int r;

	if (size < sizeof(handoff_magic) || memcmp(p, handoff_magic, sizeof(handoff_magic)))
		return -ENODATA;
	if (size < KJ_HANDOFF_HEADER_SIZE)
		return -EBADMSG;
	if (get_le32(p + H_VERSION) != HANDOFF_VERSION || get_le32(p + H_FLAGS) != 0)
		return -EPROTONOSUPPORT;
	r = check_sizes(p, size);
	if (r < 0)
		return r;
	digest(p, get_le32(p + H_TOTAL_SIZE), want);
	if (memcmp(want, p + H_SHA256, sizeof(want)))
		return -EBADMSG;
	r = kj_layout_decode(p + KJ_HANDOFF_HEADER_SIZE, get_le32(p + H_LAYOUT_SIZE), &ret->layout);
	if (r < 0 || kj_layout_encoded_size(&ret->layout) != get_le32(p + H_LAYOUT_SIZE))
		return -EBADMSG;
	ret->payload = p + get_le32(p + H_PAYLOAD_OFF);
	ret->payload_size = get_le32(p + H_PAYLOAD_SIZE);
	return 0;
}
