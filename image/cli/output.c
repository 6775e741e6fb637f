/* output.c: text or JSON, one record per run. */
#include <stdio.h>

#include "image/cli/cli.h"

static bool first;

void out_begin(const struct cli *c)
{
	first = true;
	if (c->json)
		fputs("{", stdout);
}

static void key(const struct cli *c, const char *k)
{
	if (c->json)
		printf("%s\n  \"%s\": ", first ? "" : ",", k);
	else
		printf("%-20s ", k);
	first = false;
}

void out_str(const struct cli *c, const char *k, const char *val)
{
	key(c, k);
	if (!c->json) {
		printf("%s\n", val);
		return;
	}
	putchar('"');
	for (const char *p = val; *p; p++) {
		if (*p == '"' || *p == '\\')
			putchar('\\');
		if ((unsigned char)*p < 0x20)
			printf("\\u%04x", *p);
		else
			putchar(*p);
	}
	putchar('"');
}

void out_u64(const struct cli *c, const char *k, uint64_t val)
{
	key(c, k);
	printf(c->json ? "%llu" : "%llu\n", (unsigned long long)val);
}

void out_hex(const struct cli *c, const char *k, const uint8_t *p, size_t n)
{
	key(c, k);
	if (c->json)
		putchar('"');
	for (size_t i = 0; i < n; i++)
		printf("%02x", p[i]);
	fputs(c->json ? "\"" : "\n", stdout);
}

void out_ratio(const struct cli *c, const char *k, double val)
{
	key(c, k);
	printf(c->json ? "%.4f" : "%.4f\n", val);
}

void out_stats(const struct cli *c, const char *prefix, const struct khi_stats *s)
{
	char k[64];
#define S(field)                                                   \
	do {                                                       \
		snprintf(k, sizeof(k), "%s" #field, prefix);       \
		out_u64(c, k, s->field);                           \
	} while (0)
	S(pages_total);
	S(pages_zero);
	S(pages_raw);
	S(pages_compressed);
	S(bytes_in);
	S(bytes_out);
	S(bytes_image);
	if (s->ns_total) {
		S(ns_compress);
		S(ns_checksum);
		S(ns_crypt);
		S(ns_io);
		S(ns_source);
		S(ns_total);
		S(threads);
		snprintf(k, sizeof(k), "%sMBps", prefix);
		out_ratio(c, k, (double)s->pages_total * KHI_PAGE_SIZE / ((double)s->ns_total / 1e3));
	}
#undef S
	/* Image size per byte of memory saved, as the lz4 CLI's ratio (zero pages included). */
	snprintf(k, sizeof(k), "%sratio", prefix);
	out_ratio(c, k, s->pages_total ? (double)s->bytes_image / ((double)s->pages_total * KHI_PAGE_SIZE) : 0.0);
}

void out_end(const struct cli *c)
{
	if (c->json)
		fputs("\n}\n", stdout);
}
