/*
 * queue.c: the labelling queue (see queue.h for the contract).
 *
 * Picking the next document is one SQL query per strategy: the strategy's
 * order (an index walk from a cursor) plus the same eligibility test on
 * each candidate, all point lookups on primary keys:
 *
 *   not dropped       verdicts (doc, stage)        unless include_dropped
 *   not held          leases (task, doc)           by another live session
 *   not skipped       temp.label_skip (session, doc)
 *   fewer than K      label_docs (task, doc).n
 *   not mine already  annotations (task, doc, annotator)
 *
 * The cursor only moves forward, so documents already passed are not
 * looked at again; when the walk reaches the end it wraps once to pick up
 * documents whose leases expired behind it.  With K > 1, documents some
 * other annotator started (label_docs with 0 < n < K) come first.
 *
 * The random order walks a permutation of [0, 2^b) (b even, 2^b > the
 * largest rowid) made by a 4-round Feistel network keyed by the seed:
 * no table of positions, the same order for the same seed, and each step
 * is one point lookup.  Values beyond the largest rowid are skipped.
 *
 * Picking and leasing happen in one BEGIN IMMEDIATE transaction, so two
 * sessions cannot lease the same document; the scan is short (an index
 * walk), so holding the write lock for it costs the others little.
 */
#include <math.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>
#include <zstd.h>

#include "queue.h"
#include "answer.h"
#include "final.h"
#include "task.h"
#include "../lib/buf.h"
#include "../lib/clock.h"
#include "../lib/err.h"
#include "../lib/hash.h"
#include "../store/db.h"
#include "../store/docs.h"
#include "../lib/banned.h"

#define MAX_ANSWERS 64

/* The eligibility test on the document column X (see the top). */
#define ELIG_FREE(X)                                                         \
	" AND (:incl OR NOT EXISTS (SELECT 1 FROM verdicts vd WHERE vd.doc = " \
	X " AND vd.decision = 'drop'))"                                        \
	" AND NOT EXISTS (SELECT 1 FROM leases l WHERE l.task = :task AND "    \
	"l.doc = " X " AND l.session <> :sess AND l.expires > :now)"           \
	" AND NOT EXISTS (SELECT 1 FROM temp.label_skip k WHERE k.session = "  \
	":sess AND k.doc = " X ")"
#define ELIG_MINE(X)                                                         \
	" AND NOT EXISTS (SELECT 1 FROM annotations a WHERE a.task = :task "   \
	"AND a.doc = " X " AND a.annotator = :me)"
#define ELIG(X)                                                              \
	ELIG_FREE(X) ELIG_MINE(X)                                              \
	" AND coalesce((SELECT ld.n FROM label_docs ld WHERE ld.task = :task " \
	"AND ld.doc = " X "), 0) < :k"

/* |score - threshold|, exactly as in the verdicts_uncertain index. */
#define UDIST "abs(v.score - coalesce(CASE WHEN json_valid(v.detail) THEN " \
	"json_extract(v.detail, '$.threshold') END, 0.5))"

static const char *const pick_sql[] = {
	[QUEUE_SEQUENTIAL] = "SELECT d.rowid, 0 FROM docs d WHERE d.rowid > "
		":cur" ELIG("d.rowid") " ORDER BY d.rowid LIMIT 1",
	[QUEUE_RANDOM] = "SELECT d.rowid, 0 FROM docs d WHERE d.rowid = :cur"
		ELIG("d.rowid"),
	/* INDEXED BY: SQLite's planner would rather sort the classify rows
	 * found through verdicts_stage (hundreds of ms on 1M documents); and
	 * the keyset condition is written without a row value so that the
	 * index is entered by a range seek, not scanned from its start */
	[QUEUE_UNCERTAIN] = "SELECT v.doc, " UDIST " FROM verdicts v INDEXED BY "
		"verdicts_uncertain WHERE v.stage = 'classify' AND " UDIST
		" >= :dist AND (" UDIST " > :dist OR "
		"v.doc > :cur)" ELIG("v.doc") " ORDER BY " UDIST ", v.doc "
		"LIMIT 1",
	[QUEUE_FLAGGED] = "SELECT v.doc, 0 FROM verdicts v WHERE v.decision = "
		"'flag' AND v.doc > :cur" ELIG("v.doc") " ORDER BY v.doc "
		"LIMIT 1",
	[QUEUE_DISAGREE] = "SELECT ld.doc, 0 FROM label_docs ld INDEXED BY "
		"label_docs_review WHERE ld.task "
		"= :task AND ld.review = 1 AND ld.doc > :cur" ELIG_FREE("ld.doc")
		" ORDER BY ld.doc LIMIT 1",
};

