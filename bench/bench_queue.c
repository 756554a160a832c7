/*
 * bench_queue.c: how fast the labelling queue hands out the next document
 * and records a decision on a large store (issue #6: < 16 ms on 1,000,000
 * documents).
 *
 *   bench_queue gen STORE NDOCS        a store of NDOCS documents with
 *                                      filter verdicts (10% dropped, 5%
 *                                      flagged, a classify score on each)
 *   bench_queue run STORE DECISIONS    per strategy: a task, then
 *                                      DECISIONS x (queue_next + decide),
 *                                      latency percentiles; also a new
 *                                      session's first next after them
 *
 * Generation is straight SQL (one compressed text shared by every row):
 * the queue's cost depends on the row counts and the indexes, not on the
 * texts.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zstd.h>

#include "../label/queue.h"
#include "../label/task.h"
#include "../lib/clock.h"
#include "../lib/err.h"
#include "../store/db.h"

static void die(const char *what, const struct sl_err *err)
{
	fprintf(stderr, "bench_queue: %s: %s\n", what, err ? err->msg : "");
	exit(1);
}

static void gen(const char *path, long n)
{
	static const char text[] = "A document of the benchmark store: the "
		"queue reads it back and decompresses it for the screen.";
	struct store *st;
	struct sl_err err;
	sqlite3_stmt *s;
	char z[256];
	size_t zn = ZSTD_compress(z, sizeof(z), text, sizeof(text) - 1, 1);
	double t0 = clock_mono();

	if (store_open(&st, path, STORE_CREATE, &err))
		die("open", &err);
	if (store_begin(st, &err))
		die("begin", &err);
	if (store_prepare(st, &s, "WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL "
			  "SELECT i + 1 FROM c WHERE i < ?1) INSERT INTO docs "
			  "(rowid, id, source, lang, added, nbytes, nchars, hash, "
			  "text) SELECT i, 'doc' || i, 'bench', 'en', "
			  "'2026-01-01T00:00:00Z', ?2, ?2, randomblob(16), ?3 "
			  "FROM c", &err))
		die("prepare", &err);
	sqlite3_bind_int64(s, 1, n);
	sqlite3_bind_int64(s, 2, (sqlite3_int64)(sizeof(text) - 1));
	sqlite3_bind_blob(s, 3, z, (int)zn, SQLITE_STATIC);
	if (sqlite3_step(s) != SQLITE_DONE)
		die("insert docs", NULL);
	sqlite3_finalize(s);
	if (store_exec(st, "INSERT INTO verdicts (doc, stage, version, decision, "
		       "reason, score, at, detail) SELECT rowid, 'quality', '1', "
		       "CASE WHEN rowid % 10 = 3 THEN 'drop' WHEN rowid % 20 = 7 "
		       "THEN 'flag' ELSE 'keep' END, NULL, NULL, 'x', NULL FROM "
		       "docs; INSERT INTO verdicts (doc, stage, version, "
		       "decision, reason, score, at, detail) SELECT rowid, "
		       "'classify', '1', 'keep', NULL, (abs(random()) % 1000000) "
		       "/ 1e6, 'x', '{\"label\":\"toxic\",\"threshold\":0.5,"
		       "\"suggest\":\"toxic\"}' FROM docs", &err))
		die("insert verdicts", &err);
	if (store_commit(st, &err))
		die("commit", &err);
	store_close(st);
	printf("generated %ld documents, %ld verdicts in %.1f s\n", n, 2 * n,
	       clock_mono() - t0);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double pct(double *v, long n, double p)
{
	long i = (long)ceil(p * n) - 1;

	return v[i < 0 ? 0 : i >= n ? n - 1 : i];
}

static void report(const char *what, double *v, long n)
{
	qsort(v, (size_t)n, sizeof(*v), cmp_double);
	printf("  %-8s n %5ld  p50 %7.3f ms  p99 %7.3f ms  max %7.3f ms\n",
	       what, n, 1e3 * pct(v, n, 0.5), 1e3 * pct(v, n, 0.99),
	       1e3 * v[n - 1]);
}

static struct task *mktask(struct store *st, const char *name, int k)
{
	char *labels[] = { "toxic", "fine" };
	struct task spec = { .name = (char *)name, .kind = TASK_SINGLE,
			     .labels = labels, .nlabels = 2, .overlap = k }, *t;
	struct sl_err err;

	if (task_load(st, name, &t, &err) == 1)
		return t;
	if (task_create(st, &spec, &err) || task_load(st, name, &t, &err) != 1)
		die("task", &err);
	return t;
}

static double cpu_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static double open_seconds;

/* n decisions by who; wall times of next and decide into tn, td, CPU
 * time of next into tc (the machine is shared: wall time includes waiting
 * for a core, CPU time is the work). */
