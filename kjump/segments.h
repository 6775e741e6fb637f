/* Planning B's kexec image: where each segment goes in the region and what it contains.
 * Pure computation (no file, no system call), so unit tests can drive it. */
#ifndef KJ_SEGMENTS_H
#define KJ_SEGMENTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kjump/kjump.h"

#define KJ_MAX_SEGMENTS 6
#define KJ_RNG_SEED_SIZE 32   /* 256 bits: enough for B's crng to be ready at once */

struct kj_segment {
	const void *buf;
	size_t bufsz;
	uint64_t mem;   /* physical destination, page-aligned */
	uint64_t memsz; /* page-aligned, >= bufsz */
};

struct kj_segments_in {
	const struct kj_bzimage *kernel;
	const void *initrd;     /* may be NULL if initrd_size is 0 */
	size_t initrd_size;
	const char *cmdline;    /* may be NULL */
	const struct kj_layout *layout;
	bool preserve_context;
	const void *payload;
	size_t payload_size;
	uint64_t min_free;      /* 0 = KJ_DEFAULT_MIN_FREE */
	bool high;              /* kj_load_opts.high */
	const uint8_t *purgatory; /* the purgatory blob (kj_purgatory_blob) */
	size_t purgatory_size;
	/* KJ_RNG_SEED_SIZE bytes for B's random pool (a SETUP_RNG_SEED setup_data after the
	 * command line, as kexec_file_load gives one), or NULL for none. */
	const uint8_t *rng_seed;
};

struct kj_segments {
	struct kj_segment seg[KJ_MAX_SEGMENTS];
	unsigned nr;
	uint64_t entry;       /* kexec start address: the purgatory's entry */
	uint8_t *owned[4];    /* boot_params, command line, handoff, purgatory copy */
	size_t cmdline_size;  /* bytes of owned[1]: the command line and the RNG seed */
	size_t handoff_size;  /* bytes of owned[2]: its payload may hold a key or passphrase */
};

/*! kj_segments_build() : plans and builds every segment. in's buffers MUST outlive ret (the
 *  kernel and initrd segments point into them). info may be NULL; it is filled as far as
 *  planning got (so on -ENOSPC it says how much is needed).
 *  @return 0; -EINVAL bad layout or purgatory blob; -ENOSPC; -E2BIG command line too long or
 *  too many map entries; -ENOMEM. On failure ret holds nothing to free. */
int kj_segments_build(const struct kj_segments_in *in, struct kj_segments *ret, struct kj_load_info *info);

/* Frees what kj_segments_build() allocated, wiping the secrets first (RNG seed, payload); accepts
 * a zeroed image. */
void kj_segments_done(struct kj_segments *img);

/* The purgatory blob, generated from build/purgatory/purgatory.bin (purgatory-blob.c). */
extern const unsigned char kj_purgatory_blob[];
extern const size_t kj_purgatory_blob_size;

#endif
