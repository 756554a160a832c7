/*
 * crawl_opts.c: the crawler's options: defaults, and the JSON form kept in
 * crawl_runs.opts so that `sluice crawl --resume` goes on with the same
 * seeds and settings.
 */
#include "crawler.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "../store/db.h"
#include "../lib/err.h"
#include "../lib/banned.h"

#ifndef SLUICE_VERSION
#define SLUICE_VERSION "0"
#endif

int strlist_add(struct strlist *l, const char *s, struct sl_err *err)
{
	char **v = realloc(l->v, (l->n + 1) * sizeof(*v));

	if (!v)
		return sl_error(err, "out of memory");
	l->v = v;
	if (!(v[l->n] = strdup(s)))
		return sl_error(err, "out of memory");
	l->n++;
	return 0;
}

void strlist_release(struct strlist *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

void crawl_opts_init(struct crawl_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->scope = URL_SCOPE_HOST;
	o->max_depth = 5;
	o->concurrency = 16;
	o->per_host = 2;
	o->delay = 1;
	o->max_delay = 30;
	o->user_agent = strdup("sluice/" SLUICE_VERSION);
	o->timeout = 30;
	o->connect_timeout = 10;
	o->max_bytes = 8u << 20;
	o->accept = strdup("text/html,application/xhtml+xml,text/plain");
	o->max_tries = 3;
	o->retry_base = 1;
}

void crawl_opts_release(struct crawl_opts *o)
{
	strlist_release(&o->seeds);
	strlist_release(&o->include);
	strlist_release(&o->exclude);
	strlist_release(&o->allow_net);
	free(o->user_agent);
	free(o->accept);
	memset(o, 0, sizeof(*o));
}

static const char *const scope_names[] = { "host", "domain", "prefix", "any" };

int crawl_scope_parse(const char *s, enum url_scope *out)
{
	for (int i = 0; i < 4; i++)
		if (!strcmp(s, scope_names[i])) {
			*out = (enum url_scope)i;
			return 0;
		}
	return -1;
}

const char *crawl_scope_name(enum url_scope s)
{
	return (unsigned)s < 4 ? scope_names[s] : "?";
}

static json_t *list_json(const struct strlist *l)
{
	json_t *a = json_array();

	for (size_t i = 0; i < l->n; i++)
		json_array_append_new(a, json_string(l->v[i]));
	return a;
}

char *crawl_opts_to_json(const struct crawl_opts *o)
{
	json_t *j = json_pack("{s:o, s:s, s:I, s:i, s:o, s:o, s:i, s:i, s:f, "
			      "s:f, s:s, s:f, s:f, s:I, s:s, s:f, s:o, s:b, "
			      "s:i, s:f}",
			      "seeds", list_json(&o->seeds),
			      "scope", crawl_scope_name(o->scope),
			      "max_pages", (json_int_t)o->max_pages,
			      "max_depth", o->max_depth,
			      "include", list_json(&o->include),
			      "exclude", list_json(&o->exclude),
			      "concurrency", o->concurrency,
			      "per_host", o->per_host,
			      "delay", o->delay,
			      "max_delay", o->max_delay,
			      "user_agent", o->user_agent,
			      "timeout", o->timeout,
			      "connect_timeout", o->connect_timeout,
			      "max_bytes", (json_int_t)o->max_bytes,
			      "accept", o->accept,
			      "recrawl", o->recrawl,
			      "allow_net", list_json(&o->allow_net),
			      "sitemaps", o->sitemaps,
			      "max_tries", o->max_tries,
			      "retry_base", o->retry_base);
	char *s;

	if (!j)
		return NULL;
	s = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(j);
	return s;
}

static int list_from(struct strlist *l, json_t *a, struct sl_err *err)
{
	size_t i;
	json_t *v;

	strlist_release(l);
	json_array_foreach(a, i, v)
		if (json_is_string(v) && strlist_add(l, json_string_value(v), err))
			return -1;
	return 0;
}

static void num(json_t *j, const char *k, double *out)
{
	json_t *v = json_object_get(j, k);

	if (json_is_number(v))
		*out = json_number_value(v);
}

static int str(json_t *j, const char *k, char **out)
{
	json_t *v = json_object_get(j, k);
	char *s;

	if (!json_is_string(v))
		return 0;
	if (!(s = strdup(json_string_value(v))))
		return -1;
	free(*out);
	*out = s;
	return 0;
}

int crawl_opts_from_json(struct crawl_opts *o, const char *text,
			 struct sl_err *err)
{
	json_error_t je;
	json_t *j = json_loads(text, 0, &je);
	double d;
	int rc = -1;

	if (!json_is_object(j)) {
		json_decref(j);
		return sl_error(err, "cannot read the crawl options: %s", je.text);
	}
	if (list_from(&o->seeds, json_object_get(j, "seeds"), err) ||
	    list_from(&o->include, json_object_get(j, "include"), err) ||
	    list_from(&o->exclude, json_object_get(j, "exclude"), err) ||
	    list_from(&o->allow_net, json_object_get(j, "allow_net"), err))
		goto out;
	if (str(j, "user_agent", &o->user_agent) || str(j, "accept", &o->accept)) {
		sl_error(err, "out of memory");
		goto out;
	}
	if (json_is_string(json_object_get(j, "scope")) &&
	    crawl_scope_parse(json_string_value(json_object_get(j, "scope")),
			      &o->scope)) {
		sl_error(err, "bad scope in the stored crawl options");
		goto out;
	}
	d = (double)o->max_pages; num(j, "max_pages", &d); o->max_pages = (long)d;
	d = o->max_depth; num(j, "max_depth", &d); o->max_depth = (int)d;
	d = o->concurrency; num(j, "concurrency", &d); o->concurrency = (int)d;
	d = o->per_host; num(j, "per_host", &d); o->per_host = (int)d;
	d = (double)o->max_bytes; num(j, "max_bytes", &d); o->max_bytes = (size_t)d;
	d = o->max_tries; num(j, "max_tries", &d); o->max_tries = (int)d;
	num(j, "delay", &o->delay);
	num(j, "max_delay", &o->max_delay);
	num(j, "timeout", &o->timeout);
	num(j, "connect_timeout", &o->connect_timeout);
	num(j, "recrawl", &o->recrawl);
	num(j, "retry_base", &o->retry_base);
	o->sitemaps = json_is_true(json_object_get(j, "sitemaps"));
	rc = 0;
out:
	json_decref(j);
	return rc;
}

int crawl_opts_load_last(struct crawl_opts *o, struct store *st,
			 struct sl_err *err)
{
	sqlite3_stmt *s;
	int rc;

	if (store_prepare(st, &s, "SELECT opts FROM crawl_runs "
			  "ORDER BY rowid DESC LIMIT 1", err))
		return -1;
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		rc = crawl_opts_from_json(o, (const char *)
					  sqlite3_column_text(s, 0), err);
	else if (rc == SQLITE_DONE)
		rc = sl_error(err, "no crawl to resume in this store");
	else
		rc = store_fail(st, err, "cannot read the crawl runs");
	sqlite3_finalize(s);
	return rc;
}
