/* kjump exec, back, unload, info, payload. */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/cmdline.h"
#include "common/fileio.h"
#include "kjump/cli.h"
#include "kjump/internal.h"


static int no_args(int argc, char **argv, const char *usage)
{
	if (argc == 1)
		return KC_EXIT_OK;
	if (argc == 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")))
		printf("usage: %s\n", usage);
	else
		cli_error(0, "usage: %s", usage);
	return KC_EXIT_USAGE;
}

int cmd_exec(int argc, char **argv)
{
	int r = no_args(argc, argv, "kjump exec");

	if (r != KC_EXIT_OK)
		return r;
	r = kj_exec();
	if (r == -EINVAL) {
		cli_error(0, "nothing is loaded: run 'kjump load' first");
		return KC_EXIT_FAILURE;
	}
	return r < 0 ? cli_kexec_error(r, "jumping to the loaded kernel") : KC_EXIT_OK;
}

static int entry_from_cmdline(uint64_t *entry)
{
	char *cmdline;
	size_t n;
	int r = kc_read_file("/proc/cmdline", KC_CMDLINE_MAX, &cmdline, &n);

	if (r == 0) {
		r = kc_cmdline_u64(cmdline, "kjump.entry=", entry);
		free(cmdline);
	}
	if (r < 0 || *entry == 0) {
		cli_error(0, "no re-entry address: kjump.entry= on /proc/cmdline is %s (was this "
			  "kernel started by 'kjump load' with preserve-context?); pass --entry",
			  r < 0 ? "missing" : "0");
		return KC_EXIT_FAILURE;
	}
	return KC_EXIT_OK;
}

int cmd_back(int argc, char **argv)
{
	static const struct option opts[] = { { "entry", required_argument, NULL, 'e' }, { 0 } };
	uint64_t entry = 0;
	int c, rc;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c != 'e' || cli_parse_u64(optarg, &entry) < 0 || entry == 0) {
			cli_error(0, "usage: kjump back [--entry ADDR]");
			return KC_EXIT_USAGE;
		}
	}
	if (entry == 0 && (rc = entry_from_cmdline(&entry)) != KC_EXIT_OK)
		return rc;
	c = kj_back(entry);
	return c < 0 ? cli_kexec_error(c, "jumping back") : KC_EXIT_OK;
}

int cmd_unload(int argc, char **argv)
{
	int r = no_args(argc, argv, "kjump unload");

	if (r != KC_EXIT_OK)
		return r;
	r = kj_unload();
	return r < 0 ? cli_kexec_error(r, "unloading") : KC_EXIT_OK;
}

static const char *tristate(enum kj_tristate t)
{
	return t == KJ_YES ? "yes" : t == KJ_NO ? "no" : "unknown";
}

static void print_region(void)
{
	struct kj_layout l;
	int r = kj_layout_from_system(&l);

	if (r < 0)
		printf("region:     unknown (%s)\n", kj_strerror(r));
	else if (l.region.size == 0)
		printf("region:     none (boot with crashkernel=SIZE@OFFSET)\n");
	else
		printf("region:     0x%" PRIx64 "-0x%" PRIx64 " (%" PRIu64 " MiB)%s\n", l.region.start,
		       l.region.start + l.region.size - 1, l.region.size >> 20,
		       kj_layout_check(&l) < 0 ? " (unusable: see 'kjump layout')" : "");
}

int cmd_info(int argc, char **argv)
{
	struct kj_status st;
	int r = no_args(argc, argv, "kjump info");

	if (r != KC_EXIT_OK)
		return r;
	kj_probe(&st);
	printf("kexec jump: %s (CONFIG_KEXEC_JUMP)\n", tristate(st.kexec_jump));
	printf("lockdown:   %s\n", st.lockdown[0] ? st.lockdown : "unknown");
	printf("root:       %s\n", st.root ? "yes" : "no");
	printf("loaded:     %s\n", tristate(st.loaded));
	print_region();
	if (st.in_helper)
		printf("helper:     yes: handoff at 0x%" PRIx64 ", A's re-entry 0x%016" PRIx64 "\n",
		       st.handoff, st.entry);
	else
		printf("helper:     no\n");
	return st.kexec_jump == KJ_NO ? KC_EXIT_UNSUPPORTED : KC_EXIT_OK;
}

static int write_all(FILE *f, const void *p, size_t n, const char *name)
{
	if (fwrite(p, 1, n, f) != n || fflush(f) != 0) {
		cli_error(errno, "%s", name);
		return KC_EXIT_FAILURE;
	}
	return KC_EXIT_OK;
}

static int read_handoff(void **buf, struct kj_handoff *h)
{
	char *cmdline;
	size_t n, size;
	int r = kc_read_file("/proc/cmdline", KC_CMDLINE_MAX, &cmdline, &n);

	if (r == 0) {
		r = kj_handoff_read(cmdline, buf, &size);
		free(cmdline);
	}
	if (r == -ENODATA)
		cli_error(0, "no kjump.handoff= on /proc/cmdline: this is not a kjump helper");
	else if (r < 0)
		cli_error(0, "reading the handoff through /dev/mem: %s", kj_strerror(r));
	else
		r = kj_handoff_decode(*buf, size, h);
	return r < 0 ? KC_EXIT_FAILURE : KC_EXIT_OK;
}

int cmd_payload(int argc, char **argv)
{
	struct kj_handoff h;
	const char *out = NULL;
	void *buf = NULL;
	FILE *f;
	int c, rc;

	while ((c = getopt_long(argc, argv, "o:", NULL, NULL)) != -1) {
		if (c != 'o') {
			cli_error(0, "usage: kjump payload [-o FILE]");
			return KC_EXIT_USAGE;
		}
		out = optarg;
	}
	rc = read_handoff(&buf, &h);
	if (rc != KC_EXIT_OK)
		return rc;
	f = out ? fopen(out, "wbe") : stdout;
	if (!f) {
		cli_error(errno, "%s", out);
		rc = KC_EXIT_FAILURE;
	} else {
		rc = write_all(f, h.payload, h.payload_size, out ? out : "stdout");
		if (out)
			fclose(f);
	}
	free(buf);
	return rc;
}
