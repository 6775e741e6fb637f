/* bzImage setup header parsing (boot protocol >= 2.12, 64-bit entry). */
#include <errno.h>
#include <string.h>

#include "common/byteorder.h"
#include "kjump/arch/x86_64/bootparam.h"
#include "kjump/kjump.h"

/* The kernel decompresses itself to at least LOAD_PHYSICAL_ADDR, 16 MiB by default. */
#define LOW_KERNEL_MIN (16ull << 20)

static int check_magic(const uint8_t *p, size_t size)
{
	if (size < HDR_MAGIC + 4)
		return size >= 0x200 && get_le16(p + HDR_BOOT_FLAG) == BOOT_FLAG_VALUE ? -EBADMSG : -ENOEXEC;
	if (get_le16(p + HDR_BOOT_FLAG) != BOOT_FLAG_VALUE || get_le32(p + HDR_MAGIC) != HDR_MAGIC_VALUE)
		return -ENOEXEC;
	return 0;
}

static int parse_sizes(const uint8_t *p, size_t size, struct kj_bzimage *k)
{
	unsigned sects = p[HDR_SETUP_SECTS] ? p[HDR_SETUP_SECTS] : 4; /* 0 means 4 (boot.rst) */
	uint64_t syssize = (uint64_t)get_le32(p + HDR_SYSSIZE) * 16;

	k->header_end = 0x202 + (size_t)p[HDR_JUMP + 1];
	k->setup_size = (size_t)(sects + 1) * 512;
	if (k->header_end < HDR_MIN_END || k->header_end > HDR_MAX_END ||
	    k->header_end > k->setup_size || k->setup_size > size)
		return -EBADMSG;
	k->kernel_size = size - k->setup_size;
	/* syssize counts the protected-mode code in 16-byte units: less on disk = truncated. */
	if (syssize == 0 || syssize > k->kernel_size)
		return -EBADMSG;
	k->setup = p;
	k->kernel = p + k->setup_size;
	return 0;
}

/* The release: the version string's first word, printable, inside the setup part. */
static void parse_release(const uint8_t *p, const struct kj_bzimage *k, char *out, size_t size)
{
	size_t off = get_le16(p + HDR_KERNEL_VERSION), n = 0;

	if (off) {
		off += 0x200;
		while (off + n < k->setup_size && n + 1 < size && p[off + n] > ' ' && p[off + n] < 0x7f)
			n++;
		memcpy(out, p + off, n);
	}
	out[n] = 0;
}

int kj_bzimage_parse(const void *buf, size_t size, struct kj_bzimage *ret)
{
	const uint8_t *p = buf;
	struct kj_bzimage k;
	int r;

	memset(&k, 0, sizeof(k));
	r = check_magic(p, size);
	if (r < 0)
		return r;
	k.version = get_le16(p + HDR_VERSION);
	if (k.version < KJ_BZIMAGE_MIN_VERSION)
		return -EPROTONOSUPPORT;
	r = parse_sizes(p, size, &k);
	if (r < 0)
		return r;
	parse_release(p, &k, k.release, sizeof(k.release));
	k.xloadflags = get_le16(p + HDR_XLOADFLAGS);
	if (!(k.xloadflags & XLF_KERNEL_64) || !p[HDR_RELOCATABLE])
		return -EPROTONOSUPPORT;
	k.kernel_alignment = get_le32(p + HDR_KERNEL_ALIGNMENT);
	k.init_size = get_le32(p + HDR_INIT_SIZE);
	k.cmdline_size = get_le32(p + HDR_CMDLINE_SIZE);
	k.initrd_addr_max = get_le32(p + HDR_INITRD_ADDR_MAX);
	/* A power of two at least a page, and room to decompress at least what is on disk. */
	if (k.kernel_alignment < KJ_PAGE_SIZE || (k.kernel_alignment & (k.kernel_alignment - 1)) ||
	    k.init_size < k.kernel_size || k.cmdline_size == 0)
		return -EBADMSG;
	*ret = k;
	return 0;
}

int kj_bzimage_set_load_address(void *buf, size_t size, uint64_t addr)
{
	struct kj_bzimage k;
	int r = kj_bzimage_parse(buf, size, &k);

	if (r < 0)
		return r;
	if (addr < LOW_KERNEL_MIN || addr % k.kernel_alignment || k.header_end < HDR_PREF_ADDRESS + 8)
		return -EINVAL;
	put_le64((uint8_t *)buf + HDR_PREF_ADDRESS, addr);
	return 0;
}
