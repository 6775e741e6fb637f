/* image-test-util.c: helpers for tests/unit/test-image*.c. */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "common/byteorder.h"
#include "tests/unit/image-test-util.h"

#define PG KHI_PAGE_SIZE

void ti_swap_make(struct ti_swap *s, uint32_t pages, uint64_t prefix, const uint32_t *bad, uint32_t nr_bad)
{
	uint8_t page[PG] = { 0 };
	const char *dir = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";

	snprintf(s->path, sizeof(s->path), "%s/khi-test-XXXXXX", dir);
	s->fd = mkstemp(s->path);
	assert_true(s->fd >= 0);
	unlink(s->path);
	s->swap_offset = prefix;
	s->pages = pages;
	assert_int_equal(ftruncate(s->fd, (off_t)(prefix + (uint64_t)pages * PG)), 0);
	put_le32(page + 1024, 1);
	put_le32(page + 1028, pages - 1);
	put_le32(page + 1032, nr_bad);
	for (int i = 0; i < 16; i++)
		page[1036 + i] = (uint8_t)(0x10 + i);
	memcpy(page + 1052, "khitest", 7);
	for (uint32_t i = 0; i < nr_bad; i++)
		put_le32(page + 1536 + 4 * i, bad[i]);
	memcpy(page + PG - 10, "SWAPSPACE2", 10);
	assert_int_equal(pwrite(s->fd, page, PG, (off_t)prefix), PG);
}

void ti_swap_close(struct ti_swap *s)
{
	if (s->fd >= 0)
		close(s->fd);
	s->fd = -1;
}

uint8_t *ti_file_read(int fd, size_t *ret_size)
{
	struct stat st;
	uint8_t *buf;

	assert_int_equal(fstat(fd, &st), 0);
	buf = malloc((size_t)st.st_size + 1);
	assert_non_null(buf);
	assert_int_equal(pread(fd, buf, (size_t)st.st_size, 0), st.st_size);
	*ret_size = (size_t)st.st_size;
	return buf;
}

void ti_assert_plain_swap(int fd, uint64_t swap_offset, const uint8_t *orig_page0)
{
	uint8_t page[PG];

	assert_int_equal(pread(fd, page, PG, (off_t)swap_offset), PG);
	assert_memory_equal(page + PG - 10, "SWAPSPACE2", 10);
	assert_memory_equal(page + 1024, orig_page0 + 1024, PG - 1024);
}

static uint32_t xorshift(uint32_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 17;
	*s ^= *s << 5;
	return *s;
}

static void fill_text(uint8_t *p, uint32_t *seed)
{
	static const char *const words[] = { "the ", "kernel ", "page ", "swap ", "image ", "resume ",
					     "struct ", "int ", "return ", "0x", "ffff", "\n", "{ ", "} ",
					     "if (", "); ", "memory ", "khibernate " };
	size_t n = 0;

	while (n < PG) {
		const char *w = words[xorshift(seed) % (sizeof(words) / sizeof(words[0]))];
		size_t l = strlen(w);
		if (l > PG - n)
			l = PG - n;
		memcpy(p + n, w, l);
		n += l;
	}
}

static void fill_page(uint8_t *p, enum ti_fill fill, uint32_t *seed)
{
	switch (fill) {
	case TI_ZERO:
		memset(p, 0, PG);
		break;
	case TI_TEXT:
		fill_text(p, seed);
		break;
	case TI_RANDOM:
		for (size_t i = 0; i < PG; i += 4)
			put_le32(p + i, xorshift(seed));
		break;
	case TI_MIXED:
		fill_page(p, (enum ti_fill)(xorshift(seed) % 3), seed);
		break;
	}
}

uint8_t *ti_memory(uint64_t pages, enum ti_fill fill, uint32_t seed)
{
	uint8_t *mem;
	uint32_t s = seed | 1;

	assert_int_equal(posix_memalign((void **)&mem, PG, pages * PG), 0);
	for (uint64_t i = 0; i < pages; i++)
		fill_page(mem + i * PG, fill, &s);
	return mem;
}

uint64_t ti_count_zero_pages(const uint8_t *mem, const struct khi_range *r, size_t n)
{
	static const uint8_t zero[PG];
	uint64_t z = 0;

	for (size_t i = 0; i < n; i++)
		for (uint64_t p = r[i].pfn; p < r[i].pfn + r[i].count; p++)
			z += memcmp(mem + p * PG, zero, PG) == 0;
	return z;
}

int ti_source_read(void *ctx, uint64_t pfn, uint32_t nr, void *buf, const void **ret)
{
	struct ti_source *s = ctx;

	if (++s->calls == s->fail_at_call)
		return -EIO;
	if (s->copy) {
		memcpy(buf, s->mem + pfn * PG, (size_t)nr * PG);
		*ret = buf;
	} else if (s->misalign) {
		/* A fresh spot for every call: earlier chunks may still be in flight. */
		uint8_t *p = s->unaligned + 1 + (size_t)(s->calls % 8) * KHI_CHUNK_PAGES * PG;
		memcpy(p, s->mem + pfn * PG, (size_t)nr * PG);
		*ret = p;
	} else {
		*ret = s->mem + pfn * PG;
	}
	return 0;
}

int ti_sink_write(void *ctx, uint64_t pfn, uint32_t nr, const void *data)
{
	struct ti_sink *s = ctx;

	if (pfn < s->next_pfn || pfn + nr > s->pages)
		s->out_of_order = true;
	else
		memcpy(s->mem + pfn * PG, data, (size_t)nr * PG);
	s->next_pfn = pfn + nr;
	s->delivered += nr;
	return 0;
}

void ti_meta(struct khi_meta *m)
{
	memset(m, 0, sizeof(*m));
	for (int i = 0; i < 20; i++)
		m->kernel_id[i] = (uint8_t)(0xb0 + i);
	strcpy(m->kernel_release, "6.12.117-khib");
	for (int i = 0; i < 32; i++)
		m->machine_id[i] = (uint8_t)i;
	strcpy(m->label, "testhost");
	m->entry = 0x1234567000ull;
	static const char platform[] = "layout: region 0x10000000+128M, hole 0x80000+64K";
	m->platform = platform;
	m->platform_size = sizeof(platform);
}
