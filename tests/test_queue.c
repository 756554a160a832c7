/* Check suite for label/queue.c, label/final.c, label/answer.c and
 * label/task.c: strategies and their order, leases and their expiry,
 * overlap with several annotators, undo, skip, final labels, review,
 * dropped documents, and text stored verbatim. */
#include <math.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check_main.h"
#include "testutil.h"
/* the queue's SQL, to check its query plans */
#include "../label/queue.c"
#include "../label/task.h"
#include "../lib/buf.h"
#include "../lib/err.h"
#include "../store/db.h"
#include "../store/docs.h"

#define NDOCS 20

static const char *dir;
static char dbpath[128];
static struct store *st, *st2;	/* two connections: two "processes" */
static struct sl_err err;

static void add_docs(int n)
{
	struct docs_writer w;
	struct buf z;
	ZSTD_CCtx *cctx = ZSTD_createCCtx();
	char id[32], text[64];

	buf_init(&z, 0);
	ck_assert_int_eq(docs_writer_init(&w, st, &err), 0);
	ck_assert_int_eq(store_begin(st, &err), 0);
	for (int i = 1; i <= n; i++) {
		struct doc_in d = { .id = id, .text = text, .source = "t",
				    .lang = "en" };

		snprintf(id, sizeof(id), "d%02d", i);
		snprintf(text, sizeof(text), "text of document %d", i);
		d.nbytes = strlen(text);
		ck_assert_int_eq(docs_pack(&d, cctx, &z, &err), 0);
		ck_assert_int_eq(docs_insert(&w, &d, &err), 1);
	}
	ck_assert_int_eq(store_commit(st, &err), 0);
	docs_writer_release(&w);
	buf_release(&z);
	ZSTD_freeCCtx(cctx);
}

static void setup(void)
{
	dir = tu_tmpdir();
	snprintf(dbpath, sizeof(dbpath), "%s/s.db", dir);
	ck_assert_msg(!store_open(&st, dbpath, STORE_CREATE, &err), "%s",
		      err.msg);
	ck_assert_msg(!store_open(&st2, dbpath, 0, &err), "%s", err.msg);
	add_docs(NDOCS);
}

static void teardown(void)
{
	store_close(st2);
	store_close(st);
	tu_rm_rf(dir);
}

static void sql(const char *s)
{
	ck_assert_msg(!store_exec(st, s, &err), "%s", err.msg);
}

static long long count(const char *q)
{
	sqlite3_stmt *s;
	long long n = -1;

	ck_assert_int_eq(sqlite3_prepare_v2(st->db, q, -1, &s, NULL), SQLITE_OK);
	if (sqlite3_step(s) == SQLITE_ROW)
		n = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return n;
}

static struct task *mktask(const char *name, enum task_kind kind,
			   const char *labels, int overlap)
{
	struct task spec = { .name = (char *)name, .kind = kind,
			     .overlap = overlap }, *t;

	ck_assert_int_eq(task_parse_labels(labels, &spec.labels, &spec.nlabels,
					   &err), 0);
	ck_assert_msg(!task_create(st, &spec, &err), "%s", err.msg);
	task_labels_free(spec.labels, spec.nlabels);
	ck_assert_int_eq(task_load(st, name, &t, &err), 1);
	return t;
}

static struct queue *qopen(struct store *s, const struct task *t,
			   const char *who, enum queue_strategy strat)
{
	struct queue_opts o = QUEUE_OPTS_INIT;
	struct queue *q;

	o.strategy = strat;
	o.seed = 42;
	ck_assert_msg(!queue_open(&q, s, t, who, &o, &err), "%s", err.msg);
	return q;
}

/* Next document's rowid, or 0 when none. */
static int64_t next(struct queue *q)
{
	struct queue_item *it;
	int rc = queue_next(q, &it, &err);

	ck_assert_msg(rc >= 0, "%s", err.msg);
	return rc ? it->doc : 0;
}

static void decide(struct queue *q, int64_t doc, const char *label)
{
	const char *labels[1] = { label };
	struct decision d = { .answer = label ? "accept" : "ignore",
			      .labels = labels, .nlabels = label ? 1 : 0,
			      .seconds = 1.5 };

	ck_assert_msg(!queue_decide(q, doc, &d, &err), "%s", err.msg);
}

