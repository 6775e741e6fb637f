/* khib-resume: resume a hibernated system at boot (run from the initramfs).
 *
 * At boot (no --device) the work runs in a child process and the parent only watches it: if
 * the child does not end in one of the ways that leave no image behind (no image, refused and
 * discarded, resumed: it never returns, kept and powered off), whether it failed, was given a
 * bad argument or was killed (the OOM killer, a crash), the parent discards the image. A
 * committed image must never survive a boot that goes on: resumed later, over filesystems
 * that changed since, it would corrupt them (docs/design.md, "Never a stale image").
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/reboot.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "common/cmdline.h"
#include "common/exit.h"
#include "common/fileio.h"
#include "kjump/kjump.h"
#include "protocol/blockdev.h"
#include "protocol/config.h"
#include "protocol/errors.h"
#include "protocol/log.h"
#include "protocol/params.h"
#include "protocol/resume-args.h"
#include "protocol/secret.h"
#include "resume/resume.h"

#define PASSPHRASE_TRIES 3
/* Debian's initramfs waits max(30, rootdelay=) seconds for the root and resume devices. */
#define DEVICE_WAIT_S 30
/* The discard after a failed resume looks again only briefly: the resume waited already. */
#define DISCARD_WAIT_S 5

static const char usage_text[] =
"usage: khib-resume [OPTIONS]\n"
"Looks for a hibernation image in the swap area and resumes it; otherwise returns so that\n"
"the boot goes on. Without --device it reads khibernate.resume=DEVICE (a /dev path, UUID=,\n"
"PARTUUID= or LABEL=), khibernate.resume_offset=PAGES (for a swap file), noresume and\n"
"khibernate.noresume from the kernel command line, waits for the device, discards the image\n"
"on noresume, asks for the passphrase of an encrypted image it cannot open, and discards the\n"
"image whenever the resume fails in another way. Settings come from " KHP_CONFIG_PATH "\n"
"(helper_kernel, helper_initrd, helper_cmdline, threads, encrypt = keyfile:PATH); options\n"
"override them.\n"
"\n"
"  -c, --config FILE        configuration file\n"
"  -d, --device DEV         the swap area (same forms as khibernate.resume=)\n"
"  -o, --offset PAGES       page offset of the swap header on DEV (swap files)\n"
"      --kernel FILE        restore helper kernel (default: helper_kernel)\n"
"      --initrd FILE        restore helper initramfs (default: helper_initrd)\n"
"      --cmdline ARGS       extra helper kernel arguments\n"
"      --key-file FILE      the 32-byte key of an encrypted image\n"
"      --passphrase-file F  its passphrase (first line of F)\n"
"  -j, --threads N          restore threads (0 = all CPUs)\n"
"      --discard            only discard any image in the swap area\n"
"  -h, --help               this text\n"
"\n"
"Exit status (when it returns; khib-resume(8), EXIT STATUS): 0 boot on: there was no image,\n"
"or it was discarded (with --device: no image); 1 the swap area could not be found, examined\n"
"or cleared; 2 usage error; 6 (with --device) an encrypted image was kept: at boot\n"
"khib-resume asks for the passphrase instead, then powers off saying how to boot without it;\n"
"10 (with --device) an image was refused and discarded.\n";

struct run {
	struct kr_opts o;
	struct khp_config config;
	struct khp_devspec spec;
	const char *config_path;
	const char *key_file, *pass_file;
	char dev[256];
	char path[256];      /* the device node found for dev */
	bool boot;           /* no --device: from the kernel command line, at boot */
	bool noresume;
	bool discard;
	unsigned wait_s;
};

static int usage_error(const char *msg, const char *arg)
{
	fprintf(stderr, "khib-resume: %s%s\nTry 'khib-resume --help'.\n", msg, arg);
	return KC_EXIT_USAGE;
}

/* The configuration, then the options over it. A bad configuration file at boot does not stop
 * the discard: the image is discarded instead of resumed with settings that may be wrong. */
