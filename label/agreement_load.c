/*
 * agreement_load.c: a task's annotations as agreement data (see
 * agreement.h): annotators are the coders, documents the units, and the
 * category of an annotation is what it answered, "ignore" being missing.
 */
#include <stdlib.h>
#include <string.h>

#include "agreement.h"
#include "answer.h"
#include "task.h"
#include "../lib/buf.h"
#include "../lib/err.h"
#include "../store/db.h"
#include "../lib/banned.h"

/* Annotators of the task, by name. */
static int load_coders(struct store *st, const struct task *t,
		       struct agree_data *a, struct sl_err *err)
{
	sqlite3_stmt *s;
	size_t n = 0;
	int rc;

	if (store_prepare(st, &s, "SELECT DISTINCT annotator FROM annotations "
			  "WHERE task = ?1 ORDER BY annotator", err))
		return -1;
	sqlite3_bind_int64(s, 1, t->id);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		char **nv = realloc(a->coders, (n + 1) * sizeof(char *));

		if (!nv || !(nv[n] = strdup((const char *)
					    sqlite3_column_text(s, 0)))) {
			if (nv)
				a->coders = nv;
			a->ncoders = n;
			sqlite3_finalize(s);
			return sl_error(err, "out of memory");
		}
		a->coders = nv;
		n++;
	}
	sqlite3_finalize(s);
	a->ncoders = n;
	return rc == SQLITE_DONE ? 0 : store_fail(st, err,
						  "cannot read annotations");
}

static int coder_index(const struct agree_data *a, const char *name)
{
	/* the annotators are sorted: binary search */
	size_t lo = 0, hi = a->ncoders;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int c = strcmp(a->coders[mid], name);

		if (!c)
			return (int)mid;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

static int add_cat(struct agree_data *a, const char *name)
{
	char **nv = realloc(a->cats, (a->ncats + 1) * sizeof(char *));

	if (!nv)
		return -1;
	a->cats = nv;
	if (!(nv[a->ncats] = strdup(name)))
		return -1;
	return (int)a->ncats++;
}

/* The category of a multi-label answer: its set of labels, "a+b", added
 * when first seen ("(none)" for the empty set). */
static int multi_cat(struct agree_data *a, const char *labels_json,
		     struct sl_err *err)
{
	char **l;
	size_t n;
	struct buf b;
	int c = -1;

	if (answer_labels_parse(labels_json, &l, &n, err))
		return -2;
	buf_init(&b, 0);
	for (size_t i = 0; i < n; i++)
		buf_addf(&b, "%s%s", i ? "+" : "", l[i]);
	if (!n)
		buf_adds(&b, "(none)");
	task_labels_free(l, n);
	for (size_t i = 0; i < a->ncats && b.data; i++)
		if (!strcmp(a->cats[i], b.data))
			c = (int)i;
	if (c < 0 && b.data)
		c = add_cat(a, b.data);
	buf_release(&b);
	return c < 0 ? sl_error(err, "out of memory") - 1 : c;
}

static int category(struct agree_data *a, const struct task *t,
		    const char *answer, const char *labels, struct sl_err *err)
{
	char **l;
	size_t n;
	int c;

	if (t->kind == TASK_BINARY)
		return strcmp(answer, "accept") ? 1 : 0;
	if (t->kind == TASK_MULTI)
		return multi_cat(a, labels, err);
	if (answer_labels_parse(labels, &l, &n, err))
		return -2;
	c = n == 1 ? task_label_index(t, l[0]) : -1;
	task_labels_free(l, n);
	return c;
}

static int init_cats(struct agree_data *a, const struct task *t)
{
	if (t->kind == TASK_BINARY)
		return add_cat(a, "accept") < 0 || add_cat(a, "reject") < 0;
	if (t->kind == TASK_SINGLE)
		for (size_t i = 0; i < t->nlabels; i++)
			if (add_cat(a, t->labels[i]) < 0)
				return -1;
	return 0;
}

int agree_load(struct store *st, const struct task *t, struct agree_data *a,
	       struct sl_err *err)
{
	sqlite3_stmt *s = NULL;
	int64_t last = -1;
	size_t unit = 0;
	int rc;

	agree_init(a, 0, 0);
	if (init_cats(a, t))
		return sl_error(err, "out of memory");
	if (load_coders(st, t, a, err) ||
	    store_prepare(st, &s, "SELECT doc, annotator, answer, labels FROM "
			  "annotations WHERE task = ?1 AND answer <> 'ignore' "
			  "ORDER BY doc", err))
		goto fail;
	sqlite3_bind_int64(s, 1, t->id);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		int64_t doc = sqlite3_column_int64(s, 0);
		int coder = coder_index(a, (const char *)sqlite3_column_text(s, 1));
		int cat = category(a, t, (const char *)sqlite3_column_text(s, 2),
				   (const char *)sqlite3_column_text(s, 3), err);

		if (cat < -1)
			goto fail;
		if (doc != last && last >= 0)
			unit++;
		last = doc;
		if (coder >= 0 && cat >= 0 &&
		    agree_set(a, unit, (size_t)coder, cat)) {
			sl_error(err, "out of memory");
			goto fail;
		}
	}
	if (rc != SQLITE_DONE) {
		store_fail(st, err, "cannot read annotations");
		goto fail;
	}
	sqlite3_finalize(s);
	return 0;
fail:
	sqlite3_finalize(s);
	agree_release(a);
	return -1;
}
