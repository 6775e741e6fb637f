/* kjump: load a helper kernel with kexec jump, travel to it and back (libkjump.a).
 *
 * Implements docs/kjump.md: memory layout v1, handoff v1, purgatory ABI v1
 * (kjump/purgatory/abi.h), for x86_64 and the Linux 6.12 kexec-jump convention.
 *
 * The picture. Kernel A (the running system) reserved a physical region at boot
 * (crashkernel=SIZE@OFFSET) and a 64 KiB hole below 1 MiB (memmap=64K$ADDR). kj_load() places
 * helper kernel B, its initrd, boot_params, command line, the handoff and our purgatory inside
 * the region and calls kexec_load(2). kj_exec() jumps to B; it returns in A when B calls
 * kj_back(). B's e820 map declares only the region and the hole as RAM; A's RAM appears as
 * ACPI data (e820 type 3) so that B's kexec page tables map A's re-entry point and B never
 * allocates from it (docs/kjump.md, "Why A's RAM is type 3").
 *
 * Errors: every fallible function returns 0 (or a byte count) on success and a negative errno
 * on failure; the library never prints. Besides the errno of a failed system call:
 *   -EINVAL           a layout or option that cannot work (overlaps, region not in A's RAM, ...)
 *   -ENOEXEC          not an x86 bzImage
 *   -EPROTONOSUPPORT  unknown version or flag; a bzImage too old or without a 64-bit entry
 *   -EBADMSG          corrupt or truncated data, bad checksum
 *   -ENODATA          nothing there (no region, no handoff on the command line)
 *   -ENOBUFS          the caller's buffer is too small
 *   -ENOSPC           the region is too small for what B needs
 *   -E2BIG            too many map entries, command line too long
 * kj_strerror() says what each code means for libkjump (it is the one to decode them with).
 * Thread safety: no function keeps global state; the system-changing ones (kj_load, kj_exec,
 * kj_back, kj_unload) act on the kernel's single kexec slot and must not race each other.
 */
#ifndef KJUMP_H
#define KJUMP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* ===================================================================================== */
/*  Memory layout                                                                        */
/* ===================================================================================== */

/* e820 types (the values the x86 boot protocol uses). */
enum {
	KJ_E820_RAM = 1,
	KJ_E820_RESERVED = 2,
	KJ_E820_ACPI = 3,
	KJ_E820_NVS = 4,
	KJ_E820_UNUSABLE = 5,
	KJ_E820_PMEM = 7,
};

#define KJ_LAYOUT_MAX_ENTRIES 128 /* what one boot_params e820 table holds */
#define KJ_PAGE_SIZE 4096u

struct kj_range {
	uint64_t start; /* physical address */
	uint64_t size;  /* bytes; 0 = none */
};

struct kj_map_entry {
	uint64_t start;
	uint64_t size;
	uint32_t type; /* KJ_E820_* */
};

/* A's memory as B must see it: the one input from which B's e820 map is built. Save it with
 * kj_layout_encode() (the hibernation image does) to rebuild the identical map at restore. */
struct kj_layout {
	struct kj_range region; /* B's RAM; page-aligned; inside one of A's RAM entries */
	struct kj_range hole;   /* low RAM for B's trampoline, below 1 MiB, not A's RAM; may be empty */
	uint32_t nr_entries;
	/* A's memory map, sorted, non-overlapping: KJ_E820_RAM = A's System RAM (given to B as
	 * type 3), anything else is passed through to B with its type. */
	struct kj_map_entry entries[KJ_LAYOUT_MAX_ENTRIES];
};

