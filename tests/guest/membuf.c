/*
 * khib-membuf: hold a buffer of known content in memory until told to check it.
 *
 * A workload tool for the guests: it fills SIZE bytes with a pattern derived from SEED, writes
 * its pid and the pattern's digest to STATUS, then sleeps. SIGUSR1 makes it regenerate the
 * pattern and compare it with what is in memory (a hibernation that lost or mixed pages shows
 * up as a mismatch at a known offset) and rewrite STATUS. The kinds give the benchmarks the
 * data mixes they need: zero pages, text-like (compressible) and random (incompressible).
 */
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum kind { KIND_ZERO, KIND_TEXT, KIND_RANDOM, KIND_MIXED };

static volatile sig_atomic_t check_requested;

static void on_usr1(int sig)
{
	(void)sig;
	check_requested = 1;
}

static uint64_t xorshift(uint64_t *s)
{
	uint64_t x = *s;
	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return *s = x;
}

/* Each 4 KiB page's content depends only on (seed, page index): checks can start anywhere. */
static void fill_page(unsigned char *p, enum kind kind, uint64_t seed, uint64_t index)
{
	static const char words[] = "the quick brown fox jumps over the lazy dog hibernate resume ";
	uint64_t s = (seed ^ (index * 0x9e3779b97f4a7c15ULL)) | 1;
	enum kind k = kind == KIND_MIXED ? (enum kind)(xorshift(&s) % 3) : kind;

	switch (k) {
	case KIND_ZERO:
		memset(p, 0, 4096);
		break;
	case KIND_TEXT:
		for (int i = 0; i < 4096; i++)
			p[i] = (unsigned char)words[(i + xorshift(&s) % 4) % (sizeof(words) - 1)];
		break;
	default:
		for (int i = 0; i < 4096; i += 8) {
			uint64_t v = xorshift(&s);
			memcpy(p + i, &v, 8);
		}
	}
}

static int parse_size(const char *arg, size_t *ret)
{
	char *end;
	unsigned long long v = strtoull(arg, &end, 10);

	switch (*end) {
	case 'G': v <<= 30; end++; break;
	case 'M': v <<= 20; end++; break;
	case 'K': v <<= 10; end++; break;
	}
	if (*end || v == 0 || v % 4096)
		return -EINVAL;
	*ret = (size_t)v;
	return 0;
}

static int parse_kind(const char *arg, enum kind *ret)
{
	static const char *const names[] = { "zero", "text", "random", "mixed" };

	for (unsigned i = 0; i < 4; i++)
		if (!strcmp(arg, names[i])) {
			*ret = (enum kind)i;
			return 0;
		}
	return -EINVAL;
}

/* Returns the offset of the first wrong byte, or -1 when all SIZE bytes match the pattern. */
static long long check(const unsigned char *buf, size_t size, enum kind kind, uint64_t seed)
{
	unsigned char page[4096];

	for (size_t off = 0; off < size; off += 4096) {
		fill_page(page, kind, seed, off / 4096);
		if (memcmp(page, buf + off, 4096)) {
			for (size_t i = 0; i < 4096; i++)
				if (page[i] != buf[off + i])
					return (long long)(off + i);
		}
	}
	return -1;
}

static int write_status(const char *path, const char *text)
{
	char tmp[4096];
	FILE *f;

	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	f = fopen(tmp, "w");
	if (!f)
		return -errno;
	fputs(text, f);
	if (fclose(f) != 0 || rename(tmp, path) != 0)
		return -errno;
	return 0;
}

static void usage(FILE *out)
{
	fputs("usage: khib-membuf SIZE[K|M|G] zero|text|random|mixed SEED STATUS\n"
	      "Fills SIZE bytes with a pattern from SEED, writes 'ready PID' to STATUS, then waits.\n"
	      "On SIGUSR1 it compares memory with the pattern and writes 'ok CHECKS' or\n"
	      "'bad OFFSET' to STATUS. SIGTERM ends it.\n", out);
}

int main(int argc, char **argv)
{
	enum kind kind;
	size_t size;
	unsigned char *buf;
	uint64_t seed;
	unsigned checks = 0;
	char text[128];

	if (argc == 2 && !strcmp(argv[1], "--help")) {
		usage(stdout);
		return 0;
	}
	if (argc != 5 || parse_size(argv[1], &size) < 0 || parse_kind(argv[2], &kind) < 0) {
		usage(stderr);
		return 2;
	}
	seed = strtoull(argv[3], NULL, 0);
	buf = malloc(size);
	if (!buf) {
		fprintf(stderr, "khib-membuf: cannot allocate %zu bytes\n", size);
		return 1;
	}
	for (size_t off = 0; off < size; off += 4096)
		fill_page(buf + off, kind, seed, off / 4096);

	signal(SIGUSR1, on_usr1);
	snprintf(text, sizeof(text), "ready %d\n", (int)getpid());
	if (write_status(argv[4], text) < 0) {
		fprintf(stderr, "khib-membuf: cannot write %s: %s\n", argv[4], strerror(errno));
		return 1;
	}
	for (;;) {
		pause();
		if (!check_requested)
			continue;
		check_requested = 0;
		long long bad = check(buf, size, kind, seed);
		if (bad >= 0)
			snprintf(text, sizeof(text), "bad %lld\n", bad);
		else
			snprintf(text, sizeof(text), "ok %u\n", ++checks);
		(void)write_status(argv[4], text);
	}
}
