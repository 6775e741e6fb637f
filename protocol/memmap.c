/* The firmware's memory map and an image's layout; see memmap.h. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/fileio.h"
#include "common/overflow.h"
#include "protocol/memmap.h"

/* dir/name/field: a sysfs file (at most a page). */
static int read_field(const char *dir, const char *name, const char *field, char **ret)
{
	char path[512];
	size_t len;

	snprintf(path, sizeof(path), "%s/%s/%s", dir, name, field);
	return kc_read_file(path, 4096, ret, &len);
}

static int read_u64(const char *dir, const char *name, const char *field, uint64_t *ret)
{
	char *buf, *end;
	int r = read_field(dir, name, field, &buf);

	if (r < 0)
		return r;
	errno = 0;
	*ret = strtoull(buf, &end, 0);
	r = errno || end == buf || (*end && *end != '\n') ? -EBADMSG : 0;
	free(buf);
	return r;
}

/* One entry: 1 and its range if it is System RAM, 0 if it is something else. */
static int read_entry(const char *dir, const char *name, struct kj_range *ret)
{
	uint64_t start, last;
	char *type;
	int r = read_field(dir, name, "type", &type);

	if (r < 0)
		return r;
	r = strcmp(type, "System RAM\n") && strcmp(type, "System RAM");
	free(type);
	if (r)
		return 0;
	if ((r = read_u64(dir, name, "start", &start)) < 0 || (r = read_u64(dir, name, "end", &last)) < 0)
		return r;
	if (last < start || last == UINT64_MAX)
		return -EBADMSG;
	*ret = (struct kj_range){ start, last - start + 1 };
	return 1;
}

static int cmp_range(const void *a, const void *b)
{
	const struct kj_range *x = a, *y = b;
	return (x->start > y->start) - (x->start < y->start);
}

/* Sorts and merges what touches or overlaps; returns the new count. */
static size_t merge(struct kj_range *v, size_t n)
{
	size_t out = 0;

	qsort(v, n, sizeof(*v), cmp_range);
	for (size_t i = 0; i < n; i++) {
		uint64_t end = v[i].start + v[i].size, prev_end;
		if (out && (prev_end = v[out - 1].start + v[out - 1].size) >= v[i].start) {
			if (end > prev_end)
				v[out - 1].size = end - v[out - 1].start;
		} else {
			v[out++] = v[i];
		}
	}
	return out;
}

int khp_memmap_ram(const char *dir, struct kj_range **ret, size_t *ret_n)
{
	struct kj_range *v = NULL;
	size_t n = 0, seen = 0;
	struct dirent *d;
	DIR *dp = opendir(dir);
	int r = 0;

	if (!dp)
		return -errno;
	while (!r && (d = readdir(dp))) {
		struct kj_range e;

		if (d->d_name[0] == '.')
			continue;
		if (++seen > KHP_MEMMAP_MAX_ENTRIES) {
			r = -E2BIG;
			break;
		}
		if ((r = read_entry(dir, d->d_name, &e)) <= 0)
			continue;
		struct kj_range *nv = realloc(v, (n + 1) * sizeof(*v));
		if (!nv) {
			r = -ENOMEM;
			break;
		}
		v = nv;
		v[n++] = e;
		r = 0;
	}
	closedir(dp);
	if (r < 0) {
		free(v);
		return r;
	}
	*ret = v;
	*ret_n = merge(v, n);
	return 0;
}

/* [start, start + size) inside one of the merged RAM ranges (an empty range is). */
static int in_ram(uint64_t start, uint64_t size, const struct kj_range *ram, size_t n)
{
	if (!size)
		return 1;
	for (size_t i = 0; i < n; i++)
		if (start >= ram[i].start && range_within(start - ram[i].start, size, ram[i].size))
			return 1;
	return 0;
}

int khp_layout_in_ram(const struct kj_layout *l, const struct kj_range *ram, size_t n)
{
	if (!in_ram(l->region.start, l->region.size, ram, n) || !in_ram(l->hole.start, l->hole.size, ram, n))
		return -ESTALE;
	for (uint32_t i = 0; i < l->nr_entries && i < KJ_LAYOUT_MAX_ENTRIES; i++)
		if (l->entries[i].type == KJ_E820_RAM &&
		    !in_ram(l->entries[i].start, l->entries[i].size, ram, n))
			return -ESTALE;
	return 0;
}

int khp_layout_in_firmware(const struct kj_layout *l)
{
	struct kj_range *ram = NULL;
	size_t n;
	int err = khp_memmap_ram(KHP_FIRMWARE_MEMMAP, &ram, &n);

	if (!err)
		err = khp_layout_in_ram(l, ram, n);
	free(ram);
	return err;
}