static int apply_config(struct run *r, const char *const set[][2], unsigned nset)
{
	unsigned line;
	int err;

	khp_config_init(&r->config);
	err = khp_config_load(&r->config, r->config_path ?: KHP_CONFIG_PATH, !!r->config_path, &line);
	if (err) {
		fprintf(stderr, "khib-resume: %s:%u: %s%s\n", r->config_path ?: KHP_CONFIG_PATH, line,
			khp_config_strerror(err), r->boot ? "; not resuming" : "");
		if (!r->boot)
			return KC_EXIT_USAGE;
		r->discard = true;
	}
	for (unsigned i = 0; i < nset; i++)
		if (khp_config_set(&r->config, set[i][0], set[i][1]))
			return usage_error("bad value ", set[i][1]);
	if (r->config.encrypt == KHP_ENCRYPT_KEYFILE && !r->key_file && !r->pass_file)
		r->key_file = r->config.keyfile;
	r->o.helper_kernel = r->config.helper_kernel;
	r->o.helper_initrd = r->config.helper_initrd;
	r->o.helper_cmdline = r->config.helper_cmdline;
	r->o.threads = r->config.threads;
	r->o.kdf_passes_max = r->config.kdf_passes_max;
	r->o.kdf_memory_max_kib = r->config.kdf_memory_max_mib << 10;
	return KC_EXIT_OK;
}

static int parse_options(int argc, char **argv, struct run *r)
{
	enum { O_KERNEL = 256, O_INITRD, O_CMDLINE, O_KEY, O_PASS, O_DISCARD };
	static const struct option opts[] = {
		{ "config", 1, NULL, 'c' }, { "device", 1, NULL, 'd' }, { "offset", 1, NULL, 'o' },
		{ "kernel", 1, NULL, O_KERNEL }, { "initrd", 1, NULL, O_INITRD },
		{ "cmdline", 1, NULL, O_CMDLINE }, { "key-file", 1, NULL, O_KEY },
		{ "passphrase-file", 1, NULL, O_PASS }, { "threads", 1, NULL, 'j' },
		{ "discard", 0, NULL, O_DISCARD }, { "help", 0, NULL, 'h' }, { 0 },
	};
	static const char *const keys[] = { [O_KERNEL] = "helper_kernel", [O_INITRD] =
		"helper_initrd", [O_CMDLINE] = "helper_cmdline", ['j'] = "threads" };
	const char *set[16][2], *offset = NULL;
	unsigned nset = 0;
	int opt;

	while ((opt = getopt_long(argc, argv, "c:d:o:j:h", opts, NULL)) != -1) {
		switch (opt) {
		case 'c': r->config_path = optarg; break;
		case 'd': snprintf(r->dev, sizeof(r->dev), "%s", optarg); break;
		case 'o': offset = optarg; break;
		case O_KEY: r->key_file = optarg; break;
		case O_PASS: r->pass_file = optarg; break;
		case O_DISCARD: r->discard = true; break;
		case O_KERNEL: case O_INITRD: case O_CMDLINE: case 'j':
			if (nset < sizeof(set) / sizeof(set[0])) {
				set[nset][0] = keys[opt];
				set[nset++][1] = optarg;
			}
			break;
		case 'h': fputs(usage_text, stdout); exit(KC_EXIT_OK);
		default: return usage_error("bad option", "");
		}
	}
	if (optind < argc)
		return usage_error("unexpected argument ", argv[optind]);
	if (r->key_file && r->pass_file)
		return usage_error("--key-file and --passphrase-file exclude each other", "");
	if (offset && !r->dev[0])
		return usage_error("--offset needs --device", "");
	if (offset && khp_parse_pages(offset, &r->o.offset))
		return usage_error("--offset takes a number of pages, not ", offset);
	r->boot = !r->dev[0];
	return apply_config(r, set, nset);
}

/* khibernate.resume= and the rest from the kernel command line. @return -ENODATA when the
 * command line does not ask for khibernate, 0, or an exit status. */
