/* status: what the helper (B) reports back to khibernate (A) in A's own memory.
 *
 * khibernate locks one page of its memory, finds its physical address and passes it to B
 * (khp_params.status_addr). B writes this record there through /dev/mem: after the image is
 * committed (save), or after A's pages are back and just before the jump (restore; the page
 * then already holds what it held at save time, so the record overwrites a stale one). When
 * kj_exec() returns in A, the record says whether A was checkpointed (--test) or resumed from
 * a cold boot, and how long each phase took. Layout: docs/design.md, "Status record v1".
 */
#ifndef KHP_STATUS_H
#define KHP_STATUS_H

#include <stdint.h>

#include "image/khimage.h"

#define KHP_STATUS_VERSION 1u
#define KHP_STATUS_SIZE 512u

enum khp_status_event { KHP_EVENT_SAVED = 1, KHP_EVENT_RESTORED = 2 };

/* B's time in two phases, the same two for both events: what comes before the image's data,
 * then the one pass over it. Restore has no verify phase: the restore pass checks each chunk
 * as it reads it (image/khimage.h, khi_reader_restore()), after the metadata (in the prepare
 * phase and at the start of the pass). */
enum khp_phase {
	KHP_PHASE_PREPARE,  /* save: A's RAM mapped, free pages found, writer set up;
	                       restore: image opened, its metadata checked, A's RAM mapped */
	KHP_PHASE_PASS,     /* save: the image written; restore: every chunk read, checked and
	                       unpacked once, its pages written into A */
	KHP_PHASES
};

struct khp_status {
	uint32_t event;                       /* enum khp_status_event */
	int32_t error;                        /* 0, or the negative errno B failed with */
	uint8_t image_id[KHI_IMAGE_ID_SIZE];
	uint64_t helper_boot_ns;              /* B's uptime when its helper started */
	uint64_t phase_ns[KHP_PHASES];        /* enum khp_phase */
	struct khi_stats stats;               /* of the write (save) or restore pass */
};

/* Encode into buf[KHP_STATUS_SIZE]. */
void khp_status_encode(const struct khp_status *s, uint8_t buf[KHP_STATUS_SIZE]);

/*! khp_status_decode() : @return 0, -ENODATA (no record: B never wrote one), -EBADMSG. */
int khp_status_decode(const uint8_t buf[KHP_STATUS_SIZE], struct khp_status *ret);

#endif
