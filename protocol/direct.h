/* direct: the words that start restore-B straight from the boot loader ("direct resume",
 * docs/design.md). khibernate writes them at hibernate time into the boot loader's one-shot
 * entry; khib-helper reads them back when it was started without a handoff.
 *
 * B started by a boot loader gets the firmware's memory map, not one kjump wrote: the words
 * rebuild kjump's map for B (memmap=exactmap, then every entry of kj_layout_e820() as
 * SIZE%START+TYPE), so that B runs in the region and sees A's RAM as ACPI data, as after a
 * kexec. khibernate.direct= names the kernel build and machine A hibernated, which the image
 * must carry.
 */
#ifndef KHP_DIRECT_H
#define KHP_DIRECT_H

#include <stddef.h>
#include <stdint.h>

#include "image/khimage.h"
#include "kjump/kjump.h"

#define KHP_DIRECT_KEY "khibernate.direct="

/* The kernel's COMMAND_LINE_SIZE on x86 is 2048, with the rest of the line. */
#define KHP_DIRECT_WORDS_MAX 1536u

/*! khp_direct_words() : "memmap=exactmap,... khibernate.direct=KERNEL_ID,MACHINE_ID" (ids in
 *  hex) into buf. @return 0; -EINVAL (kj_layout_e820() refuses l); -E2BIG (more than size - 1
 *  bytes, or than KHP_DIRECT_WORDS_MAX: too many map entries for a command line). */
int khp_direct_words(const struct kj_layout *l, const uint8_t kernel_id[KHI_KERNEL_ID_SIZE],
		     const uint8_t machine_id[KHI_MACHINE_ID_SIZE], char *buf, size_t size);

/*! khp_direct_parse() : the ids of khibernate.direct= on cmdline (the last one).
 *  @return 0; -ENODATA (absent: not a direct start); -EINVAL (not two ids in hex). */
int khp_direct_parse(const char *cmdline, uint8_t ret_kernel_id[KHI_KERNEL_ID_SIZE],
		     uint8_t ret_machine_id[KHI_MACHINE_ID_SIZE]);

#endif