/* K > 1: documents others started with :n annotations (the caller goes
 * from K - 1 down, so the fullest come first). */
static const char partial_sql[] = "SELECT ld.doc, 0 FROM label_docs ld "
	"WHERE ld.task = :task AND ld.n = :n" ELIG_FREE("ld.doc")
	ELIG_MINE("ld.doc") " ORDER BY ld.doc LIMIT 1";

struct queue {
	struct store *st;
	const struct task *t;
	char *annotator;
	char session[33];
	struct queue_opts o;
	enum queue_strategy strategy;
	double lease;

	sqlite3_stmt *pick, *partial;
	int64_t cur;		/* last rowid offered (ordered walks) */
	double dist;		/* uncertain: distance of cur */
	uint64_t rpos, rsize;	/* random: position, 2^b */
	int rhalf;		/* random: b / 2 */
	int64_t rmax;		/* random: the largest rowid at open */

	int64_t held;		/* document leased to this session, or 0 */
	struct undone {		/* stack of undone decisions, to show again */
		int64_t doc;
		char *answer, *labels;
	} *undone;
	size_t nundone, aundone;
	char *prev_answer;	/* the shown item's undone answer, or NULL */
	char **prev_labels;
	size_t nprev_labels;

	long total, mine_session;

	/* the current item and the memory its pointers point into */
	struct queue_item item;
	ZSTD_DCtx *dctx;
	struct buf text, verdicts;
	char *strs[5];		/* id, url, source, lang, suggest */
	char *answers[MAX_ANSWERS];
	size_t nanswers;
	struct buf json;	/* scratch: canonical labels */
};

static const char *const strategy_names[] = {
	"sequential", "random", "uncertain", "flagged", "disagree",
};

const char *queue_strategy_name(enum queue_strategy s)
{
	return (unsigned)s <= QUEUE_DISAGREE ? strategy_names[s] : "?";
}

int queue_strategy_parse(const char *s, enum queue_strategy *out,
			 struct sl_err *err)
{
	for (int i = 0; i <= QUEUE_DISAGREE; i++)
		if (!strcmp(s, strategy_names[i])) {
			*out = (enum queue_strategy)i;
			return 0;
		}
	return sl_error(err, "unknown queue strategy '%s' (sequential, random, "
			"uncertain, flagged, disagree)", s);
}

const char *queue_session(const struct queue *q)
{
	return q->session;
}

