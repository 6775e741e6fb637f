/* load: starting the helper kernel, one way for both of its starts.
 *
 * khibernate starts the save helper (a kexec jump: A runs again when the helper returns) and
 * khib-resume the restore helper (a plain kexec: nothing of the boot kernel survives). Both
 * hand the helper its parameters (params.h) as the payload of kjump's handoff and give it the
 * same command line, so the helper starts the same way whoever loads it: written once here.
 */
#ifndef KHP_LOAD_H
#define KHP_LOAD_H

#include <stdbool.h>
#include <stddef.h>

#include "kjump/kjump.h"
#include "protocol/params.h"

/* The helper's files and extra arguments, as khibernate.conf names them. */
struct khp_helper {
	const char *kernel;   /* bzImage; MUST be set */
	const char *initrd;   /* initramfs, or NULL */
	const char *cmdline;  /* extra kernel arguments (helper_cmdline), or NULL */
};

/*! khp_helper_cmdline() : the helper's command line: this kernel's console= arguments (so the
 *  helper's progress shows where the system's output does), "panic=5" (a helper that panics
 *  reboots instead of hanging), "pty.legacy_count=0" (the helper opens no pty, and a kernel
 *  with CONFIG_LEGACY_PTYS registers 512 devices at every boot otherwise; a kernel without it
 *  passes the word to the helper's environment, unused), "no_timer_check" under a hypervisor,
 *  then extra (may be NULL).
 *  The kernel's IO-APIC timer check counts ticks against a busy loop: a virtual CPU that its
 *  host deschedules fails it and the helper panics ("IO-APIC + timer doesn't work!", seen on a
 *  loaded TCG host), and a restore helper that panics has already consumed its image. On
 *  bare metal the check stays. Never fails; truncates to size. */
void khp_helper_cmdline(const char *extra, char *buf, size_t size);

/*! khp_load_helper() : encodes @pa as the handoff's payload and loads @h into @layout's region
 *  with kj_load(): preserve_context for the save (kexec jump), not for the restore. The encoded
 *  copy of @pa (it may hold a key or passphrase) is wiped before it is freed. ret_info may be
 *  NULL; it is filled as kj_load() fills it (on -ENOSPC: what the helper needs).
 *  @return 0; -EMSGSIZE (@pa cannot be encoded: more than KHP_PARAMS_MAX_EXTENTS extents, a
 *  string without its NUL); -ENOMEM; kj_load()'s errors (decode them with kj_strerror()). */
int khp_load_helper(const struct khp_helper *h, const struct khp_params *pa,
		    const struct kj_layout *layout, bool preserve_context,
		    struct kj_load_info *ret_info);

#endif
