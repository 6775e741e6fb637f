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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_read_line),
	};

	if (getenv("TESTFUNCS"))
		cmocka_set_test_filter(getenv("TESTFUNCS"));
	return cmocka_run_group_tests(tests, NULL, NULL);
}
