/* The kjump purgatory: runs between the old kernel's relocate_kernel and the helper kernel.
 *
 * Data-driven and tiny: everything it needs is in kj_purgatory_params, which the loader fills
 * (kjump/purgatory/abi.h describes the contract). It verifies that the segments kexec
 * copied are the ones the loader built, records the old kernel's re-entry address where the
 * helper's userspace will find it (/proc/cmdline), and starts the helper.
 */
#include <stdint.h>

#include "common/sha256.h"
#include "kjump/purgatory/abi.h"
#include "kjump/purgatory/purgatory.h"

__attribute__((section(".kj.params"), used))
struct kj_purgatory_params kj_params = {
	.magic = KJ_PURGATORY_MAGIC,
	.version = KJ_PURGATORY_VERSION,
	.size = sizeof(struct kj_purgatory_params),
};

static int digest_ok(void)
{
	uint8_t digest[KC_SHA256_DIGEST_SIZE];
	struct kc_sha256 c;
	uint32_t i;
	uint8_t diff = 0;

	if (kj_params.nr_regions > KJ_PURGATORY_MAX_REGIONS)
		return 0;
	kc_sha256_init(&c);
	for (i = 0; i < kj_params.nr_regions; i++)
		kc_sha256_update(&c, (const void *)(uintptr_t)kj_params.regions[i].start,
				 kj_params.regions[i].size);
	kc_sha256_final(&c, digest);
	for (i = 0; i < KC_SHA256_DIGEST_SIZE; i++)
		diff |= digest[i] ^ kj_params.sha256[i];
	return diff == 0;
}

static void write_hex16(char *out, uint64_t v)
{
	int i;

	for (i = 15; i >= 0; i--, v >>= 4)
		out[i] = "0123456789abcdef"[v & 0xf];
}

void purgatory_main(uint64_t reentry)
{
	kj_params.reentry = (kj_params.flags & KJ_PURGATORY_F_JUMP) ? reentry : 0;
	if (!digest_ok()) {
		serial_puts("kjump purgatory: segment digest mismatch, the loaded helper is corrupt; "
			    "halting\r\n");
		halt();
	}
	if (kj_params.entry_digits)
		write_hex16((char *)(uintptr_t)kj_params.entry_digits, kj_params.reentry);
	enter_kernel(kj_params.kernel_entry, kj_params.boot_params);
}
