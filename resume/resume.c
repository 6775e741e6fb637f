/* Detecting, checking and resuming an image at boot; see resume.h. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "common/fileio.h"
#include "kjump/kjump.h"
#include "protocol/load.h"
#include "protocol/log.h"
#include "protocol/memmap.h"
#include "protocol/params.h"
#include "protocol/platform.h"
#include "protocol/sysid.h"
#include "resume/resume.h"
#include "resume/steps.h"

/* Refuse: put the swap area back and say why and what happens now. */
static enum kr_outcome refuse(const struct kr_opts *o, int fd, enum kr_step step, int err)
{
	int r = khi_discard(fd, o->offset);

	khp_log(KHP_LOG_ERR, "%s: %s; the image was discarded%s and the boot goes on",
		kr_step_name(step), kr_step_error(step, err), r < 0 && r != -ENODATA ?
		" (failed: run 'khib-image discard')" : ", swap is usable again,");
	return KR_REFUSED;
}

static int check_identity(khi_reader *r)
{
	uint8_t kid[KHI_KERNEL_ID_SIZE], mid[KHI_MACHINE_ID_SIZE];
	char release[KHI_RELEASE_MAX + 1];
	const struct khi_meta *m = khi_reader_meta(r);
	int err;

	err = khp_kernel_id(kid, release);
	if (!err)
		err = khp_machine_id(mid);
	if (err)
		return err;
	err = khi_reader_check_identity(r, kid, NULL);
	if (err) {
		khp_log(KHP_LOG_ERR, "the image was made by kernel %s (another build); this is %s",
		       m->kernel_release, release);
		return err;
	}
	err = khi_reader_check_identity(r, NULL, mid);
	if (err)
		khp_log(KHP_LOG_ERR, "the image was made on another machine (or with another memory "
		       "size)");
	return err;
}

static int load_restore_helper(const struct kr_opts *o, int fd, khi_reader *r,
			       const struct kj_layout *layout, uint64_t status_addr)
{
	const struct khi_meta *m = khi_reader_meta(r);
	const struct khp_helper h = { .kernel = o->helper_kernel, .initrd = o->helper_initrd,
		.cmdline = o->helper_cmdline };
	struct khp_params pa = { .mode = KHP_MODE_RESTORE, .after = KHP_AFTER_REBOOT };
	struct stat st;
	int err;

	if (fstat(fd, &st) < 0)
		return -errno;
	pa.status_addr = status_addr;
	pa.swap_major = major(st.st_rdev);
	pa.swap_minor = minor(st.st_rdev);
	pa.swap_offset = o->offset;
	pa.threads = o->threads;
	pa.entry = m->entry;
	memcpy(pa.image_id, m->image_id, KHI_IMAGE_ID_SIZE);
	memcpy(pa.kernel_id, m->kernel_id, KHI_KERNEL_ID_SIZE);
	memcpy(pa.machine_id, m->machine_id, KHI_MACHINE_ID_SIZE);
	snprintf(pa.swap_path, sizeof(pa.swap_path), "%s", o->device);
	khp_params_set_secret(&pa, o->key, o->passphrase);
	/* A plain kexec: nothing of this boot needs to survive. */
	err = khp_load_helper(&h, &pa, layout, false, NULL);
	khp_params_clear(&pa);
	return err;
}

/* The restore helper, loaded into the region the image names with the layout it names, both
 * checked first. @return 0, or the error of *ret_step. */
static int prepare_restore(const struct kr_opts *o, int fd, khi_reader *r, enum kr_step *ret_step)
{
	const struct khi_meta *m = khi_reader_meta(r);
	struct kj_layout layout;
	uint64_t status_addr;
	int err;

	*ret_step = KR_STEP_PLATFORM;
	err = khp_platform_decode(m->platform, m->platform_size, &layout, &status_addr);
	if (err)
		return err;
	*ret_step = KR_STEP_LAYOUT;
	/* From the image: forged, it would make the restore helper run and write outside
	 * this machine's RAM. Only this kernel sees the firmware's map. */
	err = khp_layout_in_firmware(&layout);
	if (err)
		return err;
	*ret_step = KR_STEP_LOAD;
	return load_restore_helper(o, fd, r, &layout, status_addr);
}

static enum kr_outcome open_image(const struct kr_opts *o, int fd, khi_reader **ret, int *ret_error)
{
	struct khi_reader_opts ro = KHI_READER_OPTS_INIT;
	struct khi_target t = { .fd = fd, .swap_offset = o->offset };
	int err;

