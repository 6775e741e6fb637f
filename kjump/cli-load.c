/* kjump load. */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "common/fileio.h"
#include "kjump/cli-layout.h"
#include "kjump/cli.h"
#include "kjump/internal.h"

#define PAYLOAD_MAX (8u << 20)

static int report(int r, const struct kj_load_opts *o, const struct kj_load_info *info)
{
	switch (r) {
	case -ENOEXEC:
		cli_error(0, "%s: not an x86 bzImage", o->kernel);
		return KC_EXIT_FAILURE;
	case -EPROTONOSUPPORT:
		cli_error(0, "%s: unsupported kernel: it needs boot protocol 2.12 or later, a 64-bit "
			  "entry point and CONFIG_RELOCATABLE", o->kernel);
		return KC_EXIT_FAILURE;
	case -EBADMSG:
		cli_error(0, "%s: truncated or corrupt bzImage", o->kernel);
		return KC_EXIT_FAILURE;
	case -ENOSPC:
		cli_error(0, "the region (%" PRIu64 " MiB) is too small: B needs %" PRIu64 " MiB "
			  "(kernel, initrd, --min-free); enlarge crashkernel= or shrink the initrd",
			  o->layout->region.size >> 20, (info->needed + (1u << 20) - 1) >> 20);
		return KC_EXIT_UNSUPPORTED;
	case -E2BIG:
		cli_error(0, "the command line is too long for %s, or A's memory map has too many "
			  "ranges", o->kernel);
		return KC_EXIT_FAILURE;
	default:
		return cli_kexec_error(r, "loading the helper kernel");
	}
}

static void print_info(const struct kj_load_info *i)
{
	printf("kernel   0x%" PRIx64 " (64-bit entry 0x%" PRIx64 ")\n", i->kernel,
	       i->kernel + KJ_BZIMAGE_ENTRY64_OFFSET);
	printf("handoff  0x%" PRIx64 "\n", i->handoff);
	printf("entry    0x%" PRIx64 " (purgatory)\n", i->entry);
	if (i->initrd_size)
		printf("initrd   0x%" PRIx64 " (%" PRIu64 " bytes)\n", i->initrd, i->initrd_size);
	printf("segments %u, ending at 0x%" PRIx64 "; B needs %" PRIu64 " MiB of the region\n",
	       i->nr_segments, i->segments_end, i->needed >> 20);
}

/* kj_load() cannot say which file it failed to read: check them first. */
static int check_readable(const char *path)
{
	if (!path || access(path, R_OK) == 0)
		return KC_EXIT_OK;
	cli_error(errno, "%s", path);
	return KC_EXIT_FAILURE;
}

static int read_payload(const char *path, char **buf, size_t *size)
{
	int r = kc_read_file(path, PAYLOAD_MAX, buf, size);

	if (r < 0)
		cli_error(r, "--payload %s", path);
	return r < 0 ? KC_EXIT_FAILURE : KC_EXIT_OK;
}

int cmd_load(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "kernel", required_argument, NULL, 'k' },
		{ "initrd", required_argument, NULL, 'i' },
		{ "cmdline", required_argument, NULL, 'c' },
		{ "region", required_argument, NULL, 'r' },
		{ "hole", required_argument, NULL, 'H' },
		{ "layout", required_argument, NULL, 'l' },
		{ "payload", required_argument, NULL, 'p' },
		{ "min-free", required_argument, NULL, 'm' },
		{ "no-preserve-context", no_argument, NULL, 'n' },
		{ "verbose", no_argument, NULL, 'v' },
		{ 0 },
	};
	struct kj_load_opts o = KJ_LOAD_OPTS_INIT;
	struct cli_layout_opts lo = { 0 };
	struct kj_load_info info = { 0 };
	const char *payload = NULL;
	char *pbuf = NULL;
	struct kj_layout l;
	int c, rc, verbose = 0;

	while ((c = getopt_long(argc, argv, "v", opts, NULL)) != -1) {
		switch (c) {
		case 'k': o.kernel = optarg; break;
		case 'i': o.initrd = optarg; break;
		case 'c': o.cmdline = optarg; break;
		case 'r': lo.region = optarg; break;
		case 'H': lo.hole = optarg; break;
		case 'l': lo.file = optarg; break;
		case 'p': payload = optarg; break;
		case 'n': o.preserve_context = false; break;
		case 'v': verbose = 1; break;
		case 'm':
			if (cli_parse_u64(optarg, &o.min_free) == 0)
				break;
			cli_error(0, "--min-free %s: expected a size such as 48M", optarg);
			return KC_EXIT_USAGE;
		default: return KC_EXIT_USAGE;
		}
	}
	if (!o.kernel || optind != argc) {
		cli_error(0, "usage: kjump load --kernel BZIMAGE [--initrd FILE] [--cmdline STR] ...");
		return KC_EXIT_USAGE;
	}
	rc = check_readable(o.kernel);
	if (rc == KC_EXIT_OK)
		rc = check_readable(o.initrd);
	if (rc == KC_EXIT_OK)
		rc = cli_layout_get(&lo, &l);
	if (rc == KC_EXIT_OK && payload)
		rc = read_payload(payload, &pbuf, &o.payload_size);
	if (rc != KC_EXIT_OK)
		return rc;
	o.layout = &l;
	o.payload = pbuf;
	c = kj_load(&o, &info);
	free(pbuf);
	if (c < 0)
		return report(c, &o, &info);
	if (verbose)
		print_info(&info);
	return KC_EXIT_OK;
}
