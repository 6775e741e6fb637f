/* khib-helper: what helper kernel B runs; see helper.h and docs/design.md. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/reboot.h>
#include <unistd.h>

#include "common/cmdline.h"
#include "common/exit.h"
#include "common/fileio.h"
#include "helper/helper.h"
#include "helper/init.h"
#include "helper/physmem.h"
#include "helper/steps.h"
#include "protocol/direct.h"

static uint64_t uptime_ns(void)
{
	double up = 0;
	FILE *f = fopen("/proc/uptime", "re");

	if (f) {
		if (fscanf(f, "%lf", &up) != 1)
			up = 0;
		fclose(f);
	}
	return (uint64_t)(up * 1e9);
}

/* After a save that powers off, nobody reads the status record: the console keeps its figures
 * (make bench reads this line). Thread times are summed over the workers. */
static void print_save_stats(const struct khp_status *st)
{
	const struct khi_stats *s = &st->stats;

	fprintf(stderr, "khib-helper: save: prepare %.2f s, write %.2f s; %u threads: source %.2f s, "
		"compress %.2f s, checksum %.2f s, io %.2f s; %llu MiB in, %llu MiB image\n",
		st->phase_ns[KHP_PHASE_PREPARE] / 1e9, st->phase_ns[KHP_PHASE_PASS] / 1e9, s->threads,
		s->ns_source / 1e9, s->ns_compress / 1e9, s->ns_checksum / 1e9, s->ns_io / 1e9,
		(unsigned long long)(s->bytes_in >> 20), (unsigned long long)(s->bytes_image >> 20));
}

/* The handoff's payload holds the key or passphrase: wipe the copy read (once decoded into
 * the parameters) and the original in the region. B's memory outlives B: the region stays as B
 * left it while A runs again, and A's root can read it through /dev/mem. */
static void wipe_handoff(const char *cmdline, void *buf, size_t size)
{
	uint64_t addr;
	void *zero;

	explicit_bzero(buf, size);
	free(buf);
	if (kc_cmdline_u64(cmdline, "kjump.handoff=", &addr) == 0 && (zero = calloc(1, size))) {
		if (khh_physmem_write(addr, zero, size) < 0)
			fprintf(stderr, "khib-helper: the handoff's copy of the parameters was not wiped\n");
		free(zero);
	}
}

/* Leaves the status record in A's page, then does what the parameters say. */
static int finish(const struct khp_params *pa, struct khp_status *st, uint64_t entry)
{
	uint8_t rec[KHP_STATUS_SIZE];
	int err;

	khp_status_encode(st, rec);
	/* A failed restore reboots: nobody reads its record, and its address came from an image
	 * that may not have passed the checks (khh_restore() vouches for it only on success). */
	if (pa->status_addr && (pa->mode == KHP_MODE_SAVE || !st->error)) {
		err = khh_physmem_write(pa->status_addr, rec, sizeof(rec));
		if (err)
			khh_fail(KHH_STEP_STATUS, NULL, err);
	}
	sync();
	/* A failed save goes back to A, which still runs and says what happened. */
	if (pa->mode == KHP_MODE_SAVE && (st->error || pa->after == KHP_AFTER_JUMP_BACK)) {
		err = kj_back(entry);
		khh_fail(KHH_STEP_JUMP_BACK, NULL, err);
	} else if (pa->mode == KHP_MODE_RESTORE && !st->error) {
		fprintf(stderr, "khib-helper: memory restored; jumping to A\n");
		err = kj_back(entry);
		khh_fail(KHH_STEP_RESUME, NULL, err);
		return KC_EXIT_FAILURE;
	}
	if (pa->after == KHP_AFTER_REBOOT || pa->mode == KHP_MODE_RESTORE)
		reboot(RB_AUTOBOOT);
	reboot(RB_POWER_OFF);
	khh_fail(KHH_STEP_POWER_OFF, NULL, -errno);
	return KC_EXIT_FAILURE;
}

/* The parameters A left in the handoff: @return 0, or the error of *ret_step. */
static int read_params(const char *cmdline, struct kj_handoff *h, struct khp_params *pa,
		       enum khh_step *ret_step)
{
	void *buf = NULL;
	size_t size;
	int err;

	*ret_step = KHH_STEP_HANDOFF;
	err = kj_handoff_read(cmdline, &buf, &size);
	if (!err)
		err = kj_handoff_decode(buf, size, h);
	if (!err) {
		*ret_step = KHH_STEP_PARAMS;
		err = khp_params_decode(h->payload, h->payload_size, pa);
	}
	if (buf)
		wipe_handoff(cmdline, buf, size);
	return err;
}

/* khibernate.direct= on the command line: the boot loader started us (protocol/direct.h). */
static bool started_by_boot_loader(const char *cmdline)
{
	char v[2];

	return kc_cmdline_value(cmdline, KHP_DIRECT_KEY, v, sizeof(v)) != -ENODATA;
}

static int run(void)
{
	struct kj_handoff h;
	struct khp_params pa = { 0 };
	struct khp_status st = { .helper_boot_ns = uptime_ns() };
	enum khh_step step = KHH_STEP_HANDOFF;
	char *cmdline = NULL;
	uint64_t entry = 0;
	bool direct = false;
	size_t len;
	int err;

	err = kc_read_file("/proc/cmdline", KC_CMDLINE_MAX, &cmdline, &len);
	if (!err)
		direct = started_by_boot_loader(cmdline);
	if (direct) {
		step = KHH_STEP_DIRECT;
		err = khh_direct_prepare(cmdline, &pa, &h.layout);
		if (!err)
			fprintf(stderr, "khib-helper: started by the boot loader; the image in %s is "
				"consumed and checked\n", pa.swap_path);
	} else if (!err) {
		err = read_params(cmdline, &h, &pa, &step);
	}
	if (!err && pa.mode == KHP_MODE_SAVE) {
		step = KHH_STEP_ENTRY;
		err = kc_cmdline_u64(cmdline, "kjump.entry=", &entry);
		if (!err && !entry)
			err = -ENODATA;
	}
	free(cmdline);
	if (err) {
		khh_fail(step, NULL, err);
		khp_params_clear(&pa);
		if (!direct)
			return KC_EXIT_FAILURE;
		st.error = err;
		return finish(&pa, &st, 0);   /* reboots */
	}
	if (pa.mode == KHP_MODE_SAVE) {
		st.event = KHP_EVENT_SAVED;
		err = khh_save(&pa, &h.layout, entry, &st);
		if (err) {
			khh_fail(KHH_STEP_SAVE, NULL, err);
		} else {
			fprintf(stderr, "khib-helper: image committed\n");
			print_save_stats(&st);
		}
	} else {
		entry = pa.entry;
		st.event = KHP_EVENT_RESTORED;
		err = khh_restore(&pa, &h.layout, direct, &st);
		if (err)
			khh_fail(KHH_STEP_RESTORE, NULL, err);
	}
	st.error = err;
	/* finish() jumps to A (and B's memory stays as it is in the region) or powers off. */
	khp_params_clear(&pa);
	return finish(&pa, &st, entry);
}

/* B's /init, or a program a test script runs. */
int main(void)
{
	int err;

	if (getpid() == 1)
		khh_init_system();
	err = run();
	if (getpid() == 1)
		khh_init_end();
	return err;
}