static double now_unix(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* BEGIN IMMEDIATE; the busy timeout waits out other writers, and a busy
 * that still gets through (a checkpoint, recovery) is retried here so it
 * never reaches the annotator. */
static int tx_begin(struct queue *q, struct sl_err *err)
{
	for (int i = 0;; i++) {
		int ec;

		if (!store_begin(q->st, err))
			return 0;
		ec = sqlite3_errcode(q->st->db) & 0xff;
		if ((ec != SQLITE_BUSY && ec != SQLITE_LOCKED) || i >= 50)
			return -1;
		usleep(20000);
	}
}

static int tx_fail(struct queue *q)
{
	store_rollback(q->st);
	return -1;
}

static void bind_named_int(sqlite3_stmt *s, const char *name, int64_t v)
{
	int i = sqlite3_bind_parameter_index(s, name);

	if (i)
		sqlite3_bind_int64(s, i, v);
}

static void bind_named_double(sqlite3_stmt *s, const char *name, double v)
{
	int i = sqlite3_bind_parameter_index(s, name);

	if (i)
		sqlite3_bind_double(s, i, v);
}

static void bind_named_text(sqlite3_stmt *s, const char *name, const char *v)
{
	int i = sqlite3_bind_parameter_index(s, name);

	if (i)
		sqlite3_bind_text(s, i, v, -1, SQLITE_STATIC);
}

/* The parameters every pick query shares. */
static void bind_common(struct queue *q, sqlite3_stmt *s)
{
	sqlite3_reset(s);
	bind_named_int(s, ":incl", q->o.include_dropped ? 1 : 0);
	bind_named_int(s, ":task", q->t->id);
	bind_named_int(s, ":k", q->t->overlap);
	bind_named_text(s, ":sess", q->session);
	bind_named_text(s, ":me", q->annotator);
	bind_named_double(s, ":now", now_unix());
}

/* Step a pick query: 1 with *doc, 0 none, -1 error. */
static int step_pick(struct queue *q, sqlite3_stmt *s, int64_t *doc,
		     double *dist, struct sl_err *err)
{
	int rc = sqlite3_step(s);

	if (rc == SQLITE_ROW) {
		*doc = sqlite3_column_int64(s, 0);
		if (dist)
			*dist = sqlite3_column_double(s, 1);
		sqlite3_reset(s);
		return 1;
	}
	sqlite3_reset(s);
	return rc == SQLITE_DONE ? 0 : store_fail(q->st, err,
						  "cannot pick a document");
}

/* The Feistel permutation of [0, rsize) for the random order. */
static uint64_t permute(const struct queue *q, uint64_t x)
{
	uint64_t mask = (1ull << q->rhalf) - 1, l = x >> q->rhalf, r = x & mask;

	for (int round = 0; round < 4; round++) {
		uint64_t f = hash64_seed(&r, sizeof(r), q->o.seed + round) & mask;
		uint64_t nl = r;

		r = l ^ f;
		l = nl;
	}
	return (l << q->rhalf) | r;
}

static int pick_random(struct queue *q, int64_t *doc, struct sl_err *err)
{
	for (int pass = 0; pass < 2; pass++) {
		for (; q->rpos < q->rsize; q->rpos++) {
			uint64_t x = permute(q, q->rpos);
			int rc;

			if (x == 0 || x > (uint64_t)q->rmax)
				continue;
			bind_common(q, q->pick);
			bind_named_int(q->pick, ":cur", (int64_t)x);
			rc = step_pick(q, q->pick, doc, NULL, err);
			if (rc)
				return rc;
		}
		q->rpos = 0;
	}
	return 0;
}

/* The ordered walks: from the cursor, then once more from the start. */
static int pick_ordered(struct queue *q, int64_t *doc, struct sl_err *err)
{
	for (int pass = 0; pass < 2; pass++) {
		double dist = 0;
		int rc;

		bind_common(q, q->pick);
		bind_named_int(q->pick, ":cur", q->cur);
		bind_named_double(q->pick, ":dist", q->dist);
		rc = step_pick(q, q->pick, doc, &dist, err);
		if (rc < 0)
			return rc;
		if (rc) {
			q->cur = *doc;
			q->dist = dist;
			return 1;
		}
		if (q->cur == 0 && q->dist < 0)
			return 0;
		q->cur = 0;
		q->dist = -1;
	}
	return 0;
}

static int pick(struct queue *q, int64_t *doc, struct sl_err *err)
{
	for (int n = q->t->overlap - 1; q->partial && n > 0; n--) {
		int rc;

		bind_common(q, q->partial);
		bind_named_int(q->partial, ":n", n);
		rc = step_pick(q, q->partial, doc, NULL, err);
		if (rc)
			return rc;
	}
	if (q->strategy == QUEUE_RANDOM)
		return pick_random(q, doc, err);
	return pick_ordered(q, doc, err);
}

/* Run a write statement whose parameters are all named from bind_common
 * plus :doc and :exp. */
static int run_named(struct queue *q, const char *sql, int64_t doc,
		     struct sl_err *err)
{
	sqlite3_stmt *s;
	int rc;

	if (store_prepare(q->st, &s, sql, err))
		return -1;
	bind_common(q, s);
	bind_named_int(s, ":doc", doc);
	bind_named_double(s, ":exp", now_unix() + q->lease);
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? 0 : store_fail(q->st, err,
						  "cannot update the queue");
}

static int lease_release(struct queue *q, struct sl_err *err)
{
	q->held = 0;
	return run_named(q, "DELETE FROM leases WHERE session = :sess", 0, err);
}

/* Lease doc to this session (it holds one document at a time). */
static int lease_take(struct queue *q, int64_t doc, struct sl_err *err)
{
	if (lease_release(q, err) ||
	    run_named(q, "INSERT OR REPLACE INTO leases (task, doc, annotator, "
		      "session, expires) VALUES (:task, :doc, :me, :sess, "
		      ":exp)", doc, err))
		return -1;
	q->held = doc;
	return 0;
}

/* A count(*) with the common parameters and :doc. */
static long count_doc(struct queue *q, const char *sql, int64_t doc,
		      struct sl_err *err)
{
	sqlite3_stmt *s;
	long n = -1;

	if (store_prepare(q->st, &s, sql, err))
		return -1;
	bind_common(q, s);
	bind_named_int(s, ":doc", doc);
	if (sqlite3_step(s) == SQLITE_ROW)
		n = (long)sqlite3_column_int64(s, 0);
	else
		store_fail(q->st, err, "cannot count documents");
	sqlite3_finalize(s);
	return n;
}

static long count_query(struct queue *q, const char *sql, struct sl_err *err)
{
	return count_doc(q, sql, 0, err);
}

/* What the strategy can offer, counted once at open. */
static long count_total(struct queue *q, struct sl_err *err)
{
	long n, dropped = 0;

	switch (q->strategy) {
	case QUEUE_UNCERTAIN:
		/* the partial index holds the classify rows: counting it
		 * reads no table row (0.1 s on 1M documents; a test of the
		 * score would read every row: 19 s cold).  A classify row
		 * without a score, never offered, is counted. */
		return count_query(q, "SELECT count(*) FROM verdicts v INDEXED "
				   "BY verdicts_uncertain WHERE v.stage = "
				   "'classify'", err);
	case QUEUE_FLAGGED:
		return count_query(q, "SELECT count(DISTINCT doc) FROM verdicts "
				   "WHERE decision = 'flag'", err);
	case QUEUE_DISAGREE:
		return count_query(q, "SELECT (SELECT count(*) FROM label_docs "
				   "WHERE task = :task AND review = 1) + (SELECT "
				   "count(DISTINCT doc) FROM reviews WHERE task "
				   "= :task)", err);
	default:
		n = count_query(q, "SELECT count(*) FROM docs", err);
		if (n >= 0 && !q->o.include_dropped)
			dropped = count_query(q, "SELECT count(DISTINCT doc) "
					      "FROM verdicts WHERE decision = "
					      "'drop'", err);
		return n < 0 || dropped < 0 ? -1 : n - dropped;
	}
}

static int random_setup(struct queue *q, struct sl_err *err)
{
	long max = count_query(q, "SELECT coalesce(max(rowid), 0) FROM docs",
			       err);
	int bits = 2;

	if (max < 0)
		return -1;
	q->rmax = max;
	while (bits < 62 && (1ull << bits) <= (uint64_t)max)
		bits += 2;
	q->rhalf = bits / 2;
	q->rsize = 1ull << bits;
	return 0;
}

static int session_id(char out[33])
{
	uint8_t r[16];

	if (getrandom(r, sizeof(r), 0) != (ssize_t)sizeof(r)) {
		/* no entropy source: the pid and clocks still make it unique */
		uint64_t a = (uint64_t)getpid() * 0x9e3779b97f4a7c15ull;
		double m = clock_mono(), w = now_unix();

		a ^= hash64(&m, sizeof(m)) ^ hash64(&w, sizeof(w));
		memcpy(r, &a, 8);
		memcpy(r + 8, &m, 8);
	}
	hash_hex(r, sizeof(r), out);
	return 0;
}

int queue_open(struct queue **out, struct store *st, const struct task *t,
	       const char *annotator, const struct queue_opts *o,
	       struct sl_err *err)
{
	struct queue *q;

	*out = NULL;
	if (!annotator || !*annotator)
		return sl_error(err, "empty annotator name");
	q = calloc(1, sizeof(*q));
	if (!q || !(q->annotator = strdup(annotator)) ||
	    !(q->dctx = ZSTD_createDCtx())) {
		queue_close(q);
		return sl_error(err, "out of memory");
	}
	q->st = st;
	q->t = t;
	q->o = *o;
	q->strategy = o->review ? QUEUE_DISAGREE : o->strategy;
	q->o.review = q->strategy == QUEUE_DISAGREE;
	q->lease = o->lease_seconds > 0 ? o->lease_seconds : QUEUE_LEASE_DEFAULT;
	q->dist = -1;
	buf_init(&q->text, 0);
	buf_init(&q->verdicts, 0);
	buf_init(&q->json, 0);
	session_id(q->session);
	if ((unsigned)q->strategy > QUEUE_DISAGREE) {
		queue_close(q);
		return sl_error(err, "bad queue strategy");
	}
	if (store_exec(st, "CREATE TEMP TABLE IF NOT EXISTS label_skip ("
		       "session TEXT NOT NULL, doc INTEGER NOT NULL, "
		       "PRIMARY KEY (session, doc)) WITHOUT ROWID", err) ||
	    store_prepare(st, &q->pick, pick_sql[q->strategy], err) ||
	    (!q->o.review && t->overlap > 1 &&
	     store_prepare(st, &q->partial, partial_sql, err)) ||
	    (q->strategy == QUEUE_RANDOM && random_setup(q, err)) ||
	    (q->total = count_total(q, err)) < 0) {
		queue_close(q);
		return -1;
	}
	*out = q;
	return 0;
}

static void item_clear(struct queue *q)
{
	for (size_t i = 0; i < 5; i++) {
		free(q->strs[i]);
		q->strs[i] = NULL;
	}
	for (size_t i = 0; i < q->nanswers; i++)
		free(q->answers[i]);
	q->nanswers = 0;
	memset(&q->item, 0, sizeof(q->item));
}

static char *col_dup(sqlite3_stmt *s, int i)
{
	const char *v = (const char *)sqlite3_column_text(s, i);

	return v ? strdup(v) : NULL;
}

/* Text and identity of the document. */
static int load_doc(struct queue *q, int64_t doc, struct sl_err *err)
{
	sqlite3_stmt *s;
	int rc;

	if (store_prepare(q->st, &s, "SELECT d.id, d.url, d.source, d.lang, "
			  "coalesce(t.text, d.text), coalesce(t.nbytes, "
			  "d.nbytes) FROM docs d LEFT JOIN texts t ON t.doc = "
			  "d.rowid WHERE d.rowid = ?1", err))
		return -1;
	sqlite3_bind_int64(s, 1, doc);
	rc = sqlite3_step(s);
	if (rc != SQLITE_ROW) {
		sqlite3_finalize(s);
		return rc == SQLITE_DONE ?
		       sl_error(err, "document %lld is gone", (long long)doc) :
		       store_fail(q->st, err, "cannot read a document");
	}
	for (int i = 0; i < 4; i++)
		q->strs[i] = col_dup(s, i);
	rc = docs_unpack(q->dctx, sqlite3_column_blob(s, 4),
			 (size_t)sqlite3_column_bytes(s, 4),
			 (size_t)sqlite3_column_int64(s, 5), &q->text, err);
	sqlite3_finalize(s);
	return rc;
}

/* "lang=keep quality=drop(c4_curly)"; the classify stage's suggestion. */
static int load_verdicts(struct queue *q, int64_t doc, struct sl_err *err)
{
	sqlite3_stmt *s;
	int rc;

	buf_reset(&q->verdicts);
	buf_adds(&q->verdicts, "");
	q->item.score = NAN;
	if (store_prepare(q->st, &s, "SELECT stage, decision, reason, score, "
			  "detail FROM verdicts WHERE doc = ?1 ORDER BY stage",
			  err))
		return -1;
	sqlite3_bind_int64(s, 1, doc);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		const char *stage = (const char *)sqlite3_column_text(s, 0);
		const char *reason = (const char *)sqlite3_column_text(s, 2);

		buf_addf(&q->verdicts, "%s%s=%s", q->verdicts.len ? " " : "",
			 stage, (const char *)sqlite3_column_text(s, 1));
		if (reason && *reason)
			buf_addf(&q->verdicts, "(%s)", reason);
		if (!strcmp(stage, "classify") &&
		    sqlite3_column_type(s, 3) != SQLITE_NULL) {
			const char *detail = (const char *)sqlite3_column_text(s, 4);
			json_t *j = detail ? json_loads(detail, 0, NULL) : NULL;
			const char *sug = json_string_value(json_object_get(j, "suggest"));

			q->item.score = sqlite3_column_double(s, 3);
			if (sug)
				q->strs[4] = strdup(sug);
			json_decref(j);
		}
	}
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? 0 : store_fail(q->st, err,
						  "cannot read verdicts");
}