START_TEST(task_create_validates)
{
	struct task spec = { .name = "t", .kind = TASK_SINGLE, .overlap = 1 };
	char *two[] = { "a", "a" }, *ctl[] = { "a\x1b[2J" }, *empty[] = { "" };
	char *ten[] = { "1", "2", "3", "4", "5", "6", "7", "8", "9", "10" };
	struct task **all;
	size_t n;

	spec.labels = two, spec.nlabels = 2;
	ck_assert_int_eq(task_create(st, &spec, &err), -1);
	ck_assert_ptr_nonnull(strstr(err.msg, "given twice"));
	spec.labels = ctl, spec.nlabels = 1;
	ck_assert_int_eq(task_create(st, &spec, &err), -1);
	ck_assert_ptr_nonnull(strstr(err.msg, "control"));
	spec.labels = empty;
	ck_assert_int_eq(task_create(st, &spec, &err), -1);
	spec.labels = ten, spec.nlabels = 10;
	ck_assert_int_eq(task_create(st, &spec, &err), -1);
	ck_assert_ptr_nonnull(strstr(err.msg, "at most 9"));
	spec.nlabels = 9;
	spec.guidelines = "Be kind; 'quotes' \"too\".";
	ck_assert_int_eq(task_create(st, &spec, &err), 0);
	ck_assert_int_eq(task_create(st, &spec, &err), -1);
	ck_assert_ptr_nonnull(strstr(err.msg, "already exists"));
	spec.name = "b", spec.kind = TASK_BINARY, spec.nlabels = 2;
	ck_assert_int_eq(task_create(st, &spec, &err), -1);
	ck_assert_int_eq(task_list(st, &all, &n, &err), 0);
	ck_assert_uint_eq(n, 1);
	ck_assert_str_eq(all[0]->guidelines, "Be kind; 'quotes' \"too\".");
	ck_assert_uint_eq(all[0]->nlabels, 9);
	ck_assert_str_eq(all[0]->labels[8], "9");
	task_free(all[0]);
	free(all);
}
END_TEST

START_TEST(sequential_leases_and_skip)
{
	struct task *t = mktask("t", TASK_SINGLE, "a,b", 1);
	struct queue *qa = qopen(st, t, "alice", QUEUE_SEQUENTIAL);
	struct queue *qb = qopen(st2, t, "bob", QUEUE_SEQUENTIAL);
	struct queue_progress p;

	ck_assert_int_eq(next(qa), 1);
	ck_assert_int_eq(next(qb), 2);		/* 1 is alice's */
	decide(qa, 1, "a");
	ck_assert_int_eq(next(qa), 3);		/* 2 is bob's */
	ck_assert_int_eq(queue_skip(qa, 3, &err), 0);
	ck_assert_int_eq(next(qa), 4);
	ck_assert_int_eq(next(qb), 3);		/* alice skipped it */
	ck_assert_int_eq(count("SELECT count(*) FROM leases"), 2);
	/* a second next without a decision moves the lease */
	ck_assert_int_eq(next(qb), 5);
	ck_assert_int_eq(count("SELECT count(*) FROM leases WHERE doc = 3"), 0);
	ck_assert_int_eq(queue_progress(qa, &p, &err), 0);
	ck_assert_int_eq(p.total, NDOCS);
	ck_assert_int_eq(p.done, 1);
	ck_assert_int_eq(p.mine_session, 1);
	ck_assert_int_eq(p.mine_total, 1);
	/* closing releases the lease: carol gets alice's 4 */
	queue_close(qa);
	qa = qopen(st, t, "carol", QUEUE_SEQUENTIAL);
	ck_assert_int_eq(next(qa), 2);	/* bob left 2 when he took 3 */
	ck_assert_int_eq(next(qa), 3);
	ck_assert_int_eq(next(qa), 4);
	queue_close(qa);
	queue_close(qb);
	task_free(t);
}
END_TEST

