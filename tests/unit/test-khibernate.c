/* Unit tests: khibernate's configuration, extent lists and swap-file offsets. */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <cmocka.h>

#include "common/cmdline.h"
#include "common/fileio.h"
#include "khibernate/bootargs.h"
#include "khibernate/grubenv.h"
#include "khibernate/helper-modules.h"
#include "khibernate/plan.h"
#include "khibernate/reserve.h"
#include "khibernate/steps.h"
#include "khibernate/swaptarget.h"
#include "protocol/config.h"

static const struct {
	const char *key, *value;
	int err;
} settings[] = {
	{ "swap", "/dev/vda1", 0 },
	{ "threads", "4", 0 },
	{ "threads", "65", -EINVAL },
	{ "threads", "", -EINVAL },
	{ "threads", "2x", -EINVAL },
	{ "threads", "-1", -EINVAL },
	{ "reserve", "99999999999", -EINVAL },
	{ "reserve", "-5", -EINVAL },
	{ "reserve", "512", 0 },
	{ "region", "auto", 0 },
	{ "region", "256M", 0 },
	{ "region", "256M@0x20000000", 0 },
	{ "region", "256M@0x20100000", -EINVAL },  /* not 16 MiB aligned */
	{ "region", "256M@", -EINVAL },
	{ "region", "big", -EINVAL },
	{ "compress", "lz4", 0 },
	{ "compress", "none", 0 },
	{ "compress", "lz4hc", 0 },
	{ "compress", "lz4hc:12", 0 },
	{ "compress", "lz4hc:13", -EINVAL },
	{ "compress", "lz4hc:", -EINVAL },
	{ "compress", "lz4:2", 0 },
	{ "compress", "lz4:65", -EINVAL },
	{ "compress", "zstd", -EINVAL },
	{ "encrypt", "passphrase", 0 },
	{ "encrypt", "keyfile:/etc/k", 0 },
	{ "encrypt", "keyfile:", -EINVAL },
	{ "encrypt", "rot13", -EINVAL },
	{ "kdf_passes_max", "65", -EINVAL },
	{ "kdf_passes_max", "8", 0 },
	{ "kdf_memory_max", "1025", -EINVAL },
	{ "kdf_memory_max", "128", 0 },
	{ "colour", "blue", -ENOENT },
};

static void test_config_set(void **state)
{
	struct khp_config c;

	(void)state;
	khp_config_init(&c);
	assert_int_equal(c.compression, KHI_COMPRESS_LZ4);
	assert_string_equal(c.helper_kernel, "/boot/khib/bzImage");
	assert_int_equal(c.kdf_passes_max, 6);
	assert_int_equal(c.kdf_memory_max_mib, 64);
	for (size_t i = 0; i < sizeof(settings) / sizeof(settings[0]); i++) {
		int r = khp_config_set(&c, settings[i].key, settings[i].value);
		if (r != settings[i].err)
			fail_msg("%s = %s: got %d, want %d", settings[i].key, settings[i].value, r,
				 settings[i].err);
	}
	assert_string_equal(c.swap, "/dev/vda1");
	assert_int_equal(c.threads, 4);
	assert_int_equal(c.reserve_mib, 512);
	assert_int_equal(c.encrypt, KHP_ENCRYPT_KEYFILE);
	assert_string_equal(c.keyfile, "/etc/k");
	assert_int_equal(c.kdf_passes_max, 8);
	assert_int_equal(c.kdf_memory_max_mib, 128);
}

static char *write_tmp(const char *text)
{
	static char path[] = "/tmp/khib-config-XXXXXX";
	int fd;

	strcpy(path, "/tmp/khib-config-XXXXXX");
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	return path;
}

/* The first reservation is the estimate (or `reserve`), never more than the image can take. */
static void test_first_budget(void **state)
{
	struct kh_plan p = { .estimate = 100 << 20, .worst_case = 900 << 20, .swap_free = 2000u << 20 };

	(void)state;
	khp_config_init(&p.config);
	assert_int_equal(kh_plan_image_budget(&p), 900 << 20);
	assert_int_equal(kh_plan_first_budget(&p), 100 << 20);
	p.config.reserve_mib = 40;
	assert_int_equal(kh_plan_first_budget(&p), 40 << 20);
	p.config.reserve_mib = 4000;
	assert_int_equal(kh_plan_first_budget(&p), 900 << 20);
	p.swap_free = 500 << 20;
	assert_int_equal(kh_plan_first_budget(&p), 500 << 20);
}

static void test_config_file(void **state)
{
	struct khp_config c;
	unsigned line = 0;
	char *path;

	(void)state;
	khp_config_init(&c);
	path = write_tmp("# khibernate\n\n  swap = /swapfile   # a file\ncompress=lz4hc:4\n"
			 "helper_cmdline = quiet loglevel=3\n");
	assert_int_equal(khp_config_load(&c, path, 1, &line), 0);
	assert_string_equal(c.swap, "/swapfile");
	assert_int_equal(c.compression, KHI_COMPRESS_LZ4HC);
	assert_int_equal(c.level, 4);
	assert_string_equal(c.helper_cmdline, "quiet loglevel=3");
	unlink(path);

	path = write_tmp("swap = /dev/sda2\nthreads = many\n");
	assert_int_equal(khp_config_load(&c, path, 1, &line), -EINVAL);
	assert_int_equal(line, 2);
	unlink(path);
	path = write_tmp("just words\n");
	assert_int_equal(khp_config_load(&c, path, 1, &line), -EINVAL);
	unlink(path);
	assert_int_equal(khp_config_load(&c, "/nonexistent/khib.conf", 0, &line), 0);
	assert_int_equal(khp_config_load(&c, "/nonexistent/khib.conf", 1, &line), -ENOENT);
}

