/* config: /etc/khibernate.conf, the one configuration of khibernate, khib-resume and the
 * initramfs integrations (which learn values with `khibernate config KEY`). One set of defaults,
 * here; command-line options override the file.
 *
 * The file has "key = value" lines; '#' starts a comment; blank lines are ignored. Keys:
 *   swap = PATH               swap partition or swap file to write the image to (required)
 *   threads = N               threads in the helper (0 = all its CPUs)
 *   compress = lz4[:ACCEL] | lz4hc[:LEVEL] | none   (khi_compression_parse())
 *   encrypt = none | passphrase | keyfile:PATH
 *                             passphrase: asked for at boot; keyfile: PATH holds 32 bytes and
 *                             is copied into the initramfs
 *   helper_kernel = PATH      the helper's bzImage   (default /boot/khib/bzImage)
 *   helper_initrd = PATH      the helper's initramfs (default /boot/khib/helper.img)
 *   helper_cmdline = ARGS     extra arguments for the helper kernel
 *   reserve = MIB             swap to reserve for the first try (0 = the estimate: memory in
 *                             use + 5% + 16 MiB); grown up to all of RAM if the image needs it
 *   kdf_passes_max = N        reading a passphrase image: the most Argon2id passes and memory
 *   kdf_memory_max = MIB      accepted from its header, which nothing authenticates before the
 *                             key is derived (defaults 6 and 64: the writer uses 3 and 32)
 *   region = auto | SIZE | SIZE@OFFSET   the helper's memory, crashkernel= as `khibernate
 *                             setup` writes it (auto: 128M@0x10000000 if that is free RAM and
 *                             KASLR is off, else 128M wherever the kernel puts it)
 * An unknown key or a bad value is an error that names the file and line.
 */
#ifndef KHP_CONFIG_H
#define KHP_CONFIG_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define KHP_CONFIG_PATH "/etc/khibernate.conf"
#define KHP_CONFIG_STR 256

enum khp_encrypt { KHP_ENCRYPT_NONE, KHP_ENCRYPT_PASSPHRASE, KHP_ENCRYPT_KEYFILE };

struct khp_config {
	char swap[KHP_CONFIG_STR];
	unsigned threads;
	uint32_t compression;  /* enum khi_compression */
	uint32_t level;
	enum khp_encrypt encrypt;
	char keyfile[KHP_CONFIG_STR];
	char helper_kernel[KHP_CONFIG_STR];
	char helper_initrd[KHP_CONFIG_STR];
	char helper_cmdline[KHP_CONFIG_STR];
	uint32_t reserve_mib;
	uint32_t kdf_passes_max;
	uint32_t kdf_memory_max_mib;
	char region[KHP_CONFIG_STR];    /* "" = auto */
	uint32_t direct_resume;         /* 1: GRUB starts restore-B (khibernate/direct.h) */
};

/* Defaults. */
void khp_config_init(struct khp_config *c);

/*! khp_config_set() : applies one key and value (from the file or an option).
 *  @return 0, -ENOENT unknown key, -EINVAL bad value, -ENAMETOOLONG. */
int khp_config_set(struct khp_config *c, const char *key, const char *value);

/*! khp_config_get() : the value of key as the file would spell it ("lz4hc:9", "keyfile:/k").
 *  @return 0, -ENOENT unknown key, -ENOBUFS (buf too small; truncated). */
int khp_config_get(const struct khp_config *c, const char *key, char *buf, size_t size);

/*! khp_config_write() : every key, "key = value" a line, in the order of the list above. */
void khp_config_write(const struct khp_config *c, FILE *out);

/*! khp_config_load() : reads a config file. A missing file is not an error if !must_exist.
 *  @return 0; -errno of open; or an error of khp_config_set with *ret_line set to its line
 *  (-EINVAL with a line and no '=' on it too). *ret_line is 0 when the error has no line. */
int khp_config_load(struct khp_config *c, const char *path, int must_exist, unsigned *ret_line);

/*! khp_config_strerror() : what an error of khp_config_load or khp_config_set means, for a
 *  message after "FILE:LINE: " ("unknown key", ...). Never NULL. */
const char *khp_config_strerror(int err);

/* x86_64 reserves crashkernel= at a 16 MiB alignment (CRASH_ALIGN): another offset fails. */
#define KHP_REGION_ALIGN (16ull << 20)

/*! khp_size_parse() : "128M", "1G", "65536" (K, M, G suffixes as the kernel's memparse()).
 *  @return 0; -EINVAL (not such a size, or 0); -ERANGE. */
int khp_size_parse(const char *s, uint64_t *ret);

/*! khp_region_parse() : a value of `region`: "" or "auto" (*ret_size = 0: setup chooses),
 *  "SIZE" (whole MiB; *ret_offset = UINT64_MAX: the kernel chooses) or "SIZE@OFFSET" (OFFSET
 *  a multiple of KHP_REGION_ALIGN). @return 0 or -EINVAL. */
int khp_region_parse(const char *setting, uint64_t *ret_size, uint64_t *ret_offset);

#endif
