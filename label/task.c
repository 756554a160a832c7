/*
 * task.c: labelling tasks in the store (see task.h).
 *
 * The labels live as a JSON array in tasks.labels, written and read with
 * jansson: the array is small and the JSON form is what other tools (the
 * trainer, a person with the sqlite3 shell) read as well.
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "task.h"
#include "../lib/clock.h"
#include "../lib/err.h"
#include "../lib/utf8.h"
#include "../store/db.h"
#include "../lib/banned.h"

static const char *const kind_names[] = { "single", "multi", "binary" };

const char *task_kind_name(enum task_kind k)
{
	return (unsigned)k < 3 ? kind_names[k] : "?";
}

static int kind_parse(const char *s, enum task_kind *k)
{
	for (int i = 0; i < 3; i++)
		if (s && !strcmp(s, kind_names[i])) {
			*k = (enum task_kind)i;
			return 0;
		}
	return -1;
}

/* Printable text: valid UTF-8 without C0, DEL or C1 controls, which a
 * terminal would act on. */
static int printable(const char *s)
{
	size_t n = strlen(s), i = 0, len;

	if (!utf8_valid(s, n))
		return 0;
	while (i < n) {
		int32_t cp = utf8_decode(s + i, n - i, &len);

		if (cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp < 0xa0))
			return 0;
		i += len;
	}
	return 1;
}

static int label_check(const char *l, struct sl_err *err)
{
	if (!*l)
		return sl_error(err, "empty label name");
	if (strlen(l) > TASK_LABEL_MAX)
		return sl_error(err, "label '%s' is longer than %d bytes", l,
				TASK_LABEL_MAX);
	if (!printable(l))
		return sl_error(err, "label '%s' has control characters or "
				"invalid UTF-8", l);
	if (strchr(l, ','))
		return sl_error(err, "label '%s' has a ','", l);
	return 0;
}

int task_validate(const struct task *spec, struct sl_err *err)
{
	if (!spec->name || !*spec->name)
		return sl_error(err, "empty task name");
	if (strlen(spec->name) > TASK_NAME_MAX || !printable(spec->name))
		return sl_error(err, "bad task name '%s' (at most %d bytes, "
				"no control characters)", spec->name,
				TASK_NAME_MAX);
	if ((unsigned)spec->kind > TASK_BINARY)
		return sl_error(err, "bad task kind");
	if (spec->nlabels == 0)
		return sl_error(err, "task '%s' has no labels", spec->name);
	if (spec->kind == TASK_BINARY && spec->nlabels != 1)
		return sl_error(err, "a binary task has exactly one label");
	if (spec->nlabels > TASK_MAX_LABELS)
		return sl_error(err, "task '%s' has %zu labels, at most %d "
				"(keys 1-9 pick them)", spec->name,
				spec->nlabels, TASK_MAX_LABELS);
	for (size_t i = 0; i < spec->nlabels; i++) {
		if (label_check(spec->labels[i], err))
			return -1;
		for (size_t j = 0; j < i; j++)
			if (!strcmp(spec->labels[i], spec->labels[j]))
				return sl_error(err, "label '%s' given twice",
						spec->labels[i]);
	}
	if (spec->overlap < 1 || spec->overlap > TASK_MAX_OVERLAP)
		return sl_error(err, "overlap %d out of range 1..%d",
				spec->overlap, TASK_MAX_OVERLAP);
	return 0;
}

static char *labels_json(const struct task *t)
{
	json_t *a = json_array();
	char *s;

	for (size_t i = 0; i < t->nlabels; i++)
		json_array_append_new(a, json_string(t->labels[i]));
	s = json_dumps(a, JSON_COMPACT);
	json_decref(a);
	return s;
}

int task_create(struct store *st, const struct task *spec, struct sl_err *err)
{
	sqlite3_stmt *s = NULL;
	char now[CLOCK_ISO_LEN], *labels = NULL;
	int rc = -1, step;

	if (task_validate(spec, err))
		return -1;
	labels = labels_json(spec);
	if (!labels)
		return sl_error(err, "out of memory");
	if (store_prepare(st, &s, "INSERT INTO tasks (name, kind, labels, "
			  "overlap, guidelines, created) VALUES (?1, ?2, ?3, "
			  "?4, ?5, ?6) ON CONFLICT (name) DO NOTHING", err))
		goto out;
	sqlite3_bind_text(s, 1, spec->name, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, task_kind_name(spec->kind), -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, labels, -1, SQLITE_STATIC);
	sqlite3_bind_int(s, 4, spec->overlap);
	if (spec->guidelines)
		sqlite3_bind_text(s, 5, spec->guidelines, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 6, clock_iso_now(now), -1, SQLITE_STATIC);
	step = sqlite3_step(s);
	if (step != SQLITE_DONE)
		store_fail(st, err, "cannot create task");
	else if (sqlite3_changes(st->db) == 0)
		sl_error(err, "task '%s' already exists", spec->name);
	else
		rc = 0;
out:
	sqlite3_finalize(s);
	free(labels);
	return rc;
}

