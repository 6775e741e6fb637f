/* cli.h: khib-image, the command-line front end of libkhimage. */
#ifndef KHI_CLI_H
#define KHI_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/exit.h"
#include "image/khimage.h"

struct cli {
	const char *argv0;
	uint64_t offset;
	bool json, quiet, swapfile;
	unsigned threads;
	enum khi_compression comp;
	int level;
	uint8_t key[KHI_KEY_SIZE];
	bool have_key;
	char passphrase[256];
	bool have_passphrase;
	struct khi_range *ranges;
	size_t nr_ranges;
	struct khi_extent *extents;
	size_t nr_extents;
	uint64_t estimate;
	uint8_t consumed_id[KHI_IMAGE_ID_SIZE];
	bool have_consumed_id;
	uint64_t mem_max;   /* bytes, 0 = the library's default */
	const char *label, *release;
	uint64_t entry;
};

/* Each command returns an exit code; it reports its own error once. */
int cmd_info(struct cli *c, char **args);
int cmd_verify(struct cli *c, char **args);
int cmd_discard(struct cli *c, char **args);
int cmd_consume(struct cli *c, char **args);
int cmd_write(struct cli *c, char **args);
int cmd_read(struct cli *c, char **args);

/* Reports "khib-image: <what>: <reason>[ (hint)]" and maps @err to an exit code. */
int cli_fail(const struct cli *c, int err, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
void cli_key(const struct cli *c, struct khi_key *k);
void cli_progress(void *ctx, uint64_t done, uint64_t total);

/* Output: "key: value" lines, or one JSON object with --json. */
void out_begin(const struct cli *c);
void out_str(const struct cli *c, const char *key, const char *val);
void out_u64(const struct cli *c, const char *key, uint64_t val);
void out_hex(const struct cli *c, const char *key, const uint8_t *p, size_t n);
void out_ratio(const struct cli *c, const char *key, double val);
void out_stats(const struct cli *c, const char *prefix, const struct khi_stats *s);
void out_end(const struct cli *c);

#endif
