/* platform: khibernate's content of the image's opaque platform blob.
 *
 * The restore must run the helper in exactly the memory layout the save ran with, and must find
 * the page where A waits for the helper's status record. Both are fixed at save time and travel
 * in the image (covered by its header checksum): "KHPLATF1", u32 version (1), u32 layout size,
 * u64 status page address, then kjump's encoded layout. docs/design.md, "Platform blob v1".
 */
#ifndef KHP_PLATFORM_H
#define KHP_PLATFORM_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "kjump/kjump.h"

#define KHP_PLATFORM_HEADER 24u

/*! khp_platform_encode() : @return bytes written, -ENOBUFS. */
ssize_t khp_platform_encode(const struct kj_layout *l, uint64_t status_addr, void *buf, size_t size);

/*! khp_platform_decode() : buf is untrusted. @return 0, -EBADMSG, -EPROTONOSUPPORT, or an error
 *  of kj_layout_decode(). */
int khp_platform_decode(const void *buf, size_t size, struct kj_layout *ret_layout,
		       uint64_t *ret_status_addr);

#endif