static int from_cmdline(struct run *r)
{
	struct khp_resume_args a;
	char *cmdline, delay[16], off[40] = "";
	size_t len;
	int err = kc_read_file("/proc/cmdline", KC_CMDLINE_MAX, &cmdline, &len);

	if (err) {
		khp_log(KHP_LOG_ERR, "/proc/cmdline: %s", strerror(-err));
		return KC_EXIT_FAILURE;
	}
	err = khp_resume_args_parse(cmdline, &a);
	if (err && err != -ENODATA)
		(void)kc_cmdline_value(cmdline, "khibernate.resume_offset=", off, sizeof(off));
	if (kc_cmdline_value(cmdline, "rootdelay=", delay, sizeof(delay)))
		delay[0] = 0;
	free(cmdline);
	if (err == -ENODATA)
		return err;
	if (err) {
		khp_log(KHP_LOG_ERR, "khibernate.resume=%s khibernate.resume_offset=%s: %s; cannot look "
		       "for an image (khibernate discards it in the running system)", a.device, off,
		       !a.device[0] ? "no device" : err == -ERANGE ? "the offset is out of range" :
		       err == -EINVAL ? "the offset is not a number of pages" : strerror(-err));
		return KC_EXIT_USAGE;
	}
	snprintf(r->dev, sizeof(r->dev), "%s", a.device);
	r->o.offset = a.offset;
	r->noresume = a.noresume;
	r->wait_s = r->discard ? DISCARD_WAIT_S : DEVICE_WAIT_S;
	if (!r->discard && (unsigned)atoi(delay) > r->wait_s)
		r->wait_s = (unsigned)atoi(delay);
	return KC_EXIT_OK;
}

/* The device the spec names, waited for (bounded, and said when it takes time). */
static int find_device(struct run *r)
{
	const struct timespec tick = { .tv_nsec = 50 * 1000 * 1000 };
	unsigned waited_ms = 0;
	int err;

	if (khp_devspec_parse(r->dev, &r->spec))
		return usage_error("the device must be a /dev path, UUID=, PARTUUID= or LABEL=, "
				   "not ", r->dev);
	while ((err = khp_devspec_find(&r->spec, r->o.offset, "", r->path, sizeof(r->path))) ==
	       -ENODEV && waited_ms < r->wait_s * 1000) {
		if (waited_ms == 1000)
			khp_log(KHP_LOG_INFO, "waiting up to %u s for %s", r->wait_s, r->dev);
		nanosleep(&tick, NULL);
		waited_ms += 50;
	}
	if (err) {
		khp_log(KHP_LOG_ERR, "%s %s%s", r->dev, err == -ENODEV ? "did not appear" :
		       strerror(-err), r->boot ? "; not resuming (khibernate discards an image it "
		       "finds there in the running system)" : "");
		return KC_EXIT_FAILURE;
	}
	if (strcmp(r->path, r->dev))
		khp_log(KHP_LOG_INFO, "%s is %s", r->dev, r->path);
	r->o.device = r->path;
	return KC_EXIT_OK;
}

/* The key or passphrase file into @secret. One that cannot be read is said and left out: an
 * encrypted image is then kept, not discarded. */
static void read_secret(struct run *r, struct khp_secret *secret)
{
	const char *path = r->key_file ? r->key_file : r->pass_file;
	int err;

	if (!path)
		return;
	err = khp_secret_read(secret, path, r->key_file);
	if (err) {
		khp_log(KHP_LOG_ERR, "%s: %s", path, khp_strerror(err));
		return;
	}
	r->o.key = secret->key;
	r->o.passphrase = secret->passphrase;
}

/* An encrypted image that stays: at boot, ask for the passphrase a few times; then power off
 * with the way out, since booting on would make the image stale and discarding it would let a
 * forged header throw the session away. Returns only when the image was resumed after all
 * (the jump failed) or refused. */
static enum kr_outcome kept(struct run *r, enum kr_outcome out, int *err)
{
	char prompt[300], pass[KHP_PASSPHRASE_MAX + 2];

