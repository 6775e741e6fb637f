/* systemd's system-sleep hooks around a hibernation; see sleephooks.h. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "khibernate/sleephooks.h"

#define MAX_HOOKS 64

struct hook {
	pid_t pid;        /* 0 once reaped */
	char path[512];
};

/* Leftovers that are not hooks: hidden files, editors' and package managers' backups. */
static bool is_backup(const char *name)
{
	static const char *const suffixes[] = {
		"~", ".swp", ".dpkg-old", ".dpkg-new", ".dpkg-dist", ".dpkg-bak", ".dpkg-tmp",
		".dpkg-remove", ".ucf-old", ".ucf-new", ".ucf-dist", ".rpmnew", ".rpmsave", ".rpmorig",
	};
	size_t n = strlen(name);

	if (name[0] == '.')
		return true;
	for (size_t i = 0; i < sizeof(suffixes) / sizeof(suffixes[0]); i++) {
		size_t k = strlen(suffixes[i]);
		if (n >= k && !strcmp(name + n - k, suffixes[i]))
			return true;
	}
	return false;
}

/* Plain byte order, whatever the locale: the order hooks start in does not depend on LANG. */
static int by_name(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static pid_t start(const char *path, const char *phase, const sigset_t *mask)
{
	char *const argv[] = { (char *)path, (char *)phase, (char *)"hibernate", NULL };
	pid_t pid = fork();

	if (pid == 0) {
		sigprocmask(SIG_SETMASK, mask, NULL);
		setenv("SYSTEMD_SLEEP_ACTION", "hibernate", 1);
		execv(path, argv);
		_exit(127);
	}
	return pid;
}

/* Reaps the hooks that have ended; returns how many are still running. */
static unsigned reap(struct hook *h, unsigned n, const char *phase, int *failed, FILE *log)
{
	unsigned left = 0;

	for (unsigned i = 0; i < n; i++) {
		int status;
		pid_t r;

		if (!h[i].pid)
			continue;
		r = waitpid(h[i].pid, &status, WNOHANG);
		if (r == 0) {
			left++;
			continue;
		}
		h[i].pid = 0;
		if (r < 0 || (WIFEXITED(status) && WEXITSTATUS(status) == 0))
			continue;
		(*failed)++;
		if (!log)
			continue;
		if (WIFEXITED(status))
			fprintf(log, "khibernate: sleep hook %s %s hibernate: exit status %d\n", h[i].path,
				phase, WEXITSTATUS(status));
		else
			fprintf(log, "khibernate: sleep hook %s %s hibernate: killed by signal %d\n",
				h[i].path, phase, WTERMSIG(status));
	}
	return left;
}

int kh_sleep_hooks_run(const char *dir, const char *phase, int timeout_ms, FILE *log)
{
	struct hook hooks[MAX_HOOKS];
	struct dirent **names;
	sigset_t chld, old;
	unsigned n = 0, left;
	int64_t deadline;
	int nr, dfd, failed = 0;

	nr = scandir(dir, &names, NULL, by_name);
	if (nr < 0)
		return errno == ENOENT ? 0 : -errno;
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0) {
		int err = -errno;
		while (nr--)
			free(names[nr]);
		free(names);
		return err;
	}
	/* Blocked, SIGCHLD stays pending (even at its default disposition) for sigtimedwait. */
	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	sigprocmask(SIG_BLOCK, &chld, &old);
	for (int i = 0; i < nr; i++) {
		const char *name = names[i]->d_name;
		struct stat st;

		if (is_backup(name) || fstatat(dfd, name, &st, 0) < 0 || !S_ISREG(st.st_mode) ||
		    !(st.st_mode & 0111)) {
			free(names[i]);
			continue;
		}
		snprintf(hooks[n].path, sizeof(hooks[n].path), "%s/%s", dir, name);
		free(names[i]);
		hooks[n].pid = n + 1 < MAX_HOOKS ? start(hooks[n].path, phase, &old) : -1;
		if (hooks[n].pid > 0) {
			n++;
			continue;
		}
		failed++;
		if (log)
			fprintf(log, "khibernate: sleep hook %s: not run: %s\n", hooks[n].path,
				n + 1 < MAX_HOOKS ? strerror(errno) : "more than 63 hooks");
	}
	free(names);
	close(dfd);

	deadline = now_ms() + timeout_ms;
	while ((left = reap(hooks, n, phase, &failed, log)) > 0) {
		int64_t wait_ms = deadline - now_ms();
		struct timespec ts;

		if (wait_ms <= 0)
			break;
		ts.tv_sec = wait_ms / 1000;
		ts.tv_nsec = (wait_ms % 1000) * 1000000;
		sigtimedwait(&chld, NULL, &ts);
	}
	for (unsigned i = 0; left && i < n; i++) {
		if (!hooks[i].pid)
			continue;
		if (log)
			fprintf(log, "khibernate: sleep hook %s %s hibernate: still running after "
				"%.1f s; killed\n", hooks[i].path, phase, timeout_ms / 1000.0);
		kill(hooks[i].pid, SIGKILL);
		waitpid(hooks[i].pid, NULL, 0);
		hooks[i].pid = 0;
		failed++;
	}
	sigprocmask(SIG_SETMASK, &old, NULL);
	return failed;
}