START_TEST(expired_lease_is_free)
{
	struct task *t = mktask("t", TASK_SINGLE, "a,b", 1);
	struct queue *qa = qopen(st, t, "alice", QUEUE_SEQUENTIAL);
	struct queue *qb = qopen(st2, t, "bob", QUEUE_SEQUENTIAL);

	ck_assert_int_eq(next(qa), 1);
	ck_assert_int_eq(next(qb), 2);
	/* alice's session dies: nothing releases her lease, it expires */
	sql("UPDATE leases SET expires = 0 WHERE annotator = 'alice'");
	decide(qb, 2, "b");
	ck_assert_int_eq(next(qb), 3);
	ck_assert_int_eq(queue_skip(qb, 3, &err), 0);
	ck_assert_int_eq(next(qb), 4);
	decide(qb, 4, "b");
	/* bob's walk wraps round to the freed document once at the end */
	for (int64_t d = 5; d <= NDOCS; d++) {
		ck_assert_int_eq(next(qb), d);
		decide(qb, d, "a");
	}
	ck_assert_int_eq(next(qb), 1);
	/* alice comes back: her late decision conflicts with bob's lease */
	{
		const char *l[] = { "a" };
		struct decision d = { .labels = l, .nlabels = 1 };

		ck_assert_int_eq(queue_decide(qa, 1, &d, &err), -1);
		ck_assert_ptr_nonnull(strstr(err.msg, "held by another"));
	}
	/* renewing keeps a lease alive */
	ck_assert_int_eq(queue_renew(qb, &err), 0);
	ck_assert_int_eq(count("SELECT count(*) FROM leases WHERE doc = 1 AND "
			       "expires > unixepoch() + 500"), 1);
	queue_close(qa);
	queue_close(qb);
	task_free(t);
}
END_TEST

/* Three annotators, overlap 2, taking turns: every document ends with
 * exactly two annotations from two different people. */
START_TEST(overlap_two_three_annotators)
{
	struct task *t = mktask("t", TASK_SINGLE, "a,b", 2);
	const char *who[3] = { "alice", "bob", "carol" };
	struct queue *q[3];
	int active = 3, done[3] = { 0 };

	q[0] = qopen(st, t, who[0], QUEUE_SEQUENTIAL);
	q[1] = qopen(st2, t, who[1], QUEUE_RANDOM);
	q[2] = qopen(st, t, who[2], QUEUE_SEQUENTIAL);
	while (active) {
		for (int i = 0; i < 3; i++) {
			int64_t d;

			if (done[i])
				continue;
			d = next(q[i]);
			if (!d) {
				done[i] = 1;
				active--;
				continue;
			}
			decide(q[i], d, i == 2 ? "b" : "a");
		}
	}
	ck_assert_int_eq(count("SELECT count(*) FROM annotations"), 2 * NDOCS);
	ck_assert_int_eq(count("SELECT count(*) FROM (SELECT doc FROM "
			       "annotations GROUP BY doc HAVING count(*) = 2 "
			       "AND count(DISTINCT annotator) = 2)"), NDOCS);
	ck_assert_int_eq(count("SELECT count(*) FROM label_docs WHERE n = 2"),
			 NDOCS);
	/* the docs alice and bob both did agree ("a"): final 'agree'; carol's
	 * disagree with theirs: no final label, waiting for review */
	ck_assert_int_eq(count("SELECT count(*) FROM final_labels WHERE "
			       "source = 'agree' AND labels = '[\"a\"]'"),
			 count("SELECT count(*) FROM (SELECT doc FROM annotations "
			       "WHERE annotator <> 'carol' GROUP BY doc HAVING "
			       "count(*) = 2)"));
	ck_assert_int_eq(count("SELECT count(*) FROM label_docs WHERE review"),
			 count("SELECT count(DISTINCT doc) FROM annotations WHERE "
			       "annotator = 'carol'"));
	ck_assert_int_eq(count("SELECT count(*) FROM leases"), 0);
	for (int i = 0; i < 3; i++)
		queue_close(q[i]);
	task_free(t);
}
END_TEST

