/* direct: "direct resume", the boot loader's one-shot start of restore-B (docs/design.md).
 *
 * At hibernate time khibernate leaves in /boot/khibernate/ what GRUB needs to start restore-B
 * by itself at the next boot: the helper kernel with its preferred load address set to the
 * region (restore.bzImage: GRUB loads a relocatable kernel there, and the kernel then runs
 * where it was loaded), its initramfs (restore.img) and boot.cfg, the `linux`, `initrd` and
 * `boot` commands with the words of protocol/direct.h. Then it sets khibernate_resume in
 * GRUB's environment block. GRUB's part is resume/grub/01_khibernate: when the variable is set
 * it clears it with save_env and, only if that worked, sources boot.cfg. So the entry runs
 * once; when anything is missing or fails, GRUB boots as always and the initramfs hook
 * resumes the image. After the jump returns (a failed save, --test, or the resume itself)
 * khibernate clears the variable again.
 *
 * Not armed, said, and the hook resumes instead: an encrypted image (the passphrase prompt is
 * the hook's), a machine booted through UEFI (GRUB's UEFI loader does not honour the address),
 * a grub.cfg without the snippet, a memory map too large for a command line.
 */
#ifndef KH_DIRECT_H
#define KH_DIRECT_H

#include "khibernate/plan.h"
#include "protocol/params.h"

#define KH_DIRECT_DIR "/boot/khibernate"
#define KH_GRUB_ENV "/boot/grub/grubenv"
#define KH_DIRECT_VAR "khibernate_resume"

/*! kh_direct_arm() : writes the files and sets the variable for the save @pa describes.
 *  @return 0; -ENOKEY (encrypted), -EOPNOTSUPP (UEFI), -ENOENT (no snippet in grub.cfg),
 *  -ENODATA (no khibernate.resume= on this boot's command line), -ENOMEDIUM (no environment
 *  block), -E2BIG (map too large), -ENOEXEC (the helper kernel is not a relocatable bzImage),
 *  kh_grubenv_set()'s errors, -errno of writing. Nothing is armed on error. */
int kh_direct_arm(const struct kh_plan *p, const struct khp_params *pa);

/*! kh_direct_ready() : whether kh_direct_arm() would arm at a hibernation now, by what the
 *  configuration and the machine say; reads, writes nothing (khibernate status).
 *  @return 0 or one of kh_direct_arm()'s errors; -EROFS, -EACCES: the environment block
 *  cannot be written. */
int kh_direct_ready(const struct kh_plan *p);

/*! kh_direct_disarm() : clears the variable (a no-op when it is not set). */
void kh_direct_disarm(void);

/*! kh_direct_strerror() : what kh_direct_arm()'s error means. Never NULL. */
const char *kh_direct_strerror(int err);

#endif
