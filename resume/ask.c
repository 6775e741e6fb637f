/* Asking for the image's passphrase at boot; see resume.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "resume/resume.h"

int kr_read_line(int in, int out, const char *prompt, char *buf, size_t size)
{
	struct termios saved, quiet;
	bool tty = tcgetattr(in, &saved) == 0;
	size_t n = 0;
	int err = 0;

	if (tty) {
		quiet = saved;
		quiet.c_lflag &= ~(tcflag_t)(ECHO | ECHONL);
		quiet.c_lflag |= ICANON;
		tty = tcsetattr(in, TCSAFLUSH, &quiet) == 0;
	}
	if (write(out, prompt, strlen(prompt)) < 0) {
		/* Nobody may see the prompt; the answer is still read. */
	}
	for (;;) {
		char c;
		ssize_t r = read(in, &c, 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			err = -errno;
			break;
		}
		if (r == 0) {
			err = -ECANCELED;
			break;
		}
		if (c == '\n' || c == '\r')
			break;
		if (n + 1 >= size) {
			err = -ENOBUFS;
			break;
		}
		buf[n++] = c;
	}
	if (tty) {
		(void)tcsetattr(in, TCSAFLUSH, &saved);
		(void)!write(out, "\n", 1);
	}
	buf[err ? 0 : n] = 0;
	if (err)
		explicit_bzero(buf, size);
	return err;
}

/* Runs argv with its output into buf (one line, the newline dropped). @return as
 * kr_read_line(), -ECANCELED when the agent failed, -ENOENT when it is not installed. */
static int run_agent(char *const argv[], char *buf, size_t size)
{
	int fd[2], status = -1, err;
	pid_t pid;

	if (pipe2(fd, O_CLOEXEC) < 0)
		return -errno;
	pid = fork();
	if (pid < 0) {
		err = -errno;
		close(fd[0]);
		close(fd[1]);
		return err;
	}
	if (pid == 0) {
		dup2(fd[1], STDOUT_FILENO);
		execvp(argv[0], argv);
		_exit(127);
	}
	close(fd[1]);
	err = kr_read_line(fd[0], -1, "", buf, size);
	close(fd[0]);
	if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status)) {
		explicit_bzero(buf, size);
		if (WIFEXITED(status) && WEXITSTATUS(status) == 127)
			return -ENOENT; /* not installed */
		return err ? err : -ECANCELED;
	}
	return err;
}

static bool runs(const char *cmd)
{
	char *argv[] = { (char *)cmd, "--ping", NULL };
	int status;
	pid_t pid = fork();

	if (pid < 0)
		return false;
	if (pid == 0) {
		int null = open("/dev/null", O_RDWR);
		dup2(null, STDOUT_FILENO);
		dup2(null, STDERR_FILENO);
		execvp(cmd, argv);
		_exit(127);
	}
	return waitpid(pid, &status, 0) == pid && WIFEXITED(status) && !WEXITSTATUS(status);
}

int kr_ask_passphrase(const char *prompt, char *buf, size_t size)
{
	char arg[256];
	struct stat st;
	int fd, err;

	/* sd_booted(): systemd runs when this directory exists. */
	if (stat("/run/systemd/system", &st) == 0 && S_ISDIR(st.st_mode)) {
		char *argv[] = { "systemd-ask-password", "--timeout=0", "--id=khibernate:resume",
				 (char *)prompt, NULL };
		err = run_agent(argv, buf, size);
		if (err != -ENOENT)
			return err;
	}
	if (runs("plymouth")) {
		char *argv[] = { "plymouth", "ask-for-password", arg, NULL };
		snprintf(arg, sizeof(arg), "--prompt=%s", prompt);
		return run_agent(argv, buf, size);
	}
	fd = open("/dev/console", O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	err = kr_read_line(fd, fd, prompt, buf, size);
	close(fd);
	return err;
}
