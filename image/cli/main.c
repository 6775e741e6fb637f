/* main.c: khib-image option parsing, usage and error reporting. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/fileio.h"
#include "common/hex.h"
#include "image/cli/cli.h"

static const char usage[] =
	"Usage: khib-image [OPTIONS] COMMAND ARGS...\n"
	"Inspect, check, remove, write and read khibernate hibernation images in a swap area.\n"
	"DEVICE is a swap partition, a disk holding a swap file (with --offset) or a test file\n"
	"formatted with mkswap.\n"
	"\n"
	"Commands:\n"
	"  info DEVICE          state of the swap area and the image's header (no key needed)\n"
	"  verify DEVICE        read the whole image, check every checksum, tag and chunk size\n"
	"  discard DEVICE       remove any image; the area is plain swap again (no mkswap needed)\n"
	"  consume DEVICE       mark the image consumed, as the boot path does before a resume;\n"
	"                       prints the image id that 'read --consumed-id' needs\n"
	"  write INPUT DEVICE   save INPUT, a file of memory (page n at byte n*4096), as an image\n"
	"  read DEVICE OUTPUT   restore the image's pages into the file OUTPUT (one pass)\n"
	"\n"
	"Options:\n"
	"  -o, --offset BYTES        byte offset of the swap header on DEVICE (default 0)\n"
	"  -j, --json                print one JSON object instead of text\n"
	"  -q, --quiet               no progress on stderr\n"
	"  -t, --threads N           worker threads (default 1)\n"
	"  -c, --compress ALGO       write: none, lz4 (default), lz4:ACCEL (1-64), lz4hc or\n"
	"                            lz4hc:LEVEL (1-12)\n"
	"  -k, --key-file FILE       AES-256-GCM with the 32-byte raw key in FILE\n"
	"  -p, --passphrase-file FILE  AES-256-GCM with a key derived (Argon2id) from the first\n"
	"                            line of FILE\n"
	"  -r, --range PFN:COUNT     write: save these pages only (repeat; default: all of INPUT)\n"
	"  -e, --extents FILE        write: use only these extents, one 'OFFSET LENGTH' (bytes)\n"
	"                            per line, in order (default: the whole usable swap area)\n"
	"      --swapfile            write: the extents are those of a swap file on DEVICE\n"
	"      --estimate BYTES      write: expected image size; refuse early only if it does not\n"
	"                            fit (default: the worst case, every page uncompressed)\n"
	"      --label TEXT          write: label stored in the header (default khib-image)\n"
	"      --kernel-release TEXT write: kernel release stored in the header\n"
	"      --entry ADDR          write: re-entry address stored in the header\n"
	"      --consumed-id HEX     verify/read: the consumed image with this id\n"
	"      --mem-max MIB         info/verify/read: memory for the image's tables (default: a\n"
	"                            quarter of RAM, at most 4 x DEVICE's size + 1 MiB)\n"
	"  -h, --help                this text\n"
	"\n"
	"Exit status:\n"
	"  0 success          1 I/O or system error     2 usage error\n"
	"  3 no image         4 image already consumed  5 image corrupt or unsupported (or over\n"
	"                                                 --mem-max or the key derivation bounds)\n"
	"  6 key missing or wrong, or a key given for an unencrypted image\n"
	"  7 not a swap area, or an image is there\n"
	"  8 not enough space in the swap area\n";

int cli_fail(const struct cli *c, int err, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", c->argv0);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, ": %s\n", khi_strerror(err));
	switch (err) {
	case -ENODATA: return KC_EXIT_NO_IMAGE;
	case -EALREADY: return KC_EXIT_CONSUMED;
	case -EBADMSG: case -EPROTONOSUPPORT: return KC_EXIT_CORRUPT;
	case -ENOKEY: case -EKEYREJECTED: case -EPROTO: return KC_EXIT_KEY;
	case -EMEDIUMTYPE: case -EEXIST: return KC_EXIT_NOT_SWAP;
	case -E2BIG: return KC_EXIT_CORRUPT;
	case -ENOSPC: return KC_EXIT_NO_SPACE;
	case -EINVAL: case -EXDEV: return KC_EXIT_USAGE;
	default: return KC_EXIT_FAILURE;
	}
}

void cli_key(const struct cli *c, struct khi_key *k)
{
	memset(k, 0, sizeof(*k));
	if (c->have_key)
		k->key = c->key;
	if (c->have_passphrase)
		k->passphrase = c->passphrase;
}

void cli_progress(void *ctx, uint64_t done, uint64_t total)
{
	(void)ctx;
	if (!isatty(STDERR_FILENO))
		return;
	fprintf(stderr, "\r%3u%% %llu/%llu MiB%s", total ? (unsigned)(done * 100 / total) : 100,
		(unsigned long long)(done >> 20), (unsigned long long)(total >> 20), done == total ? "\n" : "");
}

static bool parse_u64(const char *s, uint64_t *ret)
{
	char *end;

	errno = 0;
	*ret = strtoull(s, &end, 0);
	return !errno && end != s && !*end && s[0] != '-';
}

/* A key or passphrase file: at most a page, so kc_read_file() leaves no copy behind. */
static int read_small_file(const struct cli *c, const char *path, char **ret, size_t *ret_n)
{
	int e = kc_read_file(path, 4096, ret, ret_n);

	return e ? cli_fail(c, e, "%s", path) : 0;
}

