/*
 * dataset_load.c: labelled examples from TSV, JSONL and the store's final
 * labels (see dataset_load.h).
 */
#include "dataset_load.h"

#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "dataset.h"
#include "../lib/buf.h"
#include "../lib/err.h"
#include "../lib/jsonscan.h"
#include "../lib/linereader.h"
#include "../lib/utf8.h"
#include "../store/db.h"
#include "../store/docs.h"
#include "../lib/banned.h"

static int ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && !strcmp(s + n - m, suffix);
}

int dataset_is_jsonl(const char *path)
{
	static const char *const ext[] = { ".jsonl", ".json" };
	static const char *const z[] = { "", ".gz", ".zst" };
	char name[64];

	for (size_t i = 0; i < 2; i++)
		for (size_t j = 0; j < 3; j++) {
			snprintf(name, sizeof(name), "%s%s", ext[i], z[j]);
			if (ends_with(path, name))
				return 1;
		}
	return 0;
}

void dataset_tsv_split(const char *line, size_t len, const char **text,
		       size_t *tlen, const char **label, size_t *llen)
{
	const char *tab = memrchr(line, '\t', len);

	if (len && line[len - 1] == '\r')	/* CRLF files */
		len--, tab = memrchr(line, '\t', len);
	*text = line;
	*tlen = tab ? (size_t)(tab - line) : len;
	*label = tab ? tab + 1 : NULL;
	*llen = tab ? len - (size_t)(tab - line) - 1 : 0;
}

static int check_example(const char *text, size_t tlen, const char *label,
			 size_t llen, const char **why)
{
	if (!tlen)
		return *why = "empty text", -1;
	if (!utf8_valid(text, tlen))
		return *why = "text is not valid UTF-8", -1;
	if (!label || !llen)
		return *why = "no label (want text<TAB>label)", -1;
	if (!utf8_valid(label, llen) || memchr(label, 0, llen))
		return *why = "label is not valid UTF-8", -1;
	if (memchr(text, 0, tlen))
		return *why = "text holds a NUL byte", -1;
	return 0;
}

static int add_line(struct dataset *d, const char *text, size_t tlen,
		    const char *label, size_t llen, struct buf *tmp,
		    struct sl_err *err)
{
	buf_reset(tmp);
	if (buf_add(tmp, label, llen))
		return sl_error(err, "out of memory");
	return dataset_add(d, text, tlen, tmp->data, err);
}

static int load_tsv(struct dataset *d, struct linereader *lr,
		    const char *path, struct sl_err *err)
{
	const char *line, *text, *label, *why;
	size_t len, tlen, llen;
	struct buf tmp;
	int rc;

	buf_init(&tmp, 0);
	while ((rc = linereader_next(lr, &line, &len, err)) > 0 ||
	       rc == LR_TOOLONG) {
		if (rc == LR_TOOLONG) {
			rc = sl_error(err, "'%s' line %llu: longer than %u "
				      "bytes", path,
				      (unsigned long long)lr->lineno,
				      DATASET_MAX_LINE);
			break;
		}
		dataset_tsv_split(line, len, &text, &tlen, &label, &llen);
		if (!tlen && !label)
			continue;
		if (lr->lineno == 1 && tlen == 4 && !memcmp(text, "text", 4) &&
		    llen == 5 && !memcmp(label, "label", 5))
			continue;
		if (check_example(text, tlen, label, llen, &why)) {
			rc = sl_error(err, "'%s' line %llu: %s", path,
				      (unsigned long long)lr->lineno, why);
			break;
		}
		if ((rc = add_line(d, text, tlen, label, llen, &tmp, err)) < 0)
			break;
	}
	buf_release(&tmp);
	return rc < 0 ? -1 : 0;
}

