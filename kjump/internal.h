/* Interfaces shared by the files of libkjump; not part of the public API (kjump.h). */
#ifndef KJ_INTERNAL_H
#define KJ_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "kjump/kjump.h"

static inline uint64_t kj_align_up(uint64_t v, uint64_t a)
{
	return (v + a - 1) & ~(a - 1);
}

#endif
