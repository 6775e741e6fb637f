/* khibernate: hibernate this machine through a kexec-jump helper kernel. See khibernate(8). */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "common/exit.h"
#include "khibernate/bootargs.h"
#include "khibernate/commands.h"
#include "khibernate/direct.h"
#include "khibernate/hibernate.h"
#include "khibernate/plan.h"
#include "khibernate/sleephooks.h"
#include "protocol/errors.h"
#include "protocol/log.h"
#include "protocol/secret.h"
#include "protocol/status.h"

#define LOCK_PATH "/run/khibernate.lock"
#define MiB (1024.0 * 1024.0)

static const char usage_text[] =
"usage: khibernate [OPTIONS]            hibernate: save memory to swap and power off\n"
"       khibernate check [OPTIONS]      run every preflight check; change nothing\n"
"       khibernate status [OPTIONS]     show the swap target, the helper, a waiting image\n"
"       khibernate setup [--dry-run]    write the kernel command line (GRUB), build the helper,\n"
"                                       update the initramfs, as needed (setup --help)\n"
"\n"
"When the machine boots again, the resume hook (khib-resume) restores memory and this command\n"
"returns as if it had just run: exit 0 and \"resumed\".\n"
"\n"
"Options (they override " KHP_CONFIG_PATH "):\n"
"  -c, --config FILE        configuration file\n"
"  -s, --swap PATH          swap partition or swap file for the image\n"
"  -j, --threads N          compression threads in the helper (0 = all its CPUs)\n"
"  -z, --compress ALG       lz4[:ACCEL] (default lz4), lz4hc[:LEVEL], none\n"
"      --key-file FILE      encrypt with the 32-byte key in FILE (AES-256-GCM)\n"
"      --passphrase-file F  encrypt with a key derived (Argon2id) from the first line of F\n"
"      --kernel FILE        helper kernel (bzImage)\n"
"      --initrd FILE        helper initramfs\n"
"      --cmdline ARGS       extra helper kernel arguments\n"
"      --reserve MIB        swap slots to hold for the image at first (default: the estimate,\n"
"                           memory in use + 5% + 16 MiB); more if the image needs it\n"
"      --reboot             reboot instead of powering off (for automation)\n"
"      --test               write the image, come back at once, read it back, discard it\n"
"      --stats FILE         write what happened, with timings, as JSON to FILE\n"
"      --sleep-hooks[=DIR]  run systemd's sleep hooks (DIR/*, default " KH_SLEEP_HOOK_DIR ")\n"
"                           with \"pre hibernate\" before and \"post hibernate\" after, as\n"
"                           systemd-sleep does (systemd-hibernate.service runs khibernate so)\n"
"  -h, --help               this text\n"
"\n"
"Exit status: 0 resumed (or --test passed, or every check passed); 1 refused or failed (for\n"
"check and status: a check failed), with the machine still running as before; 2 usage error\n"
"(khibernate(8), EXIT STATUS).\n"
"Hibernating also writes what happened and why to the kernel log (dmesg, journalctl -b).\n";

struct cli {
	const char *command;
	const char *config_path;
	const char *key_file;
	const char *passphrase_file;
	const char *stats_path;
	const char *sleep_hooks;
	enum khp_after after;
	struct khp_config config;
};

