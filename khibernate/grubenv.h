/* grubenv: GRUB's environment block, the file GRUB's load_env and save_env read and write
 * (grub-core/lib/envblk.c's format): "# GRUB Environment Block\n", then "name=value\n" lines
 * (a backslash escapes a backslash or a newline in a value), then '#' up to the file's size,
 * which never changes (1024 bytes as grub-editenv creates it). GRUB writes it in place, into
 * the blocks the file already has; so does kh_grubenv_set(), so that both always see one
 * block. It reads the block from the disk (O_DIRECT), not from a page cache that may predate
 * a boot in which GRUB wrote it (the resume), and rewrites such a stale cache too. Lines that
 * start with '#' are comments (grub-editenv writes one first) and are kept. No grub-editenv
 * needed at hibernate time.
 */
#ifndef KH_GRUBENV_H
#define KH_GRUBENV_H

#define KH_GRUBENV_MAX (64u << 10)

/*! kh_grubenv_set() : sets name to value in the block at path, or removes it when value is
 *  NULL (nothing is written when nothing changes). name and value MUST NOT hold '=', '\\'
 *  or '\n' (ours do not). @return 0; -EBADMSG (not an environment block); -ENOSPC (no room
 *  left in it); -EFBIG (larger than KH_GRUBENV_MAX); -errno of reading or writing. */
int kh_grubenv_set(const char *path, const char *name, const char *value);

/*! kh_grubenv_check() : whether kh_grubenv_set() with these arguments would succeed; writes
 *  nothing. @return as kh_grubenv_set(), and -EROFS or -EACCES when the block cannot be
 *  written. */
int kh_grubenv_check(const char *path, const char *name, const char *value);

#endif