static void test_extents_merge(void **state)
{
	/* Slots as the allocator hands them out: runs, a jump back, a gap. */
	static const uint64_t slots[] = { 8, 9, 10, 11, 40, 41, 3, 12, 13 };
	static const struct khi_extent want[] = {
		{ 8 * 4096, 4 * 4096 }, { 40 * 4096, 2 * 4096 }, { 3 * 4096, 4096 },
		{ 12 * 4096, 2 * 4096 },
	};
	struct khi_extent *list = NULL;
	size_t nr = 0, cap = 0;

	(void)state;
	for (size_t i = 0; i < sizeof(slots) / sizeof(slots[0]); i++)
		assert_int_equal(kh_extents_add(&list, &nr, &cap, slots[i] * 4096, 4096), 0);
	assert_int_equal(nr, 4);
	assert_memory_equal(list, want, sizeof(want));
	for (uint64_t i = 0; i < 1000; i++) /* growth past the first allocation */
		assert_int_equal(kh_extents_add(&list, &nr, &cap, (1000 + 2 * i) * 4096, 4096), 0);
	assert_int_equal(nr, 1004);
	free(list);
}

/* FIEMAP on a real file in the build tree: a file written with data maps to one or more
 * plain extents; a sparse file has a hole and must be refused. Skips where the filesystem
 * has no FIEMAP (tmpfs, overlayfs). */
static void test_swapfile_offset(void **state)
{
	char path[] = "build/khib-fiemap-XXXXXX";
	static char block[1 << 16];
	uint64_t off = 0;
	int fd, r;

	(void)state;
	fd = mkstemp(path);
	assert_true(fd >= 0);
	memset(block, 0x5a, sizeof(block));
	for (int i = 0; i < 16; i++)
		assert_int_equal(write(fd, block, sizeof(block)), (ssize_t)sizeof(block));
	fsync(fd);
	r = kh_swap_file_offset(fd, &off);
	if (r == -EXDEV) {
		close(fd);
		unlink(path);
		skip();
	}
	assert_int_equal(r, 0);
	assert_true(off > 0);
	assert_int_equal(off % 4096, 0);
	/* Punch a hole: the file can no longer be trusted as swap. */
	assert_int_equal(ftruncate(fd, 1 << 21), 0);
	assert_int_equal(kh_swap_file_offset(fd, &off), -EUCLEAN);
	close(fd);
	unlink(path);
}

