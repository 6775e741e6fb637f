/* Modules the helper kernel needs for the swap device; see helper-modules.h. */
#include <errno.h>
#include <fnmatch.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/fileio.h"
#include "khibernate/helper-modules.h"
#include "kjump/kjump.h"

int kh_names_add(struct kh_names *l, const char *s)
{
	for (size_t i = 0; i < l->n; i++)
		if (!strcmp(l->v[i], s))
			return 0;
	if (l->n == l->cap) {
		size_t cap = l->cap ? 2 * l->cap : 16;
		char **v = realloc(l->v, cap * sizeof(*v));
		if (!v)
			return -ENOMEM;
		l->v = v;
		l->cap = cap;
	}
	l->v[l->n] = strdup(s);
	if (!l->v[l->n])
		return -ENOMEM;
	l->n++;
	return 0;
}

void kh_names_free(struct kh_names *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	*l = (struct kh_names){ 0 };
}

/* The first line of a small sysfs file, or "" when there is none. */
static void read_line(const char *path, char *buf, size_t size)
{
	FILE *f = fopen(path, "re");

	buf[0] = 0;
	if (f) {
		if (!fgets(buf, (int)size, f))
			buf[0] = 0;
		fclose(f);
	}
	buf[strcspn(buf, "\n")] = 0;
}

int kh_dev_module_needs(const char *sysroot, unsigned maj, unsigned min, struct kh_names *aliases,
			struct kh_names *names)
{
	char link[PATH_MAX], dir[PATH_MAX], top[PATH_MAX], path[PATH_MAX + 32], line[512];
	int err = 0;

	snprintf(link, sizeof(link), "%s/sys/dev/block/%u:%u", sysroot, maj, min);
	if (!realpath(link, dir))
		return -ENODEV;
	snprintf(link, sizeof(link), "%s/sys/devices", sysroot);
	if (!realpath(link, top))
		return -ENODEV;
	/* From the device up to (not including) /sys/devices. */
	while (!err && strlen(dir) > strlen(top) && !strncmp(dir, top, strlen(top))) {
		snprintf(path, sizeof(path), "%s/modalias", dir);
		read_line(path, line, sizeof(line));
		if (line[0])
			err = kh_names_add(aliases, line);
		snprintf(path, sizeof(path), "%s/driver/module", dir);
		if (!err && realpath(path, link))
			err = kh_names_add(names, strrchr(link, '/') + 1);
		*strrchr(dir, '/') = 0;
	}
	return err;
}

void kh_module_name(const char *path, char *buf, size_t size)
{
	const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	size_t n = strcspn(base, ".");

	snprintf(buf, size, "%.*s", (int)n, base);
	for (char *c = buf; *c; c++)
		if (*c == '-')
			*c = '_';
}

/* One line of modules.dep: "kernel/a/b.ko.xz: kernel/c.ko.xz kernel/d.ko.xz". */
struct dep {
	char name[64];
	char *path;       /* points into the line buffer */
	char **deps;      /* paths */
	size_t ndeps;
	int state;        /* 0 new, 1 visiting, 2 done */
};

struct tables {
	struct dep *deps;
	size_t ndeps;
	struct kh_names softdep;   /* "NAME PRE PRE ...", one entry per softdep line */
	char *text;                /* modules.dep, split in place */
};

static void tables_free(struct tables *t)
{
	for (size_t i = 0; i < t->ndeps; i++)
		free(t->deps[i].deps);
	free(t->deps);
	kh_names_free(&t->softdep);
	free(t->text);
}

static int parse_dep_line(struct tables *t, char *line)
{
	char *colon = strchr(line, ':'), *tok, *save;
	struct dep *d;

	if (!colon)
		return 0;
	if (t->ndeps % 256 == 0) {
		struct dep *n = realloc(t->deps, (t->ndeps + 256) * sizeof(*n));
		if (!n)
			return -ENOMEM;
		t->deps = n;
	}
	d = &t->deps[t->ndeps];
	*d = (struct dep){ .path = line };
	*colon = 0;
	kh_module_name(line, d->name, sizeof(d->name));
	for (tok = strtok_r(colon + 1, " \t", &save); tok; tok = strtok_r(NULL, " \t", &save)) {
		char **n = realloc(d->deps, (d->ndeps + 1) * sizeof(*n));
		if (!n) {
			free(d->deps);
			return -ENOMEM;
		}
		d->deps = n;
		d->deps[d->ndeps++] = tok;
	}
	t->ndeps++;
	return 0;
}

