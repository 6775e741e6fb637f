/* Layout options shared by kjump load and kjump layout. */
#ifndef KJ_CLI_LAYOUT_H
#define KJ_CLI_LAYOUT_H

#include "kjump/kjump.h"

struct cli_layout_opts {
	const char *file;   /* --layout FILE, or NULL: this system's */
	const char *region; /* --region, or NULL = auto */
	const char *hole;   /* --hole, or NULL = auto */
};

/* Builds and checks the layout; reports any problem once. @return an exit code. */
int cli_layout_get(const struct cli_layout_opts *o, struct kj_layout *l);

#endif
