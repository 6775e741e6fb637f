/* config: /etc/khibernate.conf, then command-line overrides.
 *
 * The file has "key = value" lines; '#' starts a comment; blank lines are ignored. Keys:
 *   swap = PATH               swap partition or swap file to write the image to (required)
 *   threads = N               compression threads in the helper (0 = all its CPUs)
 *   compress = lz4 | lz4hc[:LEVEL] | none
 *   encrypt = none | passphrase | keyfile:PATH
 *   helper_kernel = PATH      the helper's bzImage   (default /boot/khib/bzImage)
 *   helper_initrd = PATH      the helper's initramfs (default /boot/khib/helper.img)
 *   helper_cmdline = ARGS     extra arguments for the helper kernel
 *   reserve = MIB             swap to reserve for the first try (0 = the estimate: memory in
 *                             use + 5% + 16 MiB); grown up to all of RAM if the image needs more
 * An unknown key or a bad value is an error that names the file and line.
 */
#ifndef KHIB_CONFIG_H
#define KHIB_CONFIG_H

#include <stdint.h>

#define KH_CONFIG_PATH "/etc/khibernate.conf"
#define KH_CONFIG_STR 256

enum kh_encrypt { KH_ENCRYPT_NONE, KH_ENCRYPT_PASSPHRASE, KH_ENCRYPT_KEYFILE };

struct kh_config {
	char swap[KH_CONFIG_STR];
	unsigned threads;
	uint32_t compression;  /* enum khi_compression */
	uint32_t level;
	enum kh_encrypt encrypt;
	char keyfile[KH_CONFIG_STR];
	char helper_kernel[KH_CONFIG_STR];
	char helper_initrd[KH_CONFIG_STR];
	char helper_cmdline[KH_CONFIG_STR];
	uint32_t reserve_mib;
};

/* Defaults. */
void kh_config_init(struct kh_config *c);

/*! kh_config_set() : applies one key and value (from the file or an option).
 *  @return 0, -ENOENT unknown key, -EINVAL bad value, -ENAMETOOLONG. */
int kh_config_set(struct kh_config *c, const char *key, const char *value);

/*! kh_config_load() : reads a config file. A missing file is not an error if !must_exist.
 *  @return 0; -errno of open; or an error of kh_config_set with *ret_line set to its line. */
int kh_config_load(struct kh_config *c, const char *path, int must_exist, unsigned *ret_line);

/*! kh_parse_compression() : "lz4", "lz4hc", "lz4hc:LEVEL" (1..12), "none".
 *  @return 0 or -EINVAL. */
int kh_parse_compression(const char *s, uint32_t *ret_compression, uint32_t *ret_level);

#endif