/* What `khibernate config` prints reads back as the same settings. */
static void test_config_get_write(void **state)
{
	static const char *const keys[] = { "swap", "threads", "compress", "encrypt",
		"helper_kernel", "helper_initrd", "helper_cmdline", "reserve", "kdf_passes_max",
		"kdf_memory_max", "region" };
	struct khp_config c, d;
	char buf[512], *text = NULL, *path;
	size_t size = 0;
	unsigned line;
	FILE *f;

	(void)state;
	khp_config_init(&c);
	assert_int_equal(khp_config_get(&c, "compress", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "lz4");
	assert_int_equal(khp_config_get(&c, "encrypt", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "none");
	assert_int_equal(khp_config_get(&c, "helper_initrd", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "/boot/khib/helper.img");
	assert_int_equal(khp_config_get(&c, "colour", buf, sizeof(buf)), -ENOENT);
	assert_int_equal(khp_config_set(&c, "compress", "lz4hc:9"), 0);
	assert_int_equal(khp_config_set(&c, "encrypt", "keyfile:/etc/khibernate/key"), 0);
	assert_int_equal(khp_config_set(&c, "threads", "3"), 0);
	assert_int_equal(khp_config_set(&c, "helper_cmdline", "quiet a=b"), 0);
	assert_int_equal(khp_config_get(&c, "compress", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "lz4hc:9");
	assert_int_equal(khp_config_set(&c, "compress", "lz4:3"), 0);
	assert_int_equal(khp_config_get(&c, "compress", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "lz4:3");
	assert_int_equal(khp_config_set(&c, "compress", "lz4hc:9"), 0);
	assert_int_equal(khp_config_get(&c, "encrypt", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "keyfile:/etc/khibernate/key");
	assert_int_equal(khp_config_get(&c, "encrypt", buf, 8), -ENOBUFS);
	f = open_memstream(&text, &size);
	khp_config_write(&c, f);
	fclose(f);
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		snprintf(buf, sizeof(buf), "\n%s = ", keys[i]);
		if (!strstr(text, buf) && strncmp(text, buf + 1, strlen(buf + 1)))
			fail_msg("no line for %s in:\n%s", keys[i], text);
	}
	path = write_tmp(text);
	khp_config_init(&d);
	assert_int_equal(khp_config_load(&d, path, 1, &line), 0);
	assert_memory_equal(&c, &d, sizeof(c));
	unlink(path);
	free(text);
	/* A bad key file value keeps the previous setting. */
	assert_int_equal(khp_config_set(&c, "encrypt", "keyfile:"), -EINVAL);
	assert_int_equal(c.encrypt, KHP_ENCRYPT_KEYFILE);
}

static void write_file(const char *dir, const char *name, const char *text)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

/* A shell command; %s in fmt is arg. */
static void run(const char *fmt, const char *arg)
{
	char cmd[2048];

	snprintf(cmd, sizeof(cmd), fmt, arg);
	assert_int_equal(system(cmd), 0);
}

/* A virtio disk and an AHCI one as sysfs shows them: each level's modalias and driver. */
static void test_dev_module_needs(void **state)
{
	char root[] = "/tmp/khib-sysfs-XXXXXX";
	struct kh_names aliases = { 0 }, names = { 0 };

	(void)state;
	assert_non_null(mkdtemp(root));
	run("cd %s && mkdir -p sys/dev/block sys/module/virtio_pci sys/bus/pci/drivers/virtio-pci "
	    "sys/devices/pci0000:00/0000:00:04.0/virtio1/block/vda/vda1 "
	    "sys/devices/pci0000:00/0000:00:1f.2/ata1/host0/target0:0:0/0:0:0:0/block/sda/sda2 && "
	    "ln -s ../../devices/pci0000:00/0000:00:04.0/virtio1/block/vda/vda1 sys/dev/block/254:1 && "
	    "ln -s ../../devices/pci0000:00/0000:00:1f.2/ata1/host0/target0:0:0/0:0:0:0/block/sda/sda2 "
	    "sys/dev/block/8:2 && "
	    "ln -s ../../../../module/virtio_pci sys/bus/pci/drivers/virtio-pci/module && "
	    "ln -s ../../../bus/pci/drivers/virtio-pci sys/devices/pci0000:00/0000:00:04.0/driver && "
	    "echo virtio:d00000002v00001AF4 > sys/devices/pci0000:00/0000:00:04.0/virtio1/modalias && "
	    "echo pci:v00001AF4d00001001sv00001AF4sd00000002bc01sc00i00 > "
	    "sys/devices/pci0000:00/0000:00:04.0/modalias && "
	    "echo scsi:t-0x00 > sys/devices/pci0000:00/0000:00:1f.2/ata1/host0/target0:0:0/0:0:0:0/modalias && "
	    "echo pci:v00008086d00002922sv00001AF4sd00001100bc01sc06i01 > "
	    "sys/devices/pci0000:00/0000:00:1f.2/modalias", root);
	assert_int_equal(kh_dev_module_needs(root, 254, 1, &aliases, &names), 0);
	assert_int_equal(aliases.n, 2);
	assert_string_equal(aliases.v[0], "virtio:d00000002v00001AF4");
	assert_string_equal(aliases.v[1], "pci:v00001AF4d00001001sv00001AF4sd00000002bc01sc00i00");
	assert_int_equal(names.n, 1);
	assert_string_equal(names.v[0], "virtio_pci");
	kh_names_free(&aliases);
	kh_names_free(&names);
	assert_int_equal(kh_dev_module_needs(root, 8, 2, &aliases, &names), 0);
	assert_int_equal(aliases.n, 2);
	assert_string_equal(aliases.v[0], "scsi:t-0x00");
	assert_int_equal(names.n, 0);
	kh_names_free(&aliases);
	assert_int_equal(kh_dev_module_needs(root, 8, 3, &aliases, &names), -ENODEV);
	run("rm -rf %s", root);
}

/* Modules from a distribution-like tree: aliases and names to files, dependencies first,
 * softdeps before, built-ins skipped, each once. */
static void test_modules_resolve(void **state)
{
	static const char *const want[] = {
		"kernel/drivers/virtio/virtio.ko.xz", "kernel/drivers/virtio/virtio_ring.ko.xz",
		"kernel/drivers/block/virtio_blk.ko.xz", "kernel/drivers/virtio/virtio_pci_modern_dev.ko.xz",
		"kernel/drivers/virtio/virtio_pci_legacy_dev.ko.xz", "kernel/drivers/virtio/virtio_pci.ko.xz",
		"kernel/lib/crc32c_generic.ko.zst", "kernel/drivers/scsi/scsi_common.ko",
		"kernel/drivers/scsi/scsi_mod.ko", "kernel/drivers/scsi/sd_mod.ko.gz",
	};
	char dir[] = "/tmp/khib-moddir-XXXXXX";
	struct kh_names aliases = { 0 }, names = { 0 }, paths = { 0 };

	(void)state;
	assert_non_null(mkdtemp(dir));
	write_file(dir, "modules.dep",
		   "kernel/drivers/virtio/virtio.ko.xz:\n"
		   "kernel/drivers/virtio/virtio_ring.ko.xz: kernel/drivers/virtio/virtio.ko.xz\n"
		   "kernel/drivers/block/virtio_blk.ko.xz: kernel/drivers/virtio/virtio_ring.ko.xz "
		   "kernel/drivers/virtio/virtio.ko.xz\n"
		   "kernel/drivers/virtio/virtio_pci.ko.xz: kernel/drivers/virtio/virtio_pci_modern_dev.ko.xz "
		   "kernel/drivers/virtio/virtio_pci_legacy_dev.ko.xz kernel/drivers/virtio/virtio_ring.ko.xz "
		   "kernel/drivers/virtio/virtio.ko.xz\n"
		   "kernel/drivers/virtio/virtio_pci_modern_dev.ko.xz:\n"
		   "kernel/drivers/virtio/virtio_pci_legacy_dev.ko.xz:\n"
		   "kernel/drivers/scsi/sd_mod.ko.gz: kernel/drivers/scsi/scsi_mod.ko "
		   "kernel/drivers/scsi/scsi_common.ko\n"
		   "kernel/drivers/scsi/scsi_mod.ko: kernel/drivers/scsi/scsi_common.ko\n"
		   "kernel/drivers/scsi/scsi_common.ko:\n"
		   "kernel/lib/crc32c_generic.ko.zst:\n"
		   "kernel/drivers/net/e1000.ko.xz:\n");
	write_file(dir, "modules.alias",
		   "# Aliases extracted from modules themselves.\n"
		   "alias virtio:d00000002v* virtio_blk\n"
		   "alias pci:v00001AF4d*sv*sd*bc*sc*i* virtio_pci\n"
		   "alias scsi:t-0x00* sd_mod\n"
		   "alias pci:v00008086d00002922sv*sd*bc*sc*i* ahci\n"
		   "alias pci:v00008086d0000100Esv*sd*bc*sc*i* e1000\n");
	write_file(dir, "modules.softdep", "# Soft dependencies.\nsoftdep sd_mod pre: crc32c-generic post: t10_pi\n");
	assert_int_equal(kh_names_add(&aliases, "virtio:d00000002v00001AF4"), 0);
	assert_int_equal(kh_names_add(&aliases, "pci:v00001AF4d00001001sv00001AF4sd00000002bc01sc00i00"), 0);
	assert_int_equal(kh_names_add(&aliases, "scsi:t-0x00"), 0);
	assert_int_equal(kh_names_add(&aliases, "pci:v00008086d00002922sv00001AF4sd00001100bc01sc06i01"), 0);
	assert_int_equal(kh_names_add(&names, "virtio-pci"), 0);   /* bound, and already wanted */
	assert_int_equal(kh_names_add(&names, "built_in_thing"), 0);
	assert_int_equal(kh_modules_resolve(dir, &aliases, &names, &paths), 0);
	for (size_t i = 0; i < paths.n; i++)
		print_message("  %s\n", paths.v[i]);
	assert_int_equal(paths.n, sizeof(want) / sizeof(want[0]));
	for (size_t i = 0; i < paths.n; i++)
		assert_string_equal(paths.v[i], want[i]);
	kh_names_free(&paths);
	/* A cycle is refused rather than looped over. */
	write_file(dir, "modules.dep", "a.ko: b.ko\nb.ko: a.ko\n");
	kh_names_free(&aliases);
	assert_int_equal(kh_names_add(&names, "a"), 0);
	assert_int_equal(kh_modules_resolve(dir, &aliases, &names, &paths), -ELOOP);
	kh_names_free(&paths);
	kh_names_free(&names);
	run("rm -rf %s", dir);
	assert_int_equal(kh_modules_resolve(dir, &aliases, &names, &paths), -ENOENT);
}

static void test_module_name(void **state)
{
	static const char *const cases[][2] = {
		{ "kernel/drivers/block/virtio_blk.ko.xz", "virtio_blk" },
		{ "virtio-pci", "virtio_pci" }, { "a/b/crc32c-generic.ko.zst", "crc32c_generic" },
		{ "nvme.ko", "nvme" }, { "", "" },
	};
	char buf[64];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		kh_module_name(cases[i][0], buf, sizeof(buf));
		assert_string_equal(buf, cases[i][1]);
	}
}

/* A simulated sysfs: SYS/dev/block/MAJ:MIN links into SYS/devices/..., as the kernel lays it
 * out, with the files the classifier reads: each device's directory, a file the kernel puts
 * there, its number. */
static const struct {
	const char *dir, *file, *text, *majmin;
} devices[] = {
	{ "devices/pci0000:00/0000:00:02.0/virtio1/block/vda/vda1", "partition", "1\n", "254:1" },
	{ "devices/pci0000:00/0000:00:04.0/nvme/nvme0/nvme0n1", NULL, NULL, "259:0" },
	{ "devices/virtual/block/dm-0", "dm/uuid", "CRYPT-LUKS2-0123456789abcdef-swap\n", "253:0" },
	{ "devices/virtual/block/dm-1", "dm/uuid", "LVM-abcdefABCDEF\n", "253:1" },
	{ "devices/virtual/block/dm-2", "dm/uuid", "", "253:2" },
	{ "devices/virtual/block/md0", "md/level", "raid1\n", "9:0" },
	{ "devices/virtual/block/md0/md0p1", "partition", "1\n", "259:5" },
	{ "devices/virtual/block/loop0", "loop/backing_file", "/tmp/x\n", "7:0" },
	{ "devices/virtual/block/zram0", NULL, NULL, "252:0" },
	{ "devices/virtual/block/nbd0", NULL, NULL, "43:0" },
};

static void test_swap_stack(void **state)
{
	static const struct {
		unsigned major, minor;
		enum kh_stack want;
		const char *name;
	} cases[] = {
		{ 254, 1, KH_STACK_DISK, "vda1" },       /* virtio partition */
		{ 259, 0, KH_STACK_DISK, "nvme0n1" },    /* NVMe disk */
		{ 253, 0, KH_STACK_DM_CRYPT, "dm-0" },   /* cryptsetup open */
		{ 253, 1, KH_STACK_LVM, "dm-1" },        /* lvcreate */
		{ 253, 2, KH_STACK_DM, "dm-2" },         /* dmsetup create, no uuid */
		{ 9, 0, KH_STACK_MD, "md0" },
		{ 259, 5, KH_STACK_MD, "md0p1" },        /* a partition of md RAID */
		{ 7, 0, KH_STACK_LOOP, "loop0" },
		{ 252, 0, KH_STACK_ZRAM, "zram0" },
		{ 43, 0, KH_STACK_VIRTUAL, "nbd0" },
	};
	char root[] = "/tmp/test-sysfs-XXXXXX", dir[256], link[256];
	enum kh_stack kind;
	char name[64];

	(void)state;
	assert_non_null(mkdtemp(root));
	run("mkdir -p '%s/dev/block'", root);
	for (size_t i = 0; i < sizeof(devices) / sizeof(devices[0]); i++) {
		snprintf(dir, sizeof(dir), "%s/%s", root, devices[i].dir);
		run("mkdir -p '%s'", dir);
		if (devices[i].file) {
			char sub[320];
			snprintf(sub, sizeof(sub), "%s/%s", dir, devices[i].file);
			*strrchr(sub, '/') = 0;
			run("mkdir -p '%s'", sub);          /* dm/, md/, loop/ */
			write_file(dir, devices[i].file, devices[i].text);
		}
		snprintf(link, sizeof(link), "%s/dev/block/%s", root, devices[i].majmin);
		snprintf(dir, sizeof(dir), "../../%s", devices[i].dir);
		assert_int_equal(symlink(dir, link), 0);
	}
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		print_message("case: %u:%u %s\n", cases[i].major, cases[i].minor, cases[i].name);
		assert_int_equal(kh_swap_stack(root, makedev(cases[i].major, cases[i].minor), &kind,
					       name, sizeof(name)), 0);
		assert_int_equal(kind, cases[i].want);
		assert_string_equal(name, cases[i].name);
	}
	assert_int_equal(kh_swap_stack(root, makedev(8, 0), &kind, name, sizeof(name)), -ENODEV);
	run("rm -rf '%s'", root);
}

static void test_size_parse(void **state)
{
	static const struct { const char *s; int err; uint64_t want; } cases[] = {
		{ "128M", 0, 128ull << 20 }, { "1G", 0, 1ull << 30 }, { "64k", 0, 65536 },
		{ "0x10000000", 0, 0x10000000 }, { "4096", 0, 4096 }, { "0", -EINVAL, 0 },
		{ "", -EINVAL, 0 }, { "M", -EINVAL, 0 }, { "12MB", -EINVAL, 0 }, { "-1M", -EINVAL, 0 },
		{ "99999999999999999999", -ERANGE, 0 }, { "17179869184G", -ERANGE, 0 },
	};
	uint64_t v;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		print_message("case: '%s'\n", cases[i].s);
		assert_int_equal(khp_size_parse(cases[i].s, &v), cases[i].err);
		if (!cases[i].err)
			assert_int_equal(v, cases[i].want);
	}
}

/* A 3 GiB machine, the kernel at 16 MiB (48 MiB of image). */
static const struct kj_range ram3g[] = {
	{ 0x1000, 0x9e000 }, { 0x100000, 0xbfee0000 }, { 0x100000000, 0x40000000 },
};

static void test_region_choose(void **state)
{
	static const struct kj_range small[] = { { 0x100000, 0x13f00000 } };
	static const struct {
		const char *what, *setting;
		const struct kj_range *ram;
		unsigned nr_ram;
		bool kaslr;
		int err;
		const char *want;
	} cases[] = {
		{ "default fits", "", ram3g, 3, false, 0, "128M@0x10000000" },
		{ "auto is the default", "auto", ram3g, 3, false, 0, "128M@0x10000000" },
		{ "KASLR: anywhere", "", ram3g, 3, true, 0, "128M" },
		{ "320 MiB of RAM: anywhere", "", small, 1, false, 0, "128M" },
		{ "a size: anywhere", "256M", ram3g, 3, false, 0, "256M" },
		{ "configured, fits", "256M@0x20000000", ram3g, 3, true, 0, "256M@0x20000000" },
		{ "configured over the kernel", "128M@0x1000000", ram3g, 3, false, -ERANGE, NULL },
		{ "configured across 4 GiB", "256M@0xf0000000", ram3g, 3, false, -ERANGE, NULL },
		{ "configured in the PCI hole", "128M@0xc0000000", ram3g, 3, false, -ERANGE, NULL },
		{ "not a setting", "lots", ram3g, 3, false, -EINVAL, NULL },
	};
	char buf[64];
	const char *why;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct kh_machine m = { .ram = cases[i].ram, .nr_ram = cases[i].nr_ram,
					.kernel = { 0x1000000, 48u << 20 }, .kaslr = cases[i].kaslr };
		print_message("case: %s\n", cases[i].what);
		assert_int_equal(kh_region_choose(cases[i].setting, &m, buf, sizeof(buf), &why),
				 cases[i].err);
		if (!cases[i].err)
			assert_string_equal(buf, cases[i].want);
		assert_non_null(why);
	}
	assert_int_equal(kh_region_choose("", &(struct kh_machine){ .ram = ram3g, .nr_ram = 3 },
					  buf, 8, &why), -ENOBUFS);
}

/* The two escapes: for grub.cfg (GRUB's lexer), then for the shell's double quotes. */
static void test_grub_quote(void **state)
{
	static const struct { const char *word, *cfg, *file; } cases[] = {
		{ "memmap=64K$0x80000", "memmap=64K\\$0x80000", "memmap=64K\\\\\\$0x80000" },
		{ "crashkernel=128M@0x10000000", "crashkernel=128M@0x10000000",
		  "crashkernel=128M@0x10000000" },
		{ "khibernate.resume=UUID=0a1b2c3d-0000-4000-8000-00000000abcd",
		  "khibernate.resume=UUID=0a1b2c3d-0000-4000-8000-00000000abcd",
		  "khibernate.resume=UUID=0a1b2c3d-0000-4000-8000-00000000abcd" },
		{ "a b\"c`d;e", "a\\ b\\\"c\\`d\\;e", "a\\\\ b\\\\\\\"c\\\\\\`d\\\\;e" },
	};
	char buf[256];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		print_message("case: %s\n", cases[i].word);
		assert_int_equal(kh_grub_cfg_word(cases[i].word, buf, sizeof(buf)), 0);
		assert_string_equal(buf, cases[i].cfg);
		assert_int_equal(kh_grub_quote(cases[i].word, buf, sizeof(buf)), 0);
		assert_string_equal(buf, cases[i].file);
	}
	assert_int_equal(kh_grub_quote("memmap=64K$0x80000", buf, 20), -ENOBUFS);
}

