/* setup: `khibernate setup [--dry-run]`, what a machine needs before its first hibernation.
 *
 * 1. The kernel command line (bootargs.h): the helper's region (crashkernel=), its low memory
 *    (memmap=64K$0x80000) and where the resume hook finds the image (khibernate.resume=UUID=
 *    of the configured swap area, khibernate.resume_offset= for a swap file). With GRUB:
 *    /etc/default/grub.d/khibernate.cfg, then update-grub; otherwise the words are printed
 *    for the user's boot loader.
 * 2. The helper (`khibernate helper build`) when its files are missing.
 * 3. The initramfs (update-initramfs -u, or dracut -f) when it is older than the
 *    configuration or the helper it carries.
 * Then it says whether a reboot is needed (this boot's /proc/cmdline lacks a word), and warns
 * when kdump wants the same crashkernel= memory.
 *
 * Idempotent: each step runs only when what it makes is missing or out of date, so a second
 * run changes nothing. --dry-run prints every change (the file's whole text, each command)
 * and makes none. Refuses, before changing anything, a swap area khibernate cannot use.
 */
#ifndef KH_SETUP_H
#define KH_SETUP_H

#define KH_GRUB_DEFAULT "/etc/default/grub"
#define KH_GRUB_FILE "/etc/default/grub.d/khibernate.cfg"
#define KH_GRUB_CFG "/boot/grub/grub.cfg"

/* kh_cmd_setup() (commands.h) is the command: 0 done (or nothing to do), 1 refused or a step
 * failed, 2 usage. It prints what it does and logs what it changes to the kernel log. */

#endif
