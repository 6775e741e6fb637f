/* Messages for the user and the kernel log; see log.h. */
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "protocol/log.h"

/* A kernel record holds at most 1024 bytes of text (PRINTKRB_RECORD_MAX); longer writes fail
 * whole with EINVAL, so a long message is cut instead. */
#define RECORD_MAX 1024

static struct {
	const char *ident;
	FILE *user;
	int kmsg;
	int opened;
	int journal;       /* the user's stream is journald's: it takes "<PRI>" itself */
} log_state = { .kmsg = -1 };

/* systemd sets JOURNAL_STREAM=DEV:INODE when a service's stderr is a journald stream (see
 * systemd.exec(5)): a record to /dev/kmsg as well would be in the journal twice. */
static int is_journal(int fd)
{
	const char *env = getenv("JOURNAL_STREAM");
	unsigned long long dev, ino;
	struct stat st;

	return env && sscanf(env, "%llu:%llu", &dev, &ino) == 2 && fstat(fd, &st) == 0 &&
	       st.st_dev == dev && st.st_ino == ino;
}

void khp_log_close(void)
{
	if (log_state.kmsg >= 0)
		close(log_state.kmsg);
	log_state.kmsg = -1;
}

void khp_log_open(const char *ident, FILE *user, const char *kmsg_path)
{
	khp_log_close();
	log_state.ident = ident;
	log_state.user = user;
	log_state.opened = 1;
	log_state.journal = user && is_journal(fileno(user));
	/* O_WRONLY: the kernel then needs no reader context (and no syslog permission). */
	if (kmsg_path && !log_state.journal)
		log_state.kmsg = open(kmsg_path, O_WRONLY | O_NOCTTY | O_CLOEXEC | O_APPEND);
}

void khp_log(enum khp_log_level level, const char *fmt, ...)
{
	const char *ident = log_state.ident ? log_state.ident : "khibernate";
	FILE *user = log_state.opened ? log_state.user : stderr;
	char rec[RECORD_MAX + 1];
	va_list ap;
	int pri, head, n;

	pri = snprintf(rec, sizeof(rec), "<%d>", (int)level);
	head = pri + snprintf(rec + pri, sizeof(rec) - (size_t)pri, "%s: ", ident);
	va_start(ap, fmt);
	n = vsnprintf(rec + head, RECORD_MAX - (size_t)head, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	n = head + n < RECORD_MAX - 1 ? head + n : RECORD_MAX - 1;
	rec[n++] = '\n';
	rec[n] = 0;
	/* The user sees "khibernate: ..."; journald strips "<PRI>" and keeps it as the priority. */
	if (user) {
		fputs(rec + (log_state.journal ? 0 : pri), user);
		fflush(user);
	}
	/* One write(), one record; a full or closed log loses the line, never the program. */
	if (log_state.kmsg >= 0 && write(log_state.kmsg, rec, (size_t)n) < 0)
		khp_log_close();
}
