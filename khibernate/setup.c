/* khibernate setup; see setup.h. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/cmdline.h"
#include "common/exit.h"
#include "common/fileio.h"
#include "image/khimage.h"
#include "khibernate/bootargs.h"
#include "khibernate/commands.h"
#include "khibernate/plan.h"
#include "khibernate/setup.h"
#include "protocol/log.h"
#include "protocol/memmap.h"

#define TEXT_MAX (4u << 20)
#define FILE_TEXT_MAX 4096

struct setup {
	const struct khp_config *config;
	const char *config_path;
	bool dry_run;
	bool changed;                  /* something was done (or would be, with --dry-run) */
	struct kh_plan plan;
	char release[65];
	char cmdline[8192];            /* this boot's */
	char words[KH_WORDS_MAX][KH_WORD_MAX];
	const char *word_ptrs[KH_WORDS_MAX];
	unsigned nr_words;
};

/* All of a file, /proc ones too (kjump's reader). */
static int read_text(const char *path, char **ret)
{
	size_t size;

	return kc_read_file(path, TEXT_MAX, ret, &size);
}

/* This machine's RAM (the firmware's map: before any memmap= of this boot; else this boot's
 * /proc/iomem) and kernel image; whether the low hole is RAM. *ret_ram is allocated. */
static int machine(struct setup *s, struct kh_machine *m, struct kj_range **ret_ram,
		   bool *ret_hole_ok)
{
	struct kj_range *ram = NULL;
	size_t nr = 0;
	char *iomem;
	int r = read_text("/proc/iomem", &iomem);

	if (r < 0)
		return r;
	if (khp_memmap_ram(KHP_FIRMWARE_MEMMAP, &ram, &nr) < 0 || !nr) {
		/* This boot's view: its own memmap= hole shows as reserved, so accept it. */
		struct kj_layout *l = malloc(sizeof(*l));
		r = l ? kj_layout_from_iomem(iomem, NULL, l) : -ENOMEM;
		free(ram);
		ram = r ? NULL : calloc(KJ_LAYOUT_MAX_ENTRIES, sizeof(*ram));
		nr = 0;
		for (unsigned i = 0; ram && i < l->nr_entries; i++)
			if (l->entries[i].type == KJ_E820_RAM)
				ram[nr++] = (struct kj_range){ l->entries[i].start, l->entries[i].size };
		if (!r && !ram)
			r = -ENOMEM;
		free(l);
	}
	memset(m, 0, sizeof(*m));
	m->ram = ram;
	m->nr_ram = (unsigned)nr;
	m->kaslr = s->plan.kaslr;
	if (r == 0 && kj_iomem_span(iomem, "Kernel ", &m->kernel) < 0)
		m->kernel = (struct kj_range){ 0, 0 };
	free(iomem);
	*ret_hole_ok = false;
	for (size_t i = 0; i < nr; i++)
		if (KH_HOLE_START >= ram[i].start &&
		    KH_HOLE_START + KH_HOLE_SIZE <= ram[i].start + ram[i].size)
			*ret_hole_ok = true;
	if (!*ret_hole_ok && kc_cmdline_flag(s->cmdline, KH_HOLE_WORD))
		*ret_hole_ok = true;
	*ret_ram = ram;
	return r;
}

/* The next word: fmt with value (NULL: the word is already in place, kh_resume_words()). */
static void add_word(struct setup *s, const char *fmt, const char *value)
{
	if (s->nr_words == KH_WORDS_MAX)
		return;
	if (fmt)
		snprintf(s->words[s->nr_words], KH_WORD_MAX, fmt, value);
	s->word_ptrs[s->nr_words] = s->words[s->nr_words];
	s->nr_words++;
}