/* "alice: toxic" for the labels of an answer, as a reviewer reads it. */
static void answer_text(struct buf *b, const struct task *t, const char *answer,
			const char *labels_json)
{
	char **labels;
	size_t n;

	if (t->kind == TASK_BINARY || strcmp(answer, "accept")) {
		buf_adds(b, answer);
		return;
	}
	if (answer_labels_parse(labels_json, &labels, &n, NULL)) {
		buf_adds(b, "?");
		return;
	}
	for (size_t i = 0; i < n; i++)
		buf_addf(b, "%s%s", i ? ", " : "", labels[i]);
	if (!n)
		buf_adds(b, "(none)");
	task_labels_free(labels, n);
}

static int load_answers(struct queue *q, int64_t doc, struct sl_err *err)
{
	sqlite3_stmt *s;
	struct buf b;
	int rc;

	if (store_prepare(q->st, &s, "SELECT annotator, answer, labels, note, "
			  "flagged FROM annotations WHERE task = ?1 AND doc = ?2 "
			  "ORDER BY rowid", err))
		return -1;
	sqlite3_bind_int64(s, 1, q->t->id);
	sqlite3_bind_int64(s, 2, doc);
	buf_init(&b, 0);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW && q->nanswers < MAX_ANSWERS) {
		const char *note = (const char *)sqlite3_column_text(s, 3);

		buf_reset(&b);
		buf_addf(&b, "%s: ", (const char *)sqlite3_column_text(s, 0));
		answer_text(&b, q->t, (const char *)sqlite3_column_text(s, 1),
			    (const char *)sqlite3_column_text(s, 2));
		if (sqlite3_column_int(s, 4))
			buf_adds(&b, " [flagged]");
		if (note && *note)
			buf_addf(&b, " (note: %s)", note);
		q->answers[q->nanswers++] = buf_detach(&b, NULL);
	}
	buf_release(&b);
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		return store_fail(q->st, err, "cannot read annotations");
	return 0;
}

