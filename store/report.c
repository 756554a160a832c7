/*
 * report.c: read the report's figures from the store (see report.h).
 *
 * Everything is read inside one read transaction, so a `sluice run`
 * committing batches meanwhile cannot make the funnel disagree with the
 * histograms.  Each optional part first checks its tables in sqlite_schema;
 * a part whose tables exist but whose query fails (a column another branch
 * renamed) is an error, not a silently empty chart.
 */
#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "report.h"
#include "db.h"
#include "../lib/err.h"
#include "../lib/banned.h"

/* ---- bins ----------------------------------------------------------- */

size_t report_len_bin(long long chars)
{
	size_t b = 0;

	chars >>= REPORT_LEN_MIN_LOG2;
	while (chars > 0 && b + 1 < REPORT_LEN_BINS) {
		chars >>= 1;
		b++;
	}
	return b;
}

const char *report_len_label(size_t bin)
{
	static const char *const l[REPORT_LEN_BINS] = {
		"<16", "16", "32", "64", "128", "256", "512", "1k", "2k", "4k",
		"8k", "16k", "32k", "64k+",
	};
	return bin < REPORT_LEN_BINS ? l[bin] : "?";
}

size_t report_cluster_bin(long long size)
{
	size_t b = 0;

	/* 1 | 2 | 3-4 | 5-8 | ...: bin b >= 1 holds (2^(b-1), 2^b] */
	for (long long top = 1; size > top && b + 1 < REPORT_CLUSTER_BINS;
	     top <<= 1)
		b++;
	return b;
}

const char *report_cluster_label(size_t bin)
{
	static const char *const l[REPORT_CLUSTER_BINS] = {
		"1", "2", "3-4", "5-8", "9-16", "17-32", "33-64", "65-128",
		"129-256", "257+",
	};
	return bin < REPORT_CLUSTER_BINS ? l[bin] : "?";
}

size_t report_score_bin(double score)
{
	if (!(score > 0))	/* NaN and negatives too */
		return 0;
	if (score >= 1)
		return REPORT_SCORE_BINS - 1;
	return (size_t)(score * REPORT_SCORE_BINS);
}

const char *report_score_label(size_t bin)
{
	static const char *const l[REPORT_SCORE_BINS] = {
		"0", ".05", ".10", ".15", ".20", ".25", ".30", ".35", ".40",
		".45", ".50", ".55", ".60", ".65", ".70", ".75", ".80", ".85",
		".90", ".95",
	};
	return bin < REPORT_SCORE_BINS ? l[bin] : "?";
}

size_t report_fetch_bin(double s)
{
	static const double top[REPORT_FETCH_BINS - 1] = {
		0.01, 0.03, 0.1, 0.3, 1, 3, 10,
	};
	size_t b = 0;

	while (b < REPORT_FETCH_BINS - 1 && !(s < top[b]))
		b++;
	return b;
}

const char *report_fetch_label(size_t bin)
{
	static const char *const l[REPORT_FETCH_BINS] = {
		"<10ms", "10ms", "30ms", "100ms", "300ms", "1s", "3s", "10s+",
	};
	return bin < REPORT_FETCH_BINS ? l[bin] : "?";
}

/* ---- small helpers -------------------------------------------------- */

static char *dup_col(sqlite3_stmt *s, int i)
{
	const char *t = (const char *)sqlite3_column_text(s, i);

	return t ? strdup(t) : NULL;
}

static int counts_add(struct report_counts *c, char *label, char *extra,
		      long long n, struct sl_err *err)
{
	if (c->n == c->alloc) {
		size_t na = c->alloc ? c->alloc * 2 : 16;
		struct report_count *v = realloc(c->v, na * sizeof(*v));

		if (!v) {
			free(label);
			free(extra);
			return sl_error(err, "out of memory");
		}
		c->v = v;
		c->alloc = na;
	}
	c->v[c->n++] = (struct report_count){ label, extra, n };
	return 0;
}

