/* commands: khibernate's subcommands beside hibernate, check and status, each in its own file
 * with its own options; main() hands them argv from the subcommand's name on.
 *
 *   khibernate config [-c FILE] [KEY]     the effective settings (config-cmd.c)
 *   khibernate discard [-c FILE] [--swap PATH]
 *                                         discard an image still waiting (config-cmd.c)
 *   khibernate helper build [...]         build the helper's kernel and initramfs
 *                                         (helper-build.c)
 *   khibernate setup [-c FILE] [-s PATH] [--dry-run]
 *                                         the kernel command line, the helper, the
 *                                         initramfs (setup.c, setup.h)
 * Each returns the process's exit status (common/exit.h): KC_EXIT_OK done, KC_EXIT_FAILURE
 * failed (said why), KC_EXIT_USAGE usage or configuration error.
 */
#ifndef KH_COMMANDS_H
#define KH_COMMANDS_H

#include <stdbool.h>

#include "protocol/config.h"

/*! kh_is_subcommand() : whether name is one of the commands above. */
bool kh_is_subcommand(const char *name);

/*! kh_subcommand() : runs argv[0]'s command. */
int kh_subcommand(int argc, char **argv);

/*! kh_load_config() : defaults, then path (KHP_CONFIG_PATH when NULL: may be missing),
 *  reporting an error once with the file and line. @return KC_EXIT_OK or KC_EXIT_USAGE. */
int kh_load_config(const char *path, struct khp_config *c);

int kh_cmd_config(int argc, char **argv);
int kh_cmd_discard(int argc, char **argv);
int kh_cmd_helper(int argc, char **argv);
int kh_cmd_setup(int argc, char **argv);

#endif
