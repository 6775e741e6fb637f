/* khp_strerror(); see errors.h. */
#include <errno.h>
#include <string.h>

#include "protocol/errors.h"
#include "protocol/params.h"

_Static_assert(KHI_KEY_SIZE == 32 && KHP_PASSPHRASE_MAX == 255, "the words below");

const char *khp_strerror(int err)
{
	switch (err) {
	case -EBADMSG:
		return "a malformed record (magic, size, checksum or field)";
	case -EPROTONOSUPPORT:
		return "a record of another khibernate version, or with an unknown value";
	case -ENODATA:
		return "not there: no status record from the helper, no build-id note or machine id";
	case -ENOBUFS:
		return "buffer too small";
	case -EKEYREJECTED:
		return "a key file holds exactly 32 bytes";
	case -ENAMETOOLONG:
		return "the passphrase is longer than 255 bytes";
	case -EMSGSIZE:
		return "the helper's parameters cannot be encoded (too many swap extents)";
	default:
		return strerror(-err);
	}
}