static int die_usage(const char *fmt, const char *arg)
{
	fprintf(stderr, "khibernate: ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "\nTry 'khibernate --help'.\n");
	return KC_EXIT_USAGE;
}

static void print_checks(const struct kh_plan *p, FILE *out)
{
	for (unsigned id = 0; id < KH_CHECK_COUNT; id++) {
		const struct kh_check *c = kh_plan_check(p, id);

		if (c)
			fprintf(out, "%-5s %-10s %s\n", c->error ? "FAIL" : "ok", c->name, c->msg);
	}
}

/* Hibernation refused by the preflight: what passed for the terminal, what failed (with what
 * to do) for the terminal and the kernel log. */
static int refuse(const struct kh_plan *p)
{
	const struct kh_check *c;

	for (unsigned id = 0; id < KH_CHECK_COUNT; id++)
		if ((c = kh_plan_check(p, id)) && !c->error)
			fprintf(stderr, "%-5s %-10s %s\n", "ok", c->name, c->msg);
	for (unsigned id = 0; id < KH_CHECK_COUNT; id++)
		if ((c = kh_plan_check(p, id)) && c->error)
			khp_log(KHP_LOG_ERR, "refused, nothing was changed: %s: %s", c->name, c->msg);
	return KC_EXIT_FAILURE;
}

static void print_resume_line(const struct kh_plan *p)
{
	char words[2][KH_WORD_MAX];
	unsigned n = kh_resume_words(p->swap.uuid, p->swap.dev_path,
				     p->swap.is_file ? p->swap.header_offset : 0, words);

	printf("resume:   ");
	for (unsigned i = 0; i < n; i++)
		printf(" %s", words[i]);
	printf("   (kernel command line for the resume hook, as khibernate setup writes it)\n");
}

/* Whether GRUB will start the restore helper itself (direct_resume in khibernate.conf). */
static void print_direct_line(const struct kh_plan *p)
{
	int r;

	if (!p->config.direct_resume) {
		printf("direct:    off (direct_resume = 0 in khibernate.conf): the initramfs resumes\n");
		return;
	}
	r = kh_direct_ready(p);
	if (r < 0)
		printf("direct:    not armed: %s; the initramfs resumes\n", kh_direct_strerror(r));
	else
		printf("direct:    on: at a hibernation, GRUB is set to start the restore helper "
		       "(Shift held at boot: the initramfs resumes instead)\n");
}

static int cmd_status(const struct kh_plan *p, int plan_error)
{
	struct khi_probe_info info;
	int fd, r;

	print_checks(p, stdout);
	if (!p->swap.dev_path[0])
		return KC_EXIT_FAILURE;
	print_resume_line(p);
	r = khi_open(p->swap.dev_path, 0, &fd);
	if (r >= 0) {
		r = khi_probe(fd, p->swap.header_offset, &info);
		close(fd);
	}
	if (r < 0)
		printf("image:     cannot tell (%s)\n", khi_strerror(r));
	else
		printf("image:     %s\n", info.state == KHI_STATE_COMMITTED ? "waiting to be resumed" :
		       info.state == KHI_STATE_CONSUMED ? "none (the last one was resumed)" : "none");
	if (!plan_error)
		print_direct_line(p);
	return plan_error < 0 ? KC_EXIT_FAILURE : KC_EXIT_OK;
}

static void write_stats(const char *path, const struct kh_plan *p, const struct kh_run *r)
{
	const struct khi_stats *s = &r->status.stats;
	FILE *f = fopen(path, "we");

	if (!f) {
		fprintf(stderr, "khibernate: %s: %s\n", path, strerror(errno));
		return;
	}
	fprintf(f, "{\"event\": \"%s\", \"error\": %d, \"memory_in_use\": %llu, \"ram\": %llu,\n"
		" \"reserve_s\": %.6f, \"reserved_bytes\": %llu, \"reserved_extents\": %zu,\n"
		" \"load_s\": %.6f, \"away_s\": %.6f, \"helper_boot_s\": %.6f,\n"
		" \"phase_s\": [%.6f, %.6f],\n"
		" \"pages_total\": %llu, \"pages_zero\": %llu, \"pages_raw\": %llu,"
		" \"pages_compressed\": %llu,\n \"bytes_in\": %llu, \"bytes_out\": %llu,"
		" \"bytes_image\": %llu, \"threads\": %u,\n \"compress_s\": %.6f, \"checksum_s\": %.6f,"
		" \"crypt_s\": %.6f, \"io_s\": %.6f, \"source_s\": %.6f, \"total_s\": %.6f}\n",
		r->status.event == KHP_EVENT_RESTORED ? "resumed" : "saved", r->status.error,
		(unsigned long long)p->used_bytes, (unsigned long long)p->ram_bytes,
		r->reserve_ns / 1e9, (unsigned long long)r->reserved_bytes, r->reserved_extents,
		r->load_ns / 1e9, r->away_ns / 1e9, r->status.helper_boot_ns / 1e9,
		r->status.phase_ns[KHP_PHASE_PREPARE] / 1e9, r->status.phase_ns[KHP_PHASE_PASS] / 1e9,
		(unsigned long long)s->pages_total, (unsigned long long)s->pages_zero,
		(unsigned long long)s->pages_raw, (unsigned long long)s->pages_compressed,
		(unsigned long long)s->bytes_in, (unsigned long long)s->bytes_out,
		(unsigned long long)s->bytes_image, s->threads, s->ns_compress / 1e9,
		s->ns_checksum / 1e9, s->ns_crypt / 1e9, s->ns_io / 1e9, s->ns_source / 1e9,
		s->ns_total / 1e9);
	fclose(f);
}

static int report(const struct cli *c, const struct kh_plan *p, const struct kh_run *r, int err)
{
	const struct khi_stats *s = &r->status.stats;

	if (err < 0) {
		khp_log(KHP_LOG_ERR, "%s: %s; nothing was saved and the system runs on",
			kh_step_name(r->step), kh_step_error(r->step, err));
		return KC_EXIT_FAILURE;
	}
	if (c->stats_path)
		write_stats(c->stats_path, p, r);
	khp_log(KHP_LOG_NOTICE, "%s: %.0f MiB of memory in %.0f MiB of image (%llu pages, %llu zero), "
	       "away %.2f s", r->status.event == KHP_EVENT_RESTORED ? "resumed" : "saved",
	       s->bytes_in / MiB, s->bytes_image / MiB, (unsigned long long)s->pages_total,
	       (unsigned long long)s->pages_zero, r->away_ns / 1e9);
	if (r->status.event == KHP_EVENT_SAVED) {
		if (r->verify_error) {
			khp_log(KHP_LOG_ERR, "%s: %s", kh_step_name(KH_STEP_VERIFY),
				kh_step_error(KH_STEP_VERIFY, r->verify_error));
			return KC_EXIT_FAILURE;
		}
		khp_log(KHP_LOG_NOTICE, "image read back and verified, then discarded");
	}
	return KC_EXIT_OK;
}

static int cmd_hibernate(const struct cli *c, const struct kh_plan *p)
{
	const char *secret_path = c->key_file ? c->key_file : c->passphrase_file;
	struct kh_run r = { .after = c->after };
	struct khp_secret secret;
	int lock, err = KC_EXIT_FAILURE;

	lock = open(LOCK_PATH, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (lock < 0 || flock(lock, LOCK_EX | LOCK_NB) < 0) {
		khp_log(KHP_LOG_ERR, "another khibernate is running (%s is locked)", LOCK_PATH);
		goto out;
	}
	if (secret_path) {
		err = khp_secret_read(&secret, secret_path, c->key_file);
		if (err < 0) {
			fprintf(stderr, "khibernate: %s: %s\n", secret_path, khp_strerror(err));
			err = KC_EXIT_FAILURE;
			goto out;
		}
		r.key = secret.key;
		r.passphrase = secret.passphrase;
	}
	if (c->sleep_hooks)
		kh_sleep_hooks_run(c->sleep_hooks, "pre", KH_SLEEP_HOOK_TIMEOUT_MS, stderr);
	khp_log(KHP_LOG_NOTICE, "hibernating: %.0f MiB of memory in use, image to %s%s",
		p->used_bytes / MiB, p->config.swap, c->after == KHP_AFTER_JUMP_BACK ? " (--test)" : "");
	err = kh_hibernate(p, &r);
	if (secret_path)
		khp_secret_clear(&secret);
	err = report(c, p, &r, err);
	if (c->sleep_hooks)
		kh_sleep_hooks_run(c->sleep_hooks, "post", KH_SLEEP_HOOK_TIMEOUT_MS, stderr);
out:
	if (lock >= 0)
		close(lock);
	return err;
}

static int parse_args(int argc, char **argv, struct cli *c)
{
	enum { O_KEY = 256, O_PASS, O_KERNEL, O_INITRD, O_CMDLINE, O_RESERVE, O_REBOOT, O_TEST,
	       O_STATS, O_SLEEP_HOOKS };
	static const struct option opts[] = {
		{ "config", 1, NULL, 'c' }, { "swap", 1, NULL, 's' }, { "threads", 1, NULL, 'j' },
		{ "compress", 1, NULL, 'z' }, { "key-file", 1, NULL, O_KEY },
		{ "passphrase-file", 1, NULL, O_PASS }, { "kernel", 1, NULL, O_KERNEL },
		{ "initrd", 1, NULL, O_INITRD }, { "cmdline", 1, NULL, O_CMDLINE },
		{ "reserve", 1, NULL, O_RESERVE },
		{ "reboot", 0, NULL, O_REBOOT }, { "test", 0, NULL, O_TEST },
		{ "stats", 1, NULL, O_STATS }, { "sleep-hooks", 2, NULL, O_SLEEP_HOOKS },
		{ "help", 0, NULL, 'h' }, { 0 },
	};
	/* Options are applied after the file is read: remember them in order. */
	static const char *const keys[] = { ['s'] = "swap", ['j'] = "threads", ['z'] = "compress",
		[O_KERNEL] = "helper_kernel", [O_INITRD] = "helper_initrd",
		[O_CMDLINE] = "helper_cmdline", [O_RESERVE] = "reserve" };
	struct setting { const char *key, *value; } set[32];
	unsigned nset = 0, line = 0;
	int opt, r;

	c->after = KHP_AFTER_POWEROFF;
	while ((opt = getopt_long(argc, argv, "c:s:j:z:h", opts, NULL)) != -1) {
		switch (opt) {
		case 'c': c->config_path = optarg; break;
		case O_KEY: c->key_file = optarg; break;
		case O_PASS: c->passphrase_file = optarg; break;
		case O_REBOOT: c->after = KHP_AFTER_REBOOT; break;
		case O_TEST: c->after = KHP_AFTER_JUMP_BACK; break;
		case O_STATS: c->stats_path = optarg; break;
		case O_SLEEP_HOOKS: c->sleep_hooks = optarg ?: KH_SLEEP_HOOK_DIR; break;
		case 'h': fputs(usage_text, stdout); exit(KC_EXIT_OK);
		case 's': case 'j': case 'z': case O_KERNEL: case O_INITRD: case O_CMDLINE: case O_RESERVE:
			if (nset < 32)
				set[nset++] = (struct setting){ keys[opt], optarg };
			break;
		default:
			fputs("khibernate: see 'khibernate --help'\n", stderr);
			return KC_EXIT_USAGE;
		}
	}
	if (optind < argc)
		c->command = argv[optind++];
	if (optind < argc)
		return die_usage("unexpected argument '%s'", argv[optind]);
	if (c->command && strcmp(c->command, "check") && strcmp(c->command, "status"))
		return die_usage("unknown command '%s'", c->command);
	if (c->key_file && c->passphrase_file)
		return die_usage("%s", "--key-file and --passphrase-file exclude each other");

	khp_config_init(&c->config);
	r = khp_config_load(&c->config, c->config_path ?: KHP_CONFIG_PATH, !!c->config_path, &line);
	if (r < 0 && line) {
		fprintf(stderr, "khibernate: %s:%u: %s\n", c->config_path ?: KHP_CONFIG_PATH, line,
			r == -ENOENT ? "unknown key" : r == -EINVAL ? "bad line or value (see khibernate(8))" :
			strerror(-r));
		return KC_EXIT_USAGE;
	}
	if (r < 0) {
		fprintf(stderr, "khibernate: %s: %s\n", c->config_path ?: KHP_CONFIG_PATH, strerror(-r));
		return KC_EXIT_USAGE;
	}
	for (unsigned i = 0; i < nset; i++)
		if (khp_config_set(&c->config, set[i].key, set[i].value) < 0)
			return die_usage("bad value '%s'", set[i].value);
	if (c->config.encrypt == KHP_ENCRYPT_KEYFILE && !c->key_file && !c->passphrase_file)
		c->key_file = c->config.keyfile;
	if (c->config.encrypt == KHP_ENCRYPT_PASSPHRASE && !c->key_file && !c->passphrase_file) {
		fprintf(stderr, "khibernate: encrypt = passphrase needs --passphrase-file\n");
		return KC_EXIT_USAGE;
	}
	return KC_EXIT_OK;
}

int main(int argc, char **argv)
{
	struct cli c = { 0 };
	struct kh_plan plan;
	int r;

	if (argc > 1 && kh_is_subcommand(argv[1]))
		return kh_subcommand(argc - 1, argv + 1);
	r = parse_args(argc, argv, &c);
	if (r)
		return r;
	/* Only a hibernation is the kernel log's business; check and status just look. */
	khp_log_open("khibernate", stderr, c.command ? NULL : KHP_LOG_KMSG);
	r = kh_plan_make(&c.config, &plan);
	if (c.command && !strcmp(c.command, "status"))
		return cmd_status(&plan, r);
	if (c.command) {
		print_checks(&plan, r < 0 ? stderr : stdout);
		return r < 0 ? KC_EXIT_FAILURE : KC_EXIT_OK;
	}
	if (r < 0)
		return refuse(&plan);
	return cmd_hibernate(&c, &plan);
}
