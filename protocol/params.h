/* params: what khibernate (in A) or the boot hook tells the helper (in B).
 *
 * Implements docs/design.md, "Parameters v2". The encoded block travels as the opaque payload of
 * kjump's handoff (kjump/kjump.h), which carries its SHA-256: no checksum of its own. Fixed-width
 * little-endian fields at fixed offsets, then the extent list. Decoding is defensive: B must
 * never act on a parameter block it does not fully understand.
 *
 * Errors: -EBADMSG malformed, -EPROTONOSUPPORT other version or unknown value, -ENOBUFS buffer
 * too small, -EINVAL a struct that cannot be encoded. No function prints or allocates except
 * khp_params_decode() (the extent array; free with khp_params_clear()).
 */
#ifndef KHP_PARAMS_H
#define KHP_PARAMS_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "image/khimage.h"

/* v2 added the swap area's UUID, which B checks before writing (v1 blocks are refused: A, B
 * and the boot hook come from one build). */
#define KHP_PARAMS_VERSION 2u
#define KHP_PARAMS_FIXED_SIZE 1024u
#define KHP_PARAMS_EXTENT_SIZE 16u
#define KHP_PARAMS_MAX_EXTENTS (1u << 20)
#define KHP_PATH_MAX 127u
#define KHP_PASSPHRASE_MAX 255u
#define KHP_SWAP_UUID_SIZE 16u

enum khp_mode { KHP_MODE_SAVE = 1, KHP_MODE_RESTORE = 2 };
/* What B does once the image is written (save) or when a restore fails. */
enum khp_after { KHP_AFTER_POWEROFF = 1, KHP_AFTER_REBOOT = 2, KHP_AFTER_JUMP_BACK = 3 };

#define KHP_F_KEY 0x1u         /* key[] holds a raw AES-256 key */
#define KHP_F_PASSPHRASE 0x2u  /* passphrase[] holds the passphrase */
#define KHP_F_SWAPFILE 0x4u    /* the swap area is a file: extents lie outside it */
#define KHP_F_KNOWN (KHP_F_KEY | KHP_F_PASSPHRASE | KHP_F_SWAPFILE)

struct khp_params {
	uint32_t mode;                   /* enum khp_mode */
	uint32_t after;                  /* enum khp_after */
	uint32_t compression;            /* enum khi_compression */
	uint32_t level;                  /* lz4 acceleration or lz4hc level, 0 = default */
	uint32_t threads;                /* 0 = as many as B has CPUs */
	uint32_t flags;                  /* KH_F_* */
	uint32_t swap_major, swap_minor; /* the block device holding the swap area */
	uint64_t swap_offset;            /* byte offset of the swap header on that device */
	uint64_t size_estimate;          /* save: bytes the image may take (0 = worst case) */
	uint64_t status_addr;            /* physical address of A's status page, 0 = none */
	uint64_t entry;                  /* restore: A's re-entry address */
	uint64_t vmcoreinfo_addr;        /* save: A's vmcoreinfo note (physical), 0 = none */
	uint64_t vmcoreinfo_size;
	uint8_t key[KHI_KEY_SIZE];
	char passphrase[KHP_PASSPHRASE_MAX + 1];
	uint8_t kernel_id[KHI_KERNEL_ID_SIZE];
	char kernel_release[KHI_RELEASE_MAX + 1];
	uint8_t machine_id[KHI_MACHINE_ID_SIZE];
	char label[KHI_LABEL_MAX + 1];
	uint8_t image_id[KHI_IMAGE_ID_SIZE]; /* restore: the consumed image to read */
	char swap_path[KHP_PATH_MAX + 1];     /* the device's name in A (for messages) */
	uint8_t swap_uuid[KHP_SWAP_UUID_SIZE]; /* the swap header's UUID (mkswap), as stored */
	uint32_t nr_extents;                 /* save: where B may write */
	struct khi_extent *extents;
};

/*! khp_params_size() : @return the encoded size of p. */
size_t khp_params_size(const struct khp_params *p);

/*! khp_params_encode() : @return bytes written; -ENOBUFS if size < khp_params_size(p); -EINVAL if
 *  a string is not NUL-terminated in its field or nr_extents > KHP_PARAMS_MAX_EXTENTS. */
ssize_t khp_params_encode(const struct khp_params *p, void *buf, size_t size);

/*! khp_params_decode() : buf is untrusted. On success ret->extents is allocated (or NULL when
 *  nr_extents is 0). @return 0, -EBADMSG, -EPROTONOSUPPORT, -ENOMEM; ret is cleared on error. */
int khp_params_decode(const void *buf, size_t size, struct khp_params *ret);

/*! khp_params_set_secret() : the image's key (KHI_KEY_SIZE bytes: KHP_F_KEY) or else its
 *  passphrase (KHP_F_PASSPHRASE; truncated to KHP_PASSPHRASE_MAX) into p; both may be NULL. */
void khp_params_set_secret(struct khp_params *p, const uint8_t *key, const char *passphrase);

/*! khp_params_clear() : frees the extents and wipes the secrets; accepts a zeroed struct. */
void khp_params_clear(struct khp_params *p);

#endif