static long label_n(struct store *st, const struct task *t, const char *who,
		    const struct queue_opts *o, long n, double *tn, double *td,
		    double *tc, int lab)
{
	const char *labels[2] = { "toxic", "fine" };
	struct queue *q;
	struct queue_item *it;
	struct sl_err err;
	double t0 = clock_mono();
	long i;

	if (queue_open(&q, st, t, who, o, &err))
		die("queue_open", &err);
	open_seconds = clock_mono() - t0;
	for (i = 0; i < n; i++) {
		struct decision d = { .labels = &labels[lab], .nlabels = 1,
				      .seconds = 1 };
		double c0 = cpu_now(), t1;
		int rc;

		t0 = clock_mono();
		rc = queue_next(q, &it, &err);
		t1 = clock_mono();
		if (tc)
			tc[i] = cpu_now() - c0;
		if (rc < 0)
			die("queue_next", &err);
		if (rc == 0)
			break;
		if (queue_decide(q, it->doc, &d, &err))
			die("queue_decide", &err);
		if (tn)
			tn[i] = t1 - t0;
		if (td)
			td[i] = clock_mono() - t1;
	}
	queue_close(q);
	return i;
}

static void run(const char *path, long n)
{
	static const char *const names[] = { "sequential", "random",
		"uncertain", "flagged" };
	double *tn = calloc((size_t)n, sizeof(double));
	double *td = calloc((size_t)n, sizeof(double));
	double *tc = calloc((size_t)n, sizeof(double));
	struct store *st;
	struct sl_err err;

	if (store_open(&st, path, 0, &err))
		die("open", &err);
	for (int s = 0; s <= QUEUE_FLAGGED; s++) {
		struct queue_opts o = QUEUE_OPTS_INIT;
		char name[64];
		struct task *t;
		long got;

		snprintf(name, sizeof(name), "bench-%s", names[s]);
		t = mktask(st, name, 1);
		o.strategy = (enum queue_strategy)s;
		o.seed = 42;
		got = label_n(st, t, "alice", &o, n, tn, td, tc, 0);
		printf("%s (overlap 1, one annotator, %ld decisions):\n",
		       names[s], got);
		report("next", tn, got);
		report("next cpu", tc, got);
		report("decide", td, got);
		/* a new session after them: its first next walks past the
		 * documents done */
		label_n(st, t, "bob", &o, 1, tn, NULL, NULL, 0);
		printf("  a new session: open %.1f ms (counts the total), first "
		       "next %.1f ms\n", 1e3 * open_seconds, 1e3 * tn[0]);
		task_free(t);
	}
	{
		/* review: overlap 2, alice and bob disagree on n documents */
		struct queue_opts o = QUEUE_OPTS_INIT;
		struct task *t = mktask(st, "bench-review", 2);
		long got;

		label_n(st, t, "alice", &o, n, NULL, NULL, NULL, 0);
		label_n(st, t, "bob", &o, n, tn, NULL, tc, 1);
		printf("sequential, overlap 2, second annotator (documents "
		       "started by another come first):\n");
		report("next", tn, n);
		report("next cpu", tc, n);
		o.review = 1;
		got = label_n(st, t, "rita", &o, n, tn, td, tc, 0);
		printf("disagree (review of %ld disagreements):\n", got);
		report("next", tn, got);
		report("next cpu", tc, got);
		report("decide", td, got);
		task_free(t);
	}
	store_close(st);
	free(tn);
	free(td);
	free(tc);
}

int main(int argc, char **argv)
{
	if (argc == 4 && !strcmp(argv[1], "gen"))
		gen(argv[2], atol(argv[3]));
	else if (argc == 4 && !strcmp(argv[1], "run"))
		run(argv[2], atol(argv[3]));
	else {
		fprintf(stderr, "usage: bench_queue gen STORE NDOCS | run STORE "
			"DECISIONS\n");
		return 2;
	}
	return 0;
}