static void counts_release(struct report_counts *c)
{
	for (size_t i = 0; i < c->n; i++) {
		free(c->v[i].label);
		free(c->v[i].extra);
	}
	free(c->v);
	memset(c, 0, sizeof(*c));
}

static int has_table(struct store *st, const char *name, int *yes,
		     struct sl_err *err)
{
	sqlite3_stmt *s;
	int rc;

	if (store_prepare(st, &s, "SELECT 1 FROM sqlite_schema WHERE type = "
			  "'table' AND name = ?1", err))
		return -1;
	sqlite3_bind_text(s, 1, name, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	*yes = rc == SQLITE_ROW;
	sqlite3_finalize(s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return store_fail(st, err, "cannot read the schema");
	return 0;
}

/* Run sql; call row() for each result row.  The query's failure and
 * row()'s are both reported in err. */
static int each_row(struct store *st, const char *sql,
		    int (*row)(sqlite3_stmt *s, void *arg, struct sl_err *err),
		    void *arg, struct sl_err *err)
{
	sqlite3_stmt *s;
	int rc;

	if (store_prepare(st, &s, sql, err))
		return -1;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		if (row(s, arg, err)) {
			sqlite3_finalize(s);
			return -1;
		}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE)
		return store_fail(st, err, "cannot read the store");
	return 0;
}

/* rows of (label, n) or (label, extra, n) into a report_counts */
static int count_row(sqlite3_stmt *s, void *arg, struct sl_err *err)
{
	int three = sqlite3_column_count(s) == 3;

	return counts_add(arg, dup_col(s, 0), three ? dup_col(s, 1) : NULL,
			  sqlite3_column_int64(s, three ? 2 : 1), err);
}

/* ---- corpus and stages ---------------------------------------------- */

static int totals_row(sqlite3_stmt *s, void *arg, struct sl_err *err)
{
	long long *out = arg;

	for (int i = 0; i < sqlite3_column_count(s); i++)
		out[i] = sqlite3_column_int64(s, i);
	return 0;
}

static int stage_row(sqlite3_stmt *s, void *arg, struct sl_err *err)
{
	struct report *r = arg;
	struct report_stage *v = realloc(r->stages,
					 (r->nstages + 1) * sizeof(*v));

	if (!v)
		return sl_error(err, "out of memory");
	r->stages = v;
	v += r->nstages;
	memset(v, 0, sizeof(*v));
	if (!(v->name = dup_col(s, 0)))
		return sl_error(err, "out of memory");
	r->nstages++;
	v->in = sqlite3_column_int64(s, 1);
	v->kept = sqlite3_column_int64(s, 2);
	v->dropped = sqlite3_column_int64(s, 3);
	v->flagged = sqlite3_column_int64(s, 4);
	v->bytes_in = sqlite3_column_int64(s, 5);
	v->bytes_out = sqlite3_column_int64(s, 6);
	return 0;
}

static int reason_row(sqlite3_stmt *s, void *arg, struct sl_err *err)
{
	struct report *r = arg;
	const char *stage = (const char *)sqlite3_column_text(s, 0);

	for (size_t i = 0; stage && i < r->nstages; i++)
		if (!strcmp(r->stages[i].name, stage)) {
			const char *why = (const char *)sqlite3_column_text(s, 1);

			return counts_add(&r->stages[i].reasons,
					  strdup(why ? why : "-"), dup_col(s, 2),
					  sqlite3_column_int64(s, 3), err);
		}
	return 0;
}

/* Put the stages named in order first, in that order; the others keep
 * their (name) order after them. */
static void order_stages(struct report *r, const char *const *order)
{
	size_t next = 0;

	for (size_t k = 0; order && order[k]; k++)
		for (size_t i = next; i < r->nstages; i++)
			if (!strcmp(r->stages[i].name, order[k])) {
				struct report_stage t = r->stages[i];

				memmove(r->stages + next + 1, r->stages + next,
					(i - next) * sizeof(t));
				r->stages[next++] = t;
				break;
			}
}

static int length_row(sqlite3_stmt *s, void *arg, struct sl_err *err)
{
	struct report *r = arg;
	size_t b = report_len_bin(sqlite3_column_int64(s, 0));

	if (sqlite3_column_int(s, 1))
		r->len_dropped[b]++;
	else
		r->len_kept[b]++;
	return 0;
}

/* The queries shared with `sluice stats` (cli/cmd_stats.c): keep them
 * identical so both commands print the same figures. */
static int corpus(struct store *st, const char *const *order,
		  struct report *r, struct sl_err *err)
{
	long long t[4] = { 0 }, k[2] = { 0 };

