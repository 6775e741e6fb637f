/* memset/memcpy: the compiler may emit calls to them even in freestanding code (GCC manual,
 * "C Language Standards"), e.g. to zero a local array, so the purgatory provides them. */
#include <stddef.h>

#include <string.h>

void *memset(void *s, int c, size_t n)
{
	unsigned char *p = s;

	while (n--)
		*p++ = (unsigned char)c;
	return s;
}

void *memcpy(void *dst, const void *src, size_t n)
{
	unsigned char *d = dst;
	const unsigned char *s = src;

	while (n--)
		*d++ = *s++;
	return dst;
}
