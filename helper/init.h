/* init: khib-helper as helper kernel B's /init (PID 1).
 *
 * B's initramfs is the product of `khibernate helper build` (helper/mkhelper): /init is a
 * symbolic link to /usr/lib/khibernate/khib-helper, the kernel modules B needs to reach the
 * swap device are under /usr/lib/modules/, and KHH_INIT_MODULES lists them in load order
 * (dependencies first, as the builder resolved them from modules.dep). As PID 1 the helper
 * first mounts /proc, /sys and /dev (devtmpfs: the swap device's node appears by itself) and
 * loads those modules with finit_module(2); then it saves or restores, and in the end it
 * powers off or reboots: it never returns, since PID 1 exiting panics the kernel.
 *
 * A test overlays its own archive on top of the product one, whose /init (a regular file)
 * replaces the link: the kernel unlinks an entry of another type before it writes the new one
 * (init/initramfs.c clean_path(), lstat semantics), so the helper itself stays in place.
 */
#ifndef KHH_INIT_H
#define KHH_INIT_H

#include <stddef.h>

#define KHH_INIT_MODULES "/usr/lib/khibernate/modules"
#define KHH_INIT_MODULES_MAX 256

/*! khh_modules_parse() : splits the list (modified in place) into module paths: one a line,
 *  blank lines and '#' comments skipped, surrounding blanks trimmed.
 *  @return the number of paths (<= max), or -E2BIG when there are more than max. */
int khh_modules_parse(char *text, const char **ret_paths, size_t max);

/*! khh_init_system() : what PID 1 does before the helper runs: mounts, console, modules.
 *  Failures are said on the console and not fatal (the helper then says what is missing). */
void khh_init_system(void);

/*! khh_init_end() : what PID 1 does when the helper has nothing left to do: sync and power
 *  off. Never returns. */
void khh_init_end(void) __attribute__((noreturn));

#endif
