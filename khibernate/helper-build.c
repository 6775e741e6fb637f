/* khibernate helper build: the helper's kernel and initramfs, as a product; see commands.h.
 *
 * Decides what goes in (the kernel for B, its release, the modules B needs for the swap
 * device: helper-modules.h) and where (helper_kernel and helper_initrd of the configuration,
 * or --output-dir), says so, and runs $(LIBDIR)/khibernate/mkhelper, which checks the
 * kernel's CONFIG_KEXEC_JUMP, packs the archive and installs both files.
 */
#include <errno.h>
#include <getopt.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/exit.h"
#include "common/fileio.h"
#include "khibernate/commands.h"
#include "khibernate/helper-modules.h"
#include "khibernate/swaptarget.h"
#include "kjump/kjump.h"

#ifndef KH_PKGLIBDIR
#define KH_PKGLIBDIR "/usr/local/lib/khibernate"
#endif

static const char usage_text[] =
"usage: khibernate helper build [OPTIONS]\n"
"Builds the helper: copies a kernel for it to helper_kernel and writes its initramfs to\n"
"helper_initrd (" KHP_CONFIG_PATH "): khib-helper as /init, and the kernel modules the\n"
"helper kernel needs to reach the swap device. The kernel must have CONFIG_KEXEC_JUMP.\n"
"\n"
"  -c, --config FILE        configuration file\n"
"      --kernel FILE        the helper's kernel (default /boot/vmlinuz-VER)\n"
"      --kver VER           its release (default: read from FILE, or this kernel's)\n"
"      --moddir DIR         its modules (default /lib/modules/VER)\n"
"      --output-dir DIR     write both files to DIR instead\n"
"      --dry-run            say what would be done; change nothing\n"
"  -h, --help               this text\n"
"\n"
"KHIB_LIBDIR names the directory of mkhelper and khib-helper (default " KH_PKGLIBDIR ").\n";

struct build {
	struct khp_config config;
	const char *config_path, *kernel, *kver, *moddir, *outdir;
	bool dry_run;
	char kernel_buf[PATH_MAX], kver_buf[65], moddir_buf[PATH_MAX];
	char kernel_out[PATH_MAX], initrd_out[PATH_MAX];
	struct kh_names modules;
};

static int parse(int argc, char **argv, struct build *b)
{
	enum { O_KERNEL = 256, O_KVER, O_MODDIR, O_OUTDIR, O_DRY };
	static const struct option opts[] = {
		{ "config", 1, NULL, 'c' }, { "kernel", 1, NULL, O_KERNEL }, { "kver", 1, NULL, O_KVER },
		{ "moddir", 1, NULL, O_MODDIR }, { "output-dir", 1, NULL, O_OUTDIR },
		{ "dry-run", 0, NULL, O_DRY }, { "help", 0, NULL, 'h' }, { 0 },
	};
	int opt;

	if (argc < 2 || strcmp(argv[1], "build")) {
		fputs(usage_text, stderr);
		return KC_EXIT_USAGE;
	}
	argc--, argv++;
	while ((opt = getopt_long(argc, argv, "c:h", opts, NULL)) != -1) {
		switch (opt) {
		case 'c': b->config_path = optarg; break;
		case O_KERNEL: b->kernel = optarg; break;
		case O_KVER: b->kver = optarg; break;
		case O_MODDIR: b->moddir = optarg; break;
		case O_OUTDIR: b->outdir = optarg; break;
		case O_DRY: b->dry_run = true; break;
		case 'h': fputs(usage_text, stdout); exit(KC_EXIT_OK);
		default: fputs(usage_text, stderr); return KC_EXIT_USAGE;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "khibernate: helper build: unexpected argument '%s'\n", argv[optind]);
		return KC_EXIT_USAGE;
	}
	return kh_load_config(b->config_path, &b->config);
}

/* The kernel file and its release, from the options, the file, or the running kernel. */
static int choose_kernel(struct build *b)
{
	struct kj_bzimage k;
	struct utsname u;
	char *buf;
	size_t len;
	int err;

	if (!b->kernel) {
		if (!b->kver && uname(&u) == 0)
			snprintf(b->kver_buf, sizeof(b->kver_buf), "%s", u.release);
		snprintf(b->kernel_buf, sizeof(b->kernel_buf), "/boot/vmlinuz-%s",
			 b->kver ?: b->kver_buf);
		b->kernel = b->kernel_buf;
	}
	err = kc_read_file(b->kernel, 512u << 20, &buf, &len);
	if (!err) {
		err = kj_bzimage_parse(buf, len, &k);
		free(buf);
	}
	if (err) {
		fprintf(stderr, "khibernate: helper build: %s: %s\n", b->kernel, err == -ENOEXEC ?
			"not an x86 bzImage" : err == -EPROTONOSUPPORT ? "too old, not 64-bit or not "
			"relocatable (kexec needs CONFIG_RELOCATABLE)" : err == -EBADMSG ?
			"truncated or corrupt bzImage" : strerror(-err));
		return KC_EXIT_FAILURE;
	}
	if (!b->kver && k.release[0])
		snprintf(b->kver_buf, sizeof(b->kver_buf), "%s", k.release);
	b->kver = b->kver ?: b->kver_buf;
	if (!b->kver[0]) {
		fprintf(stderr, "khibernate: helper build: %s does not say its release: give --kver\n",
			b->kernel);
		return KC_EXIT_USAGE;
	}
	if (!b->moddir) {
		snprintf(b->moddir_buf, sizeof(b->moddir_buf), "/lib/modules/%s", b->kver);
		b->moddir = b->moddir_buf;
	}
	return 0;
}

