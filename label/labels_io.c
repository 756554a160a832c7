/*
 * labels_io.c: export and import of a task's labels as JSONL (see
 * labels_io.h).  Lines are small; jansson reads and writes them.
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zstd.h>

#include "labels_io.h"
#include "answer.h"
#include "final.h"
#include "task.h"
#include "../lib/buf.h"
#include "../lib/clock.h"
#include "../lib/err.h"
#include "../lib/linereader.h"
#include "../store/db.h"
#include "../store/docs.h"
#include "../lib/banned.h"

/* A line of an import file may hold a long document text. */
#define IMPORT_MAX_LINE (DOCS_MAX_TEXT + (1u << 20))

static json_t *text_or_null(sqlite3_stmt *s, int i)
{
	const char *v = (const char *)sqlite3_column_text(s, i);

	return v ? json_string(v) : json_null();
}

static json_t *labels_value(const char *json)
{
	json_t *a = json ? json_loads(json, 0, NULL) : NULL;

	return a ? a : json_array();
}

/* The "label"/"labels" member of a line for the task's kind. */
static void set_label(json_t *o, const struct task *t, const char *labels)
{
	json_t *a;

	if (t->kind == TASK_MULTI) {
		json_object_set_new(o, "labels", labels_value(labels));
		return;
	}
	if (t->kind == TASK_BINARY) {
		json_object_set_new(o, "label", json_string(t->labels[0]));
		return;
	}
	a = labels_value(labels);
	json_object_set(o, "label", json_array_size(a) == 1 ?
			json_array_get(a, 0) : json_null());
	json_decref(a);
}

static json_t *final_value(sqlite3_stmt *s, int i)
{
	json_t *f;

	if (sqlite3_column_type(s, i) == SQLITE_NULL)
		return json_null();
	f = json_object();
	json_object_set_new(f, "labels", labels_value((const char *)
						      sqlite3_column_text(s, i)));
	json_object_set_new(f, "answer", text_or_null(s, i + 1));
	json_object_set_new(f, "source", text_or_null(s, i + 2));
	return f;
}

/* Columns: 0 id, 1 z text, 2 nbytes, 3 annotator, 4 answer, 5 labels,
 * 6 at, 7 seconds, 8 session, 9 flagged, 10 note, 11-13 final. */
static const char export_sql[] =
	"SELECT d.id, coalesce(t.text, d.text), coalesce(t.nbytes, d.nbytes), "
	"x.annotator, x.answer, x.labels, x.at, x.seconds, x.session, "
	"x.flagged, x.note, f.labels, f.answer, f.source FROM ("
	"SELECT doc, rowid AS r, annotator, answer, labels, at, seconds, "
	"session, flagged, note FROM annotations WHERE task = ?1 UNION ALL "
	"SELECT doc, 0, NULL, f0.answer, f0.labels, f0.at, NULL, NULL, 0, NULL "
	"FROM final_labels f0 WHERE f0.task = ?1 AND NOT EXISTS (SELECT 1 FROM "
	"annotations a WHERE a.task = ?1 AND a.doc = f0.doc)) x "
	"JOIN docs d ON d.rowid = x.doc LEFT JOIN texts t ON t.doc = x.doc "
	"LEFT JOIN final_labels f ON f.task = ?1 AND f.doc = x.doc "
	"ORDER BY x.doc, x.r";

static json_t *export_line(sqlite3_stmt *s, const struct task *t,
			   const char *text, size_t len)
{
	json_t *o = json_object();

	json_object_set_new(o, "id", text_or_null(s, 0));
	json_object_set_new(o, "text", json_stringn(text, len));
	set_label(o, t, (const char *)sqlite3_column_text(s, 5));
	json_object_set_new(o, "answer", text_or_null(s, 4));
	json_object_set_new(o, "annotator", text_or_null(s, 3));
	json_object_set_new(o, "timestamp", text_or_null(s, 6));
	if (sqlite3_column_type(s, 7) != SQLITE_NULL)
		json_object_set_new(o, "seconds",
				    json_real(sqlite3_column_double(s, 7)));
	json_object_set_new(o, "session", text_or_null(s, 8));
	json_object_set_new(o, "flagged", json_boolean(sqlite3_column_int(s, 9)));
	json_object_set_new(o, "note", text_or_null(s, 10));
	json_object_set_new(o, "final", final_value(s, 11));
	return o;
}

int labels_export(struct store *st, const struct task *t, FILE *out,
		  struct labels_stats *stats, struct sl_err *err)
{
	ZSTD_DCtx *dctx = ZSTD_createDCtx();
	sqlite3_stmt *s = NULL;
	struct buf text;
	int rc = -1, step;