static int load_item(struct queue *q, int64_t doc, struct sl_err *err)
{
	struct queue_item *it = &q->item;

	item_clear(q);
	if (load_doc(q, doc, err) || load_verdicts(q, doc, err) ||
	    (q->o.review && load_answers(q, doc, err)))
		return -1;
	it->doc = doc;
	it->id = q->strs[0];
	it->url = q->strs[1];
	it->source = q->strs[2];
	it->lang = q->strs[3];
	it->suggest = q->strs[4];
	it->text = q->text.data ? q->text.data : "";
	it->len = q->text.len;
	it->verdicts = q->verdicts.data ? q->verdicts.data : "";
	it->answers = (const char *const *)q->answers;
	it->nanswers = q->nanswers;
	if (q->prev_answer) {
		it->prev_answer = q->prev_answer;
		it->prev_labels = (const char *const *)q->prev_labels;
		it->nprev_labels = q->nprev_labels;
	}
	return 0;
}

static void prev_clear(struct queue *q)
{
	free(q->prev_answer);
	task_labels_free(q->prev_labels, q->nprev_labels);
	q->prev_answer = NULL;
	q->prev_labels = NULL;
	q->nprev_labels = 0;
}

static void undone_pop(struct queue *q, struct undone *u)
{
	*u = q->undone[--q->nundone];
}

