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

/* Reads the block, rebuilds it with name=value and writes it back if @write and it changed. */
static int edit(const char *path, const char *name, const char *value, bool write)
{
	char *old = NULL, *new = NULL;
	ssize_t size;
	int fd, err = 0;

	/* A check opens read-only: it asks whether the write would be allowed. */
	if (!write && access(path, W_OK) < 0)
		return -errno;
	fd = open(path, (write ? O_RDWR : O_RDONLY) | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	old = malloc(KH_GRUBENV_MAX + 1);
	size = old ? pread(fd, old, KH_GRUBENV_MAX + 1, 0) : -1;
	if (!old || size < 0)
		err = old ? -errno : -ENOMEM;
	else if (size > (ssize_t)KH_GRUBENV_MAX)
		err = -EFBIG;
	else if (!(new = malloc((size_t)size + 1)))
		err = -ENOMEM;
	if (!err)
		err = rebuild(old, (size_t)size, name, value, new);
	if (!err && write && memcmp(old, new, (size_t)size)) {
		if (pwrite(fd, new, (size_t)size, 0) != size || fdatasync(fd) < 0)
			err = errno ? -errno : -EIO;
	}
	free(old);
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
