/* The kjump command line tool: one file per group of subcommands, sharing these helpers. */
#ifndef KJ_CLI_H
#define KJ_CLI_H

#include <stdint.h>

#include "common/exit.h"
#include "kjump/kjump.h"

/* Prints "kjump: MSG[: strerror(-err)]" to stderr once. err may be 0. */
void cli_error(int err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* "0x10000000-0x17ffffff" or "0x10000000+128M" style; sizes take K/M/G. */
int cli_parse_range(const char *s, struct kj_range *ret);
int cli_parse_u64(const char *s, uint64_t *ret);
/* An exit code for errors of the kernel's kexec interface, with a message that says why. */
int cli_kexec_error(int err, const char *what);

int cmd_load(int argc, char **argv);
int cmd_layout(int argc, char **argv);
int cmd_exec(int argc, char **argv);
int cmd_back(int argc, char **argv);
int cmd_unload(int argc, char **argv);
int cmd_info(int argc, char **argv);
int cmd_payload(int argc, char **argv);

#endif
