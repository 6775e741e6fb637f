/* cmdline: words of a kernel command line, split as the kernel splits them.
 *
 * Blanks separate words, double quotes group blanks into a word and are removed
 * (lib/cmdline.c next_arg()). When a key appears more than once the last one counts, as the
 * kernel's own resume= and most parameters do: a boot loader entry edited at the boot menu
 * appends, so the appended value is the one the user meant. kjump reads its kjump.handoff= and
 * kjump.entry= with these, the programs khibernate.resume= and the rest.
 */
#ifndef KC_CMDLINE_H
#define KC_CMDLINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*! kc_cmdline_next() : from *p on (start with the command line), the next word "key=VALUE"
 *  (key includes the '=', e.g. "memmap="), its VALUE, quotes removed, into buf; *p moves past
 *  it. A word longer than size - 1 is skipped. @return true, or false at the end. */
bool kc_cmdline_next(const char **p, const char *key, char *buf, size_t size);

/*! kc_cmdline_value() : the value of the last word "key=VALUE" of cmdline, quotes removed,
 *  into buf. @return 0; -ENODATA (absent); -ENAMETOOLONG (longer than size - 1). */
int kc_cmdline_value(const char *cmdline, const char *key, char *buf, size_t size);

/*! kc_cmdline_flag() : whether the bare word (e.g. "noresume") is on cmdline. */
bool kc_cmdline_flag(const char *cmdline, const char *word);

/*! kc_cmdline_u64() : the last key=VALUE of cmdline as a number (0x... hex or decimal).
 *  @return 0; -ENODATA if absent; -EINVAL if VALUE is not a number that fits 64 bits. */
int kc_cmdline_u64(const char *cmdline, const char *key, uint64_t *ret);

#endif
