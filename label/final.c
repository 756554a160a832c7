/*
 * final.c: recompute a document's label_docs row and final label from its
 * annotations and reviews (see final.h).
 */
#include <stdlib.h>
#include <string.h>

#include "final.h"
#include "task.h"
#include "../lib/clock.h"
#include "../lib/err.h"
#include "../store/db.h"
#include "../lib/banned.h"

struct state {
	long n;			/* annotations */
	int same;		/* every annotation has the same answer */
	int flagged;		/* one of them is flagged */
	char *answer, *labels;	/* the first annotation's, malloc'd */
	int reviewed;
	char *rv_answer, *rv_labels;	/* the latest review's */
	char *source;		/* the current final label's source, or NULL */
};

static void state_release(struct state *s)
{
	free(s->answer);
	free(s->labels);
	free(s->rv_answer);
	free(s->rv_labels);
	free(s->source);
}

static char *col(sqlite3_stmt *s, int i)
{
	const char *v = (const char *)sqlite3_column_text(s, i);

	return strdup(v ? v : "");
}

static int read_annotations(struct store *st, int64_t task, int64_t doc,
			    struct state *s, struct sl_err *err)
{
	sqlite3_stmt *q;
	int rc;

	if (store_prepare(st, &q, "SELECT answer, labels, flagged FROM "
			  "annotations WHERE task = ?1 AND doc = ?2", err))
		return -1;
	sqlite3_bind_int64(q, 1, task);
	sqlite3_bind_int64(q, 2, doc);
	s->same = 1;
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		const char *a = (const char *)sqlite3_column_text(q, 0);
		const char *l = (const char *)sqlite3_column_text(q, 1);

		if (sqlite3_column_int(q, 2))
			s->flagged = 1;
		if (s->n++ == 0) {
			s->answer = col(q, 0);
			s->labels = col(q, 1);
		} else if (strcmp(s->answer, a ? a : "") ||
			   strcmp(s->labels, l ? l : "")) {
			s->same = 0;
		}
	}
	sqlite3_finalize(q);
	return rc == SQLITE_DONE ? 0 : store_fail(st, err,
						  "cannot read annotations");
}

static int read_review(struct store *st, int64_t task, int64_t doc,
		       struct state *s, struct sl_err *err)
{
	sqlite3_stmt *q;
	int rc;

	if (store_prepare(st, &q, "SELECT answer, labels FROM reviews WHERE "
			  "task = ?1 AND doc = ?2 ORDER BY rowid DESC LIMIT 1",
			  err))
		return -1;
	sqlite3_bind_int64(q, 1, task);
	sqlite3_bind_int64(q, 2, doc);
	rc = sqlite3_step(q);
	if (rc == SQLITE_ROW) {
		s->reviewed = 1;
		s->rv_answer = col(q, 0);
		s->rv_labels = col(q, 1);
	}
	sqlite3_finalize(q);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return store_fail(st, err, "cannot read reviews");
	if (store_prepare(st, &q, "SELECT source FROM final_labels WHERE "
			  "task = ?1 AND doc = ?2", err))
		return -1;
	sqlite3_bind_int64(q, 1, task);
	sqlite3_bind_int64(q, 2, doc);
	rc = sqlite3_step(q);
	if (rc == SQLITE_ROW)
		s->source = col(q, 0);
	sqlite3_finalize(q);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return store_fail(st, err, "cannot read final labels");
	return 0;
}

/* Run one write statement: (task, doc) are ?1 ?2, texts ?3.., n ?7 and
 * flag ?8 when the statement names them. */
static int exec_w(struct store *st, const char *sql, int64_t task, int64_t doc,
		 const char *const *texts, size_t ntexts, long n, int flag,
		 struct sl_err *err)
{
	sqlite3_stmt *q;
	int rc;

	if (store_prepare(st, &q, sql, err))
		return -1;
	sqlite3_bind_int64(q, 1, task);
	sqlite3_bind_int64(q, 2, doc);
	for (size_t i = 0; i < ntexts; i++)
		sqlite3_bind_text(q, (int)i + 3, texts[i], -1, SQLITE_STATIC);
	if (sqlite3_bind_parameter_index(q, "?7"))
		sqlite3_bind_int64(q, 7, n);
	if (sqlite3_bind_parameter_index(q, "?8"))
		sqlite3_bind_int(q, 8, flag);
	rc = sqlite3_step(q);
	sqlite3_finalize(q);
	return rc == SQLITE_DONE ? 0 : store_fail(st, err,
						  "cannot update labels");
}

static int set_final(struct store *st, int64_t task, int64_t doc,
		     const char *answer, const char *labels,
		     const char *source, struct sl_err *err)
{
	char now[CLOCK_ISO_LEN];
	const char *v[4] = { labels, answer, source, clock_iso_now(now) };

	return exec_w(st, "INSERT INTO final_labels (task, doc, labels, answer, "
		     "source, at) VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT "
		     "DO UPDATE SET labels = excluded.labels, answer = "
		     "excluded.answer, source = excluded.source, at = "
		     "excluded.at WHERE labels IS NOT excluded.labels OR "
		     "answer IS NOT excluded.answer OR source IS NOT "
		     "excluded.source", task, doc, v, 4, 0, 0, err);
}

static int update_docs(struct store *st, int64_t task, int64_t doc,
		       const struct state *s, struct sl_err *err)
{
	int review = !s->reviewed && ((s->n >= 2 && !s->same) || s->flagged);

	if (s->n == 0 && !s->reviewed)
		return exec_w(st, "DELETE FROM label_docs WHERE task = ?1 AND "
			     "doc = ?2", task, doc, NULL, 0, 0, 0, err);
	return exec_w(st, "INSERT INTO label_docs (task, doc, n, review) "
		     "VALUES (?1, ?2, ?7, ?8) ON CONFLICT DO UPDATE SET n = "
		     "excluded.n, review = excluded.review", task, doc, NULL,
		     0, s->n, review, err);
}

static int update_final(struct store *st, const struct task *t, int64_t doc,
			const struct state *s, struct sl_err *err)
{
	if (s->reviewed)
		return set_final(st, t->id, doc, s->rv_answer, s->rv_labels,
				 "review", err);
	if (s->source && !strcmp(s->source, "import"))
		return 0;
	if (s->n >= t->overlap && s->same && !s->flagged &&
	    strcmp(s->answer, "ignore"))
		return set_final(st, t->id, doc, s->answer, s->labels,
				 t->overlap == 1 ? "single" : "agree", err);
	if (!s->source)
		return 0;
	return exec_w(st, "DELETE FROM final_labels WHERE task = ?1 AND "
		     "doc = ?2", t->id, doc, NULL, 0, 0, 0, err);
}

int final_refresh(struct store *st, const struct task *t, int64_t doc,
		  struct sl_err *err)
{
	struct state s = { 0 };
	int rc;

	rc = read_annotations(st, t->id, doc, &s, err);
	if (!rc)
		rc = read_review(st, t->id, doc, &s, err);
	if (!rc)
		rc = update_docs(st, t->id, doc, &s, err);
	if (!rc)
		rc = update_final(st, t, doc, &s, err);
	state_release(&s);
	return rc;
}

int final_import(struct store *st, const struct task *t, int64_t doc,
		 const char *answer, const char *labels, struct sl_err *err)
{
	struct state s = { 0 };
	int rc;

	rc = read_review(st, t->id, doc, &s, err);
	if (!rc && !s.reviewed)
		rc = set_final(st, t->id, doc, answer, labels, "import", err);
	state_release(&s);
	return rc;
}