/* Everything setup needs to know, and the words. @return 0 or 1 (refused, said). */
static int learn(struct setup *s)
{
	struct kj_range *ram = NULL;
	const struct kh_check *kernel, *swap;
	char region[64];
	const char *why;
	struct kh_machine m;
	struct utsname u;
	char *cmdline = NULL;
	bool hole_ok;
	unsigned n;
	int r;

	r = kh_plan_make(s->config, &s->plan);
	kernel = kh_plan_check(&s->plan, KH_CHECK_KERNEL);
	if (!s->plan.root) {
		khp_log(KHP_LOG_ERR, "setup: %s", kernel->msg);
		return 1;
	}
	swap = kh_plan_check(&s->plan, KH_CHECK_SWAP);
	/* Too little free swap, or a swap file not on yet, is for the hibernation to refuse
	 * (the header was read: its UUID is known); anything else refuses setup too. */
	if (!swap || (swap->error && swap->error != -ENOSPC && swap->error != -ENODEV)) {
		khp_log(KHP_LOG_ERR, "setup: %s; nothing was changed",
		       swap ? swap->msg : "no swap area could be examined");
		return 1;
	}
	if (swap->error)
		khp_log(KHP_LOG_WARNING, "setup: %s", swap->msg);
	if (kernel->error)
		khp_log(KHP_LOG_WARNING, "setup: %s (setting up anyway, for a kernel that can)",
			kernel->msg);
	if (uname(&u) == 0)
		snprintf(s->release, sizeof(s->release), "%s", u.release);
	if (read_text("/proc/cmdline", &cmdline) == 0)
		snprintf(s->cmdline, sizeof(s->cmdline), "%s", cmdline);
	free(cmdline);
	r = machine(s, &m, &ram, &hole_ok);
	if (r < 0) {
		khp_log(KHP_LOG_ERR, "setup: /proc/iomem: %s; nothing was changed", strerror(-r));
		free(ram);
		return 1;
	}
	if (!hole_ok) {
		khp_log(KHP_LOG_ERR, "setup: 0x80000-0x8ffff is not RAM on this machine (firmware "
		       "map), and the helper needs it for its low memory; nothing was changed");
		free(ram);
		return 1;
	}
	r = kh_region_choose(s->config->region, &m, region, sizeof(region), &why);
	free(ram);
	if (r < 0) {
		khp_log(KHP_LOG_ERR, "setup: region = %s: %s; nothing was changed", s->config->region,
		       r == -ERANGE ? why : "not SIZE or SIZE@OFFSET");
		return 1;
	}
	add_word(s, "crashkernel=%s", region);
	add_word(s, "%s", KH_HOLE_WORD);
	if (!memcmp(s->plan.swap.uuid, (uint8_t[16]){ 0 }, 16))
		khp_log(KHP_LOG_WARNING, "setup: %s has no UUID (mkswap -U gives one); naming the "
			"device, which may change between boots", s->plan.swap.path);
	_Static_assert(KH_WORDS_MAX >= 4, "crashkernel=, memmap=, and two resume words");
	for (n = kh_resume_words(s->plan.swap.uuid, s->plan.swap.dev_path, s->plan.swap.is_file ?
				 s->plan.swap.header_offset : 0, s->words + s->nr_words); n; n--)
		add_word(s, NULL, NULL);
	printf("kernel command line for khibernate:\n ");
	for (unsigned i = 0; i < s->nr_words; i++)
		printf(" %s", s->words[i]);
	printf("\n  (region %s: %s)\n", region, why);
	return 0;
}

/* The directories of PATH hold cmd. */
static bool have(const char *cmd)
{
	const char *path = getenv("PATH") ?: "/usr/sbin:/usr/bin:/sbin:/bin";

	while (*path) {
		size_t n = strcspn(path, ":");
		char full[512];

		if (n && snprintf(full, sizeof(full), "%.*s/%s", (int)n, path, cmd) < (int)sizeof(full) &&
		    access(full, X_OK) == 0)
			return true;
		path += n + (path[n] == ':');
	}
	return false;
}

