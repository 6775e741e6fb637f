/* statuspage: one locked page of khibernate's own memory whose physical address the helper
 * receives, so that B can leave a status record (protocol/status.h) where A finds it when
 * it runs again, whether after --test or after a cold-boot resume.
 */
#ifndef KH_STATUSPAGE_H
#define KH_STATUSPAGE_H

#include <stdint.h>

struct kh_statuspage {
	uint8_t *page;  /* 4096 bytes, locked, zeroed; NULL when none */
	uint64_t phys;  /* its physical address */
};

/*! kh_statuspage_new() : maps, locks and zeroes a page and looks its frame up in
 *  /proc/self/pagemap (needs CAP_SYS_ADMIN to see frame numbers). @return 0, -EPERM (frame
 *  numbers hidden), -errno. */
int kh_statuspage_new(struct kh_statuspage *ret);

/*! kh_statuspage_free() : accepts a zeroed struct. */
void kh_statuspage_free(struct kh_statuspage *s);

#endif