/* A file of size bytes: text, then '#' to the end (as grub-editenv pads). */
static void write_env(const char *path, const char *text, size_t size)
{
	char buf[1024];
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	memset(buf, '#', size);
	memcpy(buf, text, strlen(text));
	assert_int_equal(fwrite(buf, 1, size, f), size);
	fclose(f);
}

static void assert_env(const char *path, const char *text, size_t size)
{
	char *buf;
	size_t len;

	assert_int_equal(kc_read_file(path, 4096, &buf, &len), 0);
	assert_int_equal(len, size);
	assert_memory_equal(buf, text, strlen(text));
	for (size_t i = strlen(text); i < len; i++)
		assert_int_equal(buf[i], '#');
	free(buf);
}

/* GRUB's environment block, edited in place as GRUB's save_env does. */
static void test_grubenv(void **state)
{
	static const char sig[] = "# GRUB Environment Block\n";
	static const char warning[] = "# WARNING: Do not edit this file by tools other than grub-editenv!!!";
	char dir[] = "/tmp/khib-grubenv-XXXXXX", path[64], text[256];

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/grubenv", dir);

	write_env(path, "# GRUB Environment Block\nsaved_entry=0\n", 1024);
	assert_int_equal(kh_grubenv_set(path, "khibernate_resume", "1"), 0);
	assert_env(path, "# GRUB Environment Block\nsaved_entry=0\nkhibernate_resume=1\n", 1024);
	assert_int_equal(kh_grubenv_set(path, "khibernate_resume", "1"), 0);   /* no change */
	assert_env(path, "# GRUB Environment Block\nsaved_entry=0\nkhibernate_resume=1\n", 1024);
	/* GRUB clears it as "khibernate_resume=" (save_env of an empty value). */
	write_env(path, "# GRUB Environment Block\nkhibernate_resume=\nnext_entry=\n", 1024);
	assert_int_equal(kh_grubenv_set(path, "khibernate_resume", NULL), 0);
	assert_env(path, "# GRUB Environment Block\nnext_entry=\n", 1024);

	/* grub-editenv (2.04 and later) creates the block with a comment line after the
	 * signature: the variables after it are GRUB's too, kept, and ours goes last. A comment
	 * anywhere stays where it is, also one that looks like our variable. */
	snprintf(text, sizeof(text), "%s%s\nsaved_entry=0\n", sig, warning);
	write_env(path, text, 1024);
	assert_int_equal(kh_grubenv_set(path, "khibernate_resume", "1"), 0);
	snprintf(text, sizeof(text), "%s%s\nsaved_entry=0\nkhibernate_resume=1\n", sig, warning);
	assert_env(path, text, 1024);
	assert_int_equal(kh_grubenv_set(path, "khibernate_resume", NULL), 0);
	snprintf(text, sizeof(text), "%s%s\nsaved_entry=0\n", sig, warning);
	assert_env(path, text, 1024);
	snprintf(text, sizeof(text), "%sa=1\n# note\n#khibernate_resume=1\nkhibernate_resume=1\nb=2\n", sig);
	write_env(path, text, 1024);
	assert_int_equal(kh_grubenv_set(path, "khibernate_resume", NULL), 0);
	snprintf(text, sizeof(text), "%sa=1\n# note\n#khibernate_resume=1\nb=2\n", sig);
	assert_env(path, text, 1024);

	/* A value with an escaped newline holding our name is another variable's: kept. A
	 * variable whose name only starts with ours, too. */
	snprintf(text, sizeof(text), "%sa=x\\\nkhibernate_resume=1\nkhibernate_resume2=y\n"
		 "khibernate_resume=1\n", sig);
	write_env(path, text, 1024);
	assert_int_equal(kh_grubenv_set(path, "khibernate_resume", NULL), 0);
	snprintf(text, sizeof(text), "%sa=x\\\nkhibernate_resume=1\nkhibernate_resume2=y\n", sig);
	assert_env(path, text, 1024);

	/* Refused, the file unchanged: no signature, a line without '=', no room. */
	write_env(path, "# not GRUB's\n", 1024);
	assert_int_equal(kh_grubenv_set(path, "khibernate_resume", "1"), -EBADMSG);
	assert_env(path, "# not GRUB's\n", 1024);
	snprintf(text, sizeof(text), "%sjunk\n", sig);
	write_env(path, text, 1024);
	assert_int_equal(kh_grubenv_set(path, "khibernate_resume", "1"), -EBADMSG);
	write_env(path, sig, 40);
	assert_int_equal(kh_grubenv_set(path, "khibernate_resume", "1"), -ENOSPC);
	assert_env(path, sig, 40);

	/* The check (khibernate status) says what the edit would, and writes nothing. */
	assert_int_equal(kh_grubenv_check(path, "khibernate_resume", "1"), -ENOSPC);
	write_env(path, "# GRUB Environment Block\nsaved_entry=0\n", 1024);
	assert_int_equal(kh_grubenv_check(path, "khibernate_resume", "1"), 0);
	assert_env(path, "# GRUB Environment Block\nsaved_entry=0\n", 1024);
	write_env(path, "# not GRUB's\n", 1024);
	assert_int_equal(kh_grubenv_check(path, "khibernate_resume", "1"), -EBADMSG);
	unlink(path);
	assert_int_equal(kh_grubenv_check(path, "khibernate_resume", "1"), -ENOENT);
	assert_int_equal(kh_grubenv_set(path, "khibernate_resume", "1"), -ENOENT);
	rmdir(dir);
}

