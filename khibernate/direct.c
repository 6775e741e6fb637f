/* Direct resume's files in /boot and GRUB's variable; see direct.h. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/cmdline.h"
#include "common/fileio.h"
#include "khibernate/bootargs.h"
#include "khibernate/direct.h"
#include "khibernate/grubenv.h"
#include "khibernate/setup.h"
#include "protocol/direct.h"
#include "protocol/load.h"

#define INITRD_MAX (512u << 20)
#define BOOT_CFG_MAX 4096
/* The kernel takes 2047 bytes of command line; GRUB adds BOOT_IMAGE=PATH before ours. */
#define CMDLINE_MAX 1900u

/* Writes path only when its content differs: the files change when the helper or the region
 * does, and the copies are megabytes. */
static int update_file(const char *path, const void *buf, size_t len)
{
	char *old = NULL;
	size_t old_len;
	int same = kc_read_file(path, len + 1, &old, &old_len) == 0 && old_len == len &&
		   !memcmp(old, buf, len);

	free(old);
	return same ? 0 : kc_write_file(path, buf, len);
}

/* The helper kernel with its load address set as high in the region as it fits (not where
 * the save's helper is: kj_highest_fit()): *buf is allocated. */
static int load_kernel(const struct kh_plan *p, char **buf, size_t *len)
{
	struct kj_bzimage k;
	int err = kj_bzimage_read(p->config.helper_kernel, buf, len, &k);

	if (!err)
		err = kj_bzimage_set_load_address(*buf, *len, kj_highest_fit(&p->layout.region,
										  k.kernel_alignment, k.init_size));
	return err == -EPROTONOSUPPORT || err == -EBADMSG || err == -EINVAL ? -ENOEXEC : err;
}

static int write_kernel(const struct kh_plan *p)
{
	char *buf = NULL;
	size_t len;
	int err = load_kernel(p, &buf, &len);

	if (!err)
		err = update_file(KH_DIRECT_DIR "/restore.bzImage", buf, len);
	free(buf);
	return err;
}

static int write_initrd(const struct kh_plan *p)
{
	char *buf = NULL;
	size_t len;
	int err = kc_read_file(p->config.helper_initrd, INITRD_MAX, &buf, &len);

	if (!err)
		err = update_file(KH_DIRECT_DIR "/restore.img", buf, len);
	free(buf);
	return err;
}

/* Where B finds the swap area. B has no udev, so no /dev/disk/by-uuid: it finds a UUID= by
 * the swap header carrying it at the offset (protocol/blockdev.h). So the swap header's own
 * UUID, also for a swap file (whose khibernate.resume= names its filesystem's), and the offset
 * in pages. A header without a UUID (mkswap gives one unless told otherwise) gets this boot's
 * words, as the initramfs hook reads them. */
static int resume_words(const struct kh_plan *p, char *buf, size_t size)
{
	static const uint8_t none[16];
	char *cmdline = NULL, dev[256], off[32], uuid[37];
	size_t len;
	int err;

	if (memcmp(p->swap.uuid, none, sizeof(none))) {
		kh_uuid_format(p->swap.uuid, uuid);
		snprintf(buf, size, "khibernate.resume=UUID=%s khibernate.resume_offset=%llu", uuid,
			 (unsigned long long)(p->swap.header_offset / KHI_PAGE_SIZE));
		return 0;
	}
	err = kc_read_file("/proc/cmdline", KC_CMDLINE_MAX, &cmdline, &len);
	if (!err)
		err = kc_cmdline_value(cmdline, "khibernate.resume=", dev, sizeof(dev));
	if (!err) {
		int n = snprintf(buf, size, "khibernate.resume=%s", dev);

		if (kc_cmdline_value(cmdline, "khibernate.resume_offset=", off, sizeof(off)) == 0)
			snprintf(buf + n, size - (size_t)n, " khibernate.resume_offset=%s", off);
	}
	free(cmdline);
	return err;
}

/* Appends word to q in single quotes, where GRUB expands nothing (a quote as '\''). GRUB's
 * `linux` puts double quotes around an argument with a blank in it, so each word goes as an
 * argument of its own. @return the new end, or NULL when it passes end. */
static char *quote_word(char *q, const char *end, const char *word, size_t len)
{
	if (q >= end - 2)
		return NULL;
	*q++ = ' ';
	*q++ = '\'';
	for (size_t i = 0; i < len; i++) {
		const char *s = word[i] == '\'' ? "'\\''" : NULL;
		size_t n = s ? strlen(s) : 1;

		if (q + n >= end - 1)
			return NULL;
		memcpy(q, s ? s : &word[i], n);
		q += n;
	}
	*q++ = '\'';
	return q;
}

