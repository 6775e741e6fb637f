/* cmdline: the kernel command line as khibernate reads it, small files, and the helper's own
 * command line, shared by khibernate (save) and khib-resume (restore), which must start the
 * helper the same way.
 *
 * Words are split as the kernel splits them (lib/cmdline.c next_arg()): blanks separate
 * words, double quotes group blanks into a word and are removed. When a key appears more than
 * once the last one counts, as the kernel's own resume= and most parameters do: a boot loader
 * entry edited at the boot menu appends, so the appended value is the one the user meant.
 */
#ifndef KHP_CMDLINE_H
#define KHP_CMDLINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*! khp_read_file() : reads at most size - 1 bytes of path into buf and NUL-terminates them
 *  (secrets, /proc files). @return 0 and *ret_len, or -errno. */
int khp_read_file(const char *path, char *buf, size_t size, size_t *ret_len);

/*! khp_helper_cmdline() : the helper's command line: this kernel's console= arguments (so the
 *  helper's progress shows where the system's output does), "panic=5" (a helper that panics
 *  reboots instead of hanging), "no_timer_check" under a hypervisor, then extra (may be NULL).
 *  The kernel's IO-APIC timer check counts ticks against a busy loop: a virtual CPU that its
 *  host deschedules fails it and the helper panics ("IO-APIC + timer doesn't work!", seen on a
 *  loaded TCG host), and a restore helper that panics has already consumed its image. On
 *  bare metal the check stays. Never fails; truncates to size. */
void khp_helper_cmdline(const char *extra, char *buf, size_t size);

/*! khp_cmdline_value() : the value of the last word "key=VALUE" of cmdline (key includes the
 *  '=', e.g. "khibernate.resume="), quotes removed, into buf.
 *  @return 0; -ENODATA (absent); -ENAMETOOLONG (longer than size - 1). */
int khp_cmdline_value(const char *cmdline, const char *key, char *buf, size_t size);

/*! khp_cmdline_flag() : whether the bare word (e.g. "noresume") is on cmdline. */
bool khp_cmdline_flag(const char *cmdline, const char *word);

/*! khp_parse_pages() : a page count (decimal digits only: no sign, no blanks, no 0x) into a
 *  byte offset, pages × 4096. @return 0; -EINVAL (not such a number); -ERANGE (the bytes
 *  overflow 63 bits: no device is that large, and an off_t must hold it). */
int khp_parse_pages(const char *s, uint64_t *ret_bytes);

/* What khib-resume reads from the kernel command line. */
struct khp_resume_args {
	char device[256];   /* khibernate.resume=: /dev/..., UUID=, PARTUUID=, LABEL= */
	uint64_t offset;    /* khibernate.resume_offset= × 4096 (swap files), else 0 */
	bool noresume;      /* noresume or khibernate.noresume */
};

/*! khp_resume_args_parse() : fills ret from cmdline. noresume is set even when the result is
 *  an error. @return 0; -ENODATA (no khibernate.resume=: not configured); -EINVAL (empty
 *  device, or a resume_offset= that khp_parse_pages refuses); -ERANGE; -ENAMETOOLONG. */
int khp_resume_args_parse(const char *cmdline, struct khp_resume_args *ret);

#endif