static int place(char *out, size_t size, const char *dir, const char *configured)
{
	char copy[KHP_CONFIG_STR];
	int n;

	snprintf(copy, sizeof(copy), "%s", configured);
	n = dir ? snprintf(out, size, "%s/%s", dir, basename(copy)) : snprintf(out, size, "%s", copy);
	return n < 0 || (size_t)n >= size ? -ENAMETOOLONG : 0;
}

/* The modules the helper kernel needs for the configured swap area. */
static int choose_modules(struct build *b)
{
	struct kh_names aliases = { 0 }, names = { 0 };
	struct kh_swap s;
	int err;

	if (!b->config.swap[0]) {
		printf("modules:   none: no swap area is configured (swap in %s)\n",
		       b->config_path ?: KHP_CONFIG_PATH);
		return 0;
	}
	err = kh_swap_resolve(b->config.swap, &s);
	if (!err)
		err = kh_dev_module_needs("", major(s.dev), minor(s.dev), &aliases, &names);
	if (err) {
		fprintf(stderr, "khibernate: helper build: %s: %s\n", b->config.swap, strerror(-err));
		goto out;
	}
	err = kh_modules_resolve(b->moddir, &aliases, &names, &b->modules);
	if (err == -ENOENT) {
		printf("modules:   none: %s has no modules.dep (all built into the kernel)\n", b->moddir);
		err = 0;
		goto out;
	}
	if (err) {
		fprintf(stderr, "khibernate: helper build: modules of %s: %s\n", b->moddir,
			err == -ELOOP ? "a dependency cycle in modules.dep" : strerror(-err));
		goto out;
	}
	printf("modules:   %zu for %s (%s)%s", b->modules.n, s.dev_path, b->moddir,
	       b->modules.n ? ":" : ": all built in\n");
	for (size_t i = 0; i < b->modules.n; i++) {
		char name[64];
		kh_module_name(b->modules.v[i], name, sizeof(name));
		printf(" %s%s", name, i + 1 == b->modules.n ? "\n" : "");
	}
out:
	kh_names_free(&aliases);
	kh_names_free(&names);
	return err ? KC_EXIT_FAILURE : KC_EXIT_OK;
}

static int run_mkhelper(struct build *b)
{
	const char *libdir = getenv("KHIB_LIBDIR") ?: KH_PKGLIBDIR;
	char mkhelper[PATH_MAX], helper[PATH_MAX];
	char **argv = calloc(b->modules.n + 20, sizeof(*argv));
	int n = 0, status;
	pid_t pid;

	if (!argv)
		return KC_EXIT_FAILURE;
	snprintf(mkhelper, sizeof(mkhelper), "%s/mkhelper", libdir);
	snprintf(helper, sizeof(helper), "%s/khib-helper", libdir);
	argv[n++] = mkhelper;
	argv[n++] = "--helper", argv[n++] = helper;
	argv[n++] = "--output", argv[n++] = b->initrd_out;
	argv[n++] = "--kernel", argv[n++] = (char *)b->kernel;
	argv[n++] = "--kernel-output", argv[n++] = b->kernel_out;
	argv[n++] = "--kver", argv[n++] = (char *)b->kver;
	argv[n++] = "--moddir", argv[n++] = (char *)b->moddir;
	if (b->dry_run)
		argv[n++] = "--dry-run";
	argv[n++] = "--";
	for (size_t i = 0; i < b->modules.n; i++)
		argv[n++] = b->modules.v[i];
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		execv(mkhelper, argv);
		fprintf(stderr, "khibernate: helper build: %s: %s\n", mkhelper, strerror(errno));
		_exit(KC_EXIT_FAILURE);
	}
	free(argv);
	if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return KC_EXIT_FAILURE;
	return WEXITSTATUS(status);
}

int kh_cmd_helper(int argc, char **argv)
{
	struct build b = { 0 };
	int err = parse(argc, argv, &b);

	if (!err)
		err = choose_kernel(&b);
	if (!err && (place(b.kernel_out, sizeof(b.kernel_out), b.outdir, b.config.helper_kernel) ||
		     place(b.initrd_out, sizeof(b.initrd_out), b.outdir, b.config.helper_initrd))) {
		fprintf(stderr, "khibernate: helper build: --output-dir: name too long\n");
		err = 2;
	}
	if (err)
		return err;
	printf("kernel:    %s (%s) -> %s\n", b.kernel, b.kver, b.kernel_out);
	printf("initramfs: %s\n", b.initrd_out);
	err = choose_modules(&b);
	if (!err)
		err = run_mkhelper(&b);
	kh_names_free(&b.modules);
	return err;
}
