/* kj_load(): read B's files, plan its segments, hand them to kexec_load(2). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "common/fileio.h"
#include "kjump/internal.h"
#include "kjump/kexec-syscall.h"
#include "kjump/segments.h"

#define KERNEL_MAX (256u << 20)
#define INITRD_MAX (1u << 30)

static bool reserved_zero(const struct kj_load_opts *o)
{
	size_t i;

	for (i = 0; i < sizeof(o->reserved) / sizeof(o->reserved[0]); i++)
		if (o->reserved[i])
			return false;
	return true;
}

static int load_image(const struct kj_load_opts *o, const struct kj_bzimage *k, const char *initrd,
		      size_t initrd_size, struct kj_load_info *info)
{
	struct kj_segments_in in = {
		.kernel = k, .initrd = initrd, .initrd_size = initrd_size, .cmdline = o->cmdline,
		.layout = o->layout, .preserve_context = o->preserve_context,
		.payload = o->payload, .payload_size = o->payload_size, .min_free = o->min_free,
		.high = o->high,
		.purgatory = kj_purgatory_blob, .purgatory_size = kj_purgatory_blob_size,
	};
	unsigned long flags = KJ_KEXEC_ARCH | (o->preserve_context ? KEXEC_PRESERVE_CONTEXT : 0);
	uint8_t seed[KJ_RNG_SEED_SIZE];
	struct kj_segments img;
	int r;

	/* Without a seed B's first getrandom() waits until B gathered entropy itself: over a
	 * second under TCG. A kernel that has none yet (early at boot) gives none, and B waits. */
	if (getrandom(seed, sizeof(seed), GRND_NONBLOCK) == (ssize_t)sizeof(seed))
		in.rng_seed = seed;
	r = kj_segments_build(&in, &img, info);
	explicit_bzero(seed, sizeof(seed));
	if (r < 0)
		return r;
	r = kj_sys_kexec_load(img.entry, img.seg, img.nr, flags);
	kj_segments_done(&img);
	return r;
}

int kj_bzimage_read(const char *path, char **ret_buf, size_t *ret_size, struct kj_bzimage *ret)
{
	int r = kc_read_file(path, KERNEL_MAX, ret_buf, ret_size);

	if (r == 0 && (r = kj_bzimage_parse(*ret_buf, *ret_size, ret)) < 0) {
		free(*ret_buf);
		*ret_buf = NULL;
	}
	return r;
}

int kj_load(const struct kj_load_opts *o, struct kj_load_info *ret_info)
{
	char *kernel = NULL, *initrd = NULL;
	size_t kernel_size, initrd_size = 0;
	struct kj_bzimage k;
	int r;

	if (!o->kernel || !o->layout || !reserved_zero(o) || (o->payload_size && !o->payload))
		return -EINVAL;
	r = kj_bzimage_read(o->kernel, &kernel, &kernel_size, &k);
	if (r == 0 && o->initrd)
		r = kc_read_file(o->initrd, INITRD_MAX, &initrd, &initrd_size);
	if (r == 0)
		r = load_image(o, &k, initrd, initrd_size, ret_info);
	free(kernel);
	free(initrd);
	return r;
}
