/* log: what khibernate and khib-resume did and why, for the user and for the kernel log.
 *
 * One message goes two ways: "IDENT: text" to the user's stream (stderr: the terminal, or the
 * console in an initramfs), and one record "<LEVEL>IDENT: text" to /dev/kmsg, so that
 * `dmesg` and `journalctl -b` explain a hibernation, a resume, and a refused or discarded image
 * after the fact, also when the program ran in the initramfs before any journal existed.
 * journald takes IDENT as the record's SYSLOG_IDENTIFIER; the kernel files it under LOG_USER.
 *
 * /dev/kmsg is opened once, by khp_log_open(). The kernel rate-limits what userspace writes
 * there per open file (10 records in 5 s, `printk_devkmsg=ratelimit`, the default): log
 * decisions and outcomes, not progress. A kernel log that cannot be opened (no /dev yet,
 * `printk_devkmsg=off`, not root) is not an error: the user's stream still gets every line.
 *
 * A user's stream that is journald's (systemd's JOURNAL_STREAM names it, e.g. khibernate run
 * by systemd-hibernate.service) gets "<PRI>IDENT: text", which journald files with that
 * priority, and nothing goes to /dev/kmsg: the journal would hold every line twice. Where the
 * user's stream is the console (an initramfs), the kernel also prints the records below its
 * console_loglevel there (only errors with "quiet"): the user's line is printed regardless, so
 * what the user sees does not depend on the log level.
 *
 * Not thread-safe: call from one thread (the programs' main threads). Only the top of a
 * program logs; library code returns errors and leaves the words to its caller.
 */
#ifndef KHP_LOG_H
#define KHP_LOG_H

#include <stdio.h>

#define KHP_LOG_KMSG "/dev/kmsg"

/* syslog(3) priorities: the kernel prints records below its console_loglevel on the console
 * too (with "quiet", only KHP_LOG_ERR and worse). */
enum khp_log_level {
	KHP_LOG_ERR = 3,      /* refused or failed: the user must act */
	KHP_LOG_WARNING = 4,  /* went on, but something is not as it should be */
	KHP_LOG_NOTICE = 5,   /* an outcome: hibernated, resumed, an image discarded */
	KHP_LOG_INFO = 6,     /* a step worth finding in the log afterwards */
};

/*! khp_log_open() : ident MUST be a static string ("khibernate"); user is the stream for the
 *  user (stderr) or NULL; kmsg_path is KHP_LOG_KMSG, another path (tests), or NULL for none.
 *  Closes what an earlier call opened. Never fails. */
void khp_log_open(const char *ident, FILE *user, const char *kmsg_path);

/*! khp_log() : one message, without a trailing newline. Before khp_log_open() it goes to
 *  stderr only, as "khibernate: ...". A message longer than a kernel record is cut short. */
void khp_log(enum khp_log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/*! khp_log_close() : closes the kernel log; later messages go to the user's stream only. */
void khp_log_close(void);

#endif
