/* kjump: command line front end of libkjump. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kjump/cli.h"

static const char usage[] =
"Usage: kjump COMMAND [OPTIONS]\n"
"\n"
"Load a helper kernel into a reserved memory region with kexec jump, run it, and come back.\n"
"\n"
"In the running kernel (A):\n"
"  kjump load --kernel BZIMAGE [--initrd FILE] [--cmdline STR] [options]\n"
"        Load helper kernel B into the reserved region (KEXEC_PRESERVE_CONTEXT).\n"
"        --region auto|START-END|START+SIZE   B's region (auto: \"Crash kernel\" in /proc/iomem,\n"
"                                             from crashkernel=SIZE@OFFSET)   [auto]\n"
"        --hole auto|none|START-END           RAM below 1 MiB for B's trampoline (auto: the\n"
"                                             first memmap=SIZE$ADDR below 1 MiB)  [auto]\n"
"        --layout FILE    take A's memory layout from FILE (written by 'kjump layout -o')\n"
"                         instead of this system; --region/--hole still override it\n"
"        --payload FILE   pass FILE's bytes to B in the handoff ('kjump payload' reads them)\n"
"        --min-free SIZE  free memory B needs beyond its segments   [48M]\n"
"        --no-preserve-context   plain kexec: B will not be able to return\n"
"        -v, --verbose    print where each part of B goes\n"
"  kjump exec      Jump to the loaded kernel; returns when it jumps back. Again: re-enter it.\n"
"  kjump layout [-o FILE] [--region R] [--hole H]\n"
"        Print A's memory layout and the e820 map B would get; -o saves the layout.\n"
"  kjump unload    Unload the loaded kexec image.\n"
"\n"
"In the helper kernel (B):\n"
"  kjump back [--entry ADDR]   Jump back to A (ADDR: A's re-entry address; default\n"
"                              kjump.entry= on /proc/cmdline). Returns when A re-enters B.\n"
"  kjump payload [-o FILE]     Write the payload A passed to stdout or FILE.\n"
"\n"
"Anywhere:\n"
"  kjump info      Reserved region, what is loaded, whether this kernel can jump.\n"
"\n"
"Requirements: root; a kernel with CONFIG_KEXEC_JUMP; no lockdown (secure boot forbids\n"
"kexec_load); A booted with crashkernel=SIZE@OFFSET (e.g. 128M@0x10000000) and\n"
"memmap=64K$0x80000; B a relocatable x86_64 bzImage (boot protocol 2.12+).\n"
"\n"
"Exit status: 0 success, 1 failure, 2 usage error, 9 not possible on this system\n"
"(no kexec jump, lockdown, no reserved region, not root); kjump(8), EXIT STATUS.\n"
"See docs/kjump.md.\n";

void cli_error(int err, const char *fmt, ...)
{
	va_list ap;

	fputs("kjump: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	if (err)
		fprintf(stderr, ": %s", strerror(err < 0 ? -err : err));
	fputc('\n', stderr);
}

static const struct {
	const char *name;
	int (*fn)(int, char **);
} commands[] = {
	{ "load", cmd_load }, { "exec", cmd_exec }, { "back", cmd_back }, { "info", cmd_info },
	{ "layout", cmd_layout }, { "unload", cmd_unload }, { "payload", cmd_payload },
};

int main(int argc, char **argv)
{
	size_t i;

	if (argc < 2) {
		fputs(usage, stderr);
		return KC_EXIT_USAGE;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
		fputs(usage, stdout);
		return KC_EXIT_OK;
	}
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (!strcmp(argv[1], commands[i].name))
			return commands[i].fn(argc - 1, argv + 1);
	cli_error(0, "unknown command '%s' (try 'kjump --help')", argv[1]);
	return KC_EXIT_USAGE;
}
