/* crypto.c: libgcrypt wrappers; libgcrypt errors become negative errno here. */
#include <errno.h>
#include <string.h>

#include "common/byteorder.h"
#include "common/xxh64.h"
#include "image/crypto.h"
#include "image/format.h"
#include "image/khimage.h"

/* gcry_err_code_to_errno() gives 0 for codes that are not system errors. */
static int gcry_to_errno(gcry_error_t e)
{
	int r = gcry_err_code_to_errno(gcry_err_code(e));
	return r ? -r : -EIO;
}

int khi_global_init(void)
{
	static int done;

	if (__atomic_load_n(&done, __ATOMIC_ACQUIRE))
		return 0;
	if (!gcry_check_version("1.10.0"))
		return -EPROTONOSUPPORT;
	/* No secure memory: the helper kernel has no mlock limits to honour, and keys are wiped. */
	gcry_control(GCRYCTL_DISABLE_SECMEM, 0);
	gcry_control(GCRYCTL_INITIALIZATION_FINISHED, 0);
	__atomic_store_n(&done, 1, __ATOMIC_RELEASE);
	return 0;
}

uint32_t khi_crc32(const void *p, size_t n)
{
	uint8_t out[4];

	gcry_md_hash_buffer(GCRY_MD_CRC32, out, p, n);
	/* libgcrypt gives the CRC most significant byte first. */
	return (uint32_t)out[0] << 24 | (uint32_t)out[1] << 16 | (uint32_t)out[2] << 8 | out[3];
}

uint64_t khi_chunk_cksum(uint8_t algo, const void *p, size_t n)
{
	return algo == KHI_CKSUM_XXH64 ? kc_xxh64(p, n, 0) : khi_crc32(p, n);
}

void khi_sha256(const void *p, size_t n, uint8_t out[32])
{
	gcry_md_hash_buffer(GCRY_MD_SHA256, out, p, n);
}

int khi_sha256_begin(struct khi_sha256_ctx *c)
{
	gcry_error_t e = gcry_md_open(&c->h, GCRY_MD_SHA256, 0);

	return e ? gcry_to_errno(e) : 0;
}

void khi_sha256_update(struct khi_sha256_ctx *c, const void *p, size_t n)
{
	gcry_md_write(c->h, p, n);
}

void khi_sha256_end(struct khi_sha256_ctx *c, uint8_t out[32])
{
	memcpy(out, gcry_md_read(c->h, GCRY_MD_SHA256), 32);
	gcry_md_close(c->h);
	c->h = NULL;
}

void khi_random(void *out, size_t n, bool key_material)
{
	if (key_material)
		gcry_randomize(out, n, GCRY_STRONG_RANDOM);
	else
		gcry_create_nonce(out, n);
}

void khi_wipe(void *p, size_t n)
{
	volatile uint8_t *v = p;

	while (n--)
		*v++ = 0;
}

bool khi_kdf_params_ok(uint32_t passes, uint32_t memory_kib, uint32_t lanes)
{
	/* Bounded so that a forged header cannot make the restore helper run out of memory. */
	return passes >= 1 && passes <= 64 && lanes >= 1 && lanes <= 16 &&
	       memory_kib >= 8 * lanes && memory_kib <= 1024 * 1024;
}

int khi_kdf_argon2id(const char *passphrase, const uint8_t salt[KHI_SALT_SIZE], uint32_t passes,
		     uint32_t memory_kib, uint32_t lanes, uint8_t key[32])
{
	const unsigned long param[4] = { 32, passes, memory_kib, lanes };
	gcry_kdf_hd_t h;
	gcry_error_t e;

	if (!khi_kdf_params_ok(passes, memory_kib, lanes))
		return -EINVAL;
	e = gcry_kdf_open(&h, GCRY_KDF_ARGON2, GCRY_KDF_ARGON2ID, param, 4, passphrase,
			  strlen(passphrase), salt, KHI_SALT_SIZE, NULL, 0, NULL, 0);
	if (e)
		return gcry_to_errno(e);
	e = gcry_kdf_compute(h, NULL);
	if (!e)
		e = gcry_kdf_final(h, 32, key);
	gcry_kdf_close(h);
	return e ? gcry_to_errno(e) : 0;
}

int khi_gcm_init(struct khi_gcm *g, const uint8_t key[32])
{
	gcry_error_t e = gcry_cipher_open(&g->h, GCRY_CIPHER_AES256, GCRY_CIPHER_MODE_GCM, 0);

	if (e)
		return gcry_to_errno(e);
	e = gcry_cipher_setkey(g->h, key, 32);
	if (e) {
		gcry_cipher_close(g->h);
		g->h = NULL;
		return gcry_to_errno(e);
	}
	return 0;
}

void khi_gcm_done(struct khi_gcm *g)
{
	if (g->h)
		gcry_cipher_close(g->h);
	g->h = NULL;
}

static gcry_error_t gcm_start(struct khi_gcm *g, const uint8_t *image_id, uint32_t index,
			      const void *aad, size_t aad_len)
{
	uint8_t nonce[KHI_NONCE_SIZE];
	gcry_error_t e;

	memcpy(nonce, image_id, 8);
	put_le32(nonce + 8, index);
	e = gcry_cipher_reset(g->h);
	if (!e)
		e = gcry_cipher_setiv(g->h, nonce, sizeof(nonce));
	if (!e && aad_len)
		e = gcry_cipher_authenticate(g->h, aad, aad_len);
	return e;
}

int khi_gcm_seal(struct khi_gcm *g, const uint8_t *image_id, uint32_t index, const void *aad,
		 size_t aad_len, const void *in, void *out, size_t len, uint8_t tag[KHI_TAG_SIZE])
{
	gcry_error_t e = gcm_start(g, image_id, index, aad, aad_len);

	if (!e)
		e = gcry_cipher_final(g->h);
	if (!e && len)
		e = out == in ? gcry_cipher_encrypt(g->h, out, len, NULL, 0)
			      : gcry_cipher_encrypt(g->h, out, len, in, len);
	if (!e)
		e = gcry_cipher_gettag(g->h, tag, KHI_TAG_SIZE);
	return e ? gcry_to_errno(e) : 0;
}

int khi_gcm_unseal(struct khi_gcm *g, const uint8_t *image_id, uint32_t index, const void *aad,
		   size_t aad_len, const void *in, void *out, size_t len, const uint8_t tag[KHI_TAG_SIZE])
{
	gcry_error_t e = gcm_start(g, image_id, index, aad, aad_len);

	if (!e)
		e = gcry_cipher_final(g->h);
	if (!e && len)
		e = out == in ? gcry_cipher_decrypt(g->h, out, len, NULL, 0)
			      : gcry_cipher_decrypt(g->h, out, len, in, len);
	if (e)
		return gcry_to_errno(e);
	e = gcry_cipher_checktag(g->h, tag, KHI_TAG_SIZE);
	if (gcry_err_code(e) == GPG_ERR_CHECKSUM)
		return -EBADMSG;
	return e ? gcry_to_errno(e) : 0;
}
