/* Unit tests: khib-resume's passphrase prompt (the console half of kr_ask_passphrase). */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "resume/resume.h"
#include "resume/steps.h"

/* answer INPUT: kr_read_line() on a pipe holding INPUT; the prompt goes to another pipe. */
static int answer(const char *input, char *buf, size_t size, char *prompt_out, size_t prompt_size)
{
	int in[2], out[2], r;
	ssize_t n;

	assert_int_equal(pipe(in), 0);
	assert_int_equal(pipe(out), 0);
	assert_int_equal(write(in[1], input, strlen(input)), (ssize_t)strlen(input));
	close(in[1]);
	r = kr_read_line(in[0], out[1], "Passphrase: ", buf, size);
	close(in[0]);
	close(out[1]);
	n = read(out[0], prompt_out, prompt_size - 1);
	prompt_out[n > 0 ? n : 0] = 0;
	close(out[0]);
	return r;
}

static void test_read_line(void **state)
{
	static const struct {
		const char *input, *want;
		int err;
	} cases[] = {
		{ "correct horse\n", "correct horse", 0 },
		{ "first\nsecond\n", "first", 0 },
		{ "cr\r\n", "cr", 0 },
		{ "\n", "", 0 },                      /* an empty passphrase is an answer */
		{ "no newline", "", -ECANCELED },     /* end of input: no answer */
		{ "", "", -ECANCELED },
		{ "0123456789abcdef\n", "", -ENOBUFS },
	};
	char buf[16], prompt[64];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int r;
		memset(buf, 'x', sizeof(buf));
		r = answer(cases[i].input, buf, sizeof(buf), prompt, sizeof(prompt));
		if (r != cases[i].err)
			fail_msg("'%s': got %d, want %d", cases[i].input, r, cases[i].err);
		assert_string_equal(buf, cases[i].want);
		assert_string_equal(prompt, "Passphrase: ");
		if (r) /* wiped */
			for (size_t j = 0; j < sizeof(buf); j++)
				assert_int_equal(buf[j], 0);
	}
}

/* A refusal names its step and decodes the error with that step's library (issue 18: a
 * helper too large for its region once read "not enough swap space for the image"). */
static void test_step_errors(void **state)
{
	static const struct {
		enum kr_step step;
		int err;
		const char *msg;
	} cases[] = {
		{ KR_STEP_LOAD, -ENOSPC, "the region the image names is too small for the restore "
		  "helper kernel and its initramfs" },
		{ KR_STEP_LOAD, -ENOEXEC, "not an x86 bzImage" },
		{ KR_STEP_LOAD, -ENOENT, "No such file or directory" },
		{ KR_STEP_READ, -EBADMSG, "corrupt image (checksum, tag or field mismatch)" },
		{ KR_STEP_READ, -E2BIG, "image needs more memory or key-derivation work than allowed "
		  "(forged?)" },
		{ KR_STEP_PROBE, -EBADMSG, "corrupt image (checksum, tag or field mismatch)" },
		{ KR_STEP_IDENTITY, -ESTALE, "image of another kernel or machine" },
		{ KR_STEP_IDENTITY, -ENODATA, "not there: no status record from the helper, no "
		  "build-id note or machine id" },
		{ KR_STEP_PLATFORM, -EPROTONOSUPPORT, "a record of another khibernate version, or with "
		  "an unknown value" },
		{ KR_STEP_LAYOUT, -ESTALE, "the memory it names is not this machine's RAM" },
		{ KR_STEP_LAYOUT, -ENOENT, "this kernel shows no firmware memory map to check it "
		  "against (CONFIG_FIRMWARE_MEMMAP)" },
		{ KR_STEP_MARK, -EIO, "Input/output error" },
		{ KR_STEP_JUMP, -EINVAL, "the kernel refused the kexec image (built without "
		  "CONFIG_KEXEC_JUMP?), or a layout that cannot confine the helper" },
		{ KR_STEP_DISCARD, -EMEDIUMTYPE, "not a swap area (run mkswap?)" },
		{ KR_STEP_OPEN, -ENOENT, "No such file or directory" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		assert_string_equal(kr_step_error(cases[i].step, cases[i].err), cases[i].msg);
	assert_string_equal(kr_step_name(KR_STEP_IDENTITY), "the image is foreign");
	assert_string_equal(kr_step_name(KR_STEP_LOAD), "the restore helper cannot be loaded");
	for (unsigned st = 0; st < KR_STEP_COUNT; st++)
		assert_true(kr_step_name(st)[0] && strcmp(kr_step_name(st), "?"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_read_line),
		cmocka_unit_test(test_step_errors),
	};

	if (getenv("TESTFUNCS"))
		cmocka_set_test_filter(getenv("TESTFUNCS"));
	return cmocka_run_group_tests(tests, NULL, NULL);
}