/* A label's text: a string decoded, a number or boolean as written. */
static int label_text(const struct jmember *m, struct buf *out)
{
	if (m->type == J_STR)
		return jscan_string(m->val, out, NULL) ? -1 : 0;
	if (m->type == J_NUM || m->type == J_TRUE || m->type == J_FALSE)
		return buf_add(out, m->val.p, m->val.n) ? -1 : 0;
	return -1;
}

int dataset_jsonl_fields(struct jscan *js, const char *line, size_t len,
			 struct buf *text, struct buf *label, const char **why)
{
	const struct jmember *t, *l, *a;
	size_t nrepl = 0;

	buf_reset(text);
	buf_reset(label);
	if (jscan_object(js, line, len))
		return *why = js->error, -1;
	if (!(t = jscan_get(js, "text")) || t->type != J_STR)
		return *why = "no \"text\" string", -1;
	if (jscan_string(t->val, text, &nrepl))
		return *why = "text too long", -1;
	l = jscan_get(js, "label");
	if (l && label_text(l, label))
		return *why = "\"label\" is not a string, number or boolean",
		       -1;
	if (!(a = jscan_get(js, "answer")))
		return 1;
	if (a->type != J_STR || !l)
		return *why = "\"answer\" needs a string and a \"label\"", -1;
	if (jscan_key_is(a->val, 1, "ignore"))
		return 0;
	if (jscan_key_is(a->val, 1, "reject")) {
		struct buf b;
		int rc;

		buf_init(&b, 0);
		rc = buf_adds(&b, "not_") || buf_add(&b, label->data,
						      label->len);
		buf_reset(label);
		rc = rc || buf_add(label, b.data, b.len);
		buf_release(&b);
		return rc ? (*why = "out of memory", -1) : 1;
	}
	if (!jscan_key_is(a->val, 1, "accept"))
		return *why = "\"answer\" is not accept, reject or ignore", -1;
	return 1;
}

static int load_jsonl(struct dataset *d, struct linereader *lr,
		      const char *path, struct sl_err *err)
{
	struct jscan js;
	struct buf text, label;
	const char *line, *why = NULL;
	size_t len;
	int rc, use;

	jscan_init(&js);
	buf_init(&text, DATASET_MAX_LINE);
	buf_init(&label, DATASET_MAX_LINE);
	while ((rc = linereader_next(lr, &line, &len, err)) > 0 ||
	       rc == LR_TOOLONG) {
		if (rc == LR_TOOLONG) {
			rc = sl_error(err, "'%s' line %llu: longer than %u "
				      "bytes", path,
				      (unsigned long long)lr->lineno,
				      DATASET_MAX_LINE);
			break;
		}
		if (!len || (len == 1 && line[0] == '\r'))
			continue;
		use = dataset_jsonl_fields(&js, line, len, &text, &label, &why);
		if (use > 0 && !label.len)
			use = -1, why = "no \"label\"";
		if (use > 0 && check_example(text.data, text.len, label.data,
					     label.len, &why))
			use = -1;
		if (use < 0) {
			rc = sl_error(err, "'%s' line %llu: %s", path,
				      (unsigned long long)lr->lineno, why);
			break;
		}
		if (use && (rc = dataset_add(d, text.data, text.len,
					     label.data, err)) < 0)
			break;
	}
	jscan_release(&js);
	buf_release(&text);
	buf_release(&label);
	return rc < 0 ? -1 : 0;
}

int dataset_load_file(struct dataset *d, const char *path, struct sl_err *err)
{
	struct linereader lr;
	int rc;

	if (linereader_open(&lr, path, DATASET_MAX_LINE, err))
		return -1;
	rc = dataset_is_jsonl(path) ? load_jsonl(d, &lr, path, err) :
				      load_tsv(d, &lr, path, err);
	linereader_close(&lr);
	return rc;
}

/* ---- the store ------------------------------------------------------ */

struct task_info {
	int64_t id;
	int binary;
	char label[256];	/* the binary task's class */
};

static int task_info(struct store *st, const char *name, struct task_info *ti,
		     struct sl_err *err)
{
	sqlite3_stmt *s;
	json_t *a = NULL;
	const char *kind, *labels;
	int rc;

