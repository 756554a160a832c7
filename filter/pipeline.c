#include "pipeline.h"

#include <errno.h>
#include <ini.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../lib/conf.h"
#include "../lib/err.h"
#include "../lib/banned.h"

#define SECTION_PREFIX "filter."

/* Debian's inih calls handlers without a line number and not at all for
 * an empty section; ini_parse_file() returns the line of the first error,
 * which the caller prefixes to the handler's message. */
struct loader {
	struct pipeline *p;
	struct sl_err err;
};

static int add_stage(struct pipeline *p, const struct stage_ops *ops,
		     struct sl_err *err)
{
	struct pipeline_stage *v = realloc(p->v, (p->n + 1) * sizeof(*v));

	if (!v)
		return sl_error(err, "out of memory");
	p->v = v;
	v[p->n].ops = ops;
	v[p->n].conf = malloc(ops->conf_size ? ops->conf_size : 1);
	if (!v[p->n].conf)
		return sl_error(err, "out of memory");
	if (stage_conf_defaults(ops, v[p->n].conf, err)) {
		free(v[p->n].conf);
		return -1;
	}
	p->n++;
	return 0;
}

static struct pipeline_stage *find(struct pipeline *p, const char *name)
{
	for (size_t i = 0; i < p->n; i++)
		if (!strcmp(p->v[i].ops->name, name))
			return &p->v[i];
	return NULL;
}

static int on_entry(void *user, const char *section, const char *key,
		    const char *value)
{
	struct loader *l = user;
	const struct stage_ops *ops;
	struct pipeline_stage *s;
	const char *name;

	if (strncmp(section, SECTION_PREFIX, strlen(SECTION_PREFIX)))
		return 1;
	name = section + strlen(SECTION_PREFIX);
	if (!(ops = stage_find(name))) {
		sl_error(&l->err, "[%s]: no stage '%s' (see 'sluice help "
			 "filter')", section, name);
		return 0;
	}
	if (!(s = find(l->p, name))) {
		if (add_stage(l->p, ops, &l->err))
			return 0;
		s = &l->p->v[l->p->n - 1];
	}
	return key ? !stage_conf_set(ops, s->conf, key, value, &l->err) : 1;
}

/* Let each stage check its whole configuration now (values that only
 * make sense together, string choices), so a bad file fails before any
 * work, naming the file. */
static int check_stages(struct pipeline *p, const char *path,
			struct sl_err *err)
{
	for (size_t i = 0; i < p->n; i++) {
		void *state;

		if (p->v[i].ops->open(&state, p->v[i].conf, err)) {
			if (err && err->msg[0] == '[')
				sl_error_prefix(err, "%s: ", path);
			else
				sl_error_prefix(err, "%s: [filter.%s]: ", path,
						p->v[i].ops->name);
			return -1;
		}
		p->v[i].ops->close(state);
	}
	return 0;
}

static void set_versions(struct pipeline *p)
{
	for (size_t i = 0; i < p->n; i++)
		stage_conf_version(p->v[i].ops, p->v[i].conf, p->v[i].version);
}

/* Add the stages of every [filter.NAME] header in file order, so empty
 * sections count and the order is the file's (lib/conf.h). */
static int on_section(void *arg, const char *section)
{
	struct loader *l = arg;

	if (!strncmp(section, SECTION_PREFIX, strlen(SECTION_PREFIX)) &&
	    find(l->p, section + strlen(SECTION_PREFIX))) {
		sl_error(&l->err, "[%s]: stage given twice (one section a "
			 "stage)", section);
		return -1;
	}
	return on_entry(l, section, NULL, NULL) ? 0 : -1;
}

int pipeline_load(struct pipeline *p, const char *path, struct sl_err *err)
{
	FILE *f;
	int rc;

	memset(p, 0, sizeof(*p));
	if (!path) {
		for (size_t i = 0; stage_registry[i]; i++)
			if (!(stage_registry[i]->flags & STAGE_OPT_IN) &&
			    add_stage(p, stage_registry[i], err)) {
				pipeline_release(p);
				return -1;
			}
		set_versions(p);
		return 0;
	}
	if (!(f = fopen(path, "r")))
		return sl_error(err, "cannot open pipeline file '%s':", path);
	rc = pipeline_read(p, f, path, err);
	fclose(f);
	return rc;
}

int pipeline_read(struct pipeline *p, FILE *f, const char *name,
		  struct sl_err *err)
{
	struct loader l = { .p = p };
	int rc, lineno;

	memset(p, 0, sizeof(*p));
	l.err.msg[0] = '\0';
	if (conf_sections(f, on_section, &l, &lineno)) {
		sl_error_prefix(&l.err, "%s:%d: ", name, lineno);
		*err = l.err;
		pipeline_release(p);
		return -1;
	}
	rc = ini_parse_file(f, on_entry, &l);
	if (rc > 0)
		sl_error_prefix(&l.err, l.err.msg[0] ? "%s:%d: " :
				"%s:%d: cannot parse this line", name, rc);
	else if (rc < 0)
		sl_error(&l.err, "cannot read pipeline file '%s'", name);
	if (rc) {
		*err = l.err;
		pipeline_release(p);
		return -1;
	}
	if (!p->n) {
		pipeline_release(p);
		return sl_error(err, "%s: no [filter.NAME] section", name);
	}
	if (check_stages(p, name, err)) {
		pipeline_release(p);
		return -1;
	}
	set_versions(p);
	return 0;
}

int pipeline_only(struct pipeline *p, const char *name, struct sl_err *err)
{
	size_t j = 0;

	if (!find(p, name))
		return sl_error(err, "stage '%s' is not in the pipeline", name);
	for (size_t i = 0; i < p->n; i++) {
		if (!strcmp(p->v[i].ops->name, name))
			p->v[j++] = p->v[i];
		else
			free(p->v[i].conf);
	}
	p->n = j;
	return 0;
}

void pipeline_release(struct pipeline *p)
{
	for (size_t i = 0; i < p->n; i++)
		free(p->v[i].conf);
	free(p->v);
	memset(p, 0, sizeof(*p));
}