void task_labels_free(char **labels, size_t n)
{
	for (size_t i = 0; labels && i < n; i++)
		free(labels[i]);
	free(labels);
}

void task_free(struct task *t)
{
	if (!t)
		return;
	free(t->name);
	task_labels_free(t->labels, t->nlabels);
	free(t->guidelines);
	free(t->created);
	free(t);
}

static char *dup_col(sqlite3_stmt *s, int i)
{
	const char *v = (const char *)sqlite3_column_text(s, i);

	return v ? strdup(v) : NULL;
}

/* One row of TASK_COLUMNS into a new struct task. */
#define TASK_COLUMNS "rowid, name, kind, labels, overlap, guidelines, created"

static int task_from_row(sqlite3_stmt *s, struct task **out,
			 struct sl_err *err)
{
	struct task *t = calloc(1, sizeof(*t));
	json_t *a = NULL, *v;
	size_t i;

	if (!t)
		return sl_error(err, "out of memory");
	t->id = sqlite3_column_int64(s, 0);
	t->name = dup_col(s, 1);
	t->overlap = sqlite3_column_int(s, 4);
	t->guidelines = dup_col(s, 5);
	t->created = dup_col(s, 6);
	if (kind_parse((const char *)sqlite3_column_text(s, 2), &t->kind))
		goto bad;
	a = json_loads((const char *)sqlite3_column_text(s, 3), 0, NULL);
	if (!json_is_array(a) || json_array_size(a) == 0)
		goto bad;
	t->labels = calloc(json_array_size(a), sizeof(char *));
	if (!t->labels)
		goto bad;
	json_array_foreach(a, i, v) {
		if (!json_is_string(v))
			goto bad;
		t->labels[t->nlabels++] = strdup(json_string_value(v));
	}
	json_decref(a);
	*out = t;
	return 0;
bad:
	sl_error(err, "task '%s' has a bad row in the store",
		 t->name ? t->name : "?");
	json_decref(a);
	task_free(t);
	return -1;
}

int task_load(struct store *st, const char *name, struct task **out,
	      struct sl_err *err)
{
	sqlite3_stmt *s;
	int rc, step;

	*out = NULL;
	if (store_prepare(st, &s, "SELECT " TASK_COLUMNS " FROM tasks "
			  "WHERE name = ?1", err))
		return -1;
	sqlite3_bind_text(s, 1, name, -1, SQLITE_STATIC);
	step = sqlite3_step(s);
	if (step == SQLITE_ROW)
		rc = task_from_row(s, out, err) ? -1 : 1;
	else if (step == SQLITE_DONE)
		rc = 0;
	else
		rc = store_fail(st, err, "cannot read tasks");
	sqlite3_finalize(s);
	return rc;
}

int task_list(struct store *st, struct task ***out, size_t *n,
	      struct sl_err *err)
{
	sqlite3_stmt *s;
	struct task **v = NULL, **nv;
	size_t cnt = 0;
	int step;

	*out = NULL;
	*n = 0;
	if (store_prepare(st, &s, "SELECT " TASK_COLUMNS " FROM tasks "
			  "ORDER BY name", err))
		return -1;
	while ((step = sqlite3_step(s)) == SQLITE_ROW) {
		nv = realloc(v, (cnt + 1) * sizeof(*v));
		if (!nv)
			goto fail_nomem;
		v = nv;
		if (task_from_row(s, &v[cnt], err))
			goto fail;
		cnt++;
	}
	if (step != SQLITE_DONE) {
		store_fail(st, err, "cannot read tasks");
		goto fail;
	}
	sqlite3_finalize(s);
	*out = v;
	*n = cnt;
	return 0;
fail_nomem:
	sl_error(err, "out of memory");
fail:
	sqlite3_finalize(s);
	while (cnt)
		task_free(v[--cnt]);
	free(v);
	return -1;
}

int task_parse_labels(const char *csv, char ***labels, size_t *n,
		      struct sl_err *err)
{
	char **v = NULL, **nv;
	size_t cnt = 0;
	const char *p = csv;

	for (;;) {
		const char *e = strchr(p, ',');
		size_t len = e ? (size_t)(e - p) : strlen(p);

		nv = realloc(v, (cnt + 1) * sizeof(*v));
		if (!nv || !(nv[cnt] = strndup(p, len))) {
			task_labels_free(nv ? nv : v, cnt);
			return sl_error(err, "out of memory");
		}
		v = nv;
		cnt++;
		if (!e)
			break;
		p = e + 1;
	}
	*labels = v;
	*n = cnt;
	return 0;
}

int task_label_index(const struct task *t, const char *name)
{
	for (size_t i = 0; i < t->nlabels; i++)
		if (!strcmp(t->labels[i], name))
			return (int)i;
	return -1;
}
