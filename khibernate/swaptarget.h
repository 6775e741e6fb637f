/* swaptarget: where the image goes, as the running system (A) sees it.
 *
 * The user names a swap partition or a swap file. For a file, the image is still written to
 * the block device underneath: the swap header's byte offset on that device comes from FIEMAP
 * (the same number, in pages, as the kernel's resume_offset=), and the slots the kernel
 * reserves for us are already device offsets. A file whose blocks the filesystem may move or
 * share (btrfs, compressed or inline extents, holes) is refused: offsets taken now would not
 * hold until resume.
 */
#ifndef KH_SWAPTARGET_H
#define KH_SWAPTARGET_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#define KH_DEVPATH_MAX 128

struct kh_swap {
	char path[256];              /* as the user named it */
	char dev_path[KH_DEVPATH_MAX]; /* the block device, e.g. /dev/vda1 or /dev/vda2 */
	dev_t dev;
	uint64_t header_offset;      /* bytes from the start of dev_path to the swap header */
	bool is_file;
	bool active;                 /* listed in /proc/swaps */
	uint64_t size_bytes;         /* usable area (from the swap header) */
	uint64_t used_bytes;         /* in use by A's swapped-out pages (from /proc/swaps) */
	uint8_t uuid[16];            /* the swap header's UUID, as stored (mkswap -U) */
};

/*! kh_swap_resolve() : fills ret for the swap partition or file at path.
 *  @return 0; -ENOENT; -ENOTBLK (neither a block device nor a regular file); -EXDEV (a file on
 *  a filesystem whose offsets cannot be trusted: btrfs and other virtual devices); -EUCLEAN
 *  (the file has holes, shared, encoded or unwritten extents: run mkswap on a file made with
 *  dd); -errno. Does not read the swap header: see kh_swap_read_header(). */
int kh_swap_resolve(const char *path, struct kh_swap *ret);

/*! kh_swap_read_header() : opens dev_path and checks the swap header at header_offset with
 *  the image library; sets size_bytes and uuid. @return 0 (a plain swap area), -EEXIST (an image is
 *  waiting in it), -EMEDIUMTYPE (not a swap area), -errno. */
int kh_swap_read_header(struct kh_swap *s);

/* What the block device under the swap area is. The helper kernel opens the disk by its
 * major:minor in a kernel of its own, with only the drivers for real disks: it cannot open a
 * device that A's kernel assembled in software (device-mapper: dm-crypt, LVM; md RAID; loop
 * over a file; zram in A's RAM; anything else under /sys/devices/virtual). */
enum kh_stack {
	KH_STACK_DISK,      /* a disk or a partition of one: the helper can write to it */
	KH_STACK_DM_CRYPT,  /* dm-crypt (dm uuid "CRYPT-...") */
	KH_STACK_LVM,       /* an LVM logical volume (dm uuid "LVM-...") */
	KH_STACK_DM,        /* other device-mapper targets */
	KH_STACK_MD,        /* md RAID */
	KH_STACK_LOOP,      /* a loop device */
	KH_STACK_ZRAM,      /* compressed RAM */
	KH_STACK_VIRTUAL,   /* any other software device (nbd, ram, ...) */
};

/*! kh_swap_stack() : classifies block device dev from sysfs ("/sys"; tests give a directory
 *  laid out the same way): SYSFS/dev/block/MAJ:MIN, and for a partition the disk holding it.
 *  Sets *ret_name to the kernel's name of the device (e.g. "dm-0").
 *  @return 0; -ENODEV (sysfs does not know dev); -ENAMETOOLONG. */
int kh_swap_stack(const char *sysfs, dev_t dev, enum kh_stack *ret, char *ret_name, size_t size);

/*! kh_swap_file_offset() : byte offset on its device of the first block of the open file fd,
 *  checking that all its extents are plain allocated blocks. @return 0 or errors as above. */
int kh_swap_file_offset(int fd, uint64_t *ret);

#endif
