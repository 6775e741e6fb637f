/* khib-helper: the program helper kernel B runs. It reads its parameters from the kjump
 * handoff, saves A's memory into an image (save mode) or puts it back (restore mode), leaves a
 * status record in A's memory, and then powers off, reboots or jumps back to A.
 */
#ifndef KHH_HELPER_H
#define KHH_HELPER_H

#include <stdbool.h>
#include <stdint.h>

#include "kjump/kjump.h"
#include "protocol/params.h"
#include "protocol/status.h"

/* The device node of the swap area (waits for the disk to appear); opens it. */
int khh_open_swap(const struct khp_params *pa, int writable, int *ret_fd);

/*! khh_check_swap_area() : B found the disk by its number, which B's kernel may give to another
 *  disk than A's did (another driver order, another partition table): the swap header at
 *  pa->swap_offset of fd MUST carry the UUID A read (pa->swap_uuid) before anything is written
 *  there; the writer checks the signature itself. @return 0; -ENODEV (another UUID: said on
 *  stderr); errors of khi_probe(). */
int khh_check_swap_area(const struct khp_params *pa, int fd);

/* Progress on the console: "verb  42%  380/905 MiB  210 MB/s  2 s left", about every second. */
struct khh_progress {
	const char *verb;
	uint64_t start_ns, last_ns;
};
void khh_progress_cb(void *ctx, uint64_t done, uint64_t total);

/* Worker threads for the image: @asked, or all of B's CPUs when 0, but no more than the
 * chunk buffers of half of B's free memory hold (said on the console when it cuts). */
unsigned khh_threads(unsigned asked);
/* The rule, for tests: at most KHI_THREADS_MAX, at least 1, buffers within @free_bytes / 2. */
unsigned khh_threads_fit(unsigned want, uint64_t free_bytes);

/*! khh_save() : writes A's memory (the RAM of l, region excluded) into a committed image.
 *  entry is A's re-entry address. Fills st (stats, phases). @return 0 or -errno. */
int khh_save(const struct khp_params *pa, const struct kj_layout *l, uint64_t entry,
	    struct khp_status *st);

/*! khh_restore() : reads the consumed image pa->image_id, checks all its metadata (the
 *  library's, then that it restores only A's RAM and names A's entry and status page), then
 *  writes A's pages back in one pass, each chunk checked before its pages are written.
 *  @in_place: decompress straight into A's pages (khi_sink.place), not through a buffer and
 *  a copy. Only where no kernel ran in A's RAM this boot (B started by the boot loader):
 *  under TCG, stores into pages a kernel ran code from this boot are slow, and LZ4's short
 *  stores there cost more than the copy saves (docs/bench/README.md, "Decompressing into
 *  place").
 *  @return 0 (A's memory is back: jump now) or -errno: A MUST NOT be resumed then, as pages
 *  may have been written already (main.c reboots; the image was consumed before B ran). */
int khh_restore(const struct khp_params *pa, const struct kj_layout *l, bool in_place,
		struct khp_status *st);

/*! khh_runs_inside() : from the text of /proc/iomem, whether this kernel runs only in l's
 *  region and hole: every top-level System RAM lies in one of them and "Kernel code" in the
 *  region. A boot loader that could not load us at the address asked for puts us elsewhere,
 *  maybe in A's RAM, which the restore would write over us. @return 0 or -EFAULT. */
int khh_runs_inside(const char *iomem, const struct kj_layout *l);

/*! khh_direct_prepare() : B was started by the boot loader ("direct resume": no handoff, the
 *  words of protocol/direct.h on cmdline). Does what the boot hook does before it loads
 *  restore-B: finds the swap area khibernate.resume= names (waiting up to 30 s), opens the
 *  committed image, checks that it was made by the kernel and machine the words name, that
 *  its layout lies in the firmware's RAM, and that B itself runs only in its region and hole;
 *  then marks it consumed and fills pa (mode restore, after reboot) and l for khh_restore().
 *  @return 0; before the image is consumed nothing was written: -ENODATA (no committed image),
 *  -ECANCELED (noresume), -EFAULT (B runs outside the region), -ESTALE, -ENODEV, the image
 *  library's errors (-ENOKEY: encrypted images are left to the boot hook). */
int khh_direct_prepare(const char *cmdline, struct khp_params *pa, struct kj_layout *l);

#endif
