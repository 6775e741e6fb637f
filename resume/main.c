/* khib-resume: resume a hibernated system at boot (run from the initramfs). */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "common/cmdline.h"
#include "kjump/kjump.h"
#include "resume.h"

static const char usage_text[] =
"usage: khib-resume [OPTIONS]\n"
"Looks for a hibernation image in the swap area and resumes it; otherwise returns so that\n"
"the boot goes on. Without --device it reads khibernate.resume=DEVICE and\n"
"khibernate.resume_offset=PAGES (for a swap file) from the kernel command line.\n"
"\n"
"  -d, --device DEV         block device of the swap area\n"
"  -o, --offset PAGES       page offset of the swap header on DEV (swap files)\n"
"      --kernel FILE        restore helper kernel (default /boot/khib/bzImage)\n"
"      --initrd FILE        restore helper initramfs (default /boot/khib/helper.img)\n"
"      --cmdline ARGS       extra helper kernel arguments\n"
"      --key-file FILE      the 32-byte key of an encrypted image\n"
"      --passphrase-file F  its passphrase (first line of F)\n"
"  -j, --threads N          restore threads (0 = all CPUs)\n"
"  -h, --help               this text\n"
"\n"
"Exit status (when it returns): 0 no image, boot on; 1 an image was refused and discarded,\n"
"boot on; 3 an encrypted image was kept (wrong or no key): do not boot on with it in place;\n"
"4 the swap area could not be examined; 2 usage error.\n";

static int usage_error(const char *msg, const char *arg)
{
	fprintf(stderr, "khib-resume: %s%s\nTry 'khib-resume --help'.\n", msg, arg);
	return 2;
}

/* The device may show up only after init started: wait a little for its node. */
static int wait_for(const char *path)
{
	const struct timespec tick = { .tv_nsec = 20 * 1000 * 1000 };
	struct stat st;

	for (int i = 0; i < 500; i++) {
		if (stat(path, &st) == 0)
			return 0;
		nanosleep(&tick, NULL);
	}
	return -ENOENT;
}

/* khibernate.resume=DEV and khibernate.resume_offset=PAGES from the command line. */
static int from_cmdline(char *dev, size_t size, uint64_t *ret_offset)
{
	char cmdline[4096], *p;
	size_t len;
	uint64_t pages = 0;
	int err = kh_read_file("/proc/cmdline", cmdline, sizeof(cmdline), &len);

	if (err)
		return err;
	p = strstr(cmdline, "khibernate.resume=");
	if (!p || (p != cmdline && p[-1] != ' '))
		return -ENODATA;
	p += strlen("khibernate.resume=");
	snprintf(dev, size, "%.*s", (int)strcspn(p, " \n"), p);
	err = kj_cmdline_u64(cmdline, "khibernate.resume_offset=", &pages);
	if (err && err != -ENODATA)
		return err;
	*ret_offset = pages * KHI_PAGE_SIZE;
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "device", 1, NULL, 'd' }, { "offset", 1, NULL, 'o' }, { "kernel", 1, NULL, 'K' },
		{ "initrd", 1, NULL, 'I' }, { "cmdline", 1, NULL, 'C' }, { "key-file", 1, NULL, 'k' },
		{ "passphrase-file", 1, NULL, 'p' }, { "threads", 1, NULL, 'j' },
		{ "help", 0, NULL, 'h' }, { 0 },
	};
	struct kr_opts o = { .helper_kernel = "/boot/khib/bzImage",
			     .helper_initrd = "/boot/khib/helper.img", .log = stderr };
	const char *key_file = NULL, *pass_file = NULL;
	char dev[256] = "", secret[KHI_KEY_SIZE + 260];
	size_t len;
	int opt, err;
	enum kr_outcome out;

	while ((opt = getopt_long(argc, argv, "d:o:j:h", opts, NULL)) != -1) {
		switch (opt) {
		case 'd': snprintf(dev, sizeof(dev), "%s", optarg); break;
		case 'o': o.offset = strtoull(optarg, NULL, 0) * KHI_PAGE_SIZE; break;
		case 'K': o.helper_kernel = optarg; break;
		case 'I': o.helper_initrd = optarg; break;
		case 'C': o.helper_cmdline = optarg; break;
		case 'k': key_file = optarg; break;
		case 'p': pass_file = optarg; break;
		case 'j': o.threads = (unsigned)strtoul(optarg, NULL, 10); break;
		case 'h': fputs(usage_text, stdout); return 0;
		default:
			fputs("khib-resume: see 'khib-resume --help'\n", stderr);
			return 2;
		}
	}
	if (optind < argc)
		return usage_error("unexpected argument ", argv[optind]);
	if (key_file && pass_file)
		return usage_error("--key-file and --passphrase-file exclude each other", "");
	if (!dev[0]) {
		err = from_cmdline(dev, sizeof(dev), &o.offset);
		if (err == -ENODATA)
			return 0; /* not configured: nothing to do */
		if (err)
			return usage_error("bad khibernate.resume_offset= on the command line", "");
	}
	if (key_file || pass_file) {
		const char *path = key_file ? key_file : pass_file;
		err = kh_read_file(path, secret, sizeof(secret), &len);
		if (err || (key_file && len != KHI_KEY_SIZE)) {
			fprintf(stderr, "khib-resume: %s: %s\n", path, err ? strerror(-err) :
				"a key file holds exactly 32 bytes");
			return 4;
		}
		if (key_file)
			o.key = (const uint8_t *)secret;
		else
			o.passphrase = strtok(secret, "\n") ?: "";
	}
	o.device = dev;
	if (wait_for(dev) < 0) {
		fprintf(stderr, "khib-resume: %s does not exist; not resuming\n", dev);
		return 4;
	}
	out = kr_resume(&o, &err);
	explicit_bzero(secret, sizeof(secret));
	switch (out) {
	case KR_NO_IMAGE: return 0;
	case KR_REFUSED: return 1;
	case KR_KEPT: return 3;
	default: return 4;
	}
}