/* Overlap 1 and two annotators at once: nobody's document is given twice. */
START_TEST(overlap_one_two_annotators)
{
	struct task *t = mktask("t", TASK_BINARY, "toxic", 1);
	struct queue *qa = qopen(st, t, "alice", QUEUE_RANDOM);
	struct queue *qb = qopen(st2, t, "bob", QUEUE_RANDOM);
	struct decision acc = { .answer = "accept" }, rej = { .answer = "reject" };
	int64_t a, b;
	int n = 0;

	for (;;) {
		a = next(qa);
		b = next(qb);
		ck_assert(a != b || a == 0);
		if (a) {
			ck_assert_int_eq(queue_decide(qa, a, &acc, &err), 0);
			n++;
		}
		if (b) {
			ck_assert_int_eq(queue_decide(qb, b, &rej, &err), 0);
			n++;
		}
		if (!a && !b)
			break;
	}
	ck_assert_int_eq(n, NDOCS);
	ck_assert_int_eq(count("SELECT count(*) FROM final_labels WHERE source "
			       "= 'single'"), NDOCS);
	ck_assert_int_eq(count("SELECT count(*) FROM final_labels WHERE answer "
			       "= 'accept' AND labels = '[\"toxic\"]'"),
			 count("SELECT count(*) FROM annotations WHERE annotator "
			       "= 'alice'"));
	ck_assert_int_eq(count("SELECT count(*) FROM final_labels WHERE answer "
			       "= 'reject' AND labels = '[]'"),
			 count("SELECT count(*) FROM annotations WHERE annotator "
			       "= 'bob'"));
	queue_close(qa);
	queue_close(qb);
	task_free(t);
}
END_TEST

/* Random: every document once, the same order for the same seed, another
 * order for another seed. */
START_TEST(random_order_is_seeded)
{
	struct task *t = mktask("t", TASK_SINGLE, "a", 1);
	struct queue_opts o = QUEUE_OPTS_INIT;
	int64_t first[NDOCS], seen[NDOCS + 1] = { 0 };
	struct queue *q;
	int same = 1;

	o.strategy = QUEUE_RANDOM;
	o.seed = 7;
	for (int round = 0; round < 3; round++) {
		if (round == 2)
			o.seed = 8;
		ck_assert_int_eq(queue_open(&q, st, t, "alice", &o, &err), 0);
		for (int i = 0; i < NDOCS; i++) {
			int64_t d = next(q);

			ck_assert(d >= 1 && d <= NDOCS);
			ck_assert_int_ne(queue_skip(q, d, &err), -1);
			if (round == 0) {
				first[i] = d;
				ck_assert_int_eq(seen[d]++, 0);
			} else if (round == 1) {
				ck_assert_int_eq(d, first[i]);
			} else if (d != first[i]) {
				same = 0;
			}
		}
		ck_assert_int_eq(next(q), 0);
		queue_close(q);
	}
	ck_assert_int_eq(same, 0);
	/* not simply the store's order */
	same = 1;
	for (int i = 0; i < NDOCS; i++)
		if (first[i] != i + 1)
			same = 0;
	ck_assert_int_eq(same, 0);
	task_free(t);
}
END_TEST

