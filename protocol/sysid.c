/* Kernel and machine identity; see sysid.h. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "common/byteorder.h"
#include "common/sha256.h"
#include "protocol/sysid.h"

#define NT_GNU_BUILD_ID 3

static size_t align4(size_t n)
{
	return (n + 3) & ~(size_t)3;
}

int khp_build_id_from_notes(const void *buf, size_t size, uint8_t ret[KHI_KERNEL_ID_SIZE])
{
	const uint8_t *p = buf;
	size_t off = 0;

	while (off + 12 <= size) {
		uint32_t namesz = get_le32(p + off), descsz = get_le32(p + off + 4);
		uint32_t type = get_le32(p + off + 8);
		size_t name = off + 12, desc = name + align4(namesz), next = desc + align4(descsz);

		if (namesz > size || descsz > size || next > size)
			return -EBADMSG;
		if (type == NT_GNU_BUILD_ID && namesz == 4 && !memcmp(p + name, "GNU", 4)) {
			if (descsz > KHI_KERNEL_ID_SIZE)
				return -ENOBUFS;
			memset(ret, 0, KHI_KERNEL_ID_SIZE);
			memcpy(ret, p + desc, descsz);
			return 0;
		}
		off = next;
	}
	return -ENODATA;
}

int khp_kernel_id(uint8_t ret_id[KHI_KERNEL_ID_SIZE], char ret_release[KHI_RELEASE_MAX + 1])
{
	uint8_t notes[4096];
	struct utsname u;
	ssize_t n;
	int fd, r;

	fd = open("/sys/kernel/notes", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, notes, sizeof(notes));
	r = n < 0 ? -errno : 0;
	close(fd);
	if (r < 0)
		return r;
	r = khp_build_id_from_notes(notes, (size_t)n, ret_id);
	if (r < 0)
		return r;
	if (uname(&u) < 0)
		return -errno;
	memset(ret_release, 0, KHI_RELEASE_MAX + 1);
	memcpy(ret_release, u.release, strnlen(u.release, KHI_RELEASE_MAX));
	return 0;
}

/* Hashes "name=content" of a small file; @return 1 if it existed, 0 if not. */
static int hash_file(struct kc_sha256 *c, const char *path)
{
	char buf[256];
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof(buf));
	close(fd);
	if (n < 0)
		return 0;
	kc_sha256_update(c, path, strlen(path) + 1);
	kc_sha256_update(c, buf, (size_t)n);
	return 1;
}

static int by_number(const struct dirent **a, const struct dirent **b)
{
	return atoi((*a)->d_name) - atoi((*b)->d_name);
}

static int hash_memmap(struct kc_sha256 *c)
{
	struct dirent **list;
	int n = scandir("/sys/firmware/memmap", &list, NULL, by_number), found = 0;

	for (int i = 0; i < n; i++) {
		static const char *const fields[] = { "start", "end", "type" };
		char path[300];

		for (unsigned f = 0; f < 3 && list[i]->d_name[0] != '.'; f++) {
			snprintf(path, sizeof(path), "/sys/firmware/memmap/%s/%s", list[i]->d_name,
				 fields[f]);
			found |= hash_file(c, path);
		}
		free(list[i]);
	}
	if (n >= 0)
		free(list);
	return found;
}

int khp_machine_id(uint8_t ret[KHI_MACHINE_ID_SIZE])
{
	static const char *const dmi[] = {
		"/sys/class/dmi/id/product_uuid", "/sys/class/dmi/id/product_name",
		"/sys/class/dmi/id/sys_vendor", "/sys/class/dmi/id/board_name",
	};
	struct kc_sha256 c;
	int found;

	kc_sha256_init(&c);
	kc_sha256_update(&c, "khibernate machine v1", 22);
	found = hash_memmap(&c);
	for (unsigned i = 0; i < sizeof(dmi) / sizeof(dmi[0]); i++)
		found |= hash_file(&c, dmi[i]);
	if (!found)
		return -ENODATA;
	_Static_assert(KHI_MACHINE_ID_SIZE == KC_SHA256_DIGEST_SIZE, "machine id is a SHA-256");
	kc_sha256_final(&c, ret);
	return 0;
}
