/* Key and passphrase files; see secret.h. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/fileio.h"
#include "protocol/secret.h"

_Static_assert(KHI_KEY_SIZE <= KHP_PASSPHRASE_MAX, "a key fits the buffer");

int khp_secret_read(struct khp_secret *s, const char *path, bool key)
{
	size_t size, len;
	char *text;
	/* At most a page: kc_read_file() then never moves the buffer (no copy left behind). */
	int err = kc_read_file(path, 4096, &text, &size);

	khp_secret_clear(s);
	if (err)
		return err;
	if (key && size != KHI_KEY_SIZE) {
		err = -EKEYREJECTED;
	} else if (key) {
		memcpy(s->buf, text, KHI_KEY_SIZE);
		s->key = (const uint8_t *)s->buf;
	} else {
		len = strcspn(text, "\n");
		if (len > KHP_PASSPHRASE_MAX) {
			err = -ENAMETOOLONG;
		} else {
			memcpy(s->buf, text, len);
			s->passphrase = s->buf;
		}
	}
	explicit_bzero(text, size);
	free(text);
	return err;
}

void khp_secret_clear(struct khp_secret *s)
{
	explicit_bzero(s->buf, sizeof(s->buf));
	s->key = NULL;
	s->passphrase = NULL;
}
