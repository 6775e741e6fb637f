/* The jump to the helper and back; see hibernate.h. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "common/clock.h"
#include "khibernate/direct.h"
#include "khibernate/hibernate.h"
#include "khibernate/reserve.h"
#include "khibernate/statuspage.h"
#include "protocol/load.h"
#include "protocol/log.h"
#include "protocol/sysid.h"

#define MiB (1024.0 * 1024.0)

/* "addr size" in hex, as /sys/kernel/vmcoreinfo shows A's vmcoreinfo note. */
static void read_vmcoreinfo(struct khp_params *pa)
{
	unsigned long long addr, size;
	FILE *f = fopen("/sys/kernel/vmcoreinfo", "re");

	if (f && fscanf(f, "%llx %llx", &addr, &size) == 2) {
		pa->vmcoreinfo_addr = addr;
		pa->vmcoreinfo_size = size;
	}
	if (f)
		fclose(f);
}

static int fill_params(const struct kh_plan *p, const struct kh_run *r,
		       const struct kh_reservation *res, uint64_t status_addr, struct khp_params *pa)
{
	const struct khp_config *c = &p->config;
	int err;

	memset(pa, 0, sizeof(*pa));
	pa->mode = KHP_MODE_SAVE;
	pa->after = r->after;
	pa->compression = c->compression;
	pa->level = c->level;
	pa->threads = c->threads;
	pa->swap_major = major(p->swap.dev);
	pa->swap_minor = minor(p->swap.dev);
	pa->swap_offset = p->swap.header_offset;
	pa->size_estimate = p->estimate;
	pa->status_addr = status_addr;
	pa->flags = p->swap.is_file ? KHP_F_SWAPFILE : 0;
	khp_params_set_secret(pa, r->key, r->passphrase);
	err = khp_kernel_id(pa->kernel_id, pa->kernel_release);
	if (err < 0)
		return err;
	err = khp_machine_id(pa->machine_id);
	if (err < 0)
		return err;
	if (gethostname(pa->label, KHI_LABEL_MAX) < 0)
		pa->label[0] = 0;
	snprintf(pa->swap_path, sizeof(pa->swap_path), "%s", p->swap.dev_path);
	memcpy(pa->swap_uuid, p->swap.uuid, sizeof(pa->swap_uuid));
	read_vmcoreinfo(pa);
	pa->extents = res->extents;
	pa->nr_extents = (uint32_t)res->nr_extents;
	return 0;
}

/* kexec_load(2) of a preserve-context image takes its swap page with __GFP_NORETRY: with memory
 * at its low watermark (a live-swap workload just swapped back in after a resume: 8 MB free of
 * 512 MiB) it fails at once with ENOMEM, "kexec: Could not allocate swap buffer". kswapd brings
 * free memory back above the watermark within moments; so wait for it a little, several times. */
static int load_helper(const struct kh_plan *p, const struct khp_params *pa, struct kh_run *r)
{
	const struct khp_helper h = { .kernel = p->config.helper_kernel,
		.initrd = p->config.helper_initrd, .cmdline = p->config.helper_cmdline };
	struct kj_load_info info = { 0 };
	uint64_t start = kc_boottime_ns();
	int err = khp_load_helper(&h, pa, &p->layout, true, &info);

	for (unsigned try = 1; err == -ENOMEM && try <= 8; try++) {
		if (try == 1)
			khp_log(KHP_LOG_INFO, "memory is short for loading the helper; waiting for the "
				"kernel to free some");
		usleep(100000u * try);
		err = khp_load_helper(&h, pa, &p->layout, true, &info);
	}
	if (err == -ENOSPC)
		khp_log(KHP_LOG_ERR, "the helper needs %.0f MiB of the %.0f MiB region",
			info.needed / MiB, p->layout.region.size / MiB);
	r->load_ns = kc_boottime_ns() - start;
	return err;
}

/* A reads the whole image back (every checksum), then removes it from the swap area. */
static void verify_and_discard(const struct kh_plan *p, struct kh_run *r)
{
	struct khi_target t = { .swap_offset = p->swap.header_offset };
	struct khi_reader_opts o = KHI_READER_OPTS_INIT;
	khi_reader *rd = NULL;
	int err;

	err = khi_open(p->swap.dev_path, 1, &t.fd);
	if (err < 0) {
		r->verify_error = err;
		return;
	}
	o.threads = p->config.threads ? p->config.threads : (unsigned)sysconf(_SC_NPROCESSORS_ONLN);
	o.key.key = r->key;
	o.key.passphrase = r->passphrase;
	o.kdf_passes_max = p->config.kdf_passes_max;
	o.kdf_memory_max_kib = p->config.kdf_memory_max_mib << 10;
	err = khi_reader_open(&t, &o, &rd);
	if (!err)
		err = khi_reader_verify(rd);
	r->verify_error = err;
	khi_reader_free(rd);
	err = khi_discard(t.fd, t.swap_offset);
	if (err < 0 && !r->verify_error)
		r->verify_error = err;
	close(t.fd);
}

