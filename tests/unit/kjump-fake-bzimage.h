/* A synthetic x86 bzImage for the kjump unit tests: a valid setup header (protocol 2.15,
 * 64-bit, relocatable) and a protected-mode part of known bytes. */
#ifndef KJ_FAKE_BZIMAGE_H
#define KJ_FAKE_BZIMAGE_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/byteorder.h"

#define FAKE_SETUP_SECTS 4
#define FAKE_SETUP_SIZE ((FAKE_SETUP_SECTS + 1) * 512)
#define FAKE_KERNEL_SIZE (64 * 1024)
#define FAKE_SIZE (FAKE_SETUP_SIZE + FAKE_KERNEL_SIZE)
#define FAKE_INIT_SIZE (8u << 20)

static inline uint8_t *fake_bzimage(void)
{
	uint8_t *b = calloc(1, FAKE_SIZE);
	size_t i;

	b[0x1f1] = FAKE_SETUP_SECTS;
	put_le32(b + 0x1f4, FAKE_KERNEL_SIZE / 16);  /* syssize */
	put_le16(b + 0x1fe, 0xaa55);                 /* boot_flag */
	b[0x200] = 0xeb;                             /* jmp short */
	b[0x201] = 0x6a;                             /* header ends at 0x26c */
	memcpy(b + 0x202, "HdrS", 4);
	put_le16(b + 0x206, 0x020f);                 /* version 2.15 */
	put_le16(b + 0x20e, 0x200);                  /* kernel_version string at 0x400 */
	strcpy((char *)b + 0x400, "6.12.117-test (me@host) #1 SMP");
	b[0x211] = 0x01;                             /* LOADED_HIGH */
	put_le32(b + 0x22c, 0x7fffffff);             /* initrd_addr_max */
	put_le32(b + 0x230, 0x200000);               /* kernel_alignment */
	b[0x234] = 1;                                /* relocatable_kernel */
	put_le16(b + 0x236, 0x0003);                 /* XLF_KERNEL_64 | XLF_CAN_BE_LOADED_ABOVE_4G */
	put_le32(b + 0x238, 2047);                   /* cmdline_size */
	put_le64(b + 0x258, 0x1000000);              /* pref_address */
	put_le32(b + 0x260, FAKE_INIT_SIZE);         /* init_size */
	for (i = FAKE_SETUP_SIZE; i < FAKE_SIZE; i++)
		b[i] = (uint8_t)(i * 31);
	return b;
}

#endif
