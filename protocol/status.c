/* Encoding of the B→A status record; the layout is in docs/design.md, "Status record v1". */
#include <errno.h>
#include <string.h>

#include "common/byteorder.h"
#include "common/sha256.h"
#include "protocol/status.h"

static const char magic[8] = { 'K', 'H', 'S', 'T', 'A', 'T', 'U', 'S' };

/* Bytes 64..79 held two more phase times (restore: open, verify, restore) until the restore
 * became one pass: reserved now, written as zero, ignored. */
enum { O_MAGIC = 0, O_VERSION = 8, O_EVENT = 12, O_ERROR = 16, O_IMAGE_ID = 20,
       O_BOOT = 40, O_PHASE = 48, O_STATS = 80, NR_STATS = 13, O_SUM = 480 };

/* The khi_stats fields in wire order (all u64). */
static uint64_t *stat_field(struct khi_stats *s, unsigned i)
{
	uint64_t *const f[NR_STATS] = {
		&s->pages_total, &s->pages_zero, &s->pages_raw, &s->pages_compressed,
		&s->bytes_in, &s->bytes_out, &s->bytes_image, &s->ns_compress, &s->ns_checksum,
		&s->ns_crypt, &s->ns_io, &s->ns_source, &s->ns_total,
	};
	return f[i];
}

_Static_assert(O_PHASE + KHP_PHASES * 8 <= O_STATS, "layout");
_Static_assert(O_STATS + NR_STATS * 8 + 8 <= O_SUM, "layout");

void khp_status_encode(const struct khp_status *s, uint8_t buf[KHP_STATUS_SIZE])
{
	struct khi_stats st = s->stats;

	memset(buf, 0, KHP_STATUS_SIZE);
	memcpy(buf + O_MAGIC, magic, sizeof(magic));
	put_le32(buf + O_VERSION, KHP_STATUS_VERSION);
	put_le32(buf + O_EVENT, s->event);
	put_le32(buf + O_ERROR, (uint32_t)s->error);
	memcpy(buf + O_IMAGE_ID, s->image_id, KHI_IMAGE_ID_SIZE);
	put_le64(buf + O_BOOT, s->helper_boot_ns);
	for (unsigned i = 0; i < KHP_PHASES; i++)
		put_le64(buf + O_PHASE + 8 * i, s->phase_ns[i]);
	for (unsigned i = 0; i < NR_STATS; i++)
		put_le64(buf + O_STATS + 8 * i, *stat_field(&st, i));
	put_le32(buf + O_STATS + 8 * NR_STATS, st.threads);
	kc_sha256(buf, O_SUM, buf + O_SUM);
}

int khp_status_decode(const uint8_t buf[KHP_STATUS_SIZE], struct khp_status *ret)
{
	uint8_t sum[KC_SHA256_DIGEST_SIZE];
	struct khp_status s = { 0 };

	if (memcmp(buf + O_MAGIC, magic, sizeof(magic)))
		return -ENODATA;
	kc_sha256(buf, O_SUM, sum);
	if (memcmp(sum, buf + O_SUM, sizeof(sum)) || get_le32(buf + O_VERSION) != KHP_STATUS_VERSION)
		return -EBADMSG;
	s.event = get_le32(buf + O_EVENT);
	if (s.event != KHP_EVENT_SAVED && s.event != KHP_EVENT_RESTORED)
		return -EBADMSG;
	s.error = (int32_t)get_le32(buf + O_ERROR);
	memcpy(s.image_id, buf + O_IMAGE_ID, KHI_IMAGE_ID_SIZE);
	s.helper_boot_ns = get_le64(buf + O_BOOT);
	for (unsigned i = 0; i < KHP_PHASES; i++)
		s.phase_ns[i] = get_le64(buf + O_PHASE + 8 * i);
	for (unsigned i = 0; i < NR_STATS; i++)
		*stat_field(&s.stats, i) = get_le64(buf + O_STATS + 8 * i);
	s.stats.threads = get_le32(buf + O_STATS + 8 * NR_STATS);
	*ret = s;
	return 0;
}