	memset(stats, 0, sizeof(*stats));
	buf_init(&text, 0);
	if (!dctx) {
		sl_error(err, "out of memory");
		goto out;
	}
	if (store_prepare(st, &s, export_sql, err))
		goto out;
	sqlite3_bind_int64(s, 1, t->id);
	while ((step = sqlite3_step(s)) == SQLITE_ROW) {
		json_t *o;
		char *line;

		if (docs_unpack(dctx, sqlite3_column_blob(s, 1),
				(size_t)sqlite3_column_bytes(s, 1),
				(size_t)sqlite3_column_int64(s, 2), &text, err))
			goto out;
		o = export_line(s, t, text.data, text.len);
		line = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
		json_decref(o);
		if (!line) {
			sl_error(err, "out of memory");
			goto out;
		}
		if (fputs(line, out) == EOF || putc('\n', out) == EOF) {
			free(line);
			sl_error(err, "cannot write the labels:");
			goto out;
		}
		free(line);
		stats->lines++;
		if (sqlite3_column_type(s, 11) != SQLITE_NULL)
			stats->finals++;
	}
	if (step != SQLITE_DONE)
		store_fail(st, err, "cannot read the labels");
	else
		rc = 0;
out:
	sqlite3_finalize(s);
	buf_release(&text);
	ZSTD_freeDCtx(dctx);
	return rc;
}

/* --- import --- */

struct import_line {
	int64_t doc;
	const char *answer;	/* canonical */
	struct buf labels;	/* canonical JSON */
	const char *annotator, *note;
	char at[CLOCK_ISO_LEN];
	double seconds;
	int flagged;
	int final_mode;		/* 0 from the line, 1 none, 2 given */
	const char *final_answer;
	struct buf final_labels;
};

static int doc_rowid(struct store *st, const char *id, int64_t *doc,
		     struct sl_err *err)
{
	sqlite3_stmt *s;
	int rc;

	if (store_prepare(st, &s, "SELECT rowid FROM docs WHERE id = ?1", err))
		return -1;
	sqlite3_bind_text(s, 1, id, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		*doc = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	if (rc == SQLITE_ROW)
		return 0;
	return rc == SQLITE_DONE ? sl_error(err, "no document '%s' in the store",
					    id) :
	       store_fail(st, err, "cannot look documents up");
}

/* The labels of a line or of its "final" object as C strings. */
static int line_labels(const struct task *t, json_t *o, const char **v,
		       size_t *n, struct sl_err *err)
{
	json_t *one = json_object_get(o, "label"), *many = json_object_get(o, "labels");
	json_t *x;
	size_t i;

	*n = 0;
	if (t->kind == TASK_BINARY)
		return 0;	/* the answer says it all */
	if (json_is_array(many)) {
		if (json_array_size(many) > TASK_MAX_LABELS)
			return sl_error(err, "too many labels");
		json_array_foreach(many, i, x) {
			if (!json_is_string(x))
				return sl_error(err, "\"labels\" must hold "
						"strings");
			v[(*n)++] = json_string_value(x);
		}
		return 0;
	}
	if (many && !json_is_null(many))
		return sl_error(err, "\"labels\" must be an array");
	if (json_is_string(one))
		v[(*n)++] = json_string_value(one);
	else if (one && !json_is_null(one))
		return sl_error(err, "\"label\" must be a string");
	return 0;
}

static int line_answer(const struct task *t, json_t *o, const char **canon,
		       struct buf *json, struct sl_err *err)
{
	json_t *a = json_object_get(o, "answer");
	const char *labels[TASK_MAX_LABELS];
	size_t n;

	if (a && !json_is_string(a))
		return sl_error(err, "\"answer\" must be a string");
	if (line_labels(t, o, labels, &n, err))
		return -1;
	return answer_build(t, a ? json_string_value(a) : NULL, labels, n,
			    canon, json, err);
}

static int line_timestamp(json_t *ts, char at[CLOCK_ISO_LEN],
			  struct sl_err *err)
{
	if (!ts || json_is_null(ts)) {
		clock_iso_now(at);
		return 0;
	}
	if (json_is_integer(ts) || json_is_real(ts)) {
		clock_iso((time_t)json_number_value(ts), at);
		return 0;
	}
	if (!json_is_string(ts) || json_string_length(ts) >= CLOCK_ISO_LEN ||
	    json_string_length(ts) < 10)
		return sl_error(err, "bad \"timestamp\"");
	memcpy(at, json_string_value(ts), json_string_length(ts) + 1);
	return 0;
}

static const char *opt_string(json_t *o, const char *key, const char *def,
			      int *bad)
{
	json_t *v = json_object_get(o, key);

	if (!v || json_is_null(v))
		return def;
	if (!json_is_string(v))
		*bad = 1;
	return json_string_value(v);
}

static int parse_line(struct store *st, const struct task *t, json_t *o,
		      struct import_line *l, struct sl_err *err)
{
	json_t *id = json_object_get(o, "id"), *f = json_object_get(o, "final");
	json_t *sec = json_object_get(o, "seconds");
	int bad = 0;

