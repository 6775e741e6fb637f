/* Resolving a swap partition or file to a device and header offset; see swaptarget.h. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/fiemap.h>
#include <linux/fs.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "image/khimage.h"
#include "khibernate/swaptarget.h"
#include "protocol/blockdev.h"

#define FIEMAP_BATCH 64
#define FIEMAP_BAD (FIEMAP_EXTENT_UNKNOWN | FIEMAP_EXTENT_DELALLOC | FIEMAP_EXTENT_ENCODED | \
		    FIEMAP_EXTENT_DATA_ENCRYPTED | FIEMAP_EXTENT_NOT_ALIGNED | \
		    FIEMAP_EXTENT_DATA_INLINE | FIEMAP_EXTENT_DATA_TAIL | FIEMAP_EXTENT_SHARED)

int kh_swap_file_offset(int fd, uint64_t *ret)
{
	struct stat st;
	uint64_t start = 0, expect = 0;
	bool first = true, last = false;
	struct fiemap *fm;
	int r = 0;

	if (fstat(fd, &st) < 0)
		return -errno;
	fm = calloc(1, sizeof(*fm) + FIEMAP_BATCH * sizeof(struct fiemap_extent));
	if (!fm)
		return -ENOMEM;
	/* Walk every extent: a hole or a moved block anywhere would break the kernel's own view. */
	while (!last && expect < (uint64_t)st.st_size) {
		fm->fm_start = expect;
		fm->fm_length = FIEMAP_MAX_OFFSET;
		fm->fm_flags = FIEMAP_FLAG_SYNC;
		fm->fm_extent_count = FIEMAP_BATCH;
		if (ioctl(fd, FS_IOC_FIEMAP, fm) < 0) {
			r = errno == EOPNOTSUPP || errno == ENOTTY ? -EXDEV : -errno;
			break;
		}
		if (fm->fm_mapped_extents == 0) {
			r = -EUCLEAN;
			break;
		}
		for (unsigned i = 0; i < fm->fm_mapped_extents; i++) {
			struct fiemap_extent *e = &fm->fm_extents[i];
			if ((e->fe_flags & FIEMAP_BAD) || e->fe_logical != expect ||
			    e->fe_physical % KHI_PAGE_SIZE) {
				r = -EUCLEAN;
				goto out;
			}
			if (first)
				start = e->fe_physical;
			first = false;
			expect = e->fe_logical + e->fe_length;
			last = e->fe_flags & FIEMAP_EXTENT_LAST;
		}
	}
	if (!r && (first || expect < (uint64_t)st.st_size))
		r = -EUCLEAN;
out:
	free(fm);
	if (!r)
		*ret = start;
	return r;
}

/* /proc/swaps: "Filename Type Size Used Priority", sizes in KiB; names escape blanks as \040. */
static void read_proc_swaps(struct kh_swap *s, const struct stat *st)
{
	char line[512], name[300];
	unsigned long long size, used;
	FILE *f = fopen("/proc/swaps", "re");

	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		struct stat sst;
		if (sscanf(line, "%299s %*s %llu %llu", name, &size, &used) != 3 ||
		    stat(name, &sst) < 0)
			continue;
		if (s->is_file ? sst.st_ino == st->st_ino && sst.st_dev == st->st_dev
			       : S_ISBLK(sst.st_mode) && sst.st_rdev == st->st_rdev) {
			s->active = true;
			s->used_bytes = used * 1024;
		}
	}
	fclose(f);
}

static bool exists(const char *dir, const char *name)
{
	char path[PATH_MAX];

	return snprintf(path, sizeof(path), "%s/%s", dir, name) < (int)sizeof(path) &&
	       access(path, F_OK) == 0;
}

/* What device-mapper target dir (a sysfs block directory with dm/) is, from its dm uuid. */
static enum kh_stack dm_kind(const char *dir)
{
	char path[PATH_MAX], uuid[128] = "";
	FILE *f;

	f = snprintf(path, sizeof(path), "%s/dm/uuid", dir) < (int)sizeof(path) ?
	    fopen(path, "re") : NULL;
	if (f) {
		if (!fgets(uuid, sizeof(uuid), f))
			uuid[0] = 0;
		fclose(f);
	}
	if (!strncmp(uuid, "CRYPT-", 6))
		return KH_STACK_DM_CRYPT;
	return strncmp(uuid, "LVM-", 4) ? KH_STACK_DM : KH_STACK_LVM;
}

int kh_swap_stack(const char *sysfs, dev_t dev, enum kh_stack *ret, char *ret_name, size_t size)
{
	char link[PATH_MAX], dir[PATH_MAX], *base;

	if (snprintf(link, sizeof(link), "%s/dev/block/%u:%u", sysfs, major(dev), minor(dev)) >=
	    (int)sizeof(link))
		return -ENAMETOOLONG;
	if (!realpath(link, dir))
		return -ENODEV;
	base = strrchr(dir, '/');
	if (snprintf(ret_name, size, "%s", base + 1) >= (int)size)
		return -ENAMETOOLONG;
	/* A partition's driver is its disk's: look at the disk (the parent directory). */
	if (exists(dir, "partition"))
		*strrchr(dir, '/') = 0;
	if (exists(dir, "dm"))
		*ret = dm_kind(dir);
	else if (exists(dir, "md"))
		*ret = KH_STACK_MD;
	else if (exists(dir, "loop") || !strncmp(strrchr(dir, '/') + 1, "loop", 4))
		*ret = KH_STACK_LOOP;
	else if (!strncmp(strrchr(dir, '/') + 1, "zram", 4))
		*ret = KH_STACK_ZRAM;
	else if (strstr(dir, "/devices/virtual/"))
		*ret = KH_STACK_VIRTUAL;
	else
		*ret = KH_STACK_DISK;
	return 0;
}

int kh_swap_resolve(const char *path, struct kh_swap *ret)
{
	struct kh_swap s = { 0 };
	struct stat st;
	int r;

	if (snprintf(s.path, sizeof(s.path), "%s", path) >= (int)sizeof(s.path))
		return -ENAMETOOLONG;
	if (stat(path, &st) < 0)
		return -errno;
	if (S_ISBLK(st.st_mode)) {
		s.dev = st.st_rdev;
		snprintf(s.dev_path, sizeof(s.dev_path), "%s", path);
	} else if (S_ISREG(st.st_mode)) {
		int fd;
		/* btrfs and other filesystems on virtual devices report an anonymous st_dev: their
		 * FIEMAP offsets are not offsets on any block device we could open. */
		if (major(st.st_dev) == 0)
			return -EXDEV;
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			return -errno;
		r = kh_swap_file_offset(fd, &s.header_offset);
		close(fd);
		if (r < 0)
			return r;
		s.is_file = true;
		s.dev = st.st_dev;
		r = khp_dev_path(st.st_dev, s.dev_path, sizeof(s.dev_path));
		if (r < 0)
			return r;
	} else {
		return -ENOTBLK;
	}
	read_proc_swaps(&s, &st);
	*ret = s;
	return 0;
}

int kh_swap_read_header(struct kh_swap *s)
{
	struct khi_probe_info info;
	int fd, r;

	r = khi_open(s->dev_path, 0, &fd);
	if (r < 0)
		return r;
	r = khi_probe(fd, s->header_offset, &info);
	close(fd);
	if (r < 0)
		return r;
	s->size_bytes = (uint64_t)info.swap_last_page * KHI_PAGE_SIZE;
	memcpy(s->uuid, info.swap_uuid, sizeof(s->uuid));
	return info.state == KHI_STATE_COMMITTED ? -EEXIST : 0;
}
