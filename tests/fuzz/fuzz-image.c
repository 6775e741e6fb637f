/* fuzz-image.c: the device, the known secrets and the fix-up mutator of the image fuzzers; see
 * fuzz-image.h. Offsets are docs/image-format.md's, read here on their own (like a forger's
 * tool), with every bound checked: the fix-up must not crash on what the mutator made.
 */
#include <gcrypt.h>
#include <stdbool.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "common/byteorder.h"
#include "image/crypto.h"
#include "image/format.h"
#include "tests/fuzz/fuzz-image.h"

#define PG 4096u
#define FIX_EXTENTS_MAX 4096u
#define FIX_CHUNKS_MAX 65536u

const uint8_t fuzz_key[KHI_KEY_SIZE] = "khibernate fuzzers' known key!!";

int fuzz_device(const uint8_t *data, size_t size)
{
	uint64_t dev = size;
	int fd = memfd_create("khi-fuzz", MFD_CLOEXEC);

	if (fd < 0)
		return -1;
	if (size >= FUZZ_TRAILER_SIZE && !memcmp(data + size - FUZZ_TRAILER_SIZE, FUZZ_TRAILER, 8)) {
		size -= FUZZ_TRAILER_SIZE;
		dev = get_le64(data + size + 8);
		dev = dev < size ? size : dev > FUZZ_DEV_MAX ? FUZZ_DEV_MAX : dev;
	}
	if (write(fd, data, size) != (ssize_t)size || ftruncate(fd, (off_t)dev) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

/* The image as laid over its extents, within the input's bytes. */
struct layout {
	uint8_t *d;
	size_t n;
	struct khi_extent ext[FIX_EXTENTS_MAX];
	size_t nr;
};

/* The input's bytes at logical offset @lofs, if @len of them lie in one extent and the input. */
static uint8_t *at(const struct layout *l, uint64_t lofs, uint64_t len)
{
	uint64_t start = 0;

	for (size_t i = 0; i < l->nr; start += l->ext[i].length, i++) {
		if (lofs < start || lofs - start >= l->ext[i].length)
			continue;
		uint64_t skip = lofs - start, dev = l->ext[i].offset + skip;
		if (len > l->ext[i].length - skip || dev > l->n || len > l->n - dev)
			return NULL;
		return l->d + dev;
	}
	return NULL;
}

/* Entry k of the table lies in extents 0..k-1: decode them in order, as the reader does. */
static uint8_t *load_extents(struct layout *l, uint32_t table_size)
{
	uint8_t *head;
	uint32_t count;

	l->ext[0].offset = get_le64(l->d + 24);
	l->ext[0].length = get_le64(l->d + 32);
	l->nr = 1;
	if (!(head = at(l, 0, 16)))
		return NULL;
	count = get_le32(head + 8);
	for (uint32_t k = 1; k < count && k < FIX_EXTENTS_MAX; k++) {
		const uint8_t *e = at(l, 16 + 16ull * k, 16);
		if (!e)
			break;
		l->ext[l->nr].offset = get_le64(e);
		l->ext[l->nr++].length = get_le64(e + 8);
	}
	return at(l, 0, table_size);
}

/* The key a reader with the fuzzers' secrets gets for this header, if it is cheap to derive. */
static bool header_key(const uint8_t *h, uint8_t key[KHI_KEY_SIZE])
{
	uint32_t passes = get_le32(h + 36), mem = get_le32(h + 40), lanes = get_le32(h + 44);

	if (h[32] != 1)
		return false;
	if (h[33] == 0) {
		memcpy(key, fuzz_key, KHI_KEY_SIZE);
		return true;
	}
	return h[33] == 1 && passes <= 2 && mem <= 256 && lanes >= 1 && lanes <= 4 && mem >= 8 * lanes &&
	       khi_kdf_argon2id(FUZZ_PASSPHRASE, h + 48, passes, mem, lanes, key) == 0;
}

/* GCM: decrypt without checking, then encrypt again: the same bytes, with a tag that fits. */
static void reseal(const uint8_t *key, const uint8_t *id, uint32_t index, const uint8_t *aad,
		   size_t aad_len, uint8_t *p, size_t len, uint8_t *tag)
{
	uint8_t nonce[12];
	gcry_cipher_hd_t h;

	memcpy(nonce, id, 8);
	put_le32(nonce + 8, index);
	if (gcry_cipher_open(&h, GCRY_CIPHER_AES256, GCRY_CIPHER_MODE_GCM, 0))
		return;
	if (!gcry_cipher_setkey(h, key, KHI_KEY_SIZE) && !gcry_cipher_setiv(h, nonce, 12) &&
	    !gcry_cipher_authenticate(h, aad, aad_len) && !gcry_cipher_final(h) &&
	    (!len || !gcry_cipher_decrypt(h, p, len, NULL, 0)) && !gcry_cipher_reset(h) &&
	    !gcry_cipher_setiv(h, nonce, 12) && !gcry_cipher_authenticate(h, aad, aad_len) &&
	    !gcry_cipher_final(h) && (!len || !gcry_cipher_encrypt(h, p, len, NULL, 0)))
		gcry_cipher_gettag(h, tag, 16);
	gcry_cipher_close(h);
}

static void fix_chunks(const struct layout *l, uint8_t *h, const uint8_t *key)
{
	uint64_t nr = get_le64(h + 328), lofs = get_le64(h + 336);
	uint8_t *t;

	if (nr > FIX_CHUNKS_MAX || !(t = at(l, lofs, nr * 64)))
		return;
	for (uint64_t i = 0; i < nr; i++) {
		uint8_t *rec = t + i * 64, aad[40], *p;
		uint32_t stored = get_le32(rec + 20);

		if (!stored || stored > KHI_CHUNK_PAGES * PG || !(p = at(l, get_le64(rec + 24), stored)))
			continue;
		if (key) {
			memcpy(aad, rec, 40);
			memset(aad + 24, 0, 8);
			memset(aad + 36, 0, 4);
			reseal(key, h + 80, (uint32_t)i, aad, 40, p, stored, rec + 48);
		}
		/* A CRC-32 leaves the field's high half as the mutation set it: the reader must
		 * refuse it non-zero. */
		if (h[30] == KHI_CKSUM_XXH64)
			put_le64(rec + 36, khi_chunk_cksum(KHI_CKSUM_XXH64, p, stored));
		else
			put_le32(rec + 36, khi_crc32(p, stored));
	}
	khi_sha256(t, nr * 64, h + 400);
}

void fuzz_fixup(uint8_t *d, size_t n)
{
	static struct layout l;
	uint8_t key[KHI_KEY_SIZE], *table, *h;
	uint32_t ext_size, hdr_size;
	bool keyed;

	if (n < PG || memcmp(d, "KHIBANCR", 8) || khi_global_init() < 0)
		return;
	l.d = d;
	l.n = n;
	ext_size = get_le32(d + 40);
	hdr_size = get_le32(d + 44);
	if (ext_size < 32 || ext_size > 16 + 16 * FIX_EXTENTS_MAX || !(table = load_extents(&l, ext_size)))
		goto anchor;
	khi_sha256(table, ext_size, d + 72);
	if (hdr_size < 1536 || !(h = at(&l, get_le64(d + 48), hdr_size)))
		goto anchor;
	memcpy(h + 432, d + 72, 32);
	keyed = header_key(h, key);
	fix_chunks(&l, h, keyed ? key : NULL);
	memset(h + 464, 0, 48);
	if (keyed)
		reseal(key, h + 80, UINT32_MAX, h, hdr_size, NULL, 0, h + 464);
	khi_sha256(h, hdr_size, h + 480);
anchor:
	put_le32(d + 124, khi_crc32(d, 124));
}
