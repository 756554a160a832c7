#include "runconf.h"

#include <ini.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "../crawl/crawler.h"
#include "../lib/conf.h"
#include "../lib/err.h"
#include "../lib/banned.h"

struct loader {
	struct runconf *rc;
	struct sl_err err;
};

static int set_str(char *dst, size_t n, const char *v)
{
	if (strlen(v) >= n)
		return -1;
	snprintf(dst, n, "%s", v);
	return 0;
}

static int add_globs(struct runconf *rc, const char *v)
{
	char *copy = strdup(v), *p, *save = NULL;

	if (!copy)
		return -1;
	for (p = strtok_r(copy, ", \t", &save); p; p = strtok_r(NULL, ", \t", &save)) {
		char **g = realloc(rc->globs, (rc->nglobs + 1) * sizeof(*g));

		if (!g || !(g[rc->nglobs] = strdup(p))) {
			if (g)
				rc->globs = g;
			free(copy);
			return -1;
		}
		rc->globs = g;
		rc->nglobs++;
	}
	free(copy);
	return 0;
}

static int import_key(struct runconf *rc, const char *k, const char *v)
{
	unsigned long long n;

	if (!strcmp(k, "paths"))
		return add_globs(rc, v);
	if (!strcmp(k, "text_field"))
		return set_str(rc->text_field, sizeof(rc->text_field), v);
	if (!strcmp(k, "id_field"))
		return set_str(rc->id_field, sizeof(rc->id_field), v);
	if (!strcmp(k, "url_field"))
		return set_str(rc->url_field, sizeof(rc->url_field), v);
	if (!strcmp(k, "source"))
		return set_str(rc->source, sizeof(rc->source), v);
	if (!strcmp(k, "skip_bad"))
		return conf_bool(v, &rc->skip_bad);
	if (!strcmp(k, "max_line")) {
		if (parse_size(v, &n) || !n)
			return -1;
		rc->max_line = n;
		return 0;
	}
	return -2;
}

static int set_formats(struct runconf *rc, const char *v)
{
	char copy[256], *p, *save = NULL;

	if (set_str(copy, sizeof(copy), v))
		return -1;
	rc->jsonl = rc->tokens = rc->megatron = 0;
	for (p = strtok_r(copy, ", \t", &save); p; p = strtok_r(NULL, ", \t", &save)) {
		if (!strcmp(p, "jsonl.zst"))
			rc->jsonl = 1;
		else if (!strcmp(p, "tokens"))
			rc->tokens = 1;
		else if (!strcmp(p, "megatron"))
			rc->megatron = 1;
		else
			return -1;
	}
	return rc->jsonl || rc->tokens || rc->megatron ? 0 : -1;
}

static int export_key(struct runconf *rc, const char *k, const char *v)
{
	unsigned long long n;

	if (!strcmp(k, "dir"))
		return set_str(rc->dir, sizeof(rc->dir), v);
	if (!strcmp(k, "formats"))
		return set_formats(rc, v);
	if (!strcmp(k, "tokenizer"))
		return set_str(rc->tokenizer, sizeof(rc->tokenizer), v);
	if (!strcmp(k, "val_fraction")) {
		char *end;

		rc->val_fraction = strtod(v, &end);
		return *end || !(rc->val_fraction >= 0 && rc->val_fraction <= 1) ?
		       -1 : 0;
	}
	if (!strcmp(k, "seed"))
		return parse_size(v, &n) ? -1 : (rc->seed = n, 0);
	if (!strcmp(k, "shard_tokens"))
		return parse_size(v, &n) || !n ? -1 : (rc->shard_tokens = n, 0);
	if (!strcmp(k, "min_tokens"))
		return parse_size(v, &n) ? -1 : (rc->min_tokens = n, 0);
	if (!strcmp(k, "eot")) {
		if (strcmp(v, "before") && strcmp(v, "after"))
			return -1;
		rc->eot_after = !strcmp(v, "after");
		return 0;
	}
	if (!strcmp(k, "shard_size")) {
		if (parse_size(v, &n) || n < 1024)
			return -1;
		rc->shard_size = n;
		return 0;
	}
	if (!strcmp(k, "level")) {
		if (parse_size(v, &n) || n < 1 || n > 19)
			return -1;
		rc->level = (int)n;
		return 0;
	}
	if (!strcmp(k, "force"))
		return conf_bool(v, &rc->force);
	return -2;
}