static int parse_key_file(struct cli *c, const char *path)
{
	char *buf;
	size_t n;
	int e = read_small_file(c, path, &buf, &n);

	if (e)
		return e;
	if (n != KHI_KEY_SIZE)
		e = cli_fail(c, -EINVAL, "%s: a key file holds exactly 32 bytes (head -c32 /dev/urandom)", path);
	if (!e) {
		memcpy(c->key, buf, KHI_KEY_SIZE);
		c->have_key = true;
	}
	explicit_bzero(buf, n);
	free(buf);
	return e;
}

static int parse_passphrase_file(struct cli *c, const char *path)
{
	char *buf;
	size_t n;
	int e = read_small_file(c, path, &buf, &n);

	if (e)
		return e;
	snprintf(c->passphrase, sizeof(c->passphrase), "%.*s", (int)strcspn(buf, "\n"), buf);
	explicit_bzero(buf, n);
	free(buf);
	if (!c->passphrase[0])
		return cli_fail(c, -EINVAL, "%s: empty passphrase", path);
	c->have_passphrase = true;
	return 0;
}

static int parse_compress(struct cli *c, const char *s)
{
	if (khi_compression_parse(s, &c->comp, &c->level) < 0)
		return cli_fail(c, -EINVAL, "--compress %s: use none, lz4, lz4:1..%u, lz4hc or lz4hc:1..12",
				s, KHI_LZ4_ACCEL_MAX);
	return 0;
}

static int parse_range(struct cli *c, const char *s)
{
	uint64_t pfn, count;
	char buf[64];
	char *colon;

	snprintf(buf, sizeof(buf), "%s", s);
	colon = strchr(buf, ':');
	if (!colon)
		return cli_fail(c, -EINVAL, "--range %s: use PFN:COUNT", s);
	*colon = 0;
	if (!parse_u64(buf, &pfn) || !parse_u64(colon + 1, &count) || !count)
		return cli_fail(c, -EINVAL, "--range %s: use PFN:COUNT", s);
	if (pfn >= KHI_PFN_LIMIT || count > KHI_PFN_LIMIT - pfn)
		return cli_fail(c, -EINVAL, "--range %s: beyond the physical address width (pages end below PFN 2^40: 2^52 bytes)", s);
	c->ranges = realloc(c->ranges, (c->nr_ranges + 1) * sizeof(*c->ranges));
	if (!c->ranges)
		return cli_fail(c, -ENOMEM, "--range");
	c->ranges[c->nr_ranges++] = (struct khi_range){ pfn, count };
	return 0;
}

static int parse_extents(struct cli *c, const char *path)
{
	FILE *f = fopen(path, "re");
	unsigned long long off, len;

	if (!f)
		return cli_fail(c, -errno, "%s", path);
	while (fscanf(f, "%lli %lli", &off, &len) == 2) {
		struct khi_extent *e = realloc(c->extents, (c->nr_extents + 1) * sizeof(*e));
		if (!e) {
			fclose(f);
			return cli_fail(c, -ENOMEM, "%s", path);
		}
		c->extents = e;
		c->extents[c->nr_extents++] = (struct khi_extent){ off, len };
	}
	bool bad = !feof(f) || !c->nr_extents;
	fclose(f);
	return bad ? cli_fail(c, -EINVAL, "%s: expected lines 'OFFSET LENGTH'", path) : 0;
}

static int parse_hex_id(struct cli *c, const char *s)
{
	if (strlen(s) != 2 * KHI_IMAGE_ID_SIZE)
		return cli_fail(c, -EINVAL, "--consumed-id: %d hex digits expected", 2 * KHI_IMAGE_ID_SIZE);
	if (kc_hex_decode(s, c->consumed_id, KHI_IMAGE_ID_SIZE) < 0)
		return cli_fail(c, -EINVAL, "--consumed-id: not hex");
	c->have_consumed_id = true;
	return 0;
}

enum { OPT_SWAPFILE = 256, OPT_ESTIMATE, OPT_LABEL, OPT_RELEASE, OPT_ENTRY, OPT_CONSUMED_ID, OPT_MEM_MAX };

