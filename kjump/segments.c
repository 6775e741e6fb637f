/* Planning B's segments inside the region; see segments.h.
 *
 * Region layout, in order from the region's start (each piece page-aligned):
 *   kernel (at the first kernel_alignment boundary; init_size bytes are B's to decompress in)
 *   boot_params | command line [+ RNG seed] | handoff | purgatory | initrd | free memory for B
 *   (>= min_free)
 * or, high (kj_load_opts.high), the same pieces in the same order ending as close to the
 * region's end as the kernel's alignment allows, B's free memory below them.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/byteorder.h"
#include "common/sha256.h"
#include "kjump/arch/x86_64/bootparam.h"
#include "kjump/internal.h"
#include "kjump/purgatory/abi.h"
#include "kjump/segments.h"

#define HANDOFF_KEY " kjump.handoff="
#define ENTRY_KEY " kjump.entry=0x"
#define ENTRY_DIGITS 16
/* struct setup_data (arch/x86/include/uapi/asm/bootparam.h): u64 next, u32 type, u32 len. */
#define SETUP_DATA_HDR 16
#define SETUP_RNG_SEED 9
/* " kjump.handoff=0x<16 digits> kjump.entry=0x<16 digits>" */
#define CMDLINE_SUFFIX_LEN (sizeof(HANDOFF_KEY) - 1 + 2 + 16 + sizeof(ENTRY_KEY) - 1 + ENTRY_DIGITS)

struct plan {
	uint64_t kernel, bp, cmdline, seed, handoff, purgatory, initrd, end;
	size_t cmdline_len, cmdline_seg, handoff_size;
};

static uint64_t page_up(uint64_t v)
{
	return kj_align_up(v, KJ_PAGE_SIZE);
}

static void shift(struct plan *p, uint64_t by)
{
	p->kernel += by;
	p->bp += by;
	p->cmdline += by;
	p->seed += p->seed ? by : 0;
	p->handoff += by;
	p->purgatory += by;
	p->initrd += by;
	p->end += by;
}

static void place(const struct kj_segments_in *in, struct plan *p)
{
	const struct kj_bzimage *k = in->kernel;
	uint64_t high;

	p->cmdline_len = (in->cmdline ? strlen(in->cmdline) : 0) + CMDLINE_SUFFIX_LEN;
	p->handoff_size = kj_handoff_size(in->layout, in->payload_size);
	p->kernel = kj_align_up(in->layout->region.start, k->kernel_alignment);
	p->bp = p->kernel + page_up(k->init_size);
	p->cmdline = p->bp + BP_SIZE;
	/* The seed shares the command line's page: B's kernel reads and zeroes it at boot. */
	p->seed = in->rng_seed ? kj_align_up(p->cmdline + p->cmdline_len + 1, 8) : 0;
	p->cmdline_seg = p->seed ? p->seed + SETUP_DATA_HDR + KJ_RNG_SEED_SIZE - p->cmdline
				 : p->cmdline_len + 1;
	p->handoff = p->cmdline + page_up(p->cmdline_seg);
	p->purgatory = p->handoff + page_up(p->handoff_size);
	p->initrd = p->purgatory + page_up(in->purgatory_size);
	p->end = p->initrd + page_up(in->initrd_size);
	if (!in->high)
		return;
	high = kj_highest_fit(&in->layout->region, k->kernel_alignment, p->end - p->kernel);
	/* Not above the highest address the kernel reads an initrd from. */
	if (high > p->kernel &&
	    (!in->initrd_size || p->end - 1 + (high - p->kernel) <= k->initrd_addr_max))
		shift(p, high - p->kernel);
}

static int check_room(const struct kj_segments_in *in, const struct plan *p, struct kj_load_info *info)
{
	const struct kj_range *r = &in->layout->region;
	uint64_t min_free = in->min_free ? in->min_free : KJ_DEFAULT_MIN_FREE;

	*info = (struct kj_load_info){
		.kernel = p->kernel, .initrd = in->initrd_size ? p->initrd : 0,
		.initrd_size = in->initrd_size, .handoff = p->handoff,
		.entry = p->purgatory + KJ_PURGATORY_ENTRY_OFFSET, .segments_end = p->end,
		/* The initrd is unpacked into B's RAM: count it twice. Placed high, B's free
		 * memory lies below the segments: the same bytes. */
		.needed = kj_align_up(r->start, in->kernel->kernel_alignment) - r->start +
			  (p->end - p->kernel) + in->initrd_size + min_free,
	};
	if (info->needed > r->size)
		return -ENOSPC;
	if (in->initrd_size && p->end - 1 > in->kernel->initrd_addr_max)
		return -EINVAL;
	if (p->cmdline_len > in->kernel->cmdline_size)
		return -E2BIG;
	return 0;
}

/* The command line, then (with a seed) its setup_data. */
static char *make_cmdline(const struct kj_segments_in *in, const struct plan *p)
{
	char *s = calloc(1, p->cmdline_seg);
	uint8_t *sd;

	if (!s)
		return NULL;
	snprintf(s, p->cmdline_len + 1, "%s" HANDOFF_KEY "0x%016" PRIx64 ENTRY_KEY "%0*d",
		 in->cmdline ? in->cmdline : "", p->handoff, ENTRY_DIGITS, 0);
	if (p->seed) {
		sd = (uint8_t *)s + (p->seed - p->cmdline);
		put_le64(sd, 0);
		put_le32(sd + 8, SETUP_RNG_SEED);
		put_le32(sd + 12, KJ_RNG_SEED_SIZE);
		memcpy(sd + SETUP_DATA_HDR, in->rng_seed, KJ_RNG_SEED_SIZE);
	}
	return s;
}

