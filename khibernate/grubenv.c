/* GRUB's environment block, edited in place; see grubenv.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "khibernate/grubenv.h"

#define SIGNATURE "# GRUB Environment Block\n"

/* The end of the line that starts at p: its '\n' not escaped by a backslash, or NULL. */
static const char *line_end(const char *p, const char *end)
{
	for (; p < end; p++) {
		if (*p == '\\' && p + 1 < end)
			p++;
		else if (*p == '\n')
			return p;
	}
	return NULL;
}

/* Where the block's free space starts: the '#'s that run to its end, right after its last
 * line (as GRUB's grub_envblk_set() finds it). NULL when no line ends there. */
static const char *free_space(const char *start, const char *end)
{
	const char *s = end;

	while (s > start && s[-1] == '#')
		s--;
	return s == start || s[-1] == '\n' ? s : NULL;
}

/* The block's lines without name's, then "name=value\n", then '#' to the same size. A line
 * that starts with '#' is a comment, kept where it is: grub-editenv (2.04 and later) writes
 * one right after the signature, and GRUB reads the variables after it.
 * @return 0, -EBADMSG, -ENOSPC. */
static int rebuild(const char *old, size_t size, const char *name, const char *value, char *out)
{
	size_t sig = strlen(SIGNATURE), nlen = strlen(name), n = sig;
	const char *p, *space, *e;

	if (size < sig || memcmp(old, SIGNATURE, sig) || !(space = free_space(old + sig, old + size)))
		return -EBADMSG;
	memcpy(out, SIGNATURE, sig);
	for (p = old + sig; p < space; p = e + 1) {
		bool comment = *p == '#';

		e = line_end(p, space);
		if (!e || (!comment && !memchr(p, '=', (size_t)(e - p))))
			return -EBADMSG;
		if (!comment && (size_t)(e - p) > nlen && !memcmp(p, name, nlen) && p[nlen] == '=')
			continue;
		memcpy(out + n, p, (size_t)(e - p) + 1);
		n += (size_t)(e - p) + 1;
	}
	if (value) {
		size_t len = nlen + 1 + strlen(value) + 1;

		if (len > size - n)
			return -ENOSPC;
		n += (size_t)snprintf(out + n, len + 1, "%s=%s\n", name, value);
	}
	memset(out + n, '#', size - n);
	return 0;
}

/* A page more than the largest block we take, so that a larger one shows. */
#define READ_MAX (KH_GRUBENV_MAX + 4096)

/* The block as the disk holds it, into @buf (READ_MAX bytes, page aligned). GRUB rewrites it
 * in boots this kernel does not see (the boot that resumed it: our variable cleared,
 * next_entry consumed), and the page cache keeps the copy read before: after a resume,
 * posix_fadvise(POSIX_FADV_DONTNEED) left that copy in place (seen on Linux 6.12). So
 * O_DIRECT, where the file system allows it. @return its size or -errno. */
static ssize_t read_disk(const char *path, int fd, char *buf)
{
	int dfd = open(path, O_RDONLY | O_DIRECT | O_CLOEXEC);
	ssize_t n = dfd < 0 ? -1 : pread(dfd, buf, READ_MAX, 0);

	if (dfd >= 0)
		close(dfd);
	if (n < 0)
		n = pread(fd, buf, READ_MAX, 0);
	return n < 0 ? -errno : n;
}

/* Whether the page cache holds something else than @disk (@size bytes) for the block (also
 * when that cannot be read: writing the block again is always safe). */
static bool cache_differs(int fd, const char *disk, ssize_t size)
{
	char *buf = malloc((size_t)size + 1);
	bool differs = !buf || pread(fd, buf, (size_t)size, 0) != size || memcmp(buf, disk, (size_t)size);

	free(buf);
	return differs;
}

/* Reads the block, rebuilds it with name=value and, if @write, writes it back when it changed
 * or when the page cache held an older copy (others read through that cache: grub-editenv). */
static int edit(const char *path, const char *name, const char *value, bool write)
{
	char *disk = NULL, *new = NULL;
	ssize_t size = 0;
	int fd, err = 0;

	/* A check opens read-only: it asks whether the write would be allowed. */
	if (!write && access(path, W_OK) < 0)
		return -errno;
	fd = open(path, (write ? O_RDWR : O_RDONLY) | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (posix_memalign((void **)&disk, 4096, READ_MAX) || !(new = malloc(READ_MAX)))
		err = -ENOMEM;
	else if ((size = read_disk(path, fd, disk)) < 0)
		err = (int)size;
	else if (size > (ssize_t)KH_GRUBENV_MAX)
		err = -EFBIG;
	else
		err = rebuild(disk, (size_t)size, name, value, new);
	if (!err && write && (memcmp(disk, new, (size_t)size) || cache_differs(fd, disk, size))) {
		if (pwrite(fd, new, (size_t)size, 0) != size || fdatasync(fd) < 0)
			err = errno ? -errno : -EIO;
	}
	free(disk);
	free(new);
	close(fd);
	return err;
}

int kh_grubenv_set(const char *path, const char *name, const char *value)
{
	return edit(path, name, value, true);
}

int kh_grubenv_check(const char *path, const char *name, const char *value)
{
	return edit(path, name, value, false);
}