START_TEST(uncertain_flagged_dropped)
{
	struct task *t = mktask("t", TASK_BINARY, "toxic", 1);
	struct queue *q;
	struct queue_item *it;
	struct queue_opts o = QUEUE_OPTS_INIT;

	/* distances to the threshold: doc 5: 0.01, doc 2: 0.05 (threshold
	 * 0.7 from its detail), doc 9: 0.2, doc 3: 0.4; doc 4 dropped */
	sql("INSERT INTO verdicts (doc, stage, version, decision, score, at, "
	    "detail) VALUES "
	    "(3, 'classify', '1', 'keep', 0.9, 'x', '{\"label\":\"toxic\","
	    "\"threshold\":0.5,\"suggest\":\"toxic\"}'),"
	    "(5, 'classify', '1', 'keep', 0.51, 'x', NULL),"
	    "(2, 'classify', '1', 'flag', 0.65, 'x', '{\"threshold\":0.7}'),"
	    "(9, 'classify', '1', 'keep', 0.3, 'x', 'not json'),"
	    "(4, 'classify', '1', 'keep', 0.5, 'x', NULL),"
	    "(4, 'quality', '1', 'drop', NULL, 'x', NULL),"
	    "(7, 'rules', '1', 'flag', NULL, 'x', NULL),"
	    "(7, 'lang', '1', 'keep', NULL, 'x', NULL),"
	    "(11, 'rules', '1', 'flag', NULL, 'x', NULL)");
	q = qopen(st, t, "alice", QUEUE_UNCERTAIN);
	ck_assert_int_eq(next(q), 5);
	ck_assert_int_eq(queue_skip(q, 5, &err), 0);
	ck_assert_int_eq(next(q), 2);
	ck_assert_int_eq(queue_skip(q, 2, &err), 0);
	ck_assert_int_eq(next(q), 9);
	ck_assert_int_eq(queue_skip(q, 9, &err), 0);
	ck_assert_int_eq(queue_next(q, &it, &err), 1);
	ck_assert_int_eq(it->doc, 3);
	ck_assert_double_eq_tol(it->score, 0.9, 1e-9);
	ck_assert_str_eq(it->suggest, "toxic");
	ck_assert_str_eq(it->text, "text of document 3");
	ck_assert_str_eq(it->id, "d03");
	ck_assert_int_eq(queue_skip(q, 3, &err), 0);
	ck_assert_int_eq(next(q), 0);	/* 4 was dropped */
	queue_close(q);

	o.strategy = QUEUE_UNCERTAIN;
	o.include_dropped = 1;
	ck_assert_int_eq(queue_open(&q, st, t, "alice", &o, &err), 0);
	ck_assert_int_eq(next(q), 4);	/* distance 0 */
	queue_close(q);

	q = qopen(st, t, "alice", QUEUE_FLAGGED);
	ck_assert_int_eq(queue_next(q, &it, &err), 1);
	ck_assert_int_eq(it->doc, 2);
	ck_assert_ptr_nonnull(strstr(it->verdicts, "classify=flag"));
	decide(q, 2, NULL);
	ck_assert_int_eq(queue_next(q, &it, &err), 1);
	ck_assert_int_eq(it->doc, 7);
	ck_assert_str_eq(it->verdicts, "lang=keep rules=flag");
	ck_assert(isnan(it->score));
	ck_assert_ptr_null(it->suggest);
	ck_assert_int_eq(queue_skip(q, 7, &err), 0);
	ck_assert_int_eq(next(q), 11);
	ck_assert_int_eq(queue_skip(q, 11, &err), 0);
	ck_assert_int_eq(next(q), 0);
	queue_close(q);

	/* sequential leaves the dropped document out */
	q = qopen(st, t, "bob", QUEUE_SEQUENTIAL);
	for (int64_t d = 1; d <= 5; d++) {
		int64_t got = next(q);

		if (d == 2)	/* alice ignored it: done with K = 1 */
			d++;
		if (d == 4)
			d++;
		ck_assert_int_eq(got, d);
		ck_assert_int_eq(queue_skip(q, got, &err), 0);
	}
	queue_close(q);
	task_free(t);
}
END_TEST

START_TEST(undo_walks_back)
{
	struct task *t = mktask("t", TASK_MULTI, "x,y,z", 1);
	struct queue *q = qopen(st, t, "alice", QUEUE_SEQUENTIAL);
	struct queue_item *it;
	const char *xz[] = { "z", "x" };
	struct decision d = { .labels = xz, .nlabels = 2 };
	int64_t doc;

	ck_assert_int_eq(queue_undo(q, &doc, &err), 0);
	for (int64_t i = 1; i <= 3; i++) {
		ck_assert_int_eq(next(q), i);
		ck_assert_int_eq(queue_decide(q, i, &d, &err), 0);
	}
	ck_assert_int_eq(count("SELECT count(*) FROM final_labels WHERE labels "
			       "= '[\"x\",\"z\"]' AND source = 'single'"), 3);
	ck_assert_int_eq(next(q), 4);
	ck_assert_int_eq(queue_undo(q, &doc, &err), 1);
	ck_assert_int_eq(doc, 3);
	ck_assert_int_eq(count("SELECT count(*) FROM final_labels"), 2);
	ck_assert_int_eq(count("SELECT count(*) FROM leases WHERE doc = 3"), 1);
	ck_assert_int_eq(count("SELECT count(*) FROM leases"), 1);
	ck_assert_int_eq(queue_undo(q, &doc, &err), 1);
	ck_assert_int_eq(doc, 2);
	ck_assert_int_eq(queue_next(q, &it, &err), 1);
	ck_assert_int_eq(it->doc, 2);
	ck_assert_str_eq(it->prev_answer, "accept");
	ck_assert_uint_eq(it->nprev_labels, 2);
	ck_assert_str_eq(it->prev_labels[0], "x");
	ck_assert_int_eq(queue_decide(q, 2, &d, &err), 0);
	ck_assert_int_eq(next(q), 3);
	ck_assert_int_eq(queue_decide(q, 3, &d, &err), 0);
	ck_assert_int_eq(count("SELECT count(*) FROM annotations"), 3);
	/* another session's decisions are not undone */
	queue_close(q);
	q = qopen(st, t, "alice", QUEUE_SEQUENTIAL);
	ck_assert_int_eq(queue_undo(q, &doc, &err), 0);
	ck_assert_int_eq(next(q), 4);
	queue_close(q);
	task_free(t);
}
END_TEST