static int make_boot_params(const struct kj_segments_in *in, const struct plan *p, uint8_t *bp)
{
	struct kj_range keep = { p->handoff, page_up(p->handoff_size) };
	struct kj_map_entry e820[BP_E820_MAX];
	struct kj_boot_params_in bpi = {
		.kernel = in->kernel, .cmdline = p->cmdline, .e820 = e820,
		.initrd = in->initrd_size ? p->initrd : 0, .initrd_size = in->initrd_size,
		.setup_data = p->seed,
	};
	int r = kj_layout_e820(in->layout, &keep, 1, e820, BP_E820_MAX, &bpi.nr_e820);

	return r < 0 ? r : kj_boot_params_build(bp, &bpi);
}

static void add_segment(struct kj_segments *img, const void *buf, size_t size, uint64_t mem)
{
	img->seg[img->nr++] = (struct kj_segment){ buf, size, mem, page_up(size) };
}

/* Patches the purgatory copy: entry, boot_params, where to write the re-entry address, and
 * the digest of every segment added so far, i.e. all but the purgatory itself (it cannot
 * hold its own digest, and it writes into its own data). */
static int patch_purgatory(const struct kj_segments_in *in, const struct plan *p, struct kj_segments *img,
			   uint8_t *blob)
{
	struct kj_purgatory_params par;
	struct kc_sha256 c;
	unsigned i;

	memcpy(&par, blob, sizeof(par));
	if (par.magic != KJ_PURGATORY_MAGIC || par.version != KJ_PURGATORY_VERSION ||
	    par.size != sizeof(par) || img->nr > KJ_PURGATORY_MAX_REGIONS)
		return -EINVAL;
	par.flags = in->preserve_context ? KJ_PURGATORY_F_JUMP : 0;
	par.kernel_entry = p->kernel + KJ_BZIMAGE_ENTRY64_OFFSET;
	par.boot_params = p->bp;
	par.entry_digits = p->cmdline + p->cmdline_len - ENTRY_DIGITS;
	par.nr_regions = img->nr;
	kc_sha256_init(&c);
	for (i = 0; i < img->nr; i++) {
		par.regions[i] = (struct kj_purgatory_region){ img->seg[i].mem, img->seg[i].bufsz };
		kc_sha256_update(&c, img->seg[i].buf, img->seg[i].bufsz);
	}
	kc_sha256_final(&c, par.sha256);
	memcpy(blob, &par, sizeof(par));
	return 0;
}

static int fill(const struct kj_segments_in *in, const struct plan *p, struct kj_segments *img)
{
	uint8_t *bp = img->owned[0], *handoff = img->owned[2], *purg = img->owned[3];
	char *cmdline = (char *)img->owned[1];
	ssize_t n;
	int r;

	r = make_boot_params(in, p, bp);
	if (r < 0)
		return r;
	n = kj_handoff_encode(in->layout, in->payload, in->payload_size, handoff, p->handoff_size);
	if (n < 0)
		return (int)n;
	memcpy(purg, in->purgatory, in->purgatory_size);
	add_segment(img, in->kernel->kernel, in->kernel->kernel_size, p->kernel);
	add_segment(img, bp, BP_SIZE, p->bp);
	add_segment(img, cmdline, p->cmdline_seg, p->cmdline);
	add_segment(img, handoff, p->handoff_size, p->handoff);
	if (in->initrd_size)
		add_segment(img, in->initrd, in->initrd_size, p->initrd);
	r = patch_purgatory(in, p, img, purg);
	if (r < 0)
		return r;
	add_segment(img, purg, in->purgatory_size, p->purgatory);
	img->entry = p->purgatory + KJ_PURGATORY_ENTRY_OFFSET;
	return 0;
}

int kj_segments_build(const struct kj_segments_in *in, struct kj_segments *ret, struct kj_load_info *info)
{
	struct kj_load_info scratch;
	struct plan p;
	int r;

	memset(ret, 0, sizeof(*ret));
	if (!info)
		info = &scratch;
	memset(info, 0, sizeof(*info));
	r = kj_layout_check(in->layout);
	if (r < 0)
		return r;
	if (in->purgatory_size < KJ_PURGATORY_ENTRY_OFFSET)
		return -EINVAL;
	place(in, &p);
	r = check_room(in, &p, info);
	if (r < 0)
		return r;
	ret->owned[0] = malloc(BP_SIZE);
	ret->owned[1] = (uint8_t *)make_cmdline(in, &p);
	ret->cmdline_size = p.cmdline_seg;
	ret->owned[2] = malloc(p.handoff_size);
	ret->handoff_size = p.handoff_size;
	ret->owned[3] = malloc(in->purgatory_size);
	r = ret->owned[0] && ret->owned[1] && ret->owned[2] && ret->owned[3] ? fill(in, &p, ret) : -ENOMEM;
	if (r < 0) {
		kj_segments_done(ret);
		return r;
	}
	info->nr_segments = ret->nr;
	return 0;
}

void kj_segments_done(struct kj_segments *img)
{
	unsigned i;

	/* The command line's segment may hold B's RNG seed, the handoff's payload a key or a
	 * passphrase (khibernate's parameters). */
	if (img->owned[1])
		explicit_bzero(img->owned[1], img->cmdline_size);
	if (img->owned[2])
		explicit_bzero(img->owned[2], img->handoff_size);
	for (i = 0; i < sizeof(img->owned) / sizeof(img->owned[0]); i++)
		free(img->owned[i]);
	memset(img, 0, sizeof(*img));
}
