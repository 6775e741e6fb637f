/* memmap: the RAM of the machine that boots, from its firmware's memory map, to check what a
 * hibernation image says about memory before anything acts on it.
 *
 * An unencrypted image can be written by anyone who can write the swap area, and it names the
 * memory the restore helper runs in and writes to (its platform blob: A's RAM, the region, the
 * hole). Only the boot kernel sees the machine's real map: /sys/firmware/memmap
 * (CONFIG_FIRMWARE_MEMMAP; Debian's kernels have it) is the map the firmware gave it, which no
 * command line changes. The restore helper started by kexec cannot check this itself: its own
 * firmware map is the one its loader wrote from that same layout (RAM only in its region; t1000
 * checks it). Started by the boot loader (direct resume) it has the firmware's map, and checks.
 */
#ifndef KHP_MEMMAP_H
#define KHP_MEMMAP_H

#include <stddef.h>
#include <stdint.h>

#include "kjump/kjump.h"

#define KHP_FIRMWARE_MEMMAP "/sys/firmware/memmap"
#define KHP_MEMMAP_MAX_ENTRIES 1024u

/*! khp_memmap_ram() : the "System RAM" entries of a firmware memory map directory (@dir/N/start,
 *  end, type, as the kernel's drivers/firmware/memmap.c shows them; end is inclusive), sorted,
 *  adjacent and overlapping ones merged. *ret is allocated (NULL when there is none).
 *  @return 0; -ENOENT (no such directory: a kernel without CONFIG_FIRMWARE_MEMMAP), -EBADMSG
 *  (an entry that does not parse), -E2BIG (more than KHP_MEMMAP_MAX_ENTRIES), -ENOMEM. */
int khp_memmap_ram(const char *dir, struct kj_range **ret, size_t *ret_n);

/*! khp_layout_in_ram() : every byte of the layout's RAM entries, its region and its hole lies in
 *  @ram (from khp_memmap_ram()). @return 0 or -ESTALE (the layout is not this machine's: the
 *  image was made on another one, or forged to make the helper write elsewhere). */
int khp_layout_in_ram(const struct kj_layout *l, const struct kj_range *ram, size_t n);

/*! khp_layout_in_firmware() : khp_layout_in_ram() against this machine's KHP_FIRMWARE_MEMMAP.
 *  @return 0, -ESTALE, or khp_memmap_ram()'s errors. */
int khp_layout_in_firmware(const struct kj_layout *l);

#endif