	if (each_row(st, "SELECT count(*), coalesce(sum(nbytes), 0), "
		     "coalesce(sum(nchars), 0), coalesce(sum(length(text)), 0) "
		     "FROM docs", totals_row, t, err) ||
	    each_row(st, "SELECT count(*), coalesce(sum(nbytes), 0) FROM docs "
		     "d WHERE NOT EXISTS (SELECT 1 FROM verdicts v WHERE v.doc "
		     "= d.rowid AND v.decision = 'drop')", totals_row, k, err))
		return -1;
	r->docs = t[0];
	r->text_bytes = t[1];
	r->chars = t[2];
	r->stored_bytes = t[3];
	r->kept_docs = k[0];
	r->kept_bytes = k[1];
	if (each_row(st, "SELECT v.stage, count(*), sum(v.decision = 'keep'), "
		     "sum(v.decision = 'drop'), sum(v.decision = 'flag'), "
		     "coalesce(sum(d.nbytes), 0), coalesce(sum(CASE WHEN "
		     "v.decision != 'drop' THEN d.nbytes END), 0) FROM verdicts "
		     "v LEFT JOIN docs d ON d.rowid = v.doc GROUP BY v.stage "
		     "ORDER BY v.stage", stage_row, r, err) ||
	    each_row(st, "SELECT stage, reason, decision, count(*) AS docs FROM "
		     "verdicts WHERE decision != 'keep' GROUP BY stage, reason, "
		     "decision ORDER BY stage, docs DESC LIMIT 200", reason_row,
		     r, err) ||
	    each_row(st, "SELECT coalesce(lang, '-') AS lang, count(*) AS docs "
		     "FROM docs GROUP BY lang ORDER BY docs DESC, lang LIMIT 20",
		     count_row, &r->langs, err) ||
	    each_row(st, "SELECT source, count(*) AS docs FROM docs GROUP BY "
		     "source ORDER BY docs DESC, source LIMIT 20", count_row,
		     &r->sources, err) ||
	    each_row(st, "SELECT d.nchars, EXISTS (SELECT 1 FROM verdicts v "
		     "WHERE v.doc = d.rowid AND v.decision = 'drop') FROM docs "
		     "d", length_row, r, err))
		return -1;
	order_stages(r, order);
	return 0;
}

/* ---- dedup and classifier ------------------------------------------- */

static int cluster_row(sqlite3_stmt *s, void *arg, struct sl_err *err)
{
	struct report *r = arg;
	long long size = sqlite3_column_int64(s, 0);
	long long n = sqlite3_column_int64(s, 1);

	r->cluster_bins[report_cluster_bin(size)] += n;
	r->clusters += n;
	r->clustered_docs += size * n;
	return 0;
}

static int score_row(sqlite3_stmt *s, void *arg, struct sl_err *err)
{
	struct report *r = arg;

	r->has_classify = 1;
	if (sqlite3_column_type(s, 0) != SQLITE_NULL)
		r->score_bins[report_score_bin(sqlite3_column_double(s, 0))]++;
	if (sqlite3_column_type(s, 1) != SQLITE_NULL) {
		r->has_threshold = 1;
		r->threshold = sqlite3_column_double(s, 1);
	}
	return 0;
}

static int dedup_and_scores(struct store *st, struct report *r,
			    struct sl_err *err)
{
	if (has_table(st, "minhash_docs", &r->has_minhash, err))
		return -1;
	if (r->has_minhash &&
	    each_row(st, "SELECT n, count(*) FROM (SELECT count(*) AS n FROM "
		     "minhash_docs GROUP BY cluster) GROUP BY n", cluster_row,
		     r, err))
		return -1;
	/* json_valid() guards json_extract() against a detail that is not
	 * JSON (a stage bug must not hide the whole report) */
	return each_row(st, "SELECT score, CASE WHEN json_valid(detail) THEN "
			"json_extract(detail, '$.threshold') END FROM verdicts "
			"WHERE stage = 'classify'", score_row, r, err);
}

/* ---- crawl, labeling, runs ------------------------------------------ */

static int fetch_row(sqlite3_stmt *s, void *arg, struct sl_err *err)
{
	struct report *r = arg;

	r->fetch_bins[report_fetch_bin(sqlite3_column_double(s, 0))]++;
	return 0;
}

static int crawl(struct store *st, struct report *r, struct sl_err *err)
{
	static const char *const tables[] = { "crawl_runs", "fetches",
					      "frontier" };
	long long t[2] = { 0 }, runs = 0;

	r->has_crawl = 1;
	for (size_t i = 0; i < 3 && r->has_crawl; i++)
		if (has_table(st, tables[i], &r->has_crawl, err))
			return -1;
	if (!r->has_crawl)
		return 0;
	if (each_row(st, "SELECT count(*) FROM crawl_runs", totals_row, &runs,
		     err) ||
	    each_row(st, "SELECT count(*), coalesce(sum(bytes), 0) FROM "
		     "fetches", totals_row, t, err) ||
	    /* as `sluice stats` fetch_status */
	    each_row(st, "SELECT status, count(*) AS fetches FROM fetches "
		     "GROUP BY status ORDER BY fetches DESC, status LIMIT 20",
		     count_row, &r->statuses, err) ||
	    each_row(st, "SELECT seconds FROM fetches", fetch_row, r, err) ||
	    each_row(st, "SELECT origin, count(*) AS pages FROM frontier "
		     "WHERE state = 'done' GROUP BY origin ORDER BY pages DESC, "
		     "origin LIMIT 20", count_row, &r->hosts, err))
		return sl_error_prefix(err, "crawl tables: ");
	r->crawl_runs = runs;
	r->fetches = t[0];
	r->fetch_bytes = t[1];
	return 0;
}

/* A run's summary JSON (cli/cmd_run.c): documents added by import or
 * crawl steps, what the first filter step looked at, and the steps'
 * seconds (finer than the timestamps).  A running run keeps NAN. */
static void run_counts(const char *summary, struct report_run *run)
{
	json_t *j = summary ? json_loads(summary, 0, NULL) : NULL, *step;
	size_t i;
	int seen_in = 0;
	double secs = 0;

	json_array_foreach(json_object_get(j, "steps"), i, step) {
		json_t *in = json_object_get(step, "in");

		secs += json_number_value(json_object_get(step, "seconds"));
		run->added += json_integer_value(json_object_get(step, "added"));
		if (json_is_integer(in) && !seen_in) {
			run->filtered = json_integer_value(in);
			seen_in = 1;
		}
	}
	/* started/finished have whole seconds: a short run would show 0 */
	if (secs > run->seconds)
		run->seconds = secs;
	json_decref(j);
}

static int run_row(sqlite3_stmt *s, void *arg, struct sl_err *err)
{
	struct report *r = arg;
	struct report_run *v = realloc(r->runs, (r->nruns + 1) * sizeof(*v));

	if (!v)
		return sl_error(err, "out of memory");
	r->runs = v;
	v += r->nruns++;
	memset(v, 0, sizeof(*v));
	v->id = sqlite3_column_int64(s, 0);
	v->started = dup_col(s, 1);
	v->status = dup_col(s, 2);
	v->pipeline = dup_col(s, 3);
	v->seconds = sqlite3_column_type(s, 4) == SQLITE_NULL ? NAN :
		     sqlite3_column_double(s, 4);
	if (!isnan(v->seconds))
		run_counts((const char *)sqlite3_column_text(s, 5), v);
	if (!v->started || !v->status || !v->pipeline)
		return sl_error(err, "out of memory");
	return 0;
}

/* Labelling: tasks, annotations, final labels (sluice label). */
static int labeling(struct store *st, struct report *r, struct sl_err *err)
{
	long long t[3];

	if (has_table(st, "final_labels", &r->has_labels, err))
		return -1;
	if (!r->has_labels)
		return 0;
	if (each_row(st, "SELECT (SELECT count(*) FROM tasks), (SELECT "
		     "count(*) FROM annotations), (SELECT count(*) FROM "
		     "final_labels)", totals_row, t, err))
		return -1;
	r->tasks = t[0];
	r->annotations = t[1];
	r->finals = t[2];
	r->has_labels = r->tasks > 0;
	if (!r->has_labels)
		return 0;
	return each_row(st, "SELECT t.name, count(a.rowid) FROM tasks t LEFT "
			"JOIN annotations a ON a.task = t.rowid GROUP BY t.rowid "
			"ORDER BY t.name", count_row, &r->task_annotations,
			err) ||
	       each_row(st, "SELECT t.name || ': ' || CASE WHEN j.value IS "
			"NULL THEN '(' || f.answer || ')' ELSE j.value END, "
			"count(*) AS n FROM final_labels f JOIN tasks t ON "
			"t.rowid = f.task LEFT JOIN json_each(f.labels) j "
			"GROUP BY 1 ORDER BY n DESC, 1 LIMIT 30", count_row,
			&r->final_labels, err) ? -1 : 0;
}

static int labels_and_runs(struct store *st, struct report *r,
			   struct sl_err *err)
{
	if (labeling(st, r, err))
		return -1;
	if (has_table(st, "runs", &r->has_runs, err))
		return -1;
	if (!r->has_runs)
		return 0;
	return each_row(st, "SELECT rowid, started, status, pipeline, "
			"(julianday(finished) - julianday(started)) * 86400, "
			"summary FROM (SELECT * FROM runs ORDER BY rowid DESC "
			"LIMIT 30) ORDER BY rowid", run_row, r, err);
}

int report_collect(struct store *st, const char *const *order,
		   struct report *r, struct sl_err *err)
{
	int rc;

	memset(r, 0, sizeof(*r));
	/* one snapshot for every figure */
	if (store_exec(st, "BEGIN", err))
		return -1;
	rc = corpus(st, order, r, err);
	if (!rc)
		rc = dedup_and_scores(st, r, err);
	if (!rc)
		rc = crawl(st, r, err);
	if (!rc)
		rc = labels_and_runs(st, r, err);
	store_exec(st, "COMMIT", NULL);
	if (rc)
		report_release(r);
	return rc;
}

void report_release(struct report *r)
{
	for (size_t i = 0; i < r->nstages; i++) {
		free(r->stages[i].name);
		counts_release(&r->stages[i].reasons);
	}
	free(r->stages);
	counts_release(&r->langs);
	counts_release(&r->sources);
	counts_release(&r->statuses);
	counts_release(&r->hosts);
	counts_release(&r->task_annotations);
	counts_release(&r->final_labels);
	for (size_t i = 0; i < r->nruns; i++) {
		free(r->runs[i].started);
		free(r->runs[i].status);
		free(r->runs[i].pipeline);
	}
	free(r->runs);
	memset(r, 0, sizeof(*r));
}
