/* khib-helper as PID 1 of helper kernel B; see init.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "common/fileio.h"
#include "helper/init.h"
#include "helper/steps.h"

int khh_modules_parse(char *text, const char **ret_paths, size_t max)
{
	size_t n = 0;

	for (char *line = text, *next; line; line = next) {
		char *end;
		next = strchr(line, '\n');
		if (next)
			*next++ = 0;
		line[strcspn(line, "#")] = 0;
		line += strspn(line, " \t");
		end = line + strlen(line);
		while (end > line && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\r'))
			*--end = 0;
		if (!*line)
			continue;
		if (n == max)
			return -E2BIG;
		ret_paths[n++] = line;
	}
	return (int)n;
}

static void mount_fs(const char *type, const char *dir)
{
	(void)mkdir(dir, 0755);
	if (mount(type, dir, type, MS_NOSUID | MS_NOEXEC, NULL) < 0 && errno != EBUSY)
		khh_fail(KHH_STEP_MOUNT, dir, -errno);
}

static void load_modules(void)
{
	const char *paths[KHH_INIT_MODULES_MAX];
	char *list = NULL;
	size_t len;
	int n, err = kc_read_file(KHH_INIT_MODULES, 64u << 10, &list, &len);

	if (err == -ENOENT)
		return; /* a kernel with all it needs built in */
	n = err ? err : khh_modules_parse(list, paths, KHH_INIT_MODULES_MAX);
	if (n < 0) {
		khh_fail(KHH_STEP_MODULES, KHH_INIT_MODULES, n);
		free(list);
		return;
	}
	for (int i = 0; i < n; i++) {
		int fd = open(paths[i], O_RDONLY | O_CLOEXEC);
		/* Already there (built in, or a dependency loaded twice): fine. */
		if (fd < 0 || (syscall(SYS_finit_module, fd, "", 0) < 0 && errno != EEXIST))
			khh_fail(KHH_STEP_MODULE, paths[i], -errno);
		if (fd >= 0)
			close(fd);
	}
	free(list);
}

void khh_init_system(void)
{
	int fd;

	mount_fs("proc", "/proc");
	mount_fs("sysfs", "/sys");
	(void)mkdir("/dev", 0755);
	if (mount("devtmpfs", "/dev", "devtmpfs", MS_NOSUID, NULL) < 0 && errno != EBUSY)
		khh_fail(KHH_STEP_MOUNT, "/dev", -errno);
	/* The kernel gave PID 1 the console when its node existed; make sure of it. */
	fd = open("/dev/console", O_RDWR | O_NOCTTY);
	if (fd >= 0) {
		dup2(fd, STDIN_FILENO);
		dup2(fd, STDOUT_FILENO);
		dup2(fd, STDERR_FILENO);
		if (fd > STDERR_FILENO)
			close(fd);
	}
	load_modules();
}

void khh_init_end(void)
{
	fprintf(stderr, "khib-helper: nothing left to do; powering off\n");
	sync();
	reboot(RB_POWER_OFF);
	khh_fail(KHH_STEP_POWER_OFF, NULL, -errno);
	for (;;)
		pause();
}