	if (!json_is_object(o))
		return sl_error(err, "not a JSON object");
	if (!json_is_string(id))
		return sl_error(err, "no \"id\" string");
	if (doc_rowid(st, json_string_value(id), &l->doc, err) ||
	    line_answer(t, o, &l->answer, &l->labels, err) ||
	    line_timestamp(json_object_get(o, "timestamp"), l->at, err))
		return -1;
	l->annotator = opt_string(o, "annotator", "import", &bad);
	l->note = opt_string(o, "note", NULL, &bad);
	if (bad || !*l->annotator)
		return sl_error(err, "\"annotator\" and \"note\" must be "
				"non-empty strings");
	l->flagged = json_is_true(json_object_get(o, "flagged"));
	l->seconds = json_is_number(sec) ? json_number_value(sec) : 0;
	l->final_mode = !f ? 0 : json_is_null(f) ? 1 : 2;
	if (l->final_mode == 2 && (!json_is_object(f) ||
				   line_answer(t, f, &l->final_answer,
					       &l->final_labels, err)))
		return sl_error_prefix(err, "in \"final\": ");
	return 0;
}

static int write_annotation(struct store *st, const struct task *t,
			    const struct import_line *l, struct sl_err *err)
{
	sqlite3_stmt *s;
	int rc;

	if (store_prepare(st, &s, "INSERT INTO annotations (task, doc, "
			  "annotator, answer, labels, note, flagged, seconds, at, "
			  "session) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, "
			  "'import') ON CONFLICT (task, doc, annotator) DO UPDATE "
			  "SET answer = excluded.answer, labels = excluded.labels, "
			  "note = excluded.note, flagged = excluded.flagged, "
			  "seconds = excluded.seconds, at = excluded.at, session "
			  "= excluded.session", err))
		return -1;
	sqlite3_bind_int64(s, 1, t->id);
	sqlite3_bind_int64(s, 2, l->doc);
	sqlite3_bind_text(s, 3, l->annotator, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 4, l->answer, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 5, l->labels.data, (int)l->labels.len,
			  SQLITE_STATIC);
	if (l->note)
		sqlite3_bind_text(s, 6, l->note, -1, SQLITE_STATIC);
	sqlite3_bind_int(s, 7, l->flagged);
	sqlite3_bind_double(s, 8, l->seconds);
	sqlite3_bind_text(s, 9, l->at, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? 0 : store_fail(st, err,
						  "cannot write an annotation");
}

static int import_one(struct store *st, const struct task *t,
		      const char *p, size_t n, struct labels_stats *stats,
		      struct sl_err *err)
{
	struct import_line l = { 0 };
	json_error_t je;
	json_t *o = json_loadb(p, n, 0, &je);
	int rc;

	buf_init(&l.labels, 0);
	buf_init(&l.final_labels, 0);
	if (!o)
		rc = sl_error(err, "bad JSON: %s", je.text);
	else
		rc = parse_line(st, t, o, &l, err);
	if (!rc)
		rc = write_annotation(st, t, &l, err);
	if (!rc)
		rc = final_refresh(st, t, l.doc, err);
	if (!rc && l.final_mode == 0 && strcmp(l.answer, "ignore"))
		rc = final_import(st, t, l.doc, l.answer, l.labels.data, err);
	if (!rc && l.final_mode == 2)
		rc = final_import(st, t, l.doc, l.final_answer,
				  l.final_labels.data, err);
	if (!rc && l.final_mode != 1 && (l.final_mode == 2 ||
					 strcmp(l.answer, "ignore")))
		stats->finals++;
	json_decref(o);
	buf_release(&l.labels);
	buf_release(&l.final_labels);
	return rc;
}

int labels_import(struct store *st, const struct task *t, const char *path,
		  struct labels_stats *stats, struct sl_err *err)
{
	struct linereader lr;
	const char *line;
	size_t len;
	int rc;

	memset(stats, 0, sizeof(*stats));
	if (linereader_open(&lr, path, IMPORT_MAX_LINE, err))
		return -1;
	if (store_begin(st, err)) {
		linereader_close(&lr);
		return -1;
	}
	while ((rc = linereader_next(&lr, &line, &len, err)) != 0) {
		if (rc == LR_TOOLONG) {
			sl_error(err, "line longer than %u bytes", IMPORT_MAX_LINE);
			rc = -1;
		}
		if (rc < 0)
			break;
		if (len == 0 || strspn(line, " \t\r") == len)
			continue;
		if (import_one(st, t, line, len, stats, err)) {
			rc = -1;
			break;
		}
		stats->lines++;
	}
	if (rc < 0) {
		sl_error_prefix(err, "'%s' line %llu: ", path,
				(unsigned long long)lr.lineno);
		store_rollback(st);
		linereader_close(&lr);
		return -1;
	}
	linereader_close(&lr);
	return store_commit(st, err);
}