START_TEST(decisions_are_checked)
{
	struct task *t = mktask("t", TASK_SINGLE, "a,b", 1);
	struct queue *q = qopen(st, t, "alice", QUEUE_SEQUENTIAL);
	const char *ab[] = { "a", "b" }, *c[] = { "c" };
	struct decision two = { .labels = ab, .nlabels = 2 },
			bad = { .labels = c, .nlabels = 1 },
			rej = { .answer = "reject" };

	ck_assert_int_eq(next(q), 1);
	ck_assert_int_eq(queue_decide(q, 1, &two, &err), -1);
	ck_assert_ptr_nonnull(strstr(err.msg, "exactly one"));
	ck_assert_int_eq(queue_decide(q, 1, &bad, &err), -1);
	ck_assert_ptr_nonnull(strstr(err.msg, "'c' is not a label"));
	ck_assert_int_eq(queue_decide(q, 1, &rej, &err), -1);
	decide(q, 1, "a");
	ck_assert_int_eq(queue_decide(q, 1, &two, &err), -1);
	two.nlabels = 1;
	ck_assert_int_eq(queue_decide(q, 1, &two, &err), -1);
	ck_assert_ptr_nonnull(strstr(err.msg, "already annotated"));
	ck_assert_int_eq(count("SELECT count(*) FROM annotations"), 1);
	queue_close(q);
	task_free(t);
}
END_TEST

