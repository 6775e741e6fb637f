/* plan: everything khibernate learns about the system before it changes anything.
 *
 * kh_plan_make() runs every preflight check and records each outcome, so that `khibernate
 * check` can print them all and `khibernate` can refuse to go on with a message that says what
 * to do, before anything is frozen or reserved. Nothing here writes anywhere.
 */
#ifndef KH_PLAN_H
#define KH_PLAN_H

#include <stdbool.h>
#include <stdint.h>

#include "khibernate/swaptarget.h"
#include "kjump/kjump.h"
#include "protocol/config.h"

#define KH_MSG_MAX 320

/* The preflight's checks, in the order they run and are printed. */
enum kh_check_id {
	KH_CHECK_KERNEL,  /* named after what it found wrong: root, lockdown, kexec jump, kernel */
	KH_CHECK_REGION,  /* the helper's region and low hole */
	KH_CHECK_HELPER,  /* the helper's kernel and initramfs */
	KH_CHECK_SWAP,    /* the swap area, its header, its free space */
	KH_CHECK_COUNT
};

struct kh_check {
	const char *name;         /* NULL: the check did not run */
	int error;                /* 0 = passed, else a negative errno */
	char msg[KH_MSG_MAX];     /* what was found; on failure, what to do */
};

struct kh_plan {
	struct khp_config config;
	struct kh_swap swap;
	struct kj_layout layout;
	uint64_t ram_bytes;       /* A's RAM that the image covers (region and hole excluded) */
	uint64_t used_bytes;      /* of it, in use now (MemTotal - MemFree) */
	uint64_t estimate;        /* what the image will take at most, as far as we can tell */
	uint64_t worst_case;      /* every page stored uncompressed, plus metadata */
	uint64_t swap_free;       /* bytes of the swap area the image may use */
	bool root;                /* running as root: without it no other check can tell */
	bool kaslr;               /* this kernel placed itself at random (CONFIG_RANDOMIZE_BASE) */
	struct kh_check checks[KH_CHECK_COUNT];  /* by id: one outcome per check */
};

/*! kh_plan_make() : runs all checks. @return 0 if all passed, else the first failure's error
 *  (every check's outcome is in p->checks either way). Not root: -EPERM, and only
 *  KH_CHECK_KERNEL ran (as another user every later check would fail for that reason). */
int kh_plan_make(const struct khp_config *c, struct kh_plan *p);

/*! kh_plan_check() : the outcome of check @id, or NULL when it did not run. */
const struct kh_check *kh_plan_check(const struct kh_plan *p, enum kh_check_id id);

/*! kh_plan_image_budget() : bytes of slots to reserve: the worst case when the swap area can
 *  hold it, else all that is free (the helper then fails cleanly, before writing, if even
 *  that is short of the image). */
uint64_t kh_plan_image_budget(const struct kh_plan *p);

/*! kh_plan_first_budget() : bytes of slots to reserve before the first try: the estimate (or
 *  the configured `reserve`), at most kh_plan_image_budget(). The helper comes back with
 *  -ENOSPC when the image needs more; the reservation then grows to the image budget. */
uint64_t kh_plan_first_budget(const struct kh_plan *p);

#endif
