/* Interfaces shared by the files of libkjump; not part of the public API (kjump.h). */
#ifndef KJ_INTERNAL_H
#define KJ_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "kjump.h"

/* fileio.c */
/*! kj_read_file() : whole file into a malloc'ed, NUL-terminated buffer (the NUL is not
 *  counted in *ret_size). Works on /proc files (size 0 in stat).
 *  @return 0; -EFBIG beyond max bytes; -errno of open/read. */
int kj_read_file(const char *path, size_t max, char **ret_buf, size_t *ret_size);

static inline uint64_t kj_align_up(uint64_t v, uint64_t a)
{
	return (v + a - 1) & ~(a - 1);
}

#endif