static void test_grub_file(void **state)
{
	static const char *const words[] = { "crashkernel=128M@0x10000000", "memmap=64K$0x80000",
		"khibernate.resume=UUID=0a1b2c3d-0000-4000-8000-00000000abcd" };
	char buf[4096], small[200];

	(void)state;
	assert_int_equal(kh_grub_file(words, 3, buf, sizeof(buf)), 0);
	assert_non_null(strstr(buf, "\nGRUB_CMDLINE_LINUX=\"$GRUB_CMDLINE_LINUX "
		"crashkernel=128M@0x10000000 memmap=64K\\\\\\$0x80000 "
		"khibernate.resume=UUID=0a1b2c3d-0000-4000-8000-00000000abcd\"\n"));
	assert_int_equal(buf[strlen(buf) - 1], '\n');
	assert_int_equal(kh_grub_file(words, 3, small, sizeof(small)), -ENOBUFS);
}

static void test_uuid_and_cmdline(void **state)
{
	static const uint8_t uuid[16] = { 0x0a, 0x1b, 0x2c, 0x3d, 0, 0, 0x40, 0, 0x80, 0,
					  0, 0, 0, 0, 0xab, 0xcd };
	static const char cmdline[] = "BOOT_IMAGE=/vmlinuz crashkernel=128M@0x10000000 "
		"memmap=64K$0x80000 quiet\n";
	char out[37];

	(void)state;
	kh_uuid_format(uuid, out);
	assert_string_equal(out, "0a1b2c3d-0000-4000-8000-00000000abcd");
	assert_true(kc_cmdline_flag(cmdline, "memmap=64K$0x80000"));  /* what setup compares */
	assert_true(kc_cmdline_flag(cmdline, "crashkernel=128M@0x10000000"));
	assert_false(kc_cmdline_flag(cmdline, "crashkernel=128M"));
}

