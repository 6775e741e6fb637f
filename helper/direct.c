/* Restore-B started by the boot loader: the boot hook's checks, done by B itself; see
 * helper.h and docs/design.md, "Direct resume". */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>

#include "common/fileio.h"
#include "helper/helper.h"
#include "protocol/blockdev.h"
#include "protocol/direct.h"
#include "protocol/memmap.h"
#include "protocol/platform.h"
#include "protocol/resume-args.h"

/* Debian's initramfs waits as long for its resume device. */
#define DEVICE_WAIT_MS 30000u
#define DEVICE_TICK_MS 20u
#define IOMEM_MAX (1u << 20)

static bool inside(uint64_t start, uint64_t size, const struct kj_range *r)
{
	return r->size && start >= r->start && size <= r->size && start - r->start <= r->size - size;
}

int khh_runs_inside(const char *iomem, const struct kj_layout *l)
{
	bool code = false;

	for (const char *line = iomem; *line; line += strcspn(line, "\n"), line += !!*line) {
		unsigned long long s, e;
		int at = 0;

		if (sscanf(line, " %llx-%llx : %n", &s, &e, &at) != 2 || !at || e < s || e == ~0ULL)
			continue;
		if (line[0] != ' ' && !strncmp(line + at, "System RAM", 10)) {
			if (!inside(s, e - s + 1, &l->region) && !inside(s, e - s + 1, &l->hole))
				return -EFAULT;
		} else if (!strncmp(line + at, "Kernel code", 11)) {
			code = true;
			if (!inside(s, e - s + 1, &l->region))
				return -EFAULT;
		}
	}
	return code ? 0 : -EFAULT;
}

static int check_self(const struct kj_layout *l)
{
	char *iomem = NULL;
	size_t len;
	int err = kc_read_file("/proc/iomem", IOMEM_MAX, &iomem, &len);

	if (!err)
		err = khh_runs_inside(iomem, l);
	free(iomem);
	return err;
}

/* The swap area khibernate.resume= names, waited for as the boot hook waits. */
static int find_swap(const char *cmdline, struct khp_resume_args *a, char *path, size_t size)
{
	const struct timespec tick = { 0, DEVICE_TICK_MS * 1000000L };
	struct khp_devspec spec;
	unsigned waited = 0;
	int err = khp_resume_args_parse(cmdline, a);

	if (!err && a->noresume)
		return -ECANCELED;
	if (!err)
		err = khp_devspec_parse(a->device, &spec);
	while (!err && (err = khp_devspec_find(&spec, a->offset, "", path, size)) == -ENODEV &&
	       waited < DEVICE_WAIT_MS) {
		nanosleep(&tick, NULL);
		waited += DEVICE_TICK_MS;
	}
	return err;
}

static int check_image(const char *cmdline, khi_reader *r, struct kj_layout *l,
		       uint64_t *status_addr)
{
	const struct khi_meta *m = khi_reader_meta(r);
	uint8_t kid[KHI_KERNEL_ID_SIZE], mid[KHI_MACHINE_ID_SIZE];
	int err = khp_direct_parse(cmdline, kid, mid);

	if (!err)
		err = khi_reader_check_identity(r, kid, mid);
	if (!err)
		err = khp_platform_decode(m->platform, m->platform_size, l, status_addr);
	/* Forged, the layout would make us write outside this machine's RAM; our
	 * /sys/firmware/memmap is the firmware's map, before our memmap= words. */
	if (!err)
		err = khp_layout_in_firmware(l);
	if (!err)
		err = check_self(l);
	return err;
}

/* The restore reopens the swap area by its number: without one, the image would be consumed
 * and then not found, so this fails before the consume. */
static int fill_params(int fd, const struct khp_resume_args *a, const char *path, khi_reader *r,
		       uint64_t status_addr, struct khp_params *pa)
{
	const struct khi_meta *m = khi_reader_meta(r);
	struct stat st;

	if (fstat(fd, &st) < 0)
		return -errno;
	if (!S_ISBLK(st.st_mode))
		return -ENOTBLK;
	pa->swap_major = major(st.st_rdev);
	pa->swap_minor = minor(st.st_rdev);
	pa->swap_offset = a->offset;
	pa->status_addr = status_addr;
	pa->entry = m->entry;
	memcpy(pa->image_id, m->image_id, KHI_IMAGE_ID_SIZE);
	memcpy(pa->kernel_id, m->kernel_id, KHI_KERNEL_ID_SIZE);
	memcpy(pa->machine_id, m->machine_id, KHI_MACHINE_ID_SIZE);
	snprintf(pa->swap_path, sizeof(pa->swap_path), "%s", path);
	return 0;
}

int khh_direct_prepare(const char *cmdline, struct khp_params *pa, struct kj_layout *l)
{
	struct khi_reader_opts opts = KHI_READER_OPTS_INIT;
	struct khi_target t = { .fd = -1 };
	struct khi_probe_info info;
	struct khp_resume_args a = { 0 };
	khi_reader *r = NULL;
	uint64_t status_addr = 0;
	char path[128];
	int err;

	pa->mode = KHP_MODE_RESTORE;
	pa->after = KHP_AFTER_REBOOT;
	err = find_swap(cmdline, &a, path, sizeof(path));
	if (!err)
		err = khi_open(path, 1, &t.fd);
	t.swap_offset = a.offset;
	if (!err)
		err = khi_probe(t.fd, a.offset, &info);
	if (!err && info.state != KHI_STATE_COMMITTED)
		err = -ENODATA;
	if (!err)
		err = khi_reader_open(&t, &opts, &r);
	if (!err)
		err = check_image(cmdline, r, l, &status_addr);
	if (!err)
		err = fill_params(t.fd, &a, path, r, status_addr, pa);
	/* Consumed before the first page is written, as the boot hook does before the jump:
	 * whatever happens from here on, this image is never resumed again. */
	if (!err)
		err = khi_mark_consumed(t.fd, a.offset, NULL);
	khi_reader_free(r);
	if (t.fd >= 0)
		close(t.fd);
	return err;
}
