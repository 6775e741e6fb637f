/* errors.c: what the documented error codes mean for an image. */
#include <errno.h>
#include <string.h>

#include "image/khimage.h"

const char *khi_strerror(int err)
{
	switch (err) {
	case -EBADMSG:
		return "corrupt image (checksum, tag or field mismatch)";
	case -EPROTONOSUPPORT:
		return "unsupported image format version or feature";
	case -ENODATA:
		return "no hibernation image";
	case -EALREADY:
		return "image already consumed by a resume";
	case -EEXIST:
		return "a hibernation image is already committed (discard it first)";
	case -EMEDIUMTYPE:
		return "not a swap area (run mkswap?)";
	case -ENOSPC:
		return "not enough swap space for the image";
	case -ENOKEY:
		return "image is encrypted: a key or passphrase is needed";
	case -EKEYREJECTED:
		return "wrong key or passphrase";
	case -ESTALE:
		return "image of another kernel or machine";
	case -EPROTO:
		return "image is not encrypted, but a key or passphrase is configured (refused)";
	case -EXDEV:
		return "image written for a swap area at another offset of this device: read the "
		       "partition itself, not the disk holding it, or give the offset it was written at";
	case -E2BIG:
		return "image needs more memory or key-derivation work than allowed (forged?)";
	default:
		return strerror(-err);
	}
}