static void undone_free(struct undone *u)
{
	free(u->answer);
	free(u->labels);
}

static int doc_state(struct queue *q, int64_t doc, long *mine, long *n,
		     long *held, struct sl_err *err);

/* Lease the undone document u again when it is still free for this
 * annotator: 1 leased, 0 not free (someone else took it meanwhile). */
static int undone_take(struct queue *q, const struct undone *u,
		       struct sl_err *err)
{
	long mine, n, held;
	int ok;

	if (tx_begin(q, err))
		return -1;
	if (doc_state(q, u->doc, &mine, &n, &held, err))
		return tx_fail(q);
	ok = !held && (q->o.review || (!mine && n < q->t->overlap));
	if (ok && lease_take(q, u->doc, err))
		return tx_fail(q);
	if (store_commit(q->st, err))
		return -1;
	if (ok) {
		q->prev_answer = u->answer;
		if (answer_labels_parse(u->labels, &q->prev_labels,
					&q->nprev_labels, err)) {
			q->prev_answer = NULL;
			free(u->answer);
			return -1;
		}
		free(u->labels);
		return 1;
	}
	return 0;
}

/* Pop undone documents until one can be shown again: 1 with *doc. */
static int next_undone(struct queue *q, int64_t *doc, struct sl_err *err)
{
	while (q->nundone) {
		struct undone u;
		int rc;

		undone_pop(q, &u);
		rc = undone_take(q, &u, err);
		if (rc == 1) {
			*doc = u.doc;
			return 1;
		}
		if (rc == 0)
			undone_free(&u);
		if (rc < 0)
			return -1;
	}
	return 0;
}

int queue_next(struct queue *q, struct queue_item **item, struct sl_err *err)
{
	int64_t doc = 0;
	int rc;

	*item = NULL;
	prev_clear(q);
	rc = next_undone(q, &doc, err);
	if (rc < 0)
		return -1;
	if (rc == 0) {
		if (tx_begin(q, err))
			return -1;
		rc = pick(q, &doc, err);
		if (rc < 0 || (rc == 0 && lease_release(q, err)) ||
		    (rc == 1 && lease_take(q, doc, err)))
			return tx_fail(q);
		if (store_commit(q->st, err))
			return -1;
		if (rc == 0)
			return 0;
	}
	if (load_item(q, doc, err))
		return -1;
	*item = &q->item;
	return 1;
}

/* What stands between this annotator and doc: their own annotation, the
 * number of annotations, a live lease of another session. */
static int doc_state(struct queue *q, int64_t doc, long *mine, long *n,
		     long *held, struct sl_err *err)
{
	*mine = count_doc(q, "SELECT count(*) FROM annotations WHERE task = "
			  ":task AND doc = :doc AND annotator = :me", doc, err);
	*n = count_doc(q, "SELECT coalesce((SELECT n FROM label_docs WHERE "
		       "task = :task AND doc = :doc), 0)", doc, err);
	*held = count_doc(q, "SELECT count(*) FROM leases WHERE task = :task "
			  "AND doc = :doc AND session <> :sess AND expires > "
			  ":now", doc, err);
	return *mine < 0 || *n < 0 || *held < 0 ? -1 : 0;
}

/* Preconditions of a decision, inside its transaction: not annotated by
 * this annotator yet, fewer than K annotations, not held by another live
 * session (this session's lease may have expired meanwhile: fine as long
 * as nobody else took the document). */