static void note_reservation(const struct kh_reservation *res, struct kh_run *r)
{
	r->reserve_ns = res->ns;
	r->reserved_bytes = res->bytes;
	r->reserved_extents = res->nr_extents;
	khp_log(KHP_LOG_INFO, "reserved %.0f MiB of swap in %zu extents (%.3f s)", res->bytes / MiB,
	       res->nr_extents, res->ns / 1e9);
}

/* When configured and the helper powers off or reboots: the next boot starts restore-B from
 * GRUB. When that cannot be, the initramfs resumes as always: said, not fatal. */
static void arm_direct(const struct kh_plan *p, const struct kh_run *r, const struct khp_params *pa)
{
	int err;

	if (!p->config.direct_resume || r->after == KHP_AFTER_JUMP_BACK)
		return;
	err = kh_direct_arm(p, pa);
	if (err)
		khp_log(KHP_LOG_WARNING, "direct resume: %s; the initramfs will resume",
			kh_direct_strerror(err));
	else
		khp_log(KHP_LOG_INFO, "direct resume: GRUB starts the restore helper at the next boot "
			"(Shift held then: the initramfs resumes instead)");
}

/* Loads the helper with the slots held now, jumps, and reads what it reported.
 * @return as kh_hibernate(). */
static int save_once(const struct kh_plan *p, struct kh_run *r, const struct kh_reservation *res,
		     struct kh_statuspage *sp)
{
	struct khp_params pa;
	uint64_t t;
	int err;

	r->step = KH_STEP_PARAMS;
	err = fill_params(p, r, res, sp->phys, &pa);
	if (!err) {
		r->step = KH_STEP_LOAD;
		err = load_helper(p, &pa, r);
	}
	explicit_bzero(pa.key, sizeof(pa.key));
	explicit_bzero(pa.passphrase, sizeof(pa.passphrase));
	if (err < 0)
		return err;

	arm_direct(p, r, &pa);
	khp_log(KHP_LOG_INFO, "jumping to the helper kernel");
	r->step = KH_STEP_JUMP;
	memset(sp->page, 0, KHI_PAGE_SIZE);   /* no record of an earlier try can be read as this one's */
	sync();
	t = kc_boottime_ns();
	err = kj_exec();
	r->away_ns = kc_boottime_ns() - t;
	if (p->config.direct_resume)
		kh_direct_disarm();
	if (err < 0)
		return err;
	r->step = KH_STEP_REPORT;
	err = khp_status_decode(sp->page, &r->status);
	if (err < 0)
		return err;
	r->step = KH_STEP_SAVE;
	return r->status.error;
}

/* The helper ran out of the slots reserved for the estimate: hold all the image may take
 * (kh_plan_image_budget()) and say so. @return 1 to save again, 0 when there is no more to
 * hold (said, with what to do), or a negative errno. */
static int grow_reservation(const struct kh_plan *p, struct kh_run *r, struct kh_reservation *res)
{
	uint64_t before = res->bytes;
	int err;

	if (p->swap.active && res->bytes < kh_plan_image_budget(p)) {
		r->step = KH_STEP_GROW;
		err = kh_reserve_grow(res, kh_plan_image_budget(p));
		if (!err) {
			khp_log(KHP_LOG_INFO, "the image did not fit the %.0f MiB reserved for it; "
			       "saving again with more", before / MiB);
			note_reservation(res, r);
			return 1;
		}
		if (err != -ENOSPC)
			return err;
	}
	khp_log(KHP_LOG_ERR, "the image needs more than the %.0f MiB of swap it could have; free some "
	       "swap or use a larger swap area",
	       res->bytes ? res->bytes / MiB : kh_plan_image_budget(p) / MiB);
	return 0;
}

int kh_hibernate(const struct kh_plan *p, struct kh_run *r)
{
	struct kh_reservation res = KH_RESERVATION_INIT;
	struct kh_statuspage sp = { 0 };
	int err;

	r->step = KH_STEP_STATUS_PAGE;
	err = kh_statuspage_new(&sp);
	if (err < 0)
		return err;
	if (p->swap.active) {
		/* The estimate, not the worst case: each slot costs about a microsecond, and all of
		 * RAM is mostly far more than the image (a 3 GiB guest with 1.1 GiB in use: 1.0-2.0 s
		 * for the worst case under TCG). If the image needs more, it is grown below. */
		r->step = KH_STEP_RESERVE;
		err = kh_reserve(p->swap.dev, p->swap.header_offset, kh_plan_first_budget(p),
				 kh_plan_first_budget(p), &res);
		if (err < 0)
			goto out;
		note_reservation(&res, r);
	}
	err = save_once(p, r, &res, &sp);
	if (r->step == KH_STEP_SAVE && err == -ENOSPC) {
		int grown = grow_reservation(p, r, &res);
		err = grown < 0 ? grown : grown ? save_once(p, r, &res, &sp) : -ENOSPC;
	}
	if (!err && r->status.event == KHP_EVENT_SAVED) {
		/* A runs again on top of a committed image: --test, or a helper that could not
		 * power off. Resuming that image later would undo all A does from now on. */
		verify_and_discard(p, r);
	}
	(void)kj_unload();
out:
	kh_reservation_release(&res);
	kh_statuspage_free(&sp);
	return err;
}
