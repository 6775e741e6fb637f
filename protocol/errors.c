/* khp_strerror(); see errors.h. */
#include <errno.h>
#include <string.h>

#include "protocol/errors.h"

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
	default:
		return strerror(-err);
	}
}
