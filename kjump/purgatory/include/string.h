/* The purgatory's whole libc: see kjump/purgatory/string.c. */
#ifndef KJ_PURGATORY_STRING_H
#define KJ_PURGATORY_STRING_H

#include <stddef.h>

void *memset(void *s, int c, size_t n);
void *memcpy(void *dst, const void *src, size_t n);

#endif
