/* boot_params for the helper kernel: setup header, command line, initrd, e820 map. */
#include <errno.h>
#include <string.h>

#include "common/byteorder.h"
#include "kjump/arch/x86_64/bootparam.h"

static void put_e820(uint8_t *bp, const struct kj_map_entry *e, unsigned n)
{
	unsigned i;

	for (i = 0; i < n; i++) {
		uint8_t *d = bp + BP_E820_TABLE + (size_t)i * BP_E820_ENTRY_SIZE;

		put_le64(d, e[i].start);
		put_le64(d + 8, e[i].size);
		put_le32(d + 16, e[i].type);
	}
	bp[BP_E820_ENTRIES] = (uint8_t)n;
}

int kj_boot_params_build(uint8_t bp[BP_SIZE], const struct kj_boot_params_in *in)
{
	const struct kj_bzimage *k = in->kernel;

	if (in->nr_e820 > BP_E820_MAX)
		return -E2BIG;
	/* Everything we do not set is zero: no video, no EDD, no APM. The sentinel byte (0x1ef)
	 * stays 0, so the kernel trusts the fields we filled. */
	memset(bp, 0, BP_SIZE);
	memcpy(bp + HDR_START, k->setup + HDR_START, k->header_end - HDR_START);
	bp[HDR_TYPE_OF_LOADER] = LOADER_UNDEFINED;
	put_le64(bp + HDR_SETUP_DATA, in->setup_data);
	put_le32(bp + HDR_CMD_LINE_PTR, (uint32_t)in->cmdline);
	put_le32(bp + BP_EXT_CMD_LINE_PTR, (uint32_t)(in->cmdline >> 32));
	put_le32(bp + HDR_RAMDISK_IMAGE, (uint32_t)in->initrd);
	put_le32(bp + BP_EXT_RAMDISK_IMAGE, (uint32_t)(in->initrd >> 32));
	put_le32(bp + HDR_RAMDISK_SIZE, (uint32_t)in->initrd_size);
	put_le32(bp + BP_EXT_RAMDISK_SIZE, (uint32_t)(in->initrd_size >> 32));
	put_e820(bp, in->e820, in->nr_e820);
	return 0;
}
