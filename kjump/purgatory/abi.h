/* The contract between the kjump loader and its purgatory (purgatory ABI v1).
 *
 * The purgatory is a flat, position-independent x86_64 blob (kjump/purgatory/). Its first
 * bytes are one struct kj_purgatory_params, which the loader checks (magic, version, size) and
 * then fills in its own copy of the blob before handing that copy to kexec_load(2) as a
 * segment. Execution starts KJ_PURGATORY_ENTRY_OFFSET bytes into the blob (the linker script
 * asserts it). Loader and purgatory are built from this one header for the same architecture,
 * so the native layout below is the wire layout: fixed-width fields only, naturally aligned,
 * no implicit padding (the _Static_asserts keep it so), little-endian (x86_64).
 *
 * What the purgatory does, in order (documented in docs/kjump.md, "Purgatory"):
 *  1. if flags has KJ_PURGATORY_F_JUMP: keep the word at 0(%rsp) on entry, which is the
 *     re-entry address of the kernel that jumped here (Linux 6.12 x86_64 convention, see
 *     entry64.S); otherwise the re-entry address is 0 (a plain kexec has nothing to return to);
 *  2. switch to its own stack inside the blob;
 *  3. SHA-256 over regions[0..nr_regions) in order must equal sha256, else it writes a message
 *     to COM1 (I/O port 0x3f8) and halts;
 *  4. writes the re-entry address as 16 lower-case hex digits at entry_digits (the placeholder
 *     in the helper's command line) unless entry_digits is 0;
 *  5. loads its own GDT (__BOOT_CS 0x10, __BOOT_DS 0x18), %rsi = boot_params, jumps to
 *     kernel_entry (the bzImage's 64-bit entry point).
 */
#ifndef KJ_PURGATORY_ABI_H
#define KJ_PURGATORY_ABI_H

#include <stdint.h>

#define KJ_PURGATORY_MAGIC 0x3147525550524a4bULL /* "KJRPURG1" read as a little-endian u64 */
#define KJ_PURGATORY_VERSION 1
#define KJ_PURGATORY_ENTRY_OFFSET 0x200
#define KJ_PURGATORY_MAX_REGIONS 8
#define KJ_PURGATORY_F_JUMP 0x1u /* preserve-context load: capture the re-entry address */

struct kj_purgatory_region {
	uint64_t start; /* physical address */
	uint64_t size;  /* bytes */
};

struct kj_purgatory_params {
	uint64_t magic;        /* KJ_PURGATORY_MAGIC, set by the purgatory build */
	uint32_t version;      /* KJ_PURGATORY_VERSION, set by the purgatory build */
	uint32_t size;         /* sizeof(struct kj_purgatory_params), set by the purgatory build */
	uint32_t flags;        /* KJ_PURGATORY_F_*, set by the loader */
	uint32_t nr_regions;   /* <= KJ_PURGATORY_MAX_REGIONS, set by the loader */
	uint64_t kernel_entry; /* physical address of the 64-bit entry point */
	uint64_t boot_params;  /* physical address of the zero page, passed in %rsi */
	uint64_t entry_digits; /* physical address of 16 hex digits to overwrite, or 0 */
	uint64_t reentry;      /* written by the purgatory: the captured re-entry address */
	struct kj_purgatory_region regions[KJ_PURGATORY_MAX_REGIONS];
	uint8_t sha256[32];    /* digest of the regions, concatenated in order */
};

_Static_assert(sizeof(struct kj_purgatory_params) == 88 + 16 * KJ_PURGATORY_MAX_REGIONS,
	       "purgatory params must have no implicit padding");
_Static_assert(sizeof(struct kj_purgatory_params) <= KJ_PURGATORY_ENTRY_OFFSET,
	       "purgatory params must end before the entry point");

#endif
