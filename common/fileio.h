/* fileio: reading a whole file, the one way khibernate does it.
 *
 * For /proc and /sys files (whose size stat() does not know), configuration and module lists,
 * kernels and initrds, and key and passphrase files. With max at most 4 KiB the file is read
 * into one allocation that is never moved, and what was read is wiped on failure, so that a
 * secret leaves no copy behind in freed memory (wipe the buffer with explicit_bzero() before
 * free()).
 */
#ifndef KC_FILEIO_H
#define KC_FILEIO_H

#include <stddef.h>
#include <stdint.h>

/* What the kernel command line can hold (COMMAND_LINE_SIZE is 2048 on x86; room to spare). */
#define KC_CMDLINE_MAX (64u << 10)

/*! kc_read_file() : the whole file into a malloc'ed, NUL-terminated buffer (the NUL is not
 *  counted in *ret_size; free() it). Works on /proc and /sys files (size 0 in stat).
 *  @return 0; -EFBIG beyond max bytes; -ENOMEM; -errno of open/read. */
int kc_read_file(const char *path, size_t max, char **ret_buf, size_t *ret_size);

/*! kc_write_file() : replaces path with buf: a new file path.new, written and synced, renamed
 *  over path (a reader sees the old file or the new one, never a part). @return 0 or -errno. */
int kc_write_file(const char *path, const void *buf, size_t len);

/*! kc_dev_size() : the size in bytes of what fd is open on: a block device (BLKGETSIZE64) or
 *  a regular file. @return 0; -ENOTBLK (neither); -errno. */
int kc_dev_size(int fd, uint64_t *ret);

#endif