/*! kj_layout_from_iomem() :
 *  Builds a layout from the text of /proc/iomem and /proc/cmdline (both MUST be
 *  NUL-terminated; cmdline may be NULL). Top-level "System RAM" lines become KJ_E820_RAM
 *  entries; "Reserved", "ACPI Tables", "ACPI Non-volatile Storage", "Unusable memory" and
 *  "Persistent Memory" become passthrough entries; other lines (PCI windows, devices) are
 *  ignored. The region is the "Crash kernel" line (size 0 if none); the hole is the first
 *  memmap=SIZE$ADDR on the command line that lies below 1 MiB (size 0 if none).
 *  @return 0, -EBADMSG on a malformed line, -E2BIG beyond KJ_LAYOUT_MAX_ENTRIES entries.
 *  The layout is not validated: call kj_layout_check() once region and hole are final. */
int kj_layout_from_iomem(const char *iomem, const char *cmdline, struct kj_layout *ret);

/*! kj_iomem_span() : the smallest range covering every line of /proc/iomem text (any depth)
 *  whose name starts with prefix; "Kernel " gives the running kernel's image (code, rodata,
 *  data, bss). @return 0; -ENODATA (no such line; all zeros without root); -EBADMSG. */
int kj_iomem_span(const char *iomem, const char *prefix, struct kj_range *ret);

/*! kj_layout_from_system() :
 *  kj_layout_from_iomem() on this system's /proc/iomem and /proc/cmdline. Needs root (the
 *  kernel shows zero addresses to others: then -EPERM).
 *  @return 0 or a negative errno. */
int kj_layout_from_system(struct kj_layout *ret);

/*! kj_layout_check() :
 *  @return 0 if a helper can be confined to l: region non-empty, page-aligned and inside one
 *  RAM entry; hole (if any) page-aligned, below 1 MiB, outside A's RAM and the region; entries
 *  sorted, non-overlapping, non-empty. -ENODATA if there is no region, else -EINVAL. */
int kj_layout_check(const struct kj_layout *l);

/*! kj_layout_e820() :
 *  B's e820 map: region and hole as RAM, A's RAM as type 3, passthrough entries as they are,
 *  and the `reserved` ranges (MUST lie in the region; may be NULL if nr_reserved is 0) as type
 *  2 so that B keeps them (the handoff). Sorted, adjacent equal types merged.
 *  @return 0 and *ret_n entries in out[0..max); -EINVAL if kj_layout_check() fails or a
 *  reserved range leaves the region; -E2BIG if more than max entries are needed. */
int kj_layout_e820(const struct kj_layout *l, const struct kj_range *reserved,
		   unsigned nr_reserved, struct kj_map_entry *out, unsigned max, unsigned *ret_n);

/* Encoded layout (docs/kjump.md, "Layout v1"): fixed-width little-endian, magic "KJLAYOUT",
 * version, size; no checksum of its own (its container, the handoff or the hibernation image,
 * has one). */
#define KJ_LAYOUT_WIRE_HEADER 64
#define KJ_LAYOUT_WIRE_ENTRY 24
size_t kj_layout_encoded_size(const struct kj_layout *l);
/*! kj_layout_encode() : @return bytes written, or -ENOBUFS if size is too small. */
ssize_t kj_layout_encode(const struct kj_layout *l, void *buf, size_t size);
/*! kj_layout_decode() : buf is untrusted.
 *  @return 0; -ENODATA bad magic; -EPROTONOSUPPORT unknown version; -EBADMSG inconsistent
 *  sizes, non-zero reserved fields, or a decoded layout that fails kj_layout_check(). */
int kj_layout_decode(const void *buf, size_t size, struct kj_layout *ret);

/* ===================================================================================== */
/*  Handoff: what A leaves for B in the region                                           */
/* ===================================================================================== */

/* Handoff v1 (docs/kjump.md, "Handoff v1"): header (magic "KJHANDOF", version, sizes, SHA-256
 * of everything), A's layout (encoded), an opaque payload of the caller (khibernate puts its
 * parameters there). B finds its physical address on its command line as kjump.handoff=0x... */
#define KJ_HANDOFF_HEADER_SIZE 80
#define KJ_HANDOFF_MAX_SIZE (16u << 20)

