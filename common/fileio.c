/* Whole files, including /proc files whose size stat() does not know, and device sizes; see
 * fileio.h. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/fs.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/fileio.h"

/* Doubles the buffer up to max bytes; -EFBIG once the file is known to be longer. */
static int grow(int fd, size_t max, char **buf, size_t *cap)
{
	size_t ncap = *cap * 2 > max ? max : *cap * 2;
	char *nbuf, probe;
	ssize_t n;

	if (*cap >= max) {
		do
			n = read(fd, &probe, 1);
		while (n < 0 && errno == EINTR);
		return n < 0 ? -errno : n > 0 ? -EFBIG : 1;
	}
	nbuf = realloc(*buf, ncap + 1);
	if (!nbuf)
		return -ENOMEM;
	*buf = nbuf;
	*cap = ncap;
	return 0;
}

static int read_all(int fd, size_t max, char **ret_buf, size_t *ret_size)
{
	size_t cap = max < 4096 ? max : 4096, len = 0;
	char *buf = malloc(cap + 1);
	int ret = 0;

	if (!buf)
		return -ENOMEM;
	for (;;) {
		ssize_t n;

		if (len == cap && (ret = grow(fd, max, &buf, &cap)) != 0)
			break;
		n = read(fd, buf + len, cap - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			ret = n < 0 ? -errno : 0;
			break;
		}
		len += (size_t)n;
	}
	if (ret < 0) {
		explicit_bzero(buf, len);
		free(buf);
		return ret;
	}
	buf[len] = '\0';
	*ret_buf = buf;
	*ret_size = len;
	return 0;
}

int kc_read_file(const char *path, size_t max, char **ret_buf, size_t *ret_size)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	int ret;

	if (fd < 0)
		return -errno;
	ret = read_all(fd, max, ret_buf, ret_size);
	close(fd);
	return ret;
}

int kc_dev_size(int fd, uint64_t *ret)
{
	struct stat st;

	if (fstat(fd, &st) < 0)
		return -errno;
	if (S_ISREG(st.st_mode)) {
		*ret = (uint64_t)st.st_size;
		return 0;
	}
	if (S_ISBLK(st.st_mode))
		return ioctl(fd, BLKGETSIZE64, ret) < 0 ? -errno : 0;
	return -ENOTBLK;
}

int kc_write_file(const char *path, const void *buf, size_t len)
{
	char tmp[PATH_MAX];
	int fd, r = 0;

	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.new", path) >= sizeof(tmp))
		return -ENAMETOOLONG;
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return -errno;
	for (size_t done = 0; done < len && !r;) {
		ssize_t n = write(fd, (const char *)buf + done, len - done);

		if (n > 0)
			done += (size_t)n;
		else if (n < 0 && errno != EINTR)
			r = -errno;
		else if (n == 0)
			r = -EIO;
	}
	if (!r && fsync(fd) < 0)
		r = -errno;
	if (close(fd) < 0 && !r)
		r = -errno;
	if (!r && rename(tmp, path) < 0)
		r = -errno;
	if (r)
		unlink(tmp);
	return r;
}
