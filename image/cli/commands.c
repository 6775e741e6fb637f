/* commands.c: info, verify, discard, consume, write, read. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "image/cli/cli.h"

static int open_dev(const struct cli *c, const char *path, bool writable, int *fd)
{
	int r = khi_open(path, writable, fd);
	return r < 0 ? cli_fail(c, r, "%s", path) : 0;
}

static const char *state_name(enum khi_state s)
{
	return s == KHI_STATE_COMMITTED ? "committed" : s == KHI_STATE_CONSUMED ? "consumed" : "none";
}

static void out_time(const struct cli *c, const char *k, uint64_t ns)
{
	time_t t = (time_t)(ns / 1000000000u);
	char buf[64];

	strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", gmtime(&t));
	out_str(c, k, buf);
}

static void out_meta(const struct cli *c, khi_reader *r)
{
	const struct khi_meta *m = khi_reader_meta(r);
	struct khi_stats st;
	char name[16];
	size_t nr;
	int level;

	khi_reader_ranges(r, &nr);
	khi_reader_header_stats(r, &st);
	out_hex(c, "image_id", m->image_id, KHI_IMAGE_ID_SIZE);
	out_str(c, "kernel_release", m->kernel_release);
	out_hex(c, "kernel_id", m->kernel_id, KHI_KERNEL_ID_SIZE);
	out_hex(c, "machine_id", m->machine_id, KHI_MACHINE_ID_SIZE);
	out_str(c, "label", m->label);
	out_u64(c, "entry", m->entry);
	out_time(c, "created", m->created_ns);
	out_time(c, "committed", m->committed_ns);
	out_str(c, "compression", khi_compression_name(khi_reader_compression(r, &level), 0, name,
						       sizeof(name)));
	out_u64(c, "level", (uint64_t)level);
	out_str(c, "encryption", khi_reader_encrypted(r) ? "aes-256-gcm" : "none");
	out_u64(c, "ranges", nr);
	out_u64(c, "platform_size", m->platform_size);
	out_stats(c, "", &st);
}

int cmd_info(struct cli *c, char **args)
{
	struct khi_reader_opts o = KHI_READER_OPTS_INIT;
	struct khi_target t = { .swap_offset = c->offset };
	struct khi_probe_info pi;
	khi_reader *r = NULL;
	int fd, e;

	if ((e = open_dev(c, args[0], false, &fd)))
		return e;
	t.fd = fd;
	e = khi_probe(fd, c->offset, &pi);
	if (e < 0) {
		close(fd);
		return cli_fail(c, e, "%s", args[0]);
	}
	out_begin(c);
	out_str(c, "device", args[0]);
	out_str(c, "state", state_name(pi.state));
	out_u64(c, "swap_pages", pi.swap_last_page);
	out_u64(c, "swap_bad_pages", pi.swap_bad_pages);
	if (pi.state != KHI_STATE_NONE) {
		o.header_only = 1;
		o.mem_max = c->mem_max;
		o.consumed_id = pi.state == KHI_STATE_CONSUMED ? pi.image_id : NULL;
		e = khi_reader_open(&t, &o, &r);
		if (e == 0)
			out_meta(c, r);
		else
			out_str(c, "error", khi_strerror(e));
		khi_reader_free(r);
	}
	out_end(c);
	close(fd);
	/* A consumed image's data may already be overwritten by swap: not an error to report. */
	return e < 0 && pi.state == KHI_STATE_COMMITTED ? cli_fail(c, e, "%s", args[0]) : KC_EXIT_OK;
}

static int open_reader(struct cli *c, const char *path, int fd, khi_reader **r)
{
	struct khi_reader_opts o = KHI_READER_OPTS_INIT;
	struct khi_target t = { .fd = fd, .swap_offset = c->offset };
	int e;

	o.threads = c->threads;
	o.mem_max = c->mem_max;
	o.consumed_id = c->have_consumed_id ? c->consumed_id : NULL;
	cli_key(c, &o.key);
	if (!c->quiet && !c->json)
		o.progress = cli_progress;
	o.progress_ctx = c;
	e = khi_reader_open(&t, &o, r);
	return e < 0 ? cli_fail(c, e, "%s", path) : 0;
}

int cmd_verify(struct cli *c, char **args)
{
	struct khi_stats st;
	khi_reader *r = NULL;
	int fd, e;

	if ((e = open_dev(c, args[0], false, &fd)))
		return e;
	if (!(e = open_reader(c, args[0], fd, &r))) {
		int v = khi_reader_verify(r);
		if (v < 0) {
			e = cli_fail(c, v, "%s", args[0]);
		} else {
			khi_reader_stats(r, &st);
			out_begin(c);
			out_str(c, "device", args[0]);
			out_str(c, "verify", "ok");
			out_meta(c, r);
			out_stats(c, "verify_", &st);
			out_end(c);
		}
	}
	khi_reader_free(r);
	close(fd);
	return e;
}

int cmd_discard(struct cli *c, char **args)
{
	int fd, e;

	if ((e = open_dev(c, args[0], true, &fd)))
		return e;
	e = khi_discard(fd, c->offset);
	close(fd);
	if (e == -ENODATA) {
		if (!c->quiet)
			fprintf(stderr, "%s: %s: no image, nothing to discard\n", c->argv0, args[0]);
		return KC_EXIT_NO_IMAGE;
	}
	return e < 0 ? cli_fail(c, e, "%s", args[0]) : KC_EXIT_OK;
}