struct kj_handoff {
	struct kj_layout layout;
	const void *payload; /* points into the decoded buffer */
	size_t payload_size;
};

size_t kj_handoff_size(const struct kj_layout *l, size_t payload_size);
/*! kj_handoff_encode() : payload may be NULL if payload_size is 0.
 *  @return bytes written; -ENOBUFS if size < kj_handoff_size(); -E2BIG beyond
 *  KJ_HANDOFF_MAX_SIZE. */
ssize_t kj_handoff_encode(const struct kj_layout *l, const void *payload, size_t payload_size,
			  void *buf, size_t size);
/*! kj_handoff_decode() : buf is untrusted and MUST outlive ret (ret->payload points into it).
 *  @return 0; -ENODATA bad magic; -EPROTONOSUPPORT unknown version or flag; -EBADMSG bad
 *  checksum, inconsistent sizes, bad layout. */
int kj_handoff_decode(const void *buf, size_t size, struct kj_handoff *ret);

/*! kj_handoff_read() : in B, copies the handoff whose address is on cmdline
 *  (kjump.handoff=0x...) out of physical memory (/dev/mem) into *ret_buf (free() it) and
 *  checks it with kj_handoff_decode().
 *  @return 0; -ENODATA if cmdline has no kjump.handoff=; errors of open/mmap/decode. */
int kj_handoff_read(const char *cmdline, void **ret_buf, size_t *ret_size);

/* ===================================================================================== */
/*  bzImage                                                                              */
/* ===================================================================================== */

struct kj_bzimage {
	const uint8_t *setup;     /* the real-mode part: boot sector + setup (points into buf) */
	size_t setup_size;        /* bytes */
	size_t header_end;        /* end offset of the setup header (0x202 + byte at 0x201) */
	const uint8_t *kernel;    /* the protected-mode kernel, loaded at the load address */
	size_t kernel_size;
	uint16_t version;         /* boot protocol, e.g. 0x020f */
	uint32_t kernel_alignment;
	uint32_t init_size;       /* memory the kernel needs from its load address on */
	uint32_t cmdline_size;    /* max command line length, without the NUL */
	uint32_t initrd_addr_max; /* highest address the initrd may end at */
	uint16_t xloadflags;
	char release[65];         /* kernel release ("6.12.117"): the first word of the header's
	                             version string; empty when it has none */
};

#define KJ_BZIMAGE_MIN_VERSION 0x020c /* 2.12: xloadflags, 64-bit entry */
#define KJ_BZIMAGE_ENTRY64_OFFSET 0x200

/*! kj_bzimage_parse() : buf is untrusted; ret points into it.
 *  @return 0; -ENOEXEC not an x86 bzImage (no "HdrS"/0xAA55); -EPROTONOSUPPORT boot
 *  protocol < 2.12, no 64-bit entry (XLF_KERNEL_64) or not relocatable; -EBADMSG truncated
 *  or inconsistent sizes. */
int kj_bzimage_parse(const void *buf, size_t size, struct kj_bzimage *ret);

/*! kj_bzimage_set_load_address() : sets the preferred load address (pref_address) of the
 *  bzImage in buf, which a boot loader honours for a relocatable kernel: GRUB's x86 `linux`
 *  loads it there when that memory is free, and the kernel then runs where it was loaded.
 *  @return 0; kj_bzimage_parse()'s errors; -EINVAL (addr not aligned to the kernel's
 *  alignment, or below 16 MiB, where a kernel never runs from). */
int kj_bzimage_set_load_address(void *buf, size_t size, uint64_t addr);

/*! kj_highest_fit() : the highest address aligned to @align (a power of two) at which @size
 *  bytes end inside @region, or the region's first aligned address if that is not lower.
 *  A restore helper goes there (kj_load_opts.high; GRUB's restore entry, by pref_address):
 *  on the way back from a jump, A swaps the pages of the helper it jumped to back into place,
 *  and under TCG every store into a page QEMU translated code from is slow. Loaded at the
 *  region's start, the restore helper's kernel runs in exactly those pages. */
