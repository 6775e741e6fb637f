/* sleephooks: systemd's system-sleep hooks around a hibernation (`khibernate --sleep-hooks`).
 *
 * systemd-sleep (systemd 252, src/sleep/sleep.c: execute()) runs every executable of
 * /usr/lib/systemd/system-sleep/ with the arguments "pre" "hibernate" before it writes "disk" to
 * /sys/power/state, and with "post" "hibernate" once the system runs again, whether the
 * hibernation worked or not. All the hooks of a phase run in parallel, each with
 * SYSTEMD_SLEEP_ACTION=hibernate in its environment; a failing hook is ignored; the phase ends
 * when all of them have exited, or after 90 s, when those left are killed. Names starting with
 * '.', and the backup copies package managers and editors leave (name~, *.dpkg-old, ...), are
 * not run; a hook masked by a symlink to /dev/null is not a regular file and is not run.
 *
 * khibernate replaces `systemd-sleep hibernate` as systemd-hibernate.service's ExecStart=
 * (systemd/systemd-hibernate.service.d/khibernate.conf) and does the same with --sleep-hooks,
 * so that what a distribution or a user hooks there still runs, in the same order relative to
 * the hibernation. The hooks' output goes where khibernate's goes (the journal, under systemd).
 */
#ifndef KHIB_SLEEPHOOKS_H
#define KHIB_SLEEPHOOKS_H

#include <stdio.h>

#define KH_SLEEP_HOOK_DIR "/usr/lib/systemd/system-sleep"
#define KH_SLEEP_HOOK_TIMEOUT_MS 90000

/*! kh_sleep_hooks_run() : runs the hooks of dir with the arguments phase ("pre" or "post") and
 *  "hibernate", in parallel, and waits for them (at most timeout_ms, then kills those left).
 *  Each hook that fails, is killed or cannot be started (fork fails, more than 63 hooks) is
 *  said on log (which may be NULL). A missing dir has no hooks.
 *  @return the number of hooks that did not exit 0 (>= 0); -errno if dir cannot be read.
 *  Not thread-safe (it blocks and waits for SIGCHLD; the signal mask is restored). */
int kh_sleep_hooks_run(const char *dir, const char *phase, int timeout_ms, FILE *log);

#endif