	if (!r->key_file) {
		snprintf(prompt, sizeof(prompt), "Passphrase of the hibernation image in %s: ", r->dev);
		for (int i = 0; i < PASSPHRASE_TRIES && out == KR_KEPT; i++) {
			if (kr_ask_passphrase(prompt, pass, sizeof(pass)) < 0)
				break;
			r->o.passphrase = pass;
			out = kr_resume(&r->o, err);
			explicit_bzero(pass, sizeof(pass));
			r->o.passphrase = NULL;
		}
		if (out != KR_KEPT)
			return out;
	}
	fprintf(stderr, "khibernate: the hibernation image in %s cannot be opened without its %s.\n"
		"khibernate: powering off: booting on would leave the image stale. To boot without "
		"it, add khibernate.noresume to the kernel command line (in GRUB: press e on the "
		"entry, add it to the line that starts with linux, then Ctrl-x): the image is then "
		"discarded and the boot goes on.\n", r->dev, r->key_file ? "key" : "passphrase");
	sync();
	reboot(RB_POWER_OFF);
	khp_log(KHP_LOG_ERR, "power off: %s; switch the machine off", strerror(errno));
	for (;;)
		pause();
}

/* The whole job; at boot, in the watched child. @return the exit status. */
static int resume(struct run *r)
{
	struct khp_secret secret;
	enum kr_outcome out;
	int err;

	if (r->boot) {
		err = from_cmdline(r);
		if (err == -ENODATA)
			return KC_EXIT_OK; /* not configured: nothing to do */
		if (err)
			return err;
	}
	err = find_device(r);
	if (err)
		return err;
	if (r->noresume || r->discard)
		return kr_discard(&r->o, r->noresume ? "noresume is on the kernel command line" :
				  "it was not resumed") ? KC_EXIT_FAILURE : KC_EXIT_OK;
	read_secret(r, &secret);
	out = kr_resume(&r->o, &err);
	khp_secret_clear(&secret);
	if (out == KR_KEPT && r->boot)
		out = kept(r, out, &err);
	switch (out) {
	case KR_NO_IMAGE: return KC_EXIT_OK;
	case KR_REFUSED: return KC_EXIT_REFUSED;
	case KR_KEPT: return KC_EXIT_KEY;
	default: return err == -ERANGE ? KC_EXIT_USAGE : KC_EXIT_FAILURE;
	}
}

/* At boot: the resume in a child; whatever way it fails, the image is discarded after it. */
static int watched(struct run *r)
{
	pid_t pid, watcher = getpid();
	int status = 0;

	fflush(stderr);
	pid = fork();
	if (pid == 0) {
		/* Dies with the watcher: a second khib-resume --discard may follow it. */
		if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || getppid() != watcher)
			_exit(KC_EXIT_FAILURE);
		exit(resume(r));
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid)
		status = -1;
	if (WIFEXITED(status) && (WEXITSTATUS(status) == KC_EXIT_OK ||
				  WEXITSTATUS(status) == KC_EXIT_REFUSED))
		return KC_EXIT_OK;  /* no image, or refused and discarded: boot on */
	if (WIFEXITED(status) && WEXITSTATUS(status) == KC_EXIT_USAGE)
		return KC_EXIT_OK;  /* a bad khibernate.resume=: no device to discard on; said */
	if (status == -1)
		khp_log(KHP_LOG_ERR, "could not run the resume: %s; discarding the image, if any, so "
		       "that it is never resumed stale", strerror(errno));
	else if (WIFSIGNALED(status))
		khp_log(KHP_LOG_ERR, "the resume was killed (%s); discarding the image, if any, so that "
		       "it is never resumed stale", strsignal(WTERMSIG(status)));
	else
		khp_log(KHP_LOG_ERR, "the resume failed (exit %d); discarding the image, if any, so "
		       "that it is never resumed stale", WEXITSTATUS(status));
	/* A child killed between loading restore-B and the jump leaves it loaded: unload it. */
	(void)kj_unload();
	r->discard = true;
	(void)resume(r); /* says what it did; if it could not, the running system will */
	return KC_EXIT_OK;
}

int main(int argc, char **argv)
{
	struct run r = { 0 };
	int err;

	/* What it finds, resumes or discards, and why: for the console and for journalctl -b. */
	khp_log_open("khib-resume", stderr, KHP_LOG_KMSG);
	err = parse_options(argc, argv, &r);

	if (err)
		return err;
	return r.boot && !r.discard ? watched(&r) : resume(&r);
}
