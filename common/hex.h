/* hex: bytes as hexadecimal digits and back, for the ids and UUIDs that travel as text on a
 * kernel command line.
 */
#ifndef KC_HEX_H
#define KC_HEX_H

#include <stddef.h>
#include <stdint.h>

/*! kc_hex_digit() : the value of one hex digit, either case, or -1. */
int kc_hex_digit(char c);

/*! kc_hex_encode() : n bytes as 2n lower-case digits and a NUL into out (2n + 1 bytes). */
void kc_hex_encode(const uint8_t *p, size_t n, char *out);

/*! kc_hex_decode() : the first 2n characters of s, which MUST all be hex digits, into n bytes.
 *  What follows them is the caller's to check. @return 0 or -EINVAL. */
int kc_hex_decode(const char *s, uint8_t *out, size_t n);

#endif
