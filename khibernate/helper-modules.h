/* helper-modules: which kernel modules the helper kernel B needs to reach the swap device.
 *
 * B opens the swap area's block device by major:minor in its own kernel. A distribution
 * kernel builds the drivers on the way to it (virtio, NVMe, AHCI, SCSI disk, ...) as modules,
 * so B's initramfs must carry them. What the way is, sysfs says in the running system: the
 * device's directory under /sys/dev/block/MAJ:MIN and each parent up to /sys/devices has a
 * `modalias` (what driver would bind: "pci:v00001AF4d00001001...") and, when a driver is
 * bound, `driver/module` (the module it came from). The helper kernel's own tables
 * (/lib/modules/VER/modules.alias, modules.dep, modules.softdep) turn those into module files,
 * dependencies first: B's kernel may be another build than the running one, so names are
 * looked up there, not in the running kernel. A module that modules.dep does not list is built
 * into B's kernel (or missing, which B then reports when the device does not appear).
 */
#ifndef KH_HELPER_MODULES_H
#define KH_HELPER_MODULES_H

#include <stddef.h>

/* A list of distinct strings, in the order they were added. */
struct kh_names {
	char **v;
	size_t n, cap;
};

/*! kh_names_add() : appends a copy of s unless it is there already. @return 0 or -ENOMEM. */
int kh_names_add(struct kh_names *l, const char *s);
/*! kh_names_free() : accepts an empty list; leaves it empty. */
void kh_names_free(struct kh_names *l);

/*! kh_dev_module_needs() : walks the block device maj:min's sysfs directory and its parents
 *  (sysroot prefixes /sys: "" on a real system) and adds each modalias to aliases and each
 *  bound driver's module name to names (as sysfs spells it).
 *  @return 0; -ENODEV (no such device in sysfs); -ENOMEM. */
int kh_dev_module_needs(const char *sysroot, unsigned maj, unsigned min, struct kh_names *aliases,
			struct kh_names *names);

/*! kh_module_name() : the canonical name of a module file or name: the basename without
 *  ".ko" and a compression suffix, '-' spelled '_' ("kernel/x/virtio-blk.ko.xz" ->
 *  "virtio_blk"), into buf. */
void kh_module_name(const char *path, char *buf, size_t size);

/*! kh_modules_resolve() : the module files (paths relative to moddir, as modules.dep spells
 *  them) that provide aliases and names, with everything they depend on (modules.dep, and the
 *  "pre:" modules of modules.softdep), in an order that loads: each after its dependencies.
 *  Names modules.dep does not list are built in: skipped.
 *  @return 0; -ENOENT (moddir has no modules.dep: a kernel without modules, or not
 *  installed); -ELOOP (a dependency cycle); -ENOMEM; -errno of reading the tables. */
int kh_modules_resolve(const char *moddir, const struct kh_names *aliases,
		       const struct kh_names *names, struct kh_names *ret_paths);

#endif
