/* secret: the key or passphrase of an encrypted image, read from its file the one way both
 * khibernate (to write the image) and khib-resume (to read it) do.
 *
 * A key file holds exactly KHI_KEY_SIZE (32) raw bytes; a passphrase file's first line is the
 * passphrase (without its newline, at most KHP_PASSPHRASE_MAX bytes). The secret is kept in the
 * struct, never in a buffer that outlives it: khp_secret_clear() wipes it.
 */
#ifndef KHP_SECRET_H
#define KHP_SECRET_H

#include <stdbool.h>
#include <stdint.h>

#include "protocol/params.h"

struct khp_secret {
	char buf[KHP_PASSPHRASE_MAX + 1];
	const uint8_t *key;       /* KHI_KEY_SIZE bytes in buf, or NULL */
	const char *passphrase;   /* in buf, or NULL */
};

/*! khp_secret_read() : the key file (@key) or the passphrase file at @path into @s.
 *  @return 0 and s->key or s->passphrase set; -EKEYREJECTED (a key file of another size);
 *  -ENAMETOOLONG (a passphrase longer than KHP_PASSPHRASE_MAX); -errno of reading it
 *  (-EFBIG beyond 4 KiB). @s is wiped on failure. Words: khp_strerror(). */
int khp_secret_read(struct khp_secret *s, const char *path, bool key);

/*! khp_secret_clear() : wipes @s. */
void khp_secret_clear(struct khp_secret *s);

#endif
