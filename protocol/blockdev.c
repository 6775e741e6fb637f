/* Block device nodes from device numbers; see blockdev.h. */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>

#include "common/hex.h"
#include "image/khimage.h"
#include "protocol/blockdev.h"

int khp_dev_path(dev_t dev, char *buf, size_t size)
{
	char path[64], line[256];
	FILE *f;
	int r = -ENODEV;

	snprintf(path, sizeof(path), "/sys/dev/block/%u:%u/uevent", major(dev), minor(dev));
	f = fopen(path, "re");
	if (!f)
		return -ENODEV;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, "DEVNAME=", 8)) {
			line[strcspn(line, "\n")] = 0;
			r = snprintf(buf, size, "/dev/%s", line + 8) < (int)size ? 0 : -ENAMETOOLONG;
			break;
		}
	fclose(f);
	return r;
}

int khp_dev_wait(dev_t dev, char *buf, size_t size, unsigned timeout_ms)
{
	const struct timespec tick = { .tv_nsec = 20 * 1000 * 1000 };
	struct stat st;

	for (unsigned waited = 0;; waited += 20) {
		if (khp_dev_path(dev, buf, size) == 0 && stat(buf, &st) == 0 && S_ISBLK(st.st_mode) &&
		    st.st_rdev == dev)
			return 0;
		if (waited >= timeout_ms)
			return -ENODEV;
		nanosleep(&tick, NULL);
	}
}

static int parse_uuid(const char *s, uint8_t ret[16])
{
	unsigned n = 0;

	for (; *s; s++) {
		int d = kc_hex_digit(*s);
		if (*s == '-')
			continue;
		if (d < 0 || n == 32)
			return -EINVAL;
		ret[n / 2] = (uint8_t)(n % 2 ? ret[n / 2] | d : d << 4);
		n++;
	}
	return n == 32 ? 0 : -EINVAL;
}

int khp_devspec_parse(const char *s, struct khp_devspec *ret)
{
	static const struct { const char *prefix; enum khp_devspec_kind kind; } forms[] = {
		{ "/", KHP_DEVSPEC_PATH }, { "UUID=", KHP_DEVSPEC_UUID },
		{ "PARTUUID=", KHP_DEVSPEC_PARTUUID }, { "LABEL=", KHP_DEVSPEC_LABEL },
	};
	const char *v = NULL;

	memset(ret, 0, sizeof(*ret));
	for (size_t i = 0; i < sizeof(forms) / sizeof(forms[0]) && !v; i++)
		if (!strncmp(s, forms[i].prefix, strlen(forms[i].prefix))) {
			ret->kind = forms[i].kind;
			v = ret->kind == KHP_DEVSPEC_PATH ? s : s + strlen(forms[i].prefix);
		}
	if (!v || !*v || strlen(v) >= sizeof(ret->value) ||
	    (ret->kind == KHP_DEVSPEC_PATH && !v[1]) ||
	    (ret->kind == KHP_DEVSPEC_LABEL && strlen(v) > KHP_SWAP_LABEL_MAX))
		return -EINVAL;
	strcpy(ret->value, v);
	/* udev's links spell hex digits in lower case. */
	if (ret->kind == KHP_DEVSPEC_PARTUUID || ret->kind == KHP_DEVSPEC_UUID)
		for (char *c = ret->value; *c; c++)
			*c = (char)tolower((unsigned char)*c);
	if (ret->kind == KHP_DEVSPEC_UUID)
		return parse_uuid(v, ret->uuid);
	return 0;
}

static bool is_blk_or_file(const char *path)
{
	struct stat st;

	/* Tests stand in regular files for devices. */
	return stat(path, &st) == 0 && (S_ISBLK(st.st_mode) || S_ISREG(st.st_mode));
}

/* root + dir + "/" + name, or root + name when dir is NULL (name is absolute), if it is a
 * device (or a file standing in for one). */
static int link_target(const char *root, const char *dir, const char *name, char *buf,
		       size_t size)
{
	int n = dir ? snprintf(buf, size, "%s%s/%s", root, dir, name) :
		      snprintf(buf, size, "%s%s", root, name);

	if (n < 0 || (size_t)n >= size)
		return -ENAMETOOLONG;
	return is_blk_or_file(buf) ? 0 : -ENODEV;
}

/* Does the swap header at offset of path carry the spec's UUID or label? khi_probe() reads them
 * from any swap header, also one under a commit record it refuses (the image keeps the UUID
 * and label): even a corrupt image is found, to be refused and discarded. */
static bool header_matches(const struct khp_devspec *spec, const char *path, uint64_t offset)
{
	struct khi_probe_info info;
	int fd = open(path, O_RDONLY | O_CLOEXEC), r;

	if (fd < 0)
		return false;
	r = khi_probe(fd, offset, &info);
	close(fd);
	if (r && r != -EBADMSG && r != -EPROTONOSUPPORT)
		return false;
	if (spec->kind == KHP_DEVSPEC_UUID)
		return !memcmp(info.swap_uuid, spec->uuid, 16);
	return !strncmp(info.swap_label, spec->value, KHP_SWAP_LABEL_MAX);
}

static int by_swap_header(const struct khp_devspec *spec, uint64_t offset, const char *root,
			  char *buf, size_t size)
{
	char dir[PATH_MAX];
	struct dirent **names;
	int n, r = -ENODEV;

	snprintf(dir, sizeof(dir), "%s/sys/class/block", root);
	n = scandir(dir, &names, NULL, alphasort);
	if (n < 0)
		return -ENODEV;
	for (int i = 0; i < n; i++) {
		char *name = names[i]->d_name;
		if (r == -ENODEV && name[0] != '.') {
			/* sysfs spells a '/' of the node's name as '!' (cciss!c0d0). */
			for (char *c = name; *c; c++)
				if (*c == '!')
					*c = '/';
			r = link_target(root, "/dev", name, buf, size);
			if (r == 0 && !header_matches(spec, buf, offset))
				r = -ENODEV;
			if (r == -ENAMETOOLONG)
				r = -ENODEV;
		}
		free(names[i]);
	}
	free(names);
	return r;
}

int khp_devspec_find(const struct khp_devspec *spec, uint64_t offset, const char *root, char *buf,
		    size_t size)
{
	int r;

	switch (spec->kind) {
	case KHP_DEVSPEC_PATH:
		return link_target(root, NULL, spec->value, buf, size);
	case KHP_DEVSPEC_PARTUUID:
		return link_target(root, "/dev/disk/by-partuuid", spec->value, buf, size);
	case KHP_DEVSPEC_UUID:
		r = by_swap_header(spec, offset, root, buf, size);
		return r == -ENODEV ? link_target(root, "/dev/disk/by-uuid", spec->value, buf, size) : r;
	case KHP_DEVSPEC_LABEL:
		return by_swap_header(spec, offset, root, buf, size);
	}
	return -EINVAL;
}
