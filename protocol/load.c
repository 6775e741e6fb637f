/* Starting the helper kernel; see load.h. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/cmdline.h"
#include "common/fileio.h"
#include "protocol/load.h"

/* The CPU says it runs under a hypervisor (the "hypervisor" flag of /proc/cpuinfo). */
static bool under_hypervisor(void)
{
	char line[4096];
	bool found = false;
	FILE *f = fopen("/proc/cpuinfo", "re");

	while (f && fgets(line, sizeof(line), f))
		if (!strncmp(line, "flags", 5)) {
			found = strstr(line, " hypervisor") != NULL;
			break;
		}
	if (f)
		fclose(f);
	return found;
}

void khp_helper_cmdline(const char *extra, char *buf, size_t size)
{
	char *cmdline = NULL, console[256];
	const char *p;
	size_t n = 0, len;

	buf[0] = 0;
	if (kc_read_file("/proc/cmdline", KC_CMDLINE_MAX, &cmdline, &len) == 0)
		for (p = cmdline; kc_cmdline_next(&p, "console=", console, sizeof(console));)
			if (n + strlen("console= ") + strlen(console) < size)
				n += (size_t)snprintf(buf + n, size - n, "console=%s ", console);
	free(cmdline);
	snprintf(buf + n, size - n, "panic=5 pty.legacy_count=0 %s%s",
		 under_hypervisor() ? "no_timer_check " : "",
		 extra ? extra : "");
}

int khp_load_helper(const struct khp_helper *h, const struct khp_params *pa,
		    const struct kj_layout *layout, bool preserve_context,
		    struct kj_load_info *ret_info)
{
	struct kj_load_opts o = KJ_LOAD_OPTS_INIT;
	size_t size = khp_params_size(pa);
	void *payload = malloc(size);
	char cmdline[1024];
	ssize_t n;
	int err;

	if (!payload)
		return -ENOMEM;
	n = khp_params_encode(pa, payload, size);
	if (n < 0) {
		err = -EMSGSIZE;
	} else {
		khp_helper_cmdline(h->cmdline, cmdline, sizeof(cmdline));
		o.kernel = h->kernel;
		o.initrd = h->initrd;
		o.cmdline = cmdline;
		o.layout = layout;
		o.preserve_context = preserve_context;
		/* Not where the save's helper was: A swaps those pages back on its way back. */
		o.high = pa->mode == KHP_MODE_RESTORE;
		o.payload = payload;
		o.payload_size = (size_t)n;
		err = kj_load(&o, ret_info);
	}
	explicit_bzero(payload, size);
	free(payload);
	return err < 0 ? err : 0;
}