/* K = 2: disagreement goes to review; the reviewer's answer is final. */
START_TEST(review_sets_final)
{
	struct task *t = mktask("t", TASK_SINGLE, "spam,ham", 2);
	struct queue *qa = qopen(st, t, "alice", QUEUE_SEQUENTIAL);
	struct queue *qb = qopen(st2, t, "bob", QUEUE_SEQUENTIAL);
	struct queue_opts o = QUEUE_OPTS_INIT;
	const char *ham[] = { "ham" };
	struct decision flag = { .labels = ham, .nlabels = 1, .flagged = 1,
				 .note = "unsure" }, d = { .labels = ham,
							    .nlabels = 1 };
	struct queue_item *it;
	struct queue *qr;
	int64_t doc;

	/* doc 1: agree; doc 2: disagree; doc 3: agree but flagged */
	ck_assert_int_eq(next(qa), 1);
	decide(qa, 1, "spam");
	ck_assert_int_eq(next(qb), 1);	/* alice started it: it comes first */
	decide(qb, 1, "spam");
	ck_assert_int_eq(next(qa), 2);
	decide(qa, 2, "spam");
	ck_assert_int_eq(next(qb), 2);
	decide(qb, 2, "ham");
	ck_assert_int_eq(next(qa), 3);
	ck_assert_int_eq(queue_decide(qa, 3, &flag, &err), 0);
	ck_assert_int_eq(next(qb), 3);
	decide(qb, 3, "ham");
	/* doc 3 agrees, but a flag holds its final label for the review */
	ck_assert_int_eq(count("SELECT count(*) FROM final_labels"), 1);
	ck_assert_int_eq(count("SELECT count(*) FROM final_labels WHERE doc = 1 "
			       "AND source = 'agree'"), 1);
	ck_assert_int_eq(count("SELECT count(*) FROM label_docs WHERE review"),
			 2);
	o.review = 1;
	ck_assert_int_eq(queue_open(&qr, st, t, "rita", &o, &err), 0);
	ck_assert_int_eq(queue_next(qr, &it, &err), 1);
	ck_assert_int_eq(it->doc, 2);
	ck_assert_uint_eq(it->nanswers, 2);
	ck_assert_str_eq(it->answers[0], "alice: spam");
	ck_assert_str_eq(it->answers[1], "bob: ham");
	ck_assert_int_eq(queue_decide(qr, 2, &d, &err), 0);
	ck_assert_int_eq(queue_next(qr, &it, &err), 1);
	ck_assert_int_eq(it->doc, 3);
	ck_assert_str_eq(it->answers[0], "alice: ham [flagged] (note: unsure)");
	ck_assert_int_eq(queue_decide(qr, 3, &d, &err), 0);
	ck_assert_int_eq(next(qr), 0);
	ck_assert_int_eq(count("SELECT count(*) FROM final_labels WHERE source "
			       "= 'review' AND labels = '[\"ham\"]'"), 2);
	ck_assert_int_eq(count("SELECT count(*) FROM label_docs WHERE review"),
			 0);
	/* undo of a review: back to no final label, back in the review queue */
	ck_assert_int_eq(queue_undo(qr, &doc, &err), 1);
	ck_assert_int_eq(doc, 3);
	ck_assert_int_eq(count("SELECT count(*) FROM final_labels WHERE doc = 3"),
			 0);
	ck_assert_int_eq(count("SELECT count(*) FROM label_docs WHERE review"),
			 1);
	queue_close(qr);
	queue_close(qa);
	queue_close(qb);
	task_free(t);
}
END_TEST

/* Quotes and SQL in names, labels and notes are data. */
START_TEST(text_is_verbatim)
{
	const char *who = "o'brien\"; DROP TABLE docs; --";
	const char *note = "it's \"fine\"'); DELETE FROM annotations; --";
	struct task *t = mktask("q'uote\"", TASK_SINGLE, "it's,\"x\"", 1);
	struct queue *q = qopen(st, t, who, QUEUE_SEQUENTIAL);
	const char *l[] = { "it's" };
	struct decision d = { .labels = l, .nlabels = 1, .note = note };
	sqlite3_stmt *s;

	ck_assert_str_eq(t->labels[1], "\"x\"");
	ck_assert_int_eq(next(q), 1);
	ck_assert_int_eq(queue_decide(q, 1, &d, &err), 0);
	ck_assert_int_eq(sqlite3_prepare_v2(st->db, "SELECT annotator, note, "
					    "labels FROM annotations", -1, &s,
					    NULL), SQLITE_OK);
	ck_assert_int_eq(sqlite3_step(s), SQLITE_ROW);
	ck_assert_str_eq((const char *)sqlite3_column_text(s, 0), who);
	ck_assert_str_eq((const char *)sqlite3_column_text(s, 1), note);
	ck_assert_str_eq((const char *)sqlite3_column_text(s, 2), "[\"it's\"]");
	sqlite3_finalize(s);
	ck_assert_int_eq(count("SELECT count(*) FROM docs"), NDOCS);
	queue_close(q);
	task_free(t);
}
END_TEST

/* Four processes at once on one store, overlap 2: no error reaches them
 * (SQLITE_BUSY is waited out), every document ends with exactly two
 * annotations from two different annotators, no lease is left.  A process
 * told "nothing now" polls queue_waiting() until nothing is held. */
