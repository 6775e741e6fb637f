/* x86 boot protocol: offsets in the bzImage setup header and in boot_params (the "zero page"),
 * from Documentation/arch/x86/boot.rst and zero-page.rst. The setup header sits at the same
 * offset (0x1f1) in the bzImage file and in boot_params. */
#ifndef KJ_BOOTPARAM_H
#define KJ_BOOTPARAM_H

#include <stddef.h>
#include <stdint.h>

#include "kjump/kjump.h"

#define BP_SIZE 4096

/* boot_params fields outside the setup header. */
#define BP_EXT_RAMDISK_IMAGE 0x0c0
#define BP_EXT_RAMDISK_SIZE 0x0c4
#define BP_EXT_CMD_LINE_PTR 0x0c8
#define BP_E820_ENTRIES 0x1e8
#define BP_E820_TABLE 0x2d0
#define BP_E820_ENTRY_SIZE 20
#define BP_E820_MAX 128

/* Setup header fields. */
#define HDR_START 0x1f1
#define HDR_SETUP_SECTS 0x1f1
#define HDR_SYSSIZE 0x1f4
#define HDR_BOOT_FLAG 0x1fe     /* 0xaa55 */
#define HDR_JUMP 0x200          /* byte 0x201 + 0x202 = end of the header */
#define HDR_MAGIC 0x202         /* "HdrS" */
#define HDR_VERSION 0x206
#define HDR_KERNEL_VERSION 0x20e  /* offset - 0x200 of the version string, or 0 */
#define HDR_TYPE_OF_LOADER 0x210
#define HDR_LOADFLAGS 0x211
#define HDR_RAMDISK_IMAGE 0x218
#define HDR_RAMDISK_SIZE 0x21c
#define HDR_CMD_LINE_PTR 0x228
#define HDR_INITRD_ADDR_MAX 0x22c
#define HDR_KERNEL_ALIGNMENT 0x230
#define HDR_RELOCATABLE 0x234
#define HDR_XLOADFLAGS 0x236
#define HDR_CMDLINE_SIZE 0x238
#define HDR_SETUP_DATA 0x250
#define HDR_PREF_ADDRESS 0x258  /* where a loader should put a relocatable kernel */
#define HDR_INIT_SIZE 0x260
#define HDR_MIN_END 0x264       /* protocol 2.12 headers reach at least here */
#define HDR_MAX_END 0x290       /* boot_params has other fields from here on */

#define HDR_MAGIC_VALUE 0x53726448u /* "HdrS" */
#define BOOT_FLAG_VALUE 0xaa55
#define LOADER_UNDEFINED 0xff
#define XLF_KERNEL_64 0x1

struct kj_boot_params_in {
	const struct kj_bzimage *kernel;
	uint64_t cmdline;   /* physical address */
	uint64_t initrd;    /* physical address, 0 if none */
	uint64_t initrd_size;
	const struct kj_map_entry *e820;
	unsigned nr_e820;   /* <= BP_E820_MAX */
	uint64_t setup_data; /* physical address of the first setup_data, 0 if none */
};

/*! kj_boot_params_build() : fills the zero page bp[BP_SIZE] for B.
 *  @return 0; -E2BIG if nr_e820 > BP_E820_MAX. */
int kj_boot_params_build(uint8_t bp[BP_SIZE], const struct kj_boot_params_in *in);

#endif
