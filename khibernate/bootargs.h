/* bootargs: the kernel command line khibernate needs, and how it reaches the kernel through
 * GRUB. Pure functions: `khibernate setup` (setup.c) gathers the facts and acts.
 *
 * The words (docs/design.md, "Kernel command line"):
 *   crashkernel=SIZE@OFFSET or crashkernel=SIZE   the helper's region (kh_region_choose())
 *   memmap=64K$0x80000                           its low memory, below 1 MiB
 *   khibernate.resume=UUID=... [khibernate.resume_offset=PAGES]   where the image goes
 *
 * GRUB. /etc/default/grub and /etc/default/grub.d/ (*.cfg) are shell, sourced by grub-mkconfig
 * (as /bin/sh); /etc/grub.d/10_linux then pastes GRUB_CMDLINE_LINUX, unquoted, into each
 * "linux" line of grub.cfg (an unquoted here-document: no further expansion); GRUB's own
 * script parser reads that line and expands variables in it: "$0x80000" is the positional
 * parameter $0 (empty) followed by "x80000", so an unescaped memmap=64K$0x80000 reaches the
 * kernel as memmap=64Kx80000 (seen in QEMU). Each word is therefore escaped twice: for grub.cfg
 * (a backslash before every character GRUB treats specially) and then for the double quotes of
 * the shell file ('\', '$', '"' and '`' get a backslash): memmap=64K\\\$0x80000 in the file,
 * memmap=64K\$0x80000 in grub.cfg, memmap=64K$0x80000 in /proc/cmdline. tests/qemu/t3600
 * proves the round trip with the real grub-mkconfig scripts and GRUB itself.
 *
 * The words go into GRUB_CMDLINE_LINUX, not _DEFAULT: 10_linux gives recovery entries only the
 * former, and a recovery boot must also know the swap area, or a waiting image would be
 * neither resumed nor discarded.
 */
#ifndef KH_BOOTARGS_H
#define KH_BOOTARGS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kjump/kjump.h"
#include "protocol/config.h"

#define KH_REGION_SIZE_DEFAULT "128M"
#define KH_REGION_OFFSET_DEFAULT 0x10000000ull
#define KH_HOLE_WORD "memmap=64K$0x80000"
#define KH_HOLE_START 0x80000ull
#define KH_HOLE_SIZE 0x10000ull
#define KH_WORDS_MAX 4
#define KH_WORD_MAX 160

/* What kh_region_choose() knows of the machine. */
struct kh_machine {
	const struct kj_range *ram;      /* the firmware's RAM ranges (protocol/memmap.h), sorted */
	unsigned nr_ram;
	struct kj_range kernel;          /* the running kernel's image (0 size: unknown) */
	bool kaslr;                      /* the kernel places itself at random */
};

/*! kh_region_fits() : [start, start + size) lies in one RAM range, below 4 GiB, aligned to
 *  KHP_REGION_ALIGN and away from the kernel's image. */
bool kh_region_fits(const struct kh_machine *m, uint64_t start, uint64_t size);

/*! kh_region_choose() : the value of crashkernel= for setting (the configuration's `region`,
 *  as khp_region_parse() reads it).
 *  auto: KH_REGION_SIZE_DEFAULT@KH_REGION_OFFSET_DEFAULT when it fits and KASLR is off, else
 *  KH_REGION_SIZE_DEFAULT anywhere (the kernel reserves it after placing itself, so KASLR
 *  cannot land on it; the restore reloads the helper where the image says, with a plain
 *  kexec, so nothing needs the address to stay the same from boot to boot). SIZE: anywhere.
 *  SIZE@OFFSET: as given, if it fits. *ret_why says why, for the user.
 *  @return 0; -EINVAL (bad setting); -ERANGE (SIZE@OFFSET does not fit: *ret_why says so);
 *  -ENOBUFS. */
int kh_region_choose(const char *setting, const struct kh_machine *m, char *buf, size_t size,
		     const char **ret_why);

/*! kh_uuid_format() : the 16 bytes as the swap header stores them, as blkid prints them
 *  ("8-4-4-4-12" lower-case hex). */
void kh_uuid_format(const uint8_t uuid[16], char out[37]);

/*! kh_resume_words() : where the resume hook finds the image: "khibernate.resume=UUID=..."
 *  with the UUID of the swap header (@uuid; by device path, @dev_path, when it is all zeros)
 *  and, for a swap file (@header_offset: its header's byte offset on the device, non-zero),
 *  "khibernate.resume_offset=PAGES". What `khibernate setup` writes and `khibernate status`
 *  shows. @return the number of words put in @words (1 or 2). */
unsigned kh_resume_words(const uint8_t uuid[16], const char *dev_path, uint64_t header_offset,
			 char words[2][KH_WORD_MAX]);

/*! kh_grub_quote() : word escaped for grub.cfg, then for a double-quoted shell string.
 *  @return 0 or -ENOBUFS. */
int kh_grub_quote(const char *word, char *buf, size_t size);

/*! kh_grub_cfg_word() : word as 10_linux writes it into grub.cfg (the first of the two
 *  escapes). @return 0 or -ENOBUFS. */
int kh_grub_cfg_word(const char *word, char *buf, size_t size);

/*! kh_grub_file() : the text of /etc/default/grub.d/khibernate.cfg for words.
 *  @return 0 or -ENOBUFS. */
int kh_grub_file(const char *const *words, unsigned n, char *buf, size_t size);

#endif
