/* blockdev: finding a block device's node from its number, in A, in the helper and at boot.
 * The three kernels may name one disk differently, but its major:minor is what A's swap
 * allocator and the image record, and sysfs maps it back to a name.
 */
#ifndef KHIB_BLOCKDEV_H
#define KHIB_BLOCKDEV_H

#include <stddef.h>
#include <sys/types.h>

/*! kh_dev_path() : "/dev/NAME" of block device dev, from /sys/dev/block/MAJ:MIN/uevent.
 *  @return 0, -ENODEV (no such device now), -ENAMETOOLONG. */
int kh_dev_path(dev_t dev, char *buf, size_t size);

/*! kh_dev_wait() : kh_dev_path(), retried until the node exists or timeout_ms has passed
 *  (disks are probed asynchronously while early userspace already runs).
 *  @return 0 or -ENODEV. */
int kh_dev_wait(dev_t dev, char *buf, size_t size, unsigned timeout_ms);

#endif
