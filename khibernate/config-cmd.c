/* khibernate config, khibernate discard, and the subcommand table; see commands.h. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "common/exit.h"
#include "image/khimage.h"
#include "khibernate/commands.h"
#include "khibernate/swaptarget.h"
#include "protocol/log.h"

static const struct {
	const char *name;
	int (*run)(int argc, char **argv);
} commands[] = {
	{ "config", kh_cmd_config }, { "discard", kh_cmd_discard }, { "helper", kh_cmd_helper },
	{ "setup", kh_cmd_setup },
};

bool kh_is_subcommand(const char *name)
{
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (!strcmp(commands[i].name, name))
			return true;
	return false;
}

int kh_subcommand(int argc, char **argv)
{
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (!strcmp(commands[i].name, argv[0]))
			return commands[i].run(argc, argv);
	return KC_EXIT_USAGE;
}

int kh_load_config(const char *path, struct khp_config *c)
{
	unsigned line;
	int err;

	khp_config_init(c);
	err = khp_config_load(c, path ?: KHP_CONFIG_PATH, !!path, &line);
	if (err && line)
		fprintf(stderr, "khibernate: %s:%u: %s\n", path ?: KHP_CONFIG_PATH, line,
			khp_config_strerror(err));
	else if (err)
		fprintf(stderr, "khibernate: %s: %s\n", path ?: KHP_CONFIG_PATH, strerror(-err));
	return err ? KC_EXIT_USAGE : KC_EXIT_OK;
}

static const char config_usage[] =
"usage: khibernate config [-c FILE] [KEY]\n"
"Prints the effective settings (" KHP_CONFIG_PATH " over the defaults), \"key = value\" a line,\n"
"or only the value of KEY: what the initramfs integrations read.\n";

int kh_cmd_config(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", 1, NULL, 'c' }, { "help", 0, NULL, 'h' }, { 0 },
	};
	const char *path = NULL;
	struct khp_config c;
	char value[KHP_CONFIG_STR + 16];
	int opt, err;

	while ((opt = getopt_long(argc, argv, "c:h", opts, NULL)) != -1) {
		switch (opt) {
		case 'c': path = optarg; break;
		case 'h': fputs(config_usage, stdout); return KC_EXIT_OK;
		default: fputs(config_usage, stderr); return KC_EXIT_USAGE;
		}
	}
	if (argc - optind > 1) {
		fputs(config_usage, stderr);
		return KC_EXIT_USAGE;
	}
	err = kh_load_config(path, &c);
	if (err)
		return err;
	if (optind == argc) {
		khp_config_write(&c, stdout);
		return 0;
	}
	if (khp_config_get(&c, argv[optind], value, sizeof(value)) < 0) {
		fprintf(stderr, "khibernate: config: no key '%s' (khibernate.conf(5))\n", argv[optind]);
		return KC_EXIT_USAGE;
	}
	printf("%s\n", value);
	return 0;
}

static const char discard_usage[] =
"usage: khibernate discard [-c FILE] [-s PATH]\n"
"Discards a hibernation image waiting in the configured swap area (or PATH), saying so.\n"
"Run at boot in the running system (khibernate-discard-stale.service): an image still there\n"
"was not resumed by the initramfs, and resuming it later, over filesystems that changed\n"
"since, would corrupt them. Quiet when there is none.\n";

int kh_cmd_discard(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", 1, NULL, 'c' }, { "swap", 1, NULL, 's' }, { "help", 0, NULL, 'h' },
		{ 0 },
	};
	const char *path = NULL, *swap = NULL;
	struct khi_probe_info info;
	struct khp_config c;
	struct kh_swap s;
	int opt, fd, err;

	while ((opt = getopt_long(argc, argv, "c:s:h", opts, NULL)) != -1) {
		switch (opt) {
		case 'c': path = optarg; break;
		case 's': swap = optarg; break;
		case 'h': fputs(discard_usage, stdout); return KC_EXIT_OK;
		default: fputs(discard_usage, stderr); return KC_EXIT_USAGE;
		}
	}
	if (optind < argc) {
		fputs(discard_usage, stderr);
		return KC_EXIT_USAGE;
	}
	err = kh_load_config(path, &c);
	if (err)
		return err;
	/* The second line of defence against a stale image: its word belongs in the journal. */
	khp_log_open("khibernate", stderr, KHP_LOG_KMSG);
	swap = swap ?: c.swap;
	if (!swap[0])
		return KC_EXIT_OK; /* not configured: nothing can wait */
	err = kh_swap_resolve(swap, &s);
	if (!err)
		err = khi_open(s.dev_path, 1, &fd);
	if (err) {
		khp_log(KHP_LOG_ERR, "discard: %s: %s", swap, strerror(-err));
		return KC_EXIT_FAILURE;
	}
	err = khi_probe(fd, s.header_offset, &info);
	if (err == -EBADMSG || (!err && info.state == KHI_STATE_COMMITTED)) {
		err = khi_discard(fd, s.header_offset);
		if (err)
			khp_log(KHP_LOG_ERR, "discard: %s: a hibernation image waits in it, and "
			       "discarding it failed: %s; do not resume it", swap,
			       khi_strerror(err));
		else
			khp_log(KHP_LOG_WARNING, "a hibernation image was still waiting in %s and was "
			       "not resumed: discarded it, so that it can never be resumed over "
			       "filesystems that changed since (the boot's log says why the initramfs "
			       "did not resume it); swap is usable again", swap);
	} else if (err && err != -EMEDIUMTYPE) {
		khp_log(KHP_LOG_ERR, "discard: %s: %s", swap, khi_strerror(err));
	} else {
		err = 0; /* plain swap (or not a swap area at all: nothing of ours) */
	}
	close(fd);
	return err ? KC_EXIT_FAILURE : KC_EXIT_OK;
}
