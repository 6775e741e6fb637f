/* cmdline: small files and the helper's kernel command line, shared by khibernate (save) and
 * khib-resume (restore), which must start the helper the same way.
 */
#ifndef KHIB_CMDLINE_H
#define KHIB_CMDLINE_H

#include <stddef.h>

/*! kh_read_file() : reads at most size - 1 bytes of path into buf and NUL-terminates them
 *  (secrets, /proc files). @return 0 and *ret_len, or -errno. */
int kh_read_file(const char *path, char *buf, size_t size, size_t *ret_len);

/*! kh_helper_cmdline() : the helper's command line: this kernel's console= arguments (so the
 *  helper's progress shows where the system's output does), "panic=5" (a helper that panics
 *  reboots instead of hanging), then extra (may be NULL). Never fails; truncates to size. */
void kh_helper_cmdline(const char *extra, char *buf, size_t size);

#endif