uint64_t kj_highest_fit(const struct kj_range *region, uint64_t align, uint64_t size);

/*! kj_bzimage_read() : reads the file at path (at most 256 MiB) into *ret_buf (free() it) and
 *  parses it; ret points into *ret_buf. @return 0; errors of reading and of
 *  kj_bzimage_parse() (then *ret_buf is NULL). */
int kj_bzimage_read(const char *path, char **ret_buf, size_t *ret_size, struct kj_bzimage *ret);

/* ===================================================================================== */
/*  Loading B, jumping, coming back                                                      */
/* ===================================================================================== */

/* B needs room beyond its segments to boot and run its initramfs; see kj_load_opts.min_free. */
#define KJ_DEFAULT_MIN_FREE (48u << 20)

struct kj_load_opts {
	const char *kernel;            /* bzImage path; MUST be set */
	const char *initrd;            /* initramfs path, or NULL */
	const char *cmdline;           /* B's command line, or NULL */
	const struct kj_layout *layout; /* MUST pass kj_layout_check() */
	bool preserve_context;         /* true: kexec jump (A survives); false: plain kexec */
	const void *payload;           /* copied into the handoff; NULL if payload_size is 0 */
	size_t payload_size;
	uint64_t min_free;             /* free region bytes B needs besides its segments and the
	                                  unpacked initrd; 0 = KJ_DEFAULT_MIN_FREE */
	bool high;                     /* true: the segments end at the region's end (the kernel at
	                                  the highest aligned address that leaves room for them),
	                                  not begin at its start; B's RAM is the whole region
	                                  either way. For a B that must not run where an earlier
	                                  B was loaded: see kj_highest_fit() */
	uint64_t reserved[4];          /* MUST be 0 */
};
#define KJ_LOAD_OPTS_INIT { .preserve_context = true }

/* Where kj_load() put things (physical addresses); filled as far as planning got, also on
 * -ENOSPC, so that a caller can say how much B needs. */
struct kj_load_info {
	uint64_t kernel;    /* load address; B's 64-bit entry is +0x200 */
	uint64_t initrd;
	uint64_t initrd_size;
	uint64_t handoff;
	uint64_t entry;     /* the purgatory's entry: kexec's start address */
	uint64_t segments_end; /* end of the last segment */
	uint64_t needed;    /* region bytes B needs in all */
	unsigned nr_segments;
};

/*! kj_load() : reads the files, places B in o->layout->region and calls kexec_load(2) with
 *  KEXEC_ARCH_X86_64 and, if o->preserve_context, KEXEC_PRESERVE_CONTEXT. Replaces whatever
 *  was loaded. Only B's own segments are declared (no backup of the region), so a jump swaps
 *  just those pages. B's command line gets " kjump.handoff=0x... kjump.entry=0x<16 zeros>";
 *  the purgatory fills in the re-entry address. ret_info may be NULL.
 *  @return 0; -ENOSPC region too small (ret_info->needed says how much is needed); errors of
 *  kj_layout_check, kj_bzimage_parse, reading the files; kexec_load's errno: -EPERM (not
 *  root, or lockdown), -EINVAL (with preserve_context: probably no CONFIG_KEXEC_JUMP),
 *  -ENOSYS (no CONFIG_KEXEC), -EBUSY. On failure the previously loaded image may be gone. */
int kj_load(const struct kj_load_opts *o, struct kj_load_info *ret_info);

/*! kj_unload() : unloads whatever kexec image is loaded. @return 0 or -errno. */
int kj_unload(void);

/*! kj_exec() : syncs filesystems and jumps to the loaded image (reboot(LINUX_REBOOT_CMD_KEXEC)).
 *  With a preserve-context image it returns 0 when the peer jumps back; the next kj_exec()
 *  re-enters the peer where it left off. With a plain image it does not return.
 *  @return 0; -EINVAL if nothing is loaded; -EPERM; other -errno from the kernel. */
