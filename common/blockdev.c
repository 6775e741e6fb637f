/* Block device nodes from device numbers; see blockdev.h. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <time.h>

#include "blockdev.h"

int kh_dev_path(dev_t dev, char *buf, size_t size)
{
	char path[64], line[256];
	FILE *f;
	int r = -ENODEV;

	snprintf(path, sizeof(path), "/sys/dev/block/%u:%u/uevent", major(dev), minor(dev));
	f = fopen(path, "re");
	if (!f)
		return -ENODEV;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, "DEVNAME=", 8)) {
			line[strcspn(line, "\n")] = 0;
			r = snprintf(buf, size, "/dev/%s", line + 8) < (int)size ? 0 : -ENAMETOOLONG;
			break;
		}
	fclose(f);
	return r;
}

int kh_dev_wait(dev_t dev, char *buf, size_t size, unsigned timeout_ms)
{
	const struct timespec tick = { .tv_nsec = 20 * 1000 * 1000 };
	struct stat st;

	for (unsigned waited = 0;; waited += 20) {
		if (kh_dev_path(dev, buf, size) == 0 && stat(buf, &st) == 0 && S_ISBLK(st.st_mode) &&
		    st.st_rdev == dev)
			return 0;
		if (waited >= timeout_ms)
			return -ENODEV;
		nanosleep(&tick, NULL);
	}
}