START_TEST(processes_share_a_store)
{
	struct task *t = mktask("t", TASK_SINGLE, "a,b", 2);
	const char *who[4] = { "p0", "p1", "p2", "p3" };
	pid_t pid[4];
	int status;

	for (int i = 0; i < 4; i++) {
		pid[i] = fork();
		ck_assert_int_ge(pid[i], 0);
		if (pid[i] == 0) {
			struct store *s;
			struct queue *q;
			struct queue_opts o = QUEUE_OPTS_INIT;
			struct queue_item *it;
			const char *l[] = { i % 2 ? "a" : "b" };
			struct decision d = { .labels = l, .nlabels = 1 };
			int rc;

			o.strategy = i < 2 ? QUEUE_SEQUENTIAL : QUEUE_RANDOM;
			o.seed = (uint64_t)i;
			if (store_open(&s, dbpath, 0, &err) ||
			    queue_open(&q, s, t, who[i], &o, &err))
				_exit(10);
			for (;;) {
				long wait;

				rc = queue_next(q, &it, &err);
				if (rc == 1 && queue_decide(q, it->doc, &d, &err))
					_exit(11);
				if (rc == 1)
					continue;
				/* others hold documents this one may get */
				if (rc < 0 || queue_waiting(q, &wait, &err))
					_exit(12);
				if (!wait)
					break;
				usleep(1000);
			}
			queue_close(q);
			store_close(s);
			_exit(0);
		}
	}
	for (int i = 0; i < 4; i++) {
		ck_assert_int_eq(waitpid(pid[i], &status, 0), pid[i]);
		ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0,
			      "%s exited %d", who[i], WEXITSTATUS(status));
	}
	ck_assert_int_eq(count("SELECT count(*) FROM (SELECT doc FROM "
			       "annotations GROUP BY doc HAVING count(*) = 2 "
			       "AND count(DISTINCT annotator) = 2)"), NDOCS);
	ck_assert_int_eq(count("SELECT count(*) FROM annotations"), 2 * NDOCS);
	ck_assert_int_eq(count("SELECT count(*) FROM leases"), 0);
	ck_assert_int_eq(count("SELECT count(*) FROM label_docs WHERE n = 2"),
			 NDOCS);
	task_free(t);
}
END_TEST

/* Every query that picks a document walks an index: no table scan, no
 * sort (a temp B-tree) per document. */
START_TEST(plans_use_indexes)
{
	const char *sqls[QUEUE_DISAGREE + 2];

	sql("CREATE TEMP TABLE IF NOT EXISTS label_skip (session TEXT NOT NULL, "
	    "doc INTEGER NOT NULL, PRIMARY KEY (session, doc)) WITHOUT ROWID");
	for (int i = 0; i <= QUEUE_DISAGREE; i++)
		sqls[i] = pick_sql[i];
	sqls[QUEUE_DISAGREE + 1] = partial_sql;
	for (int i = 0; i <= QUEUE_DISAGREE + 1; i++) {
		char *q = sqlite3_mprintf("EXPLAIN QUERY PLAN %s", sqls[i]);
		sqlite3_stmt *s;

		ck_assert_int_eq(sqlite3_prepare_v2(st->db, q, -1, &s, NULL),
				 SQLITE_OK);
		while (sqlite3_step(s) == SQLITE_ROW) {
			const char *d = (const char *)sqlite3_column_text(s, 3);

			printf("plan %d: %s\n", i, d);
			ck_assert_msg(!strstr(d, "TEMP B-TREE"), "%d sorts: %s",
				      i, d);
			ck_assert_msg(strncmp(d, "SCAN ", 5) || strstr(d, "INDEX") ||
				      strstr(d, "json_each"), "%d scans: %s", i, d);
		}
		sqlite3_finalize(s);
		sqlite3_free(q);
	}
}
END_TEST

static Suite *queue_suite(void)
{
	Suite *s = suite_create("queue");
	TCase *tc = tcase_create("queue");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, task_create_validates);
	tcase_add_test(tc, sequential_leases_and_skip);
	tcase_add_test(tc, expired_lease_is_free);
	tcase_add_test(tc, overlap_two_three_annotators);
	tcase_add_test(tc, overlap_one_two_annotators);
	tcase_add_test(tc, random_order_is_seeded);
	tcase_add_test(tc, uncertain_flagged_dropped);
	tcase_add_test(tc, undo_walks_back);
	tcase_add_test(tc, decisions_are_checked);
	tcase_add_test(tc, review_sets_final);
	tcase_add_test(tc, text_is_verbatim);
	tcase_add_test(tc, plans_use_indexes);
	tcase_add_test(tc, processes_share_a_store);
	suite_add_tcase(s, tc);
	return s;
}

SL_CHECK_MAIN(queue_suite)