int kj_exec(void);

/*! kj_back() : in B: loads a jump-back image for `entry` (A's re-entry address, from
 *  kjump.entry= on B's command line or from the hibernation image) and jumps to A. The image
 *  is one zero-size segment at entry's page (not at 0: Linux 6.12 would take that for all of
 *  memory) with KEXEC_PRESERVE_CONTEXT. Returns 0 when A jumps to B again.
 *  @return 0; -EINVAL if entry is 0; kexec_load/reboot errors. */
int kj_back(uint64_t entry);

/* ===================================================================================== */
/*  Probing the system                                                                   */
/* ===================================================================================== */

enum kj_tristate { KJ_NO = 0, KJ_YES = 1, KJ_UNKNOWN = -1 };

struct kj_status {
	char release[65];            /* uname -r */
	char config_path[96];        /* where the kernel's configuration was read, or "" */
	enum kj_tristate kexec_jump; /* CONFIG_KEXEC_JUMP=y */
	enum kj_tristate randomize_base; /* CONFIG_RANDOMIZE_BASE=y (KASLR; see nokaslr) */
	bool nokaslr;                /* "nokaslr" on the kernel command line */
	enum kj_tristate loaded;     /* /sys/kernel/kexec_loaded */
	bool root;                   /* effective uid 0 */
	char lockdown[16];           /* active mode of /sys/kernel/security/lockdown, or "" */
	bool in_helper;              /* this kernel is a kjump helper (kjump.handoff= present) */
	uint64_t entry;              /* kjump.entry= (A's re-entry address) if in_helper */
	uint64_t handoff;            /* kjump.handoff= if in_helper */
};

/*! kj_probe() : fills ret from /proc and /sys; what cannot be read is KJ_UNKNOWN or empty.
 *  The kernel's configuration comes from /proc/config.gz, else /boot/config-RELEASE.
 *  @return 0 (never fails: it reports what it could find). */
int kj_probe(struct kj_status *ret);

/* Kernel releases whose kexec-jump convention kjump follows (docs/kjump.md, "Releases"):
 * 6.12.5, the first 6.12 that restores A's GDT on return ("x86/kexec: Restore GDT on return
 * from ::preserve_context kexec", mainline 6.13), up to 6.14, which reworked relocate_kernel's
 * ::preserve_context path ("x86/kexec: Fix stack and handling of re-entry point for
 * ::preserve_context"). */
#define KJ_RELEASE_FIRST "6.12.5"
#define KJ_RELEASE_END "6.14"

enum kj_release { KJ_RELEASE_OK, KJ_RELEASE_OLD, KJ_RELEASE_NEW, KJ_RELEASE_UNKNOWN };

/*! kj_release_check() : where release ("6.12.117+deb12-amd64", uname -r) lies against
 *  [KJ_RELEASE_FIRST, KJ_RELEASE_END). KJ_RELEASE_UNKNOWN when it does not start with
 *  MAJOR.MINOR. */
enum kj_release kj_release_check(const char *release);

/*! kj_config_lookup() : option ("CONFIG_KEXEC_JUMP") in a kernel configuration file, plain or
 *  gzip'd (/proc/config.gz, /boot/config-RELEASE, a build's .config).
 *  @return KJ_YES (=y or =m), KJ_NO ("is not set", or absent), KJ_UNKNOWN (unreadable). */
enum kj_tristate kj_config_lookup(const char *path, const char *option);

/* ===================================================================================== */
/*  Errors                                                                               */
/* ===================================================================================== */

/*! kj_strerror() : what @err (negative), returned by a kjump function, means: the codes
 *  above in kjump's terms ("the reserved region is too small for the helper kernel ..."),
 *  strerror() for any other. Never NULL. */
const char *kj_strerror(int err);

#endif
