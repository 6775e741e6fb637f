/* Small files and the helper's command line; see cmdline.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cmdline.h"

int kh_read_file(const char *path, char *buf, size_t size, size_t *ret_len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = read(fd, buf, size - 1);
	close(fd);
	if (n < 0)
		return -errno;
	buf[n] = 0;
	*ret_len = (size_t)n;
	return 0;
}

void kh_helper_cmdline(const char *extra, char *buf, size_t size)
{
	char a[4096], *tok, *save;
	size_t n = 0, len;

	if (kh_read_file("/proc/cmdline", a, sizeof(a), &len) < 0)
		a[0] = 0;
	buf[0] = 0;
	for (tok = strtok_r(a, " \n", &save); tok; tok = strtok_r(NULL, " \n", &save))
		if (!strncmp(tok, "console=", 8) && n + strlen(tok) + 2 < size)
			n += (size_t)snprintf(buf + n, size - n, "%s ", tok);
	snprintf(buf + n, size - n, "panic=5 %s", extra ? extra : "");
}
