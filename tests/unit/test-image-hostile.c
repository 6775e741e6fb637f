/* test-image-hostile.c: libkhimage against images a forger made (issue 16).
 *
 * Anyone who can write the swap area can write an image whose checksums and digests all match
 * (tests/unit/image-forge.h builds them): for an unencrypted image they are no protection.
 * Each case below is one way such an image got through, with what the reader must do now.
 * Memory is measured in a child process (its peak RSS over an idle child's), so that a test
 * fails, rather than the machine, when a bound is missing. TESTFUNCS=<substring> picks cases.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "image-forge.h"
#include "image-test-util.h"
#include "image/crypto.h"
#include "image/khimage.h"

#define PG KHI_PAGE_SIZE
#define MiB (1ull << 20)
#define GiB (1ull << 30)

/* ---- helpers ---- */

static int tmpfile_fd(void)
{
	char path[64];
	const char *dir = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
	int fd;

	snprintf(path, sizeof(path), "%s/khi-forge-XXXXXX", dir);
	fd = mkstemp(path);
	assert_true(fd >= 0);
	unlink(path);
	return fd;
}

static int forged_fd(struct forge *f)
{
	int fd = tmpfile_fd();

	assert_int_equal(forge_write(f, fd), 0);
	return fd;
}

/* ---- the forger itself: its all-zero image is a valid one ---- */

static void test_forged_valid(void **state)
{
	const struct khi_range rg[] = { { 0, 100 }, { 200, 65 } };
	struct ti_sink snk = { .pages = 300 };
	struct khi_sink sink = { ti_sink_write, &snk };
	struct khi_target t = { 0 };
	struct khi_reader_opts o = KHI_READER_OPTS_INIT;
	struct forge f;
	khi_reader *r = NULL;

	(void)state;
	forge_init(&f, 64 * PG, rg, 2);
	t.fd = forged_fd(&f);
	assert_int_equal(khi_reader_open(&t, &o, &r), 0);
	assert_int_equal(khi_reader_verify(r), 0);
	snk.mem = malloc(300 * PG);
	memset(snk.mem, 0xa5, 300 * PG);
	assert_int_equal(khi_reader_restore(r, &sink), 0);
	assert_false(snk.out_of_order);
	for (size_t i = 0; i < 300 * PG; i++)
		assert_int_equal(snk.mem[i], (i / PG < 100 || (i / PG >= 200 && i / PG < 265)) ? 0 : 0xa5);
	free(snk.mem);
	khi_reader_free(r);
	close(t.fd);
}

/* ---- main ---- */

static bool selected(const char *name)
{
	const char *sel = getenv("TESTFUNCS");
	return !sel || strstr(name, sel);
}

int main(void)
{
	struct CMUnitTest tests[32];
	size_t n = 0;

	if (khi_global_init() < 0)
		return 77;
#define ADD(fn) if (selected(#fn)) tests[n++] = (struct CMUnitTest)cmocka_unit_test(fn)
	ADD(test_forged_valid);
	return _cmocka_run_group_tests("image-hostile", tests, n, NULL, NULL);
}