/* Check a [crawl] key on scratch options, then keep it for the run. */
static int crawl_key(struct loader *l, const char *k, const char *v)
{
	struct runconf *rc = l->rc;
	struct crawl_opts o;
	struct runconf_kv *kv;
	int r;

	crawl_opts_init(&o);
	r = crawl_config(&o, k, v, &l->err);
	crawl_opts_release(&o);
	if (r) {
		sl_error_prefix(&l->err, "[crawl] %s: ", k);
		return -3;
	}
	kv = realloc(rc->crawl, (rc->ncrawl + 1) * sizeof(*kv));
	if (!kv)
		return -1;
	rc->crawl = kv;
	kv[rc->ncrawl].key = strdup(k);
	kv[rc->ncrawl].value = strdup(v);
	if (!kv[rc->ncrawl].key || !kv[rc->ncrawl].value)
		return -1;
	rc->ncrawl++;
	return 0;
}

static int on_entry(void *user, const char *section, const char *key,
		    const char *value)
{
	struct loader *l = user;
	struct runconf *rc = l->rc;
	int r;

	if (!strncmp(section, "filter.", 7)) {
		rc->has_filter = 1;
		return 1;	/* filter/pipeline.c reads these */
	}
	if (!strcmp(section, "crawl")) {
		rc->has_crawl = 1;
		r = key ? crawl_key(l, key, value) : 0;
		if (r == -3)
			return 0;
	} else if (!strcmp(section, "import")) {
		rc->has_import = 1;
		r = key ? import_key(rc, key, value) : 0;
	} else if (!strcmp(section, "export")) {
		rc->has_export = 1;
		r = key ? export_key(rc, key, value) : 0;
	} else {
		sl_error(&l->err, "[%s]: unknown section (known: [crawl], "
			 "[import], [filter.NAME], [export])", section);
		return 0;
	}
	if (r == -2)
		sl_error(&l->err, "[%s]: unknown key '%s'", section, key);
	else if (r)
		sl_error(&l->err, "[%s] %s: bad value '%s' (see 'sluice help "
			 "run')", section, key, value);
	return r == 0;
}

/* Sections with no keys are not seen by inih (lib/conf.h). */
static int on_section(void *arg, const char *section)
{
	return on_entry(arg, section, NULL, NULL) ? 0 : -1;
}

static int has_seeds(const struct runconf *rc)
{
	for (size_t i = 0; i < rc->ncrawl; i++)
		if (!strcmp(rc->crawl[i].key, "seeds"))
			return 1;
	return 0;
}

int runconf_load(struct runconf *rc, const char *path, struct sl_err *err)
{
	struct loader l = { .rc = rc };
	FILE *f;
	int line;

	memset(rc, 0, sizeof(*rc));
	rc->jsonl = 1;
	rc->val_fraction = 0.005;
	rc->seed = 1;
	rc->eot_after = -1;
	l.err.msg[0] = '\0';
	if (!(f = fopen(path, "r")))
		return sl_error(err, "cannot open pipeline file '%s':", path);
	if (conf_sections(f, on_section, &l, &line)) {
		fclose(f);
		*err = l.err;
		runconf_release(rc);
		return sl_error_prefix(err, "%s:%d: ", path, line);
	}
	line = ini_parse_file(f, on_entry, &l);
	fclose(f);
	if (line) {
		*err = l.err;
		runconf_release(rc);
		if (line < 0)
			return sl_error(err, "cannot read '%s'", path);
		return sl_error_prefix(err, err->msg[0] ? "%s:%d: " :
				       "%s:%d: cannot parse this line", path, line);
	}
	if (rc->has_import && !rc->nglobs)
		return sl_error(err, "%s: [import] needs paths", path);
	if (rc->has_export && !rc->dir[0])
		return sl_error(err, "%s: [export] needs dir", path);
	if (rc->has_crawl && !has_seeds(rc))
		return sl_error(err, "%s: [crawl] needs seeds", path);
	if (!rc->has_crawl && !rc->has_import && !rc->has_export &&
	    !rc->has_filter)
		return sl_error(err, "%s: nothing to run (no [crawl], [import], "
				"[filter.NAME] or [export] section)", path);
	return 0;
}

void runconf_release(struct runconf *rc)
{
	for (size_t i = 0; i < rc->nglobs; i++)
		free(rc->globs[i]);
	free(rc->globs);
	for (size_t i = 0; i < rc->ncrawl; i++) {
		free(rc->crawl[i].key);
		free(rc->crawl[i].value);
	}
	free(rc->crawl);
	rc->crawl = NULL;
	rc->ncrawl = 0;
	rc->globs = NULL;
	rc->nglobs = 0;
}