	memset(ti, 0, sizeof(*ti));
	if (store_prepare(st, &s, "SELECT rowid, kind, labels FROM tasks "
			  "WHERE name = ?1", err))
		return sl_error_prefix(err, "no labelling tasks in the store "
				       "(schema v5): ");
	sqlite3_bind_text(s, 1, name, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	if (rc != SQLITE_ROW) {
		sqlite3_finalize(s);
		return rc == SQLITE_DONE ?
			sl_error(err, "no task '%s' in the store", name) :
			store_fail(st, err, "cannot read tasks");
	}
	ti->id = sqlite3_column_int64(s, 0);
	kind = (const char *)sqlite3_column_text(s, 1);
	labels = (const char *)sqlite3_column_text(s, 2);
	if (labels)
		a = json_loads(labels, 0, NULL);
	ti->binary = (kind && !strcmp(kind, "binary")) ||
		     (json_is_array(a) && json_array_size(a) == 1);
	if (ti->binary) {
		const char *x = json_string_value(json_array_get(a, 0));

		snprintf(ti->label, sizeof(ti->label), "%s", x && *x ? x :
			 name);
	}
	json_decref(a);
	sqlite3_finalize(s);
	return 0;
}

/* The class of one final label, or NULL to skip it. */
static const char *row_class(const struct task_info *ti, const char *labels,
			     const char *answer, struct buf *out)
{
	json_t *a;
	const char *l;

	buf_reset(out);
	if (ti->binary) {
		if (answer && !strcmp(answer, "accept"))
			return buf_adds(out, ti->label) ? NULL : out->data;
		if (answer && !strcmp(answer, "reject"))
			return buf_addf(out, "not_%s", ti->label) ? NULL :
			       out->data;
		return NULL;
	}
	if (answer && strcmp(answer, "accept"))
		return NULL;
	if (!labels || !(a = json_loads(labels, 0, NULL)))
		return NULL;
	l = json_array_size(a) == 1 ? json_string_value(json_array_get(a, 0)) :
				      NULL;
	/* l dies with a: copy it first */
	l = l && *l && !buf_adds(out, l) ? out->data : NULL;
	json_decref(a);
	return l;
}

int dataset_load_task(struct dataset *d, struct store *st, const char *task,
		      size_t *skipped, struct sl_err *err)
{
	struct task_info ti;
	struct docs_cursor cur;
	struct doc_row row;
	struct buf cls;
	int rc;

	*skipped = 0;
	if (task_info(st, task, &ti, err))
		return -1;
	if (docs_cursor_open(&cur, st, "SELECT " DOCS_COLUMNS ", fl.labels, "
			     "fl.answer FROM final_labels fl JOIN docs ON "
			     "docs.rowid = fl.doc WHERE fl.task = ?1 ORDER BY "
			     "fl.doc", err))
		return -1;
	sqlite3_bind_int64(cur.s, 1, ti.id);
	buf_init(&cls, 0);
	while ((rc = docs_cursor_next(&cur, &row, err)) == 1) {
		const char *c = row_class(&ti,
			(const char *)sqlite3_column_text(cur.s, 12),
			(const char *)sqlite3_column_text(cur.s, 13), &cls);

		if (!c || !row.nbytes) {
			++*skipped;
			continue;
		}
		if (dataset_add(d, row.text, row.nbytes, c, err)) {
			rc = -1;
			break;
		}
	}
	buf_release(&cls);
	docs_cursor_close(&cur);
	if (rc < 0)
		return sl_error_prefix(err, "task '%s': ", task);
	if (ti.binary) {
		/* both classes exist even when one has no example yet */
		char name[300];

		snprintf(name, sizeof(name), "not_%s", ti.label);
		if (dataset_label(d, ti.label, err) < 0 ||
		    dataset_label(d, name, err) < 0)
			return -1;
	}
	return 0;
}