static int decide_check(struct queue *q, int64_t doc, struct sl_err *err)
{
	long mine, n, held;

	if (doc_state(q, doc, &mine, &n, &held, err))
		return -1;
	if (held)
		return sl_error(err, "document %lld is held by another session",
				(long long)doc);
	if (q->o.review)
		return 0;
	if (mine)
		return sl_error(err, "'%s' has already annotated document %lld",
				q->annotator, (long long)doc);
	if (n >= q->t->overlap)
		return sl_error(err, "document %lld already has its %d "
				"annotations", (long long)doc, q->t->overlap);
	return 0;
}

/* Forget doc from the undone stack (it was decided or skipped). */
static void undone_drop(struct queue *q, int64_t doc)
{
	size_t j = 0;

	for (size_t i = 0; i < q->nundone; i++) {
		if (q->undone[i].doc == doc)
			undone_free(&q->undone[i]);
		else
			q->undone[j++] = q->undone[i];
	}
	q->nundone = j;
}

static int insert_decision(struct queue *q, int64_t doc, const char *answer,
			   const struct decision *d, struct sl_err *err)
{
	char now[CLOCK_ISO_LEN];
	sqlite3_stmt *s;
	int rc;

	if (store_prepare(q->st, &s, q->o.review ?
			  "INSERT INTO reviews (task, doc, reviewer, answer, "
			  "labels, note, seconds, at, session) VALUES (?1, ?2, "
			  "?3, ?4, ?5, ?6, ?8, ?9, ?10)" :
			  "INSERT INTO annotations (task, doc, annotator, answer, "
			  "labels, note, flagged, seconds, at, session) VALUES "
			  "(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)", err))
		return -1;
	sqlite3_bind_int64(s, 1, q->t->id);
	sqlite3_bind_int64(s, 2, doc);
	sqlite3_bind_text(s, 3, q->annotator, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 4, answer, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 5, q->json.data, (int)q->json.len, SQLITE_STATIC);
	if (d->note && *d->note)
		sqlite3_bind_text(s, 6, d->note, -1, SQLITE_STATIC);
	if (!q->o.review)
		sqlite3_bind_int(s, 7, d->flagged ? 1 : 0);
	sqlite3_bind_double(s, 8, d->seconds > 0 ? d->seconds : 0);
	sqlite3_bind_text(s, 9, clock_iso_now(now), -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 10, q->session, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? 0 : store_fail(q->st, err,
						  "cannot record the decision");
}

int queue_decide(struct queue *q, int64_t doc, const struct decision *d,
		 struct sl_err *err)
{
	const char *answer;

	if (answer_build(q->t, d->answer, d->labels, d->nlabels, &answer,
			 &q->json, err))
		return -1;
	if (tx_begin(q, err))
		return -1;
	if (decide_check(q, doc, err) ||
	    insert_decision(q, doc, answer, d, err) ||
	    final_refresh(q->st, q->t, doc, err) ||
	    run_named(q, "DELETE FROM leases WHERE task = :task AND doc = :doc "
		      "AND session = :sess", doc, err))
		return tx_fail(q);
	if (store_commit(q->st, err))
		return -1;
	if (q->held == doc)
		q->held = 0;
	undone_drop(q, doc);
	q->mine_session++;
	return 0;
}

/* This session's newest decision: 1 with its rowid and u (doc, answer,
 * labels; malloc'd), 0 none. */
static int last_decision(struct queue *q, int64_t *rowid, struct undone *u,
			 struct sl_err *err)
{
	sqlite3_stmt *s;
	int rc;

	if (store_prepare(q->st, &s, q->o.review ?
			  "SELECT rowid, doc, answer, labels FROM reviews WHERE "
			  "session = ?1 ORDER BY rowid DESC LIMIT 1" :
			  "SELECT rowid, doc, answer, labels FROM annotations "
			  "WHERE session = ?1 ORDER BY rowid DESC LIMIT 1", err))
		return -1;
	sqlite3_bind_text(s, 1, q->session, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		*rowid = sqlite3_column_int64(s, 0);
		u->doc = sqlite3_column_int64(s, 1);
		u->answer = col_dup(s, 2);
		u->labels = col_dup(s, 3);
	}
	sqlite3_finalize(s);
	if (rc == SQLITE_ROW)
		return u->answer && u->labels ? 1 :
		       sl_error(err, "out of memory");
	return rc == SQLITE_DONE ? 0 : store_fail(q->st, err,
						  "cannot read the decisions");
}

static int undone_push(struct queue *q, const struct undone *u,
		       struct sl_err *err)
{
	if (q->nundone == q->aundone) {
		size_t na = q->aundone ? 2 * q->aundone : 16;
		struct undone *nv = realloc(q->undone, na * sizeof(*nv));

		if (!nv)
			return sl_error(err, "out of memory");
		q->undone = nv;
		q->aundone = na;
	}
	q->undone[q->nundone++] = *u;
	return 0;
}

int queue_undo(struct queue *q, int64_t *doc, struct sl_err *err)
{
	struct undone u = { 0 };
	int64_t rowid = 0;
	int rc;

	*doc = 0;
	if (tx_begin(q, err))
		return -1;
	rc = last_decision(q, &rowid, &u, err);
	if (rc <= 0) {
		undone_free(&u);
		store_rollback(q->st);
		return rc;
	}
	if (run_named(q, q->o.review ? "DELETE FROM reviews WHERE rowid = :doc" :
		      "DELETE FROM annotations WHERE rowid = :doc", rowid, err) ||
	    final_refresh(q->st, q->t, u.doc, err) ||
	    lease_take(q, u.doc, err) ||
	    run_named(q, "DELETE FROM temp.label_skip WHERE session = :sess "
		      "AND doc = :doc", u.doc, err)) {
		undone_free(&u);
		return tx_fail(q);
	}
	if (store_commit(q->st, err) || undone_push(q, &u, err)) {
		undone_free(&u);
		return -1;
	}
	*doc = u.doc;
	q->mine_session--;
	return 1;
}

int queue_skip(struct queue *q, int64_t doc, struct sl_err *err)
{
	if (tx_begin(q, err))
		return -1;
	if (run_named(q, "INSERT OR IGNORE INTO temp.label_skip (session, doc) "
		      "VALUES (:sess, :doc)", doc, err) ||
	    run_named(q, "DELETE FROM leases WHERE task = :task AND doc = :doc "
		      "AND session = :sess", doc, err))
		return tx_fail(q);
	if (store_commit(q->st, err))
		return -1;
	if (q->held == doc)
		q->held = 0;
	undone_drop(q, doc);
	return 0;
}

int queue_renew(struct queue *q, struct sl_err *err)
{
	if (!q->held)
		return 0;
	if (tx_begin(q, err))
		return -1;
	if (run_named(q, "UPDATE leases SET expires = :exp WHERE session = "
		      ":sess", 0, err))
		return tx_fail(q);
	return store_commit(q->st, err);
}

int queue_progress(struct queue *q, struct queue_progress *p,
		   struct sl_err *err)
{
	p->total = q->total;
	p->mine_session = q->mine_session;
	if (q->o.review) {
		p->done = count_query(q, "SELECT count(DISTINCT doc) FROM reviews "
				      "WHERE task = :task", err);
		p->mine_total = count_query(q, "SELECT count(*) FROM reviews "
					    "WHERE task = :task AND reviewer = "
					    ":me", err);
	} else {
		p->done = count_query(q, "SELECT count(*) FROM label_docs WHERE "
				      "task = :task AND n >= :k", err);
		p->mine_total = count_query(q, "SELECT count(*) FROM annotations "
					    "WHERE task = :task AND annotator = "
					    ":me", err);
	}
	return p->done < 0 || p->mine_total < 0 ? -1 : 0;
}

int queue_waiting(struct queue *q, long *n, struct sl_err *err)
{
	*n = count_query(q, q->o.review ?
			 "SELECT count(*) FROM leases l WHERE l.task = :task AND "
			 "l.session <> :sess AND l.expires > :now AND EXISTS ("
			 "SELECT 1 FROM label_docs ld WHERE ld.task = :task AND "
			 "ld.doc = l.doc AND ld.review = 1)" :
			 "SELECT count(*) FROM leases l WHERE l.task = :task AND "
			 "l.session <> :sess AND l.expires > :now" ELIG_MINE("l.doc")
			 " AND coalesce((SELECT ld.n FROM label_docs ld WHERE "
			 "ld.task = :task AND ld.doc = l.doc), 0) < :k", err);
	return *n < 0 ? -1 : 0;
}

void queue_close(struct queue *q)
{
	if (!q)
		return;
	if (q->st && q->session[0]) {
		/* best effort: an unreleased lease expires anyway */
		if (!tx_begin(q, NULL)) {
			if (lease_release(q, NULL) ||
			    run_named(q, "DELETE FROM temp.label_skip WHERE "
				      "session = :sess", 0, NULL))
				store_rollback(q->st);
			else
				store_commit(q->st, NULL);
		}
	}
	sqlite3_finalize(q->pick);
	sqlite3_finalize(q->partial);
	item_clear(q);
	prev_clear(q);
	while (q->nundone)
		undone_free(&q->undone[--q->nundone]);
	free(q->undone);
	buf_release(&q->text);
	buf_release(&q->verdicts);
	buf_release(&q->json);
	ZSTD_freeDCtx(q->dctx);
	free(q->annotator);
	free(q);
}