	ro.key.key = o->key;
	ro.key.passphrase = o->passphrase;
	ro.kdf_passes_max = o->kdf_passes_max;
	ro.kdf_memory_max_kib = o->kdf_memory_max_kib;
	err = khi_reader_open(&t, &ro, ret);
	*ret_error = err;
	if (err == -ENOKEY || err == -EKEYREJECTED) {
		khp_log(KHP_LOG_ERR, "the image is encrypted and %s; it is kept", err == -ENOKEY ?
		       "no key was given" : "the key or passphrase is wrong");
		return KR_KEPT;
	}
	if (err)
		return refuse(o, fd, KR_STEP_READ, err);
	err = check_identity(*ret);
	*ret_error = err;
	if (err)
		return refuse(o, fd, KR_STEP_IDENTITY, err);
	return KR_NO_IMAGE; /* meaning: go on */
}

/* A swap header beyond the device (a wrong resume_offset=) is said as such, not as an I/O
 * error; so is one that is not page aligned. */
static int check_offset(const struct kr_opts *o, int fd)
{
	uint64_t size;
	int err = kc_dev_size(fd, &size);

	if (err)
		return err;
	if (o->offset % KHI_PAGE_SIZE || size < KHI_PAGE_SIZE || o->offset > size - KHI_PAGE_SIZE) {
		khp_log(KHP_LOG_ERR, "%s: the swap header offset %llu (khibernate.resume_offset=%llu) "
		       "is not a page of the device (%llu bytes) (nothing changed)", o->device,
		       (unsigned long long)o->offset, (unsigned long long)(o->offset / KHI_PAGE_SIZE),
		       (unsigned long long)size);
		return -ERANGE;
	}
	return 0;
}

int kr_discard(const struct kr_opts *o, const char *reason)
{
	int fd, err = khi_open(o->device, 1, &fd);

	if (!err) {
		err = check_offset(o, fd);
		if (!err)
			err = khi_discard(fd, o->offset);
		close(fd);
	}
	if (err == -ENODATA)
		return 0;
	if (err)
		khp_log(KHP_LOG_ERR, "%s: %s: %s", o->device, kr_step_name(KR_STEP_DISCARD),
			kr_step_error(KR_STEP_DISCARD, err));
	else
		khp_log(KHP_LOG_NOTICE, "%s: the hibernation image was discarded (%s); swap is usable "
		       "again", o->device, reason);
	return err;
}

enum kr_outcome kr_resume(const struct kr_opts *o, int *ret_error)
{
	struct khi_probe_info info;
	khi_reader *r = NULL;
	enum kr_outcome out;
	enum kr_step step;
	int fd, err;

	*ret_error = 0;
	err = khi_open(o->device, 1, &fd);
	if (err) {
		khp_log(KHP_LOG_ERR, "%s: %s: %s (nothing changed)", o->device,
			kr_step_name(KR_STEP_OPEN), kr_step_error(KR_STEP_OPEN, err));
		*ret_error = err;
		return KR_FAILED;
	}
	err = check_offset(o, fd);
	if (!err)
		err = khi_probe(fd, o->offset, &info);
	if (err == -EBADMSG) {
		*ret_error = err;
		out = refuse(o, fd, KR_STEP_PROBE, err);
		goto out;
	}
	if (err) {
		if (err != -ERANGE)
			khp_log(KHP_LOG_ERR, "%s: %s (nothing changed)", o->device,
				kr_step_error(KR_STEP_PROBE, err));
		*ret_error = err;
		close(fd);
		return KR_FAILED;
	}
	if (info.state != KHI_STATE_COMMITTED) {
		/* Said at every boot: after a power cut the user learns why nothing resumed. */
		khp_log(KHP_LOG_INFO, info.state == KHI_STATE_CONSUMED ? "no hibernation image in %s "
		       "(the last one was already used by a resume: an image is never resumed "
		       "twice); normal boot" : "no hibernation image in %s; normal boot", o->device);
		out = KR_NO_IMAGE;
		goto out;
	}
	khp_log(KHP_LOG_NOTICE, "hibernation image found in %s", o->device);
	out = open_image(o, fd, &r, ret_error);
	if (out != KR_NO_IMAGE)
		goto out;
	err = prepare_restore(o, fd, r, &step);
	if (err) {
		*ret_error = err;
		out = refuse(o, fd, step, err);
		goto out;
	}
	/* Consumed before the jump: whatever happens next, this image is never resumed again. */
	err = khi_mark_consumed(fd, o->offset, NULL);
	if (err) {
		*ret_error = err;
		(void)kj_unload();
		out = refuse(o, fd, KR_STEP_MARK, err);
		goto out;
	}
	khi_reader_free(r);
	close(fd);
	khp_log(KHP_LOG_NOTICE, "resuming");
	err = kj_exec();
	*ret_error = err;
	khp_log(KHP_LOG_ERR, "%s: %s; the image is lost, the boot goes on",
		kr_step_name(KR_STEP_JUMP), kr_step_error(KR_STEP_JUMP, err));
	return KR_REFUSED;
out:
	khi_reader_free(r);
	close(fd);
	return out;
}
