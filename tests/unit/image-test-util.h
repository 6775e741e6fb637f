/* image-test-util.h: swap areas in temporary files and synthetic memory for the image tests. */
#ifndef IMAGE_TEST_UTIL_H
#define IMAGE_TEST_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "image/khimage.h"

struct ti_swap {
	char path[64];
	int fd;
	uint64_t swap_offset;   /* bytes before the swap header in the file */
	uint32_t pages;         /* pages of the swap area, header included */
};

/* A file holding @prefix bytes, then a v1 swap area of @pages pages (like mkswap: zero
 * boot-block bytes, a uuid, label "khitest", @bad bad pages). */
void ti_swap_make(struct ti_swap *s, uint32_t pages, uint64_t prefix, const uint32_t *bad, uint32_t nr_bad);
void ti_swap_close(struct ti_swap *s);
uint8_t *ti_file_read(int fd, size_t *ret_size);
/* Asserts page 0 is a plain swap header identical (bytes 1024..4095) to @orig's. */
void ti_assert_plain_swap(int fd, uint64_t swap_offset, const uint8_t *orig_page0);

enum ti_fill { TI_ZERO, TI_TEXT, TI_RANDOM, TI_MIXED };
/* @pages pages of page-aligned memory filled as said, deterministic for @seed. */
uint8_t *ti_memory(uint64_t pages, enum ti_fill fill, uint32_t seed);
uint64_t ti_count_zero_pages(const uint8_t *mem, const struct khi_range *r, size_t n);

/* Page source over memory whose page 0 is pfn 0; @copy: fill the library's buffer instead of
 * handing out pointers; @misalign: hand out pointers that are not page aligned. */
struct ti_source {
	const uint8_t *mem;
	bool copy;
	uint8_t *unaligned;     /* scratch for @misalign */
	bool misalign;
	int fail_at_call;       /* > 0: that call fails with -EIO */
	int calls;
};
int ti_source_read(void *ctx, uint64_t pfn, uint32_t nr, void *buf, const void **ret);

/* Page sink into memory prefilled with 0xA5, counting pages. */
struct ti_sink {
	uint8_t *mem;
	uint64_t pages;
	uint64_t next_pfn;
	uint64_t delivered;     /* pages handed to it */
	bool out_of_order;
};
int ti_sink_write(void *ctx, uint64_t pfn, uint32_t nr, const void *data);

/* A deterministic metadata block. */
void ti_meta(struct khi_meta *m);

#endif