/* boot.cfg, GRUB's commands, into cfg (BOOT_CFG_MAX bytes): @return its length or -errno. */
static int make_boot_cfg(const struct kh_plan *p, const uint8_t *kernel_id, const uint8_t *machine_id,
			 char *cfg)
{
	char words[KHP_DIRECT_WORDS_MAX + 1], resume[400], extra[2048], line[2048];
	char *q = cfg, *end = cfg + BOOT_CFG_MAX - 64;
	int err = khp_direct_words(&p->layout, kernel_id, machine_id, words, sizeof(words));

	if (!err)
		err = resume_words(p, resume, sizeof(resume));
	if (err)
		return err;
	if ((size_t)snprintf(extra, sizeof(extra), "%s %s %s", words, resume,
			     p->config.helper_cmdline) >= sizeof(extra))
		return -E2BIG;
	khp_helper_cmdline(extra, line, sizeof(line));
	if (strlen(line) > CMDLINE_MAX)
		return -E2BIG;
	q += snprintf(q, BOOT_CFG_MAX, "# khibernate: written at hibernate time, run once by GRUB "
		      "(/etc/grub.d/01_khibernate)\nlinux \"$khibernate_dir/restore.bzImage\"");
	for (const char *w = line; q && *w; w += strcspn(w, " ")) {
		w += strspn(w, " ");
		if (*w)
			q = quote_word(q, end, w, strcspn(w, " "));
	}
	if (!q)
		return -E2BIG;
	q += sprintf(q, "\ninitrd \"$khibernate_dir/restore.img\"\nboot\n");
	return (int)(q - cfg);
}

static int write_boot_cfg(const struct kh_plan *p, const struct khp_params *pa)
{
	char cfg[BOOT_CFG_MAX];
	int n = make_boot_cfg(p, pa->kernel_id, pa->machine_id, cfg);

	return n < 0 ? n : update_file(KH_DIRECT_DIR "/boot.cfg", cfg, (size_t)n);
}

/* GRUB starts restore-B only through the snippet update-grub put into grub.cfg. */
static int check_grub(void)
{
	char *cfg = NULL;
	size_t len;
	int err = kc_read_file(KH_GRUB_CFG, 16u << 20, &cfg, &len);

	if (!err && !strstr(cfg, KH_DIRECT_VAR))
		err = -ENOENT;
	free(cfg);
	return err;
}

/* A missing environment block, said apart from grub.cfg's missing entry. */
static int env_error(int err)
{
	return err == -ENOENT ? -ENOMEDIUM : err;
}

/* What neither a hibernation's parameters nor the files decide. */
static int check_machine(void)
{
	if (access("/sys/firmware/efi", F_OK) == 0)
		return -EOPNOTSUPP;
	return check_grub();
}

int kh_direct_ready(const struct kh_plan *p)
{
	/* boot.cfg's length does not depend on the ids: fixed-width hex. */
	static const uint8_t kernel_id[KHI_KERNEL_ID_SIZE], machine_id[KHI_MACHINE_ID_SIZE];
	char cfg[BOOT_CFG_MAX], *buf = NULL;
	size_t len;
	int err;

	if (p->config.encrypt != KHP_ENCRYPT_NONE)
		return -ENOKEY;
	err = check_machine();
	if (!err)
		err = load_kernel(p, &buf, &len);
	free(buf);
	if (!err) {
		int n = make_boot_cfg(p, kernel_id, machine_id, cfg);
		err = n < 0 ? n : 0;
	}
	if (!err)
		err = env_error(kh_grubenv_check(KH_GRUB_ENV, KH_DIRECT_VAR, "1"));
	return err;
}

int kh_direct_arm(const struct kh_plan *p, const struct khp_params *pa)
{
	int err;

	if (pa->flags & (KHP_F_KEY | KHP_F_PASSPHRASE))
		return -ENOKEY;
	err = check_machine();
	if (!err && mkdir(KH_DIRECT_DIR, 0755) < 0 && errno != EEXIST)
		err = -errno;
	if (!err)
		err = write_kernel(p);
	if (!err)
		err = write_initrd(p);
	if (!err)
		err = write_boot_cfg(p, pa);
	if (!err)
		err = env_error(kh_grubenv_set(KH_GRUB_ENV, KH_DIRECT_VAR, "1"));
	return err;
}

void kh_direct_disarm(void)
{
	(void)kh_grubenv_set(KH_GRUB_ENV, KH_DIRECT_VAR, NULL);
}

const char *kh_direct_strerror(int err)
{
	switch (err) {
	case -ENOKEY: return "the image is encrypted (the initramfs asks for the passphrase)";
	case -EOPNOTSUPP: return "this machine boots through UEFI, where GRUB does not load the "
		"helper kernel into its region";
	case -ENOENT: return KH_GRUB_CFG " has no direct-resume entry (run update-grub)";
	case -ENODATA: return "this boot has no khibernate.resume= on its command line (run "
		"khibernate setup, then reboot)";
	case -ENOMEDIUM: return "there is no " KH_GRUB_ENV " (run grub-editenv " KH_GRUB_ENV
		" create)";
	case -E2BIG: return "the memory map is too large for a kernel command line";
	case -ENOEXEC: return "the helper kernel is not a relocatable bzImage";
	case -EBADMSG: return KH_GRUB_ENV " is not a GRUB environment block";
	case -ENOSPC: return KH_GRUB_ENV " has no room left for the variable";
	case -EROFS: return KH_GRUB_ENV " is on a read-only file system";
	default: return strerror(-err);
	}
}
