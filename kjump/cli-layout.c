/* kjump layout, and the layout options that kjump load shares with it. */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/fileio.h"
#include "kjump/cli-layout.h"
#include "kjump/cli.h"
#include "kjump/internal.h"

static int read_layout(const char *path, struct kj_layout *l)
{
	char *buf;
	size_t n;
	int r = kc_read_file(path, 1u << 20, &buf, &n);

	if (r < 0) {
		cli_error(r, "%s", path);
		return KC_EXIT_FAILURE;
	}
	r = kj_layout_decode(buf, n, l);
	free(buf);
	if (r < 0) {
		cli_error(0, "%s: not a usable kjump layout: %s", path, kj_strerror(r));
		return KC_EXIT_FAILURE;
	}
	return KC_EXIT_OK;
}

static int system_layout(struct kj_layout *l)
{
	int r = kj_layout_from_system(l);

	if (r == -EPERM) {
		cli_error(0, "/proc/iomem shows no addresses to this user: run as root");
		return KC_EXIT_UNSUPPORTED;
	}
	if (r < 0) {
		cli_error(0, "cannot read A's memory map from /proc/iomem: %s", kj_strerror(r));
		return KC_EXIT_FAILURE;
	}
	return KC_EXIT_OK;
}

static int override(const struct cli_layout_opts *o, struct kj_layout *l)
{
	if (o->region && strcmp(o->region, "auto") && cli_parse_range(o->region, &l->region) < 0) {
		cli_error(0, "--region %s: expected auto, START-END or START+SIZE", o->region);
		return KC_EXIT_USAGE;
	}
	if (o->hole && !strcmp(o->hole, "none"))
		l->hole = (struct kj_range){ 0, 0 };
	else if (o->hole && strcmp(o->hole, "auto") && cli_parse_range(o->hole, &l->hole) < 0) {
		cli_error(0, "--hole %s: expected auto, none, START-END or START+SIZE", o->hole);
		return KC_EXIT_USAGE;
	}
	return KC_EXIT_OK;
}

static int check(const struct kj_layout *l)
{
	int r = kj_layout_check(l);

	if (r == -ENODATA) {
		cli_error(0, "no reserved region for the helper: boot this kernel with "
			  "crashkernel=128M@0x10000000 (a fixed offset) or pass --region");
		return KC_EXIT_UNSUPPORTED;
	}
	if (r < 0) {
		cli_error(0, "cannot confine the helper to region 0x%" PRIx64 "+0x%" PRIx64
			  " with hole 0x%" PRIx64 "+0x%" PRIx64 ": the region must be page-aligned "
			  "inside one System RAM range, the hole page-aligned below 1 MiB and reserved "
			  "in A (memmap=64K$0x80000)", l->region.start, l->region.size, l->hole.start,
			  l->hole.size);
		return KC_EXIT_UNSUPPORTED;
	}
	return KC_EXIT_OK;
}

int cli_layout_get(const struct cli_layout_opts *o, struct kj_layout *l)
{
	int rc = o->file ? read_layout(o->file, l) : system_layout(l);

	if (rc == KC_EXIT_OK)
		rc = override(o, l);
	if (rc == KC_EXIT_OK)
		rc = check(l);
	return rc;
}

static const char *type_name(uint32_t type)
{
	static const char *const names[] = {
		[KJ_E820_RAM] = "RAM", [KJ_E820_RESERVED] = "reserved", [KJ_E820_ACPI] = "ACPI data",
		[KJ_E820_NVS] = "ACPI NVS", [KJ_E820_UNUSABLE] = "unusable", [KJ_E820_PMEM] = "pmem",
	};

	return type < sizeof(names) / sizeof(names[0]) && names[type] ? names[type] : "type?";
}

static void print_map(const char *title, const struct kj_map_entry *e, unsigned n)
{
	unsigned i;

	printf("%s\n", title);
	for (i = 0; i < n; i++)
		printf("  %016" PRIx64 "-%016" PRIx64 " %s\n", e[i].start, e[i].start + e[i].size - 1,
		       type_name(e[i].type));
}

static int print_layout(const struct kj_layout *l)
{
	struct kj_map_entry e820[KJ_LAYOUT_MAX_ENTRIES];
	unsigned n;
	int r;

	printf("region: 0x%" PRIx64 "-0x%" PRIx64 " (%" PRIu64 " MiB)\n", l->region.start,
	       l->region.start + l->region.size - 1, l->region.size >> 20);
	if (l->hole.size)
		printf("hole:   0x%" PRIx64 "-0x%" PRIx64 "\n", l->hole.start,
		       l->hole.start + l->hole.size - 1);
	else
		printf("hole:   none (B may fail to boot: it needs RAM below 1 MiB)\n");
	print_map("A's memory map (RAM = A's System RAM):", l->entries, l->nr_entries);
	r = kj_layout_e820(l, NULL, 0, e820, KJ_LAYOUT_MAX_ENTRIES, &n);
	if (r < 0) {
		cli_error(0, "cannot build B's e820 map: %s", kj_strerror(r));
		return KC_EXIT_FAILURE;
	}
	print_map("B's e820 map (A's RAM as ACPI data):", e820, n);
	return KC_EXIT_OK;
}

static int save_layout(const struct kj_layout *l, const char *path)
{
	size_t size = kj_layout_encoded_size(l);
	void *buf = malloc(size);
	FILE *f;
	int ok;

	if (!buf || kj_layout_encode(l, buf, size) < 0) {
		free(buf);
		cli_error(-ENOMEM, "encoding the layout");
		return KC_EXIT_FAILURE;
	}
	f = fopen(path, "wbe");
	ok = f && fwrite(buf, 1, size, f) == size;
	ok = (f && fclose(f) == 0) && ok;
	free(buf);
	if (!ok) {
		cli_error(errno, "%s", path);
		return KC_EXIT_FAILURE;
	}
	return KC_EXIT_OK;
}

int cmd_layout(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "region", required_argument, NULL, 'r' },
		{ "hole", required_argument, NULL, 'H' },
		{ "layout", required_argument, NULL, 'l' },
		{ 0 },
	};
	struct cli_layout_opts lo = { 0 };
	const char *out = NULL;
	struct kj_layout l;
	int c, rc;

	while ((c = getopt_long(argc, argv, "o:", opts, NULL)) != -1) {
		switch (c) {
		case 'o': out = optarg; break;
		case 'r': lo.region = optarg; break;
		case 'H': lo.hole = optarg; break;
		case 'l': lo.file = optarg; break;
		default: return KC_EXIT_USAGE;
		}
	}
	rc = cli_layout_get(&lo, &l);
	if (rc == KC_EXIT_OK)
		rc = out ? save_layout(&l, out) : print_layout(&l);
	return rc;
}