static int load_tables(const char *moddir, struct tables *t)
{
	char path[PATH_MAX], line[4096];
	size_t len;
	int err;
	FILE *f;

	snprintf(path, sizeof(path), "%s/modules.dep", moddir);
	err = kc_read_file(path, 64u << 20, &t->text, &len);
	for (char *l = err ? NULL : t->text, *next; !err && l && *l; l = next) {
		next = strchr(l, '\n');
		if (next)
			*next++ = 0;
		err = parse_dep_line(t, l);
	}
	if (err)
		return err;
	/* "softdep NAME pre: A B post: C": A and B load before NAME. */
	snprintf(path, sizeof(path), "%s/modules.softdep", moddir);
	f = fopen(path, "re");
	while (!err && f && fgets(line, sizeof(line), f)) {
		char entry[4096] = "", *tok, *save;
		bool pre = false;
		if (strncmp(line, "softdep ", 8))
			continue;
		for (tok = strtok_r(line + 8, " \t\n", &save); tok; tok = strtok_r(NULL, " \t\n", &save)) {
			char name[64];
			if (!strcmp(tok, "pre:") || !strcmp(tok, "post:")) {
				pre = tok[1] == 'r';
				continue;
			}
			kh_module_name(tok, name, sizeof(name));
			if ((!entry[0] || pre) && strlen(entry) + strlen(name) + 2 < sizeof(entry))
				strcat(strcat(entry, entry[0] ? " " : ""), name);
		}
		if (strchr(entry, ' '))
			err = kh_names_add(&t->softdep, entry);
	}
	if (f)
		fclose(f);
	return err;
}

static struct dep *find(struct tables *t, const char *name)
{
	for (size_t i = 0; i < t->ndeps; i++)
		if (!strcmp(t->deps[i].name, name))
			return &t->deps[i];
	return NULL;
}

/* Post-order: what d needs, then d. */
static int visit(struct tables *t, struct dep *d, struct kh_names *out)
{
	char name[64];
	int err = 0;

	if (d->state == 2)
		return 0;
	if (d->state == 1)
		return -ELOOP;
	d->state = 1;
	for (size_t i = 0; !err && i < t->softdep.n; i++) {
		char line[4096], *tok, *save;
		snprintf(line, sizeof(line), "%s", t->softdep.v[i]);
		tok = strtok_r(line, " ", &save);
		if (strcmp(tok, d->name))
			continue;
		while (!err && (tok = strtok_r(NULL, " ", &save))) {
			struct dep *pre = find(t, tok);
			if (pre)
				err = visit(t, pre, out);
		}
	}
	for (size_t i = 0; !err && i < d->ndeps; i++) {
		struct dep *dep;
		kh_module_name(d->deps[i], name, sizeof(name));
		dep = find(t, name);
		if (dep)
			err = visit(t, dep, out);
	}
	d->state = 2;
	return err ? err : kh_names_add(out, d->path);
}

static int want(struct tables *t, const char *name, struct kh_names *out)
{
	char canon[64];
	struct dep *d;

	kh_module_name(name, canon, sizeof(canon));
	d = find(t, canon);
	return d ? visit(t, d, out) : 0;
}

int kh_modules_resolve(const char *moddir, const struct kh_names *aliases,
		       const struct kh_names *names, struct kh_names *ret_paths)
{
	struct tables t = { 0 };
	char path[PATH_MAX], line[1024];
	FILE *f;
	int err = load_tables(moddir, &t);

	if (err)
		goto out;
	/* "alias PATTERN NAME": shell patterns, matched against each modalias. */
	snprintf(path, sizeof(path), "%s/modules.alias", moddir);
	f = aliases->n ? fopen(path, "re") : NULL;
	while (!err && f && fgets(line, sizeof(line), f)) {
		char *save, *kw = strtok_r(line, " \t\n", &save);
		char *pattern = strtok_r(NULL, " \t\n", &save), *name = strtok_r(NULL, " \t\n", &save);
		if (!kw || strcmp(kw, "alias") || !pattern || !name)
			continue;
		for (size_t i = 0; !err && i < aliases->n; i++)
			if (!fnmatch(pattern, aliases->v[i], 0))
				err = want(&t, name, ret_paths);
	}
	if (f)
		fclose(f);
	for (size_t i = 0; !err && i < names->n; i++)
		err = want(&t, names->v[i], ret_paths);
out:
	tables_free(&t);
	return err;
}
