/* blockdev: finding a block device's node from its number, in A, in the helper and at boot,
 * and the swap area that khibernate.resume= names.
 * The three kernels may name one disk differently, but its major:minor is what A's swap
 * allocator and the image record, and sysfs maps it back to a name.
 */
#ifndef KHP_BLOCKDEV_H
#define KHP_BLOCKDEV_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/*! khp_dev_path() : "/dev/NAME" of block device dev, from /sys/dev/block/MAJ:MIN/uevent.
 *  @return 0, -ENODEV (no such device now), -ENAMETOOLONG. */
int khp_dev_path(dev_t dev, char *buf, size_t size);

/*! khp_dev_wait() : khp_dev_path(), retried until the node exists or timeout_ms has passed
 *  (disks are probed asynchronously while early userspace already runs).
 *  @return 0 or -ENODEV. */
int khp_dev_wait(dev_t dev, char *buf, size_t size, unsigned timeout_ms);

/* How khibernate.resume= (or the configuration's swap) names the swap area. */
enum khp_devspec_kind {
	KHP_DEVSPEC_PATH,      /* "/dev/vda1" (any absolute path: tests use files), as is */
	KHP_DEVSPEC_UUID,      /* "UUID=" the swap area's (mkswap -U), or a swap file's filesystem */
	KHP_DEVSPEC_PARTUUID,  /* "PARTUUID=" the partition's, from the partition table */
	KHP_DEVSPEC_LABEL,     /* "LABEL=" the swap area's (mkswap -L) */
};

#define KHP_SWAP_LABEL_MAX 16

struct khp_devspec {
	enum khp_devspec_kind kind;
	char value[128];      /* the path, the PARTUUID in lower case, the label or the UUID */
	uint8_t uuid[16];     /* KHP_DEVSPEC_UUID, in the order the swap header stores it */
};

/*! khp_devspec_parse() : "/dev/..." (or another absolute path), "UUID=" (32 hex digits,
 *  dashes anywhere, any case),
 *  "PARTUUID=", "LABEL=" (at most 16 bytes). @return 0 or -EINVAL (none of these, or empty). */
int khp_devspec_parse(const char *s, struct khp_devspec *ret);

/*! khp_devspec_find() : looks once for the device spec names, into buf. A path must exist.
 *  UUID= and LABEL= are matched against the swap header at byte offset on every block device
 *  in /sys/class/block, in name order: while an image waits the swap signature is replaced,
 *  so blkid and udev no longer report the area's UUID or label and /dev/disk/by-uuid has no
 *  link; the header's UUID and label stay (the image never writes them). A UUID= no swap
 *  header carries is then looked up in /dev/disk/by-uuid (a swap file's filesystem).
 *  PARTUUID= goes through /dev/disk/by-partuuid (udev reads the partition table, which the
 *  image does not touch). root prefixes every path read ("" on a real system; tests give a
 *  directory with sys/class/block/NAME/{dev,size} and dev/NAME).
 *  @return 0; -ENODEV (not there, yet); -ENAMETOOLONG. */
int khp_devspec_find(const struct khp_devspec *spec, uint64_t offset, const char *root, char *buf,
		    size_t size);

#endif