static int parse_option(struct cli *c, int opt, const char *arg)
{
	uint64_t v;

	switch (opt) {
	case 'o':
		if (!parse_u64(arg, &c->offset) || c->offset % KHI_PAGE_SIZE)
			return cli_fail(c, -EINVAL, "--offset %s: a multiple of 4096 expected", arg);
		return 0;
	case 'j': c->json = true; return 0;
	case 'q': c->quiet = true; return 0;
	case 't':
		if (!parse_u64(arg, &v) || v < 1 || v > KHI_THREADS_MAX)
			return cli_fail(c, -EINVAL, "--threads %s: 1..%u expected", arg, KHI_THREADS_MAX);
		c->threads = (unsigned)v;
		return 0;
	case 'c': return parse_compress(c, arg);
	case 'k': return parse_key_file(c, arg);
	case 'p': return parse_passphrase_file(c, arg);
	case 'r': return parse_range(c, arg);
	case 'e': return parse_extents(c, arg);
	case OPT_SWAPFILE: c->swapfile = true; return 0;
	case OPT_ESTIMATE:
		return parse_u64(arg, &c->estimate) ? 0 : cli_fail(c, -EINVAL, "--estimate %s", arg);
	case OPT_LABEL: c->label = arg; return 0;
	case OPT_RELEASE: c->release = arg; return 0;
	case OPT_ENTRY:
		return parse_u64(arg, &c->entry) ? 0 : cli_fail(c, -EINVAL, "--entry %s", arg);
	case OPT_CONSUMED_ID: return parse_hex_id(c, arg);
	case OPT_MEM_MAX:
		if (!parse_u64(arg, &v) || !v || v > UINT64_MAX >> 20)
			return cli_fail(c, -EINVAL, "--mem-max %s: MiB, at least 1", arg);
		c->mem_max = v << 20;
		return 0;
	case 'h': fputs(usage, stdout); exit(KC_EXIT_OK);
	default: fputs(usage, stderr); return KC_EXIT_USAGE;
	}
}

static const struct option options[] = {
	{ "offset", required_argument, NULL, 'o' },
	{ "json", no_argument, NULL, 'j' },
	{ "quiet", no_argument, NULL, 'q' },
	{ "threads", required_argument, NULL, 't' },
	{ "compress", required_argument, NULL, 'c' },
	{ "key-file", required_argument, NULL, 'k' },
	{ "passphrase-file", required_argument, NULL, 'p' },
	{ "range", required_argument, NULL, 'r' },
	{ "extents", required_argument, NULL, 'e' },
	{ "swapfile", no_argument, NULL, OPT_SWAPFILE },
	{ "estimate", required_argument, NULL, OPT_ESTIMATE },
	{ "label", required_argument, NULL, OPT_LABEL },
	{ "kernel-release", required_argument, NULL, OPT_RELEASE },
	{ "entry", required_argument, NULL, OPT_ENTRY },
	{ "consumed-id", required_argument, NULL, OPT_CONSUMED_ID },
	{ "mem-max", required_argument, NULL, OPT_MEM_MAX },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

static const struct {
	const char *name;
	int nargs;
	int (*fn)(struct cli *c, char **args);
} commands[] = {
	{ "info", 1, cmd_info },     { "verify", 1, cmd_verify }, { "discard", 1, cmd_discard },
	{ "consume", 1, cmd_consume }, { "write", 2, cmd_write }, { "read", 2, cmd_read },
};

static int run(struct cli *c, int argc, char **argv)
{
	int opt, e = 0;

	while (!e && (opt = getopt_long(argc, argv, "o:jqt:c:k:p:r:e:h", options, NULL)) != -1)
		e = parse_option(c, opt, optarg);
	if (e)
		return e;
	if (c->have_key && c->have_passphrase)
		return cli_fail(c, -EINVAL, "--key-file and --passphrase-file");
	if (optind >= argc) {
		fputs(usage, stderr);
		return KC_EXIT_USAGE;
	}
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		if (strcmp(argv[optind], commands[i].name))
			continue;
		if (argc - optind - 1 != commands[i].nargs) {
			fprintf(stderr, "%s: %s takes %d argument(s); see --help\n", c->argv0, commands[i].name,
				commands[i].nargs);
			return KC_EXIT_USAGE;
		}
		return commands[i].fn(c, argv + optind + 1);
	}
	fprintf(stderr, "%s: unknown command '%s'; see --help\n", c->argv0, argv[optind]);
	return KC_EXIT_USAGE;
}

int main(int argc, char **argv)
{
	struct cli c = { .argv0 = "khib-image", .threads = 1, .comp = KHI_COMPRESS_LZ4 };
	int e = run(&c, argc, argv);

	/* Whatever path was taken: the key file's or passphrase file's bytes go. */
	explicit_bzero(c.key, sizeof(c.key));
	explicit_bzero(c.passphrase, sizeof(c.passphrase));
	free(c.ranges);
	free(c.extents);
	return e;
}