/* Each step's errors in words, decoded with the strerror of the library the step ran: the
 * same number says something else from each (issue 18). */
static void test_step_errors(void **state)
{
	static const struct {
		enum kh_step step;
		int err;
		const char *msg;
	} cases[] = {
		{ KH_STEP_RESERVE, -ENOSPC, "not enough free swap" },
		{ KH_STEP_RESERVE, -EBUSY, "/dev/snapshot is in use (is another hibernation running?)" },
		{ KH_STEP_GROW, -EPERM, "the swap area is held by another hibernation, or lockdown is on" },
		{ KH_STEP_LOAD, -EMSGSIZE, "the helper's parameters cannot be encoded (too many swap "
		  "extents)" },
		{ KH_STEP_PARAMS, -ENODATA, "not there: no status record from the helper, no build-id "
		  "note or machine id" },
		{ KH_STEP_LOAD, -ENOSPC, "the reserved region is too small for the helper (see above)" },
		{ KH_STEP_LOAD, -ENOEXEC, "not an x86 bzImage" },
		{ KH_STEP_LOAD, -EPERM, "kexec_load(2) not allowed: not root, or kernel lockdown "
		  "(secure boot)" },
		{ KH_STEP_LOAD, -EINVAL, "the kernel refused the kexec image (built without "
		  "CONFIG_KEXEC_JUMP?), or a layout that cannot confine the helper" },
		{ KH_STEP_JUMP, -EINVAL, "the kernel refused the kexec image (built without "
		  "CONFIG_KEXEC_JUMP?), or a layout that cannot confine the helper" },
		{ KH_STEP_REPORT, -ENODATA, "not there: no status record from the helper, no build-id "
		  "note or machine id" },
		{ KH_STEP_REPORT, -EBADMSG, "a malformed record (magic, size, checksum or field)" },
		{ KH_STEP_SAVE, -ENOSPC, "not enough swap space for the image" },
		{ KH_STEP_SAVE, -ENODEV, "the disk the helper kernel found under the swap area's device "
		  "number is another one (its UUID differs)" },
		{ KH_STEP_SAVE, -EIO, "Input/output error" },
		{ KH_STEP_VERIFY, -EBADMSG, "corrupt image (checksum, tag or field mismatch)" },
		{ KH_STEP_STATUS_PAGE, -ENOMEM, "Cannot allocate memory" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		assert_string_equal(kh_step_error(cases[i].step, cases[i].err), cases[i].msg);
	assert_string_equal(kh_step_name(KH_STEP_LOAD), "loading the helper kernel");
	assert_string_equal(kh_step_name(KH_STEP_SAVE), "the helper could not save memory");
	for (unsigned st = 0; st < KH_STEP_COUNT; st++)
		assert_true(kh_step_name(st)[0] && strcmp(kh_step_name(st), "?"));
}

/* The preflight's outcomes are found by id, never by position (issue 18: plan.c took
 * checks[1] for the region), and only the checks that ran are there. */
static void test_plan_checks(void **state)
{
	static struct kh_plan p;

	(void)state;
	memset(&p, 0, sizeof(p));
	for (unsigned id = 0; id < KH_CHECK_COUNT; id++)
		assert_null(kh_plan_check(&p, id));
	assert_null(kh_plan_check(&p, KH_CHECK_COUNT));
	p.checks[KH_CHECK_SWAP] = (struct kh_check){ .name = "swap", .error = -ENOSPC };
	assert_int_equal(kh_plan_check(&p, KH_CHECK_SWAP)->error, -ENOSPC);
	assert_null(kh_plan_check(&p, KH_CHECK_REGION));
}

/* The resume words: what setup writes is what status shows (issue 18: status said the
 * device path while setup wrote UUID=). */
static void test_resume_words(void **state)
{
	static const uint8_t uuid[16] = { 0x8a, 0x6f, 0x0b, 0x7e, 0x1d, 0x2c, 0x4e, 0x3b,
					  0x9a, 0x10, 0x55, 0x66, 0x77, 0x88, 0x99, 0xaa };
	static const uint8_t none[16];
	char w[2][KH_WORD_MAX];

	(void)state;
	assert_int_equal(kh_resume_words(uuid, "/dev/vda1", 0, w), 1);
	assert_string_equal(w[0], "khibernate.resume=UUID=8a6f0b7e-1d2c-4e3b-9a10-5566778899aa");
	assert_int_equal(kh_resume_words(none, "/dev/vda1", 0, w), 1);
	assert_string_equal(w[0], "khibernate.resume=/dev/vda1");
	assert_int_equal(kh_resume_words(uuid, "/dev/vda2", 34816 * 4096ull, w), 2);
	assert_string_equal(w[1], "khibernate.resume_offset=34816");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_swap_stack),
		cmocka_unit_test(test_step_errors),
		cmocka_unit_test(test_plan_checks),
		cmocka_unit_test(test_resume_words),
		cmocka_unit_test(test_config_set),
		cmocka_unit_test(test_first_budget),
		cmocka_unit_test(test_config_file),
		cmocka_unit_test(test_config_get_write),
		cmocka_unit_test(test_dev_module_needs),
		cmocka_unit_test(test_modules_resolve),
		cmocka_unit_test(test_module_name),
		cmocka_unit_test(test_extents_merge),
		cmocka_unit_test(test_swapfile_offset),
		cmocka_unit_test(test_size_parse),
		cmocka_unit_test(test_region_choose),
		cmocka_unit_test(test_grub_quote),
		cmocka_unit_test(test_grub_file),
		cmocka_unit_test(test_grubenv),
		cmocka_unit_test(test_uuid_and_cmdline),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
