/* sysid: who made an image. The running kernel's identity (its GNU build-id) and the machine's
 * (a digest of the firmware memory map and DMI ids). khibernate records both in the image; the
 * boot path refuses an image whose identities differ from those of the kernel and machine that
 * are booting, since jumping into memory of another kernel build or machine would crash it.
 */
#ifndef KHP_SYSID_H
#define KHP_SYSID_H

#include <stddef.h>
#include <stdint.h>

#include "image/khimage.h"

/*! khp_build_id_from_notes() : finds the NT_GNU_BUILD_ID note in buf (the bytes of
 *  /sys/kernel/notes) and copies it, zero-padded, to ret.
 *  @return 0; -ENODATA no such note; -EBADMSG malformed notes; -ENOBUFS build-id too long. */
int khp_build_id_from_notes(const void *buf, size_t size, uint8_t ret[KHI_KERNEL_ID_SIZE]);

/*! khp_kernel_id() : the running kernel's build-id and release (uname -r).
 *  @return 0 or a negative errno (reading /sys/kernel/notes). */
int khp_kernel_id(uint8_t ret_id[KHI_KERNEL_ID_SIZE], char ret_release[KHI_RELEASE_MAX + 1]);

/*! khp_machine_id() : SHA-256 over the firmware memory map (/sys/firmware/memmap: start, end,
 *  type of each entry, as the firmware gave it, before any memmap= or crashkernel=) and the
 *  DMI product uuid, name and vendor where present. The same on every boot of one machine with
 *  the same RAM. @return 0, or -ENODATA when none of these sources exists. */
int khp_machine_id(uint8_t ret[KHI_MACHINE_ID_SIZE]);

#endif