/* Runs argv (self: this very program) and waits. @return 0, or 1 (said). */
static int run(struct setup *s, const char *const *argv, bool self)
{
	int status;
	pid_t pid;

	char line[256] = "";

	s->changed = true;
	for (unsigned i = 0; argv[i]; i++)
		snprintf(line + strlen(line), sizeof(line) - strlen(line), "%s%s", i ? " " : "",
			 argv[i]);
	if (s->dry_run) {
		printf("would run: %s\n", line);
		return 0;
	}
	khp_log(KHP_LOG_INFO, "setup: running %s", line);
	pid = fork();
	if (pid == 0) {
		if (self)
			execv("/proc/self/exe", (char *const *)argv);
		else
			execvp(argv[0], (char *const *)argv);
		_exit(127);
	}
	if (pid < 0 || waitpid(pid, &status, 0) < 0) {
		khp_log(KHP_LOG_ERR, "setup: %s: %s", line, strerror(errno));
		return 1;
	}
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	khp_log(KHP_LOG_ERR, "setup: %s failed (%s %d)", line, WIFEXITED(status) ? "exit" : "signal",
	       WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
	return 1;
}

/* grub.cfg holds the words as 10_linux writes them. */
static bool grub_cfg_current(const struct setup *s)
{
	char *cfg, want[KH_WORDS_MAX * (2 * KH_WORD_MAX + 1) + 1] = "", word[2 * KH_WORD_MAX + 1];
	bool found;

	if (read_text(KH_GRUB_CFG, &cfg) < 0)
		return false;
	for (unsigned i = 0; i < s->nr_words; i++)
		if (kh_grub_cfg_word(s->words[i], word, sizeof(word)) == 0)
			strcat(strcat(want, " "), word);
	found = strstr(cfg, want) != NULL;
	free(cfg);
	return found;
}

static int grub_step(struct setup *s)
{
	static const char *const update_grub[] = { "update-grub", NULL };
	static const char *const mkconfig[] = { "grub-mkconfig", "-o", KH_GRUB_CFG, NULL };
	char text[FILE_TEXT_MAX], *old = NULL;
	bool same;
	int r;

	if (access(KH_GRUB_DEFAULT, F_OK) < 0 && !have("update-grub") && !have("grub-mkconfig")) {
		printf("no GRUB here (%s, update-grub): add the words above to your boot loader's "
		       "kernel command line yourself\n", KH_GRUB_DEFAULT);
		return 0;
	}
	r = kh_grub_file(s->word_ptrs, s->nr_words, text, sizeof(text));
	if (r < 0)
		return 1;
	same = read_text(KH_GRUB_FILE, &old) == 0 && !strcmp(old, text);
	free(old);
	if (!same) {
		s->changed = true;
		if (s->dry_run) {
			printf("would write %s:\n", KH_GRUB_FILE);
			for (char *line = text, *nl; *line; line = nl + 1) {
				nl = strchr(line, '\n');
				printf("  | %.*s\n", (int)(nl - line), line);
			}
		} else {
			(void)mkdir("/etc/default/grub.d", 0755);
			r = kc_write_file(KH_GRUB_FILE, text, strlen(text));
			if (r < 0) {
				khp_log(KHP_LOG_ERR, "setup: %s: %s", KH_GRUB_FILE, strerror(-r));
				return 1;
			}
			khp_log(KHP_LOG_NOTICE, "setup: wrote %s", KH_GRUB_FILE);
		}
	}
	if (same && grub_cfg_current(s))
		return 0;
	if (have("update-grub"))
		return run(s, update_grub, false);
	if (have("grub-mkconfig"))
		return run(s, mkconfig, false);
	printf("then regenerate GRUB's configuration (update-grub or grub-mkconfig -o %s): "
	       "neither is on PATH\n", KH_GRUB_CFG);
	return 0;
}

static int helper_step(struct setup *s)
{
	static const char *const build[] = { "khibernate", "helper", "build", NULL };
	const struct khp_config *c = s->config;

	if (access(c->helper_kernel, R_OK) == 0 && access(c->helper_initrd, R_OK) == 0)
		return 0;
	return run(s, build, true);
}

static long long mtime(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 ? (long long)st.st_mtime : -1;
}

/* The running kernel's initramfs carries the configuration and the helper (the hooks copy
 * them): it is renewed when it is older than any of them. */
static int initramfs_step(struct setup *s)
{
	const char *inputs[] = { s->config_path, s->config->helper_kernel, s->config->helper_initrd };
	const char *update[] = { "update-initramfs", "-u", "-k", s->release, NULL };
	const char *dracut[] = { "dracut", "-f", "--kver", s->release, NULL };
	char initrd[128];
	long long built;
	bool stale;

	snprintf(initrd, sizeof(initrd), "/boot/initrd.img-%s", s->release);
	if (mtime(initrd) < 0 && have("dracut") && !have("update-initramfs"))
		snprintf(initrd, sizeof(initrd), "/boot/initramfs-%s.img", s->release);
	built = mtime(initrd);
	stale = built < 0;
	for (unsigned i = 0; i < 3; i++)
		stale = stale || mtime(inputs[i]) > built;
	if (!stale)
		return 0;
	if (have("update-initramfs"))
		return run(s, update, false);
	if (have("dracut"))
		return run(s, dracut, false);
	printf("neither update-initramfs nor dracut is here: make sure your initramfs runs "
	       "khib-resume (docs/user-guide.md)\n");
	return 0;
}

/* kdump reserves its crash kernel with crashkernel= too, and loads it there. */
static void warn_kdump(const struct setup *s)
{
	char current[KH_WORD_MAX];
	bool other;

	/* The last one: the one the kernel takes. */
	other = kc_cmdline_value(s->cmdline, "crashkernel=", current, sizeof(current)) == 0 &&
		strcmp(current, s->words[0] + strlen("crashkernel="));

	if (!have("kdump-config") && access("/etc/default/kdump-tools", F_OK) < 0 && !other)
		return;
	khp_log(KHP_LOG_WARNING, "setup: kdump uses the crashkernel= memory too%s: the kernel takes "
	       "the last crashkernel= of its command line, and the helper overwrites the crash "
	       "kernel kdump loads there. Use one of them: disable kdump (e.g. 'systemctl disable "
	       "kdump-tools' and remove its crashkernel=) to hibernate with khibernate",
	       other ? " (this boot has another crashkernel=)" : " (kdump-tools is installed)");
}

static int setup(const struct khp_config *c, const char *config_path, bool dry_run)
{
	struct setup *s = calloc(1, sizeof(*s));
	int failed;

	if (!s)
		return 1;
	s->config = c;
	s->config_path = config_path;
	s->dry_run = dry_run;
	/* One order on a terminal and in a file: what is printed and what is logged interleave. */
	setvbuf(stdout, NULL, _IOLBF, 0);
	khp_log_open("khibernate", stderr, dry_run ? NULL : KHP_LOG_KMSG);
	failed = learn(s);
	if (!failed) {
		warn_kdump(s);
		failed = grub_step(s);
		failed = failed || helper_step(s);
		failed = failed || initramfs_step(s);
	}
	if (!failed) {
		bool booted = true;
		for (unsigned i = 0; i < s->nr_words; i++)
			booted = booted && kc_cmdline_flag(s->cmdline, s->words[i]);
		if (!s->changed)
			printf("nothing to change\n");
		printf("%s\n", booted ? "this boot already runs with that command line" :
		       s->dry_run ? "a reboot would then be needed to use it" :
		       "reboot to start using it");
	}
	free(s);
	return failed ? KC_EXIT_FAILURE : KC_EXIT_OK;
}

static const char setup_usage[] =
"usage: khibernate setup [-c FILE] [-s PATH] [--dry-run]\n"
"Makes this machine ready to hibernate, doing only what is missing or out of date: writes\n"
"the kernel command line (crashkernel=, memmap=64K$0x80000, khibernate.resume=UUID= of the\n"
"swap area) to " KH_GRUB_FILE " and runs update-grub, builds the\n"
"helper when it is missing (khibernate helper build), renews the initramfs when it is older\n"
"than the configuration or the helper, and says whether a reboot is needed.\n"
"  -c, --config FILE   configuration file (default " KHP_CONFIG_PATH ")\n"
"  -s, --swap PATH     the swap area (default: the configuration's swap)\n"
"      --dry-run       print every change (the file's text, each command) and make none\n"
"Exit status: 0 done or nothing to do, 1 refused or a step failed (said which), 2 usage.\n";

int kh_cmd_setup(int argc, char **argv)
{
	enum { O_DRY_RUN = 256 };
	static const struct option opts[] = {
		{ "config", 1, NULL, 'c' }, { "swap", 1, NULL, 's' },
		{ "dry-run", 0, NULL, O_DRY_RUN }, { "help", 0, NULL, 'h' }, { 0 },
	};
	const char *path = NULL, *swap = NULL;
	struct khp_config c;
	bool dry_run = false;
	int opt, err;

	while ((opt = getopt_long(argc, argv, "c:s:h", opts, NULL)) != -1) {
		switch (opt) {
		case 'c': path = optarg; break;
		case 's': swap = optarg; break;
		case O_DRY_RUN: dry_run = true; break;
		case 'h': fputs(setup_usage, stdout); return KC_EXIT_OK;
		default: fputs(setup_usage, stderr); return KC_EXIT_USAGE;
		}
	}
	if (optind < argc) {
		fputs(setup_usage, stderr);
		return KC_EXIT_USAGE;
	}
	err = kh_load_config(path, &c);
	if (err)
		return err;
	if (swap && khp_config_set(&c, "swap", swap) < 0) {
		fprintf(stderr, "khibernate: setup: --swap %s: too long\n", swap);
		return KC_EXIT_USAGE;
	}
	return setup(&c, path ?: KHP_CONFIG_PATH, dry_run);
}
