/* Unit tests: systemd's sleep hooks as khibernate --sleep-hooks runs them (khibernate/sleephooks.c). */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "khibernate/sleephooks.h"

static char dir[64];

static void put(const char *name, const char *body, mode_t mode)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	assert_non_null(f);
	fprintf(f, "#!/bin/sh\n%s\n", body);
	fclose(f);
	assert_int_equal(chmod(path, mode), 0);
}

/* The contents of dir/name, "" if it does not exist. */
static const char *get(const char *name)
{
	static char buf[256];
	char path[256];
	size_t n = 0;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	buf[0] = 0;
	f = fopen(path, "r");
	if (f) {
		n = fread(buf, 1, sizeof(buf) - 1, f);
		fclose(f);
	}
	buf[n] = 0;
	return buf;
}

static int setup(void **state)
{
	(void)state;
	strcpy(dir, "/tmp/khib-sleephooks-XXXXXX");
	assert_non_null(mkdtemp(dir));
	return 0;
}

static int teardown(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return system(cmd);
}

/* Each hook gets "pre"/"post", "hibernate" and SYSTEMD_SLEEP_ACTION=hibernate. */
static void test_arguments(void **state)
{
	(void)state;
	put("10-a", "echo \"$1 $2 $SYSTEMD_SLEEP_ACTION\" >> \"${0%/*}/a.out\"", 0755);
	put("20-b", "echo \"$1 $2 $SYSTEMD_SLEEP_ACTION\" >> \"${0%/*}/b.out\"", 0700);
	assert_int_equal(kh_sleep_hooks_run(dir, "pre", 5000, stderr), 0);
	assert_int_equal(kh_sleep_hooks_run(dir, "post", 5000, stderr), 0);
	assert_string_equal(get("a.out"), "pre hibernate hibernate\npost hibernate hibernate\n");
	assert_string_equal(get("b.out"), "pre hibernate hibernate\npost hibernate hibernate\n");
}

/* Hooks of a phase run at the same time: each waits for the other's mark, which only works if
 * neither waits for the other to end. */
static void test_parallel(void **state)
{
	(void)state;
	put("a", "d=${0%/*}; : > $d/a.mark; i=0; until [ -e $d/b.mark ]; do i=$((i+1)); "
	    "[ $i -lt 500 ] || exit 1; sleep 0.01; done", 0755);
	put("b", "d=${0%/*}; : > $d/b.mark; i=0; until [ -e $d/a.mark ]; do i=$((i+1)); "
	    "[ $i -lt 500 ] || exit 1; sleep 0.01; done", 0755);
	assert_int_equal(kh_sleep_hooks_run(dir, "pre", 20000, stderr), 0);
}

/* Not hooks: hidden files, backups, files without x, masked hooks, directories. */
static void test_not_hooks(void **state)
{
	static const char *const names[] = { ".hidden", "x~", "x.dpkg-old", "x.dpkg-dist",
		"x.ucf-new", "x.rpmsave" };
	char path[256], body[128];

	(void)state;
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		snprintf(body, sizeof(body), "echo %s >> \"${0%%/*}/ran\"", names[i]);
		put(names[i], body, 0755);
	}
	put("plain", "echo plain >> \"${0%/*}/ran\"", 0644);
	snprintf(path, sizeof(path), "%s/masked", dir);
	assert_int_equal(symlink("/dev/null", path), 0);
	snprintf(path, sizeof(path), "%s/subdir", dir);
	assert_int_equal(mkdir(path, 0755), 0);
	put("real", "echo real >> \"${0%/*}/ran\"", 0755);
	assert_int_equal(kh_sleep_hooks_run(dir, "pre", 5000, stderr), 0);
	assert_string_equal(get("ran"), "real\n");
}

/* A failing or killed hook is counted and does not stop the others. */
static void test_failures(void **state)
{
	(void)state;
	put("1-fails", "exit 3", 0755);
	put("2-signal", "kill -TERM $$", 0755);
	put("3-works", "echo yes > \"${0%/*}/worked\"", 0755);
	assert_int_equal(kh_sleep_hooks_run(dir, "post", 5000, stderr), 2);
	assert_string_equal(get("worked"), "yes\n");
}

/* A hook still running at the deadline is killed and counted; the phase ends then. */
static void test_timeout(void **state)
{
	struct timespec a, b;

	(void)state;
	put("slow", "exec sleep 30", 0755);
	put("quick", "exit 0", 0755);
	clock_gettime(CLOCK_MONOTONIC, &a);
	assert_int_equal(kh_sleep_hooks_run(dir, "pre", 300, stderr), 1);
	clock_gettime(CLOCK_MONOTONIC, &b);
	assert_true(b.tv_sec - a.tv_sec < 10);
}

static void test_no_dir(void **state)
{
	(void)state;
	assert_int_equal(kh_sleep_hooks_run("/nonexistent/system-sleep", "pre", 1000, stderr), 0);
	assert_int_equal(kh_sleep_hooks_run("/dev/null", "pre", 1000, NULL), -ENOTDIR);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_arguments, setup, teardown),
		cmocka_unit_test_setup_teardown(test_parallel, setup, teardown),
		cmocka_unit_test_setup_teardown(test_not_hooks, setup, teardown),
		cmocka_unit_test_setup_teardown(test_failures, setup, teardown),
		cmocka_unit_test_setup_teardown(test_timeout, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_dir, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