int cmd_consume(struct cli *c, char **args)
{
	uint8_t id[KHI_IMAGE_ID_SIZE];
	int fd, e;

	if ((e = open_dev(c, args[0], true, &fd)))
		return e;
	e = khi_mark_consumed(fd, c->offset, id);
	close(fd);
	if (e < 0)
		return cli_fail(c, e, "%s", args[0]);
	out_begin(c);
	out_hex(c, "image_id", id, sizeof(id));
	out_end(c);
	return KC_EXIT_OK;
}

/* ---- write: a file of "physical memory" (page n at byte n * 4096) into an image ---- */

struct file_source {
	const uint8_t *map;
	uint64_t size;
};

static int file_read(void *ctx, uint64_t pfn, uint32_t nr, void *buf, const void **ret)
{
	struct file_source *s = ctx;
	uint64_t off = pfn * KHI_PAGE_SIZE, len = (uint64_t)nr * KHI_PAGE_SIZE;

	if (off + len <= s->size) {
		*ret = s->map + off;   /* zero copy, as the helper kernel does with /dev/mem */
		return 0;
	}
	/* Past the end of the file reads as zeros, like a sparse file. */
	memset(buf, 0, len);
	if (off < s->size)
		memcpy(buf, s->map + off, s->size - off);
	*ret = buf;
	return 0;
}

static int map_input(const struct cli *c, const char *path, struct file_source *s)
{
	struct stat st;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0 || fstat(fd, &st) < 0)
		return cli_fail(c, -errno, "%s", path);
	s->size = (uint64_t)st.st_size;
	s->map = s->size ? mmap(NULL, s->size, PROT_READ, MAP_PRIVATE, fd, 0) : NULL;
	close(fd);
	if (s->map == MAP_FAILED)
		return cli_fail(c, -errno, "%s", path);
	if (s->size < KHI_PAGE_SIZE)
		return cli_fail(c, -EINVAL, "%s: input is smaller than a page", path);
	return 0;
}

static int do_write(struct cli *c, const char *dev, int fd, struct khi_source *src)
{
	struct khi_writer_opts o = KHI_WRITER_OPTS_INIT;
	struct khi_target t = { fd, c->offset, c->extents, c->nr_extents, c->swapfile };
	struct khi_meta m = { .entry = c->entry };
	struct khi_stats st;
	khi_writer *w = NULL;
	int e;

	snprintf(m.label, sizeof(m.label), "%s", c->label ? c->label : "khib-image");
	snprintf(m.kernel_release, sizeof(m.kernel_release), "%s", c->release ? c->release : "");
	o.compression = c->comp;
	o.level = c->level;
	o.threads = c->threads;
	o.size_estimate = c->estimate;
	cli_key(c, &o.key);
	if (!c->quiet && !c->json)
		o.progress = cli_progress;
	o.progress_ctx = c;
	e = khi_writer_new(&t, &o, &m, src, &w);
	if (!e)
		e = khi_writer_write(w);
	if (e < 0) {
		khi_writer_free(w);
		return cli_fail(c, e, "%s", dev);
	}
	khi_writer_stats(w, &st);
	khi_writer_free(w);
	out_begin(c);
	out_str(c, "device", dev);
	out_str(c, "state", "committed");
	out_stats(c, "", &st);
	out_end(c);
	return KC_EXIT_OK;
}

int cmd_write(struct cli *c, char **args)
{
	struct file_source fs = { 0 };
	struct khi_range whole;
	struct khi_source src = { .ranges = c->ranges, .nr_ranges = c->nr_ranges, .read = file_read,
				  .ctx = &fs };
	int fd, e;

	if ((e = map_input(c, args[0], &fs)))
		return e;
	if (!c->nr_ranges) {
		whole = (struct khi_range){ 0, fs.size / KHI_PAGE_SIZE };
		src.ranges = &whole;
		src.nr_ranges = 1;
	}
	if (!(e = open_dev(c, args[1], true, &fd))) {
		e = do_write(c, args[1], fd, &src);
		close(fd);
	}
	munmap((void *)fs.map, fs.size);
	return e;
}

/* ---- read: an image back into a file of "physical memory" ---- */

static int file_write(void *ctx, uint64_t pfn, uint32_t nr, const void *data)
{
	int fd = *(int *)ctx;
	size_t len = (size_t)nr * KHI_PAGE_SIZE;
	ssize_t n = pwrite(fd, data, len, (off_t)(pfn * KHI_PAGE_SIZE));

	return n < 0 ? -errno : (size_t)n != len ? -EIO : 0;
}

int cmd_read(struct cli *c, char **args)
{
	khi_reader *r = NULL;
	struct khi_stats rs;
	int fd, out, e;

	if ((e = open_dev(c, args[0], false, &fd)))
		return e;
	out = open(args[1], O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (out < 0) {
		close(fd);
		return cli_fail(c, -errno, "%s", args[1]);
	}
	struct khi_sink sink = { .write = file_write, .ctx = &out };
	if (!(e = open_reader(c, args[0], fd, &r))) {
		int v = khi_reader_restore(r, &sink);
		if (!v && fsync(out) < 0)
			v = -errno;
		if (v < 0) {
			e = cli_fail(c, v, "%s", args[0]);
		} else {
			khi_reader_stats(r, &rs);
			out_begin(c);
			out_str(c, "device", args[0]);
			out_str(c, "output", args[1]);
			out_stats(c, "restore_", &rs);
			out_end(c);
		}
	}
	khi_reader_free(r);
	close(out);
	close(fd);
	return e;
}
