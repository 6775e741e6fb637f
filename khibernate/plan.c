/* Preflight checks; see plan.h. */
#include <errno.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/cmdline.h"
#include "common/fileio.h"
#include "khibernate/plan.h"

#define MiB (1024.0 * 1024.0)
/* Room for the image's own metadata (headers, extent and chunk tables) beyond the pages. */
#define METADATA_MARGIN (16ull << 20)

static const char *const check_names[KH_CHECK_COUNT] = {
	[KH_CHECK_KERNEL] = "kernel", [KH_CHECK_REGION] = "region", [KH_CHECK_HELPER] = "helper",
	[KH_CHECK_SWAP] = "swap",
};

/* The outcome of check @id, under @name; a second outcome of the same check replaces the first. */
static void vcheck(struct kh_plan *p, enum kh_check_id id, const char *name, int error,
		   const char *fmt, va_list ap)
{
	struct kh_check *c = &p->checks[id];

	c->name = name;
	c->error = error;
	vsnprintf(c->msg, sizeof(c->msg), fmt, ap);
}

static void check(struct kh_plan *p, enum kh_check_id id, int error, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static void check(struct kh_plan *p, enum kh_check_id id, int error, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vcheck(p, id, check_names[id], error, fmt, ap);
	va_end(ap);
}

/* The kernel check goes by what it found wrong: root, lockdown, kexec jump. */
static void check_kernel_as(struct kh_plan *p, const char *name, int error, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static void check_kernel_as(struct kh_plan *p, const char *name, int error, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vcheck(p, KH_CHECK_KERNEL, name, error, fmt, ap);
	va_end(ap);
}

const struct kh_check *kh_plan_check(const struct kh_plan *p, enum kh_check_id id)
{
	return (unsigned)id < KH_CHECK_COUNT && p->checks[id].name ? &p->checks[id] : NULL;
}

/* What is wrong with running a kexec jump on Linux `release`, or NULL if nothing. */
static const char *release_problem(const char *release)
{
	switch (kj_release_check(release)) {
	case KJ_RELEASE_OK:
		return NULL;
	case KJ_RELEASE_OLD:
		return "older than " KJ_RELEASE_FIRST ", whose kexec jump does not restore the GDT "
		       "when the helper returns (the system crashes); use a 6.12 (" KJ_RELEASE_FIRST
		       " or later) or 6.13 kernel, e.g. your own: see 'Your own kernel' in the user guide";
	case KJ_RELEASE_NEW:
		return KJ_RELEASE_END " or newer, whose kexec jump hands over the re-entry point in "
		       "another way than khibernate's purgatory expects; use a 6.12 (" KJ_RELEASE_FIRST
		       " or later) or 6.13 kernel";
	default:
		return "not a release khibernate can place (MAJOR.MINOR...)";
	}
}

static void check_kernel(struct kh_plan *p)
{
	const char *bad;
	struct kj_status st;

	kj_probe(&st);
	bad = release_problem(st.release);
	p->root = st.root;
	p->kaslr = st.randomize_base == KJ_YES && !st.nokaslr;
	if (!st.root)
		check_kernel_as(p, "root", -EPERM, "khibernate must run as root");
	else if (st.lockdown[0] && strcmp(st.lockdown, "none"))
		check_kernel_as(p, "lockdown", -EPERM, "kernel lockdown is '%s': kexec_load(2) and /dev/snapshot "
		      "are forbidden (secure boot?); khibernate cannot work on this boot", st.lockdown);
	else if (st.kexec_jump == KJ_NO)
		check_kernel_as(p, "kexec jump", -EOPNOTSUPP, "this kernel was built without CONFIG_KEXEC_JUMP; "
		      "build it with kernel-patches/khibernate.config (%s says so; see 'Your own "
		      "kernel' in the user guide)", st.config_path);
	else if (bad)
		check(p, KH_CHECK_KERNEL, -EOPNOTSUPP, "Linux %s is %s", st.release, bad);
	else
		check(p, KH_CHECK_KERNEL, 0, "Linux %s, root, no lockdown, kexec jump %s%s", st.release,
		      st.kexec_jump == KJ_YES ? "supported" :
		      "probably supported (no /proc/config.gz or /boot/config-RELEASE)",
		      p->kaslr ? ", KASLR on" : "");
}

/* This boot's crashkernel= (the last: the one the kernel takes) into buf, or NULL. */
static const char *crashkernel_value(char *buf, size_t size)
{
	char *cmdline;
	size_t len;
	int r = kc_read_file("/proc/cmdline", KC_CMDLINE_MAX, &cmdline, &len);

	if (r == 0) {
		r = kc_cmdline_value(cmdline, "crashkernel=", buf, size);
		free(cmdline);
	}
	return r == 0 ? buf : NULL;
}

/* Whether this boot asked for a crash kernel region at all. */
static bool crashkernel_asked(void)
{
	char v[128];

	return crashkernel_value(v, sizeof(v)) != NULL;
}

/* Whether it asked for one at a fixed address (SIZE@OFFSET). */
static bool crashkernel_fixed(void)
{
	char v[128];

	return crashkernel_value(v, sizeof(v)) && strchr(v, '@');
}

static void check_region(struct kh_plan *p)
{
	int r = kj_layout_from_system(&p->layout);

	if (!r)
		r = kj_layout_check(&p->layout);
	if (r == -ENODATA && crashkernel_asked())
		check(p, KH_CHECK_REGION, r, "crashkernel= is on the kernel command line but no memory was "
		      "reserved (see dmesg)%s; run 'khibernate setup' and reboot", p->kaslr ?
		      ": with KASLR the kernel can land on a fixed crashkernel=SIZE@OFFSET, and setup "
		      "then asks for SIZE anywhere" : "");
	else if (r == -ENODATA)
		check(p, KH_CHECK_REGION, r, "no memory is reserved for the helper: run 'khibernate setup' "
		      "(it adds crashkernel=128M@0x10000000 and memmap=64K$0x80000, for the helper's "
		      "low memory, to the kernel command line) and reboot");
	else if (r < 0)
		check(p, KH_CHECK_REGION, r, "the reserved region cannot hold the helper: %s", strerror(-r));
	else if (!p->layout.hole.size) /* B would panic at boot, with A already frozen: lost */
		check(p, KH_CHECK_REGION, -ENODATA, "no low memory is reserved for the helper's real-mode "
		      "trampoline: run 'khibernate setup' (it adds memmap=64K$0x80000 to the kernel "
		      "command line) and reboot");
	else
		check(p, KH_CHECK_REGION, 0, "%.0f MiB at %#llx, low hole %#llx+%llu KiB%s",
		      p->layout.region.size / MiB, (unsigned long long)p->layout.region.start,
		      (unsigned long long)p->layout.hole.start,
		      (unsigned long long)p->layout.hole.size / 1024, p->kaslr && crashkernel_fixed() ?
		      " (KASLR with a fixed crashkernel=@ address: some boots will have no region; "
		      "khibernate setup writes one without)" : "");
}

/* The helper kernel runs the other half of every jump: it must follow the same convention. */
static void check_helper(struct kh_plan *p)
{
	const char *files[2] = { p->config.helper_kernel, p->config.helper_initrd }, *bad;
	struct kj_bzimage k;
	size_t size;
	char *buf;
	int r;

	for (unsigned i = 0; i < 2; i++)
		if (access(files[i], R_OK) < 0) {
			check(p, KH_CHECK_HELPER, -errno, "%s: %s (set helper_kernel/helper_initrd in %s)",
			      files[i], strerror(errno), KHP_CONFIG_PATH);
			return;
		}
	r = kj_bzimage_read(files[0], &buf, &size, &k);
	if (r < 0) {
		check(p, KH_CHECK_HELPER, r, "%s: %s", files[0], r == -ENOEXEC ? "not an x86 bzImage" :
		      r == -EPROTONOSUPPORT ? "too old, not 64-bit or not relocatable "
		      "(CONFIG_RELOCATABLE)" : strerror(-r));
		return;
	}
	free(buf);
	/* A bzImage without a version string does not say: the jump itself will tell. */
	bad = k.release[0] ? release_problem(k.release) : NULL;
	if (bad)
		check(p, KH_CHECK_HELPER, -EOPNOTSUPP, "%s: Linux %s is %s", files[0], k.release, bad);
	else
		check(p, KH_CHECK_HELPER, 0, "%s (Linux %s), %s", files[0], k.release[0] ? k.release : "?",
		      files[1]);
}

/* A's RAM as the image covers it, and what of it is in use now. */
static void measure_memory(struct kh_plan *p, bool layout_ok)
{
	unsigned long long total = 0, free_kb = 0;
	char line[128];
	FILE *f;

	p->ram_bytes = 0;
	for (unsigned i = 0; layout_ok && i < p->layout.nr_entries; i++)
		if (p->layout.entries[i].type == KJ_E820_RAM)
			p->ram_bytes += p->layout.entries[i].size;
	if (p->ram_bytes)
		p->ram_bytes -= p->layout.region.size;
	f = fopen("/proc/meminfo", "re");
	while (f && fgets(line, sizeof(line), f)) {
		sscanf(line, "MemTotal: %llu kB", &total);
		sscanf(line, "MemFree: %llu kB", &free_kb);
	}
	if (f)
		fclose(f);
	p->used_bytes = (total - free_kb) * 1024;
	/* No compression assumed, 5% for pages freed but not zero: an estimate that errs large. */
	p->estimate = p->used_bytes + p->used_bytes / 20 + METADATA_MARGIN;
	/* Without a usable layout A's RAM is unknown: the estimate is the bound we have. */
	p->worst_case = p->ram_bytes ? p->ram_bytes + METADATA_MARGIN : p->estimate;
	if (p->estimate > p->worst_case)
		p->estimate = p->worst_case;
}

/* Refuses a swap area on a device the helper kernel cannot open (swaptarget.h). */
static int check_stack(struct kh_plan *p, const char *path)
{
	static const char *const why[] = {
		[KH_STACK_DM_CRYPT] = "is encrypted (dm-crypt): the helper kernel has no key and opens "
			"disks by number; put swap on a plain partition and encrypt the image instead "
			"(encrypt = passphrase or keyfile:PATH)",
		[KH_STACK_LVM] = "is an LVM volume, which the helper kernel does not assemble: put swap "
			"on a plain partition, or a swap file on a filesystem on one",
		[KH_STACK_DM] = "is a device-mapper device, which the helper kernel does not set up: "
			"put swap on a plain partition",
		[KH_STACK_MD] = "is md RAID, which the helper kernel does not assemble: put swap on a "
			"plain partition",
		[KH_STACK_LOOP] = "is a loop device over a file the helper kernel cannot see: use a "
			"swap partition, or the swap file itself (not through a loop device)",
		[KH_STACK_ZRAM] = "is zram, compressed RAM: it does not survive the power-off; "
			"hibernation needs swap on a disk (zram can stay on beside it)",
		[KH_STACK_VIRTUAL] = "is a software device (/sys/devices/virtual) that the helper kernel "
			"cannot open: put swap on a plain disk partition",
	};
	enum kh_stack kind;
	char name[64];
	int r = kh_swap_stack("/sys", p->swap.dev, &kind, name, sizeof(name));

	if (r == 0 && kind == KH_STACK_DISK)
		return 0;
	if (r < 0)
		check(p, KH_CHECK_SWAP, r, "%s: %s is not in /sys/dev/block: %s", path, p->swap.dev_path,
		      strerror(-r));
	else
		check(p, KH_CHECK_SWAP, -EXDEV, "%s: %s (%s) %s", path, p->swap.dev_path, name, why[kind]);
	return -EXDEV;
}

static void check_swap(struct kh_plan *p)
{
	const char *path = p->config.swap;
	struct stat st;
	int r;

	if (!path[0]) {
		check(p, KH_CHECK_SWAP, -EINVAL, "no swap area configured: set swap = /dev/... in %s "
		      "or use --swap", KHP_CONFIG_PATH);
		return;
	}
	r = kh_swap_resolve(path, &p->swap);
	/* Filesystems under 512 MiB get 1 KiB blocks from mkfs.ext4: extents not page aligned. */
	if (r == -EUCLEAN && stat(path, &st) == 0 && st.st_blksize % KJ_PAGE_SIZE) {
		check(p, KH_CHECK_SWAP, r, "%s: the filesystem's blocks are %ld bytes, smaller than a page: "
		      "use a swap partition, or a file on a filesystem with 4096-byte blocks "
		      "(mkfs.ext4 -b 4096)", path, (long)st.st_blksize);
		return;
	}
	if (r == -EXDEV || r == -EUCLEAN) {
		check(p, KH_CHECK_SWAP, r, "%s: the filesystem may move this file's blocks (%s); use a swap "
		      "partition, or a file on ext4/xfs made with dd and mkswap", path,
		      r == -EXDEV ? "no block device of its own underneath: tmpfs, btrfs, ..." :
		      "holes, shared or encoded extents");
		return;
	}
	if (r < 0) {
		check(p, KH_CHECK_SWAP, r, "%s: %s", path, strerror(-r));
		return;
	}
	if (check_stack(p, path) < 0)
		return;
	r = kh_swap_read_header(&p->swap);
	if (r == -EEXIST)
		check(p, KH_CHECK_SWAP, r, "%s: a hibernation image is waiting in it; resume it by rebooting, or "
		      "drop it with 'khib-image discard %s'", path, p->swap.dev_path);
	else if (r == -EMEDIUMTYPE)
		check(p, KH_CHECK_SWAP, r, "%s: not a swap area (run mkswap?)", path);
	else if (r < 0)
		check(p, KH_CHECK_SWAP, r, "%s: %s", path, strerror(-r));
	if (r < 0)
		return;
	/* Only the kernel maps a swap file's slots through its extents: a file that is not on
	 * has no reservation, and its area is not contiguous on the disk as a partition's is. */
	if (p->swap.is_file && !p->swap.active) {
		check(p, KH_CHECK_SWAP, -ENODEV, "%s: this swap file is not on; turn it on first "
		      "(swapon %s): the image goes only into slots the kernel reserves in it", path, path);
		return;
	}
	p->swap_free = p->swap.size_bytes - p->swap.used_bytes;
	if (p->swap_free < p->estimate)
		check(p, KH_CHECK_SWAP, -ENOSPC, "%s: %.0f MiB free, the image may need %.0f MiB (%.0f MiB of "
		      "memory in use): add swap or free memory", path, p->swap_free / MiB,
		      p->estimate / MiB, p->used_bytes / MiB);
	else
		check(p, KH_CHECK_SWAP, 0, "%s%s on %s at %llu, %.0f MiB free (%s), image up to %.0f MiB", path,
		      p->swap.is_file ? " (file)" : "", p->swap.dev_path,
		      (unsigned long long)p->swap.header_offset, p->swap_free / MiB,
		      p->swap.active ? "in use" : "not on", p->estimate / MiB);
}

int kh_plan_make(const struct khp_config *c, struct kh_plan *p)
{
	memset(p, 0, sizeof(*p));
	p->config = *c;
	check_kernel(p);
	/* As another user, /proc/iomem shows zeros and swap areas cannot be opened: every later
	 * check would fail for that same reason, and say something else. */
	if (!p->root)
		return -EPERM;
	check_region(p);
	check_helper(p);
	measure_memory(p, !p->checks[KH_CHECK_REGION].error);
	check_swap(p);
	for (unsigned id = 0; id < KH_CHECK_COUNT; id++)
		if (p->checks[id].error)
			return p->checks[id].error;
	return 0;
}

uint64_t kh_plan_image_budget(const struct kh_plan *p)
{
	return p->swap_free < p->worst_case ? p->swap_free : p->worst_case;
}

uint64_t kh_plan_first_budget(const struct kh_plan *p)
{
	uint64_t first = p->config.reserve_mib ? (uint64_t)p->config.reserve_mib << 20 : p->estimate;
	uint64_t all = kh_plan_image_budget(p);

	return first < all ? first : all;
}
