/*
 * runner.c: the stage runner (see runner.h for the contract).
 *
 *   for each stage s in the pipeline:
 *     [reset if redo / new version]
 *     loop: SELECT next batch (rowid > last, no verdict of s at version,
 *                              not dropped by an earlier stage, in shard)
 *           workers: decompress, s->apply()
 *           writer:  BEGIN IMMEDIATE; s->decide(); INSERT verdicts,
 *                    texts, lang; COMMIT
 */
#include "runner.h"

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zstd.h>

#include "../store/db.h"
#include "../store/docs.h"
#include "../lib/buf.h"
#include "../lib/clock.h"
#include "../lib/err.h"
#include "../lib/hash.h"
#include "../lib/utf8.h"
#include "../lib/banned.h"

#define DEFAULT_BATCH 512

/* One document of a batch, from the SELECT to the verdict. */
struct job {
	int64_t rowid;
	struct buf meta;	/* id \0 url \0 source \0 lang \0 */
	size_t url_off, source_off, lang_off;
	int has_url, has_lang;
	struct buf z;		/* compressed text as stored */
	size_t nbytes;
	struct buf text;	/* decompressed */
	struct stage_doc doc;
	struct stage_out out;
	int same;		/* the stage "rewrote" the text to itself */
	struct doc_in packed;	/* the rewrite measured and compressed by */
	struct buf zout;	/* the worker (stages without decide()) */
	int is_packed;
	int failed;
	struct sl_err err;
};

struct batch {
	struct job *jobs;
	size_t n, alloc;
};

struct worker_ctx {
	const struct pipeline_stage *ps;
	void *state;
	struct batch *b;
	size_t next;		/* next job to take, under mu */
	size_t chunk;		/* jobs a worker takes at once */
	pthread_mutex_t mu;
};

unsigned filter_shard_of(const char *id, unsigned n)
{
	return n > 1 ? (unsigned)(hash64(id, strlen(id)) % n) : 0;
}

static void sql_shard(sqlite3_context *c, int argc, sqlite3_value **v)
{
	const char *id = (const char *)sqlite3_value_text(v[0]);
	int n = sqlite3_value_int(v[1]);

	(void)argc;
	sqlite3_result_int(c, id && n > 1 ? (int)filter_shard_of(id, (unsigned)n)
				      : 0);
}

/* ---- batches ------------------------------------------------------- */

static void job_init(struct job *j)
{
	memset(j, 0, sizeof(*j));
	buf_init(&j->meta, 0);
	buf_init(&j->z, 0);
	buf_init(&j->text, 0);
	buf_init(&j->zout, 0);
	stage_out_init(&j->out);
}

static void job_release(struct job *j)
{
	buf_release(&j->meta);
	buf_release(&j->z);
	buf_release(&j->text);
	buf_release(&j->zout);
	stage_out_release(&j->out);
}

static struct job *batch_add(struct batch *b)
{
	if (b->n == b->alloc) {
		size_t na = b->alloc ? 2 * b->alloc : 64;
		struct job *p = realloc(b->jobs, na * sizeof(*p));

		if (!p)
			return NULL;
		for (size_t i = b->alloc; i < na; i++)
			job_init(&p[i]);
		b->jobs = p;
		b->alloc = na;
	}
	return &b->jobs[b->n++];
}

static void batch_release(struct batch *b)
{
	for (size_t i = 0; i < b->alloc; i++)
		job_release(&b->jobs[i]);
	free(b->jobs);
}

static int col_add(struct buf *b, sqlite3_stmt *s, int i, size_t *off)
{
	const unsigned char *t = sqlite3_column_text(s, i);

	*off = b->len;
	if (!t)
		return buf_addc(b, '\0') ? -1 : 0;
	return buf_add(b, t, (size_t)sqlite3_column_bytes(s, i) + 1) ? -1 : 1;
}

/* Read the next batch of the stage's query into b. */
static int read_batch(struct store *st, sqlite3_stmt *q, int64_t last,
		      size_t limit, struct batch *b, struct sl_err *err)
{
	int rc;

	b->n = 0;
	sqlite3_bind_int64(q, 1, last);
	sqlite3_bind_int64(q, 4, (sqlite3_int64)limit);
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		struct job *j = batch_add(b);
		size_t id_off;
		int r = 0;

		if (!j) {
			sqlite3_reset(q);
			return sl_error(err, "out of memory");
		}
		j->rowid = sqlite3_column_int64(q, 0);
		buf_reset(&j->meta);
		buf_reset(&j->z);
		r |= col_add(&j->meta, q, 1, &id_off) < 0;
		j->has_url = col_add(&j->meta, q, 2, &j->url_off);
		j->has_lang = col_add(&j->meta, q, 4, &j->lang_off);
		r |= col_add(&j->meta, q, 3, &j->source_off) < 0;
		r |= j->has_url < 0 || j->has_lang < 0;
		r |= buf_add(&j->z, sqlite3_column_blob(q, 5),
			     (size_t)sqlite3_column_bytes(q, 5)) != 0;
		j->nbytes = (size_t)sqlite3_column_int64(q, 6);
		if (r) {
			sqlite3_reset(q);
			return sl_error(err, "out of memory");
		}
	}
	sqlite3_reset(q);
	if (rc != SQLITE_DONE)
		return store_fail(st, err, "cannot read documents");
	return 0;
}

/* ---- workers ------------------------------------------------------- */

/* Measure and compress a rewritten text here, on the worker, so the one
 * writer thread only stores it.  Not for stages with decide(), which may
 * still change the text. */
static int pack_rewrite(struct job *j, ZSTD_CCtx *cctx)
{
	struct doc_in *p = &j->packed;

	memset(p, 0, sizeof(*p));
	p->text = j->out.text.data ? j->out.text.data : "";
	p->nbytes = j->out.text.len;
	p->id = j->doc.id;
	docs_measure(p);
	if (docs_compress(p, cctx, &j->zout, &j->err))
		return -1;
	j->is_packed = 1;
	return 0;
}

/* Unpack a job's text and point its stage_doc at it: 0, or -1 with the
 * job failed. */
static int job_open(struct job *j, ZSTD_DCtx *dctx)
{
	struct stage_doc *d = &j->doc;

	j->failed = 0;
	j->same = 0;
	j->is_packed = 0;
	stage_out_reset(&j->out);
	if (docs_unpack(dctx, j->z.data, j->z.len, j->nbytes, &j->text,
			&j->err)) {
		j->failed = 1;
		return -1;
	}
	d->rowid = j->rowid;
	d->id = j->meta.data;
	d->url = j->has_url ? j->meta.data + j->url_off : NULL;
	d->source = j->meta.data + j->source_off;
	d->lang = j->has_lang ? j->meta.data + j->lang_off : NULL;
	d->text = j->text.data;
	d->len = j->text.len;
	return 0;
}

/* After the stage: check and pack a rewrite. */
static void job_close(const struct stage_ops *ops, ZSTD_CCtx *cctx,
		      struct job *j)
{
	const struct stage_doc *d = &j->doc;

	if (!j->out.rewrite)
		return;
	if (j->out.text.len == d->len &&
	    !memcmp(j->out.text.data ? j->out.text.data : "", d->text, d->len)) {
		j->out.rewrite = 0;	/* nothing to store */
		j->same = 1;
		return;
	}
	if (!utf8_valid(j->out.text.data ? j->out.text.data : "",
			j->out.text.len)) {
		sl_error(&j->err, "stage '%s' wrote invalid UTF-8", ops->name);
		j->failed = 1;
		return;
	}
	if (!ops->decide && j->out.decision != DECISION_DROP &&
	    pack_rewrite(j, cctx))
		j->failed = 1;
}

/* One worker's scratch and codecs, and the run of jobs it holds. */
struct worker_env {
	void *scratch;
	ZSTD_DCtx *dctx;
	ZSTD_CCtx *cctx;
	const struct stage_doc **docs;	/* apply_many's arguments */
	struct stage_out **outs;
};

static void run_job(struct worker_ctx *w, struct worker_env *e,
		    struct job *j)
{
	const struct stage_ops *ops = w->ps->ops;

	if (job_open(j, e->dctx))
		return;
	if (ops->apply(w->state, e->scratch, &j->doc, &j->out, &j->err)) {
		j->failed = 1;
		return;
	}
	job_close(ops, e->cctx, j);
}

/* Jobs [i, i + n) through apply_many in one call. */
static void run_jobs(struct worker_ctx *w, struct worker_env *e, size_t i,
		     size_t n)
{
	const struct stage_ops *ops = w->ps->ops;
	struct job *jobs = w->b->jobs + i;
	struct sl_err err = { 0 };
	size_t m = 0;

	for (size_t k = 0; k < n; k++)
		if (!job_open(&jobs[k], e->dctx)) {
			e->docs[m] = &jobs[k].doc;
			e->outs[m++] = &jobs[k].out;
		}
	if (m && ops->apply_many(w->state, e->scratch, e->docs, e->outs, m,
				 &err)) {
		for (size_t k = 0; k < n; k++)
			if (!jobs[k].failed) {
				jobs[k].err = err;
				jobs[k].failed = 1;
			}
		return;
	}
	for (size_t k = 0; k < n; k++)
		if (!jobs[k].failed)
			job_close(ops, e->cctx, &jobs[k]);
}

static int env_open(struct worker_env *e, const struct worker_ctx *w)
{
	memset(e, 0, sizeof(*e));
	e->scratch = w->ps->ops->scratch_new(w->state);
	e->dctx = ZSTD_createDCtx();
	e->cctx = ZSTD_createCCtx();
	if (w->ps->ops->apply_many) {
		e->docs = malloc(w->chunk * sizeof(*e->docs));
		e->outs = malloc(w->chunk * sizeof(*e->outs));
		if (!e->docs || !e->outs)
			return -1;
	}
	return e->scratch && e->dctx && e->cctx ? 0 : -1;
}

static void env_close(struct worker_env *e, const struct worker_ctx *w)
{
	if (e->scratch)
		w->ps->ops->scratch_free(e->scratch);
	ZSTD_freeDCtx(e->dctx);
	ZSTD_freeCCtx(e->cctx);
	free(e->docs);
	free(e->outs);
}

static void *worker_main(void *arg)
{
	struct worker_ctx *w = arg;
	struct worker_env e;
	int ok = !env_open(&e, w);

	for (;;) {
		size_t i, n;

		pthread_mutex_lock(&w->mu);
		i = w->next;
		n = i < w->b->n ? w->b->n - i : 0;
		if (n > w->chunk)
			n = w->chunk;
		w->next += n;
		pthread_mutex_unlock(&w->mu);
		if (!n)
			break;
		if (!ok) {
			for (size_t k = i; k < i + n; k++) {
				sl_error(&w->b->jobs[k].err, "out of memory");
				w->b->jobs[k].failed = 1;
			}
		} else if (w->ps->ops->apply_many) {
			run_jobs(w, &e, i, n);
		} else {
			for (size_t k = i; k < i + n; k++)
				run_job(w, &e, &w->b->jobs[k]);
		}
	}
	env_close(&e, w);
	return NULL;
}

static void apply_batch(const struct pipeline_stage *ps, void *state,
			struct batch *b, int threads)
{
	struct worker_ctx w = { .ps = ps, .state = state, .b = b };
	pthread_t th[64];
	int n = threads < 64 ? threads : 64, started = 0;

	pthread_mutex_init(&w.mu, NULL);
	if ((size_t)n > b->n)
		n = (int)b->n;
	/* apply_many: an even share for each worker, so each call gets as
	 * many documents as the batch allows; apply: one at a time, so a
	 * slow document does not hold up the others' share */
	w.chunk = 1;
	if (ps->ops->apply_many && n > 0)
		w.chunk = (b->n + (size_t)n - 1) / (size_t)n;
	for (int i = 1; i < n; i++)
		if (!pthread_create(&th[started], NULL, worker_main, &w))
			started++;
	worker_main(&w);	/* the calling thread works too */
	for (int i = 0; i < started; i++)
		pthread_join(th[i], NULL);
	pthread_mutex_destroy(&w.mu);
}

/* ---- the writer ---------------------------------------------------- */

struct writer {
	struct store *st;
	sqlite3_stmt *verdict, *text, *lang, *untext;
	ZSTD_CCtx *cctx;
	struct buf z;
	char now[CLOCK_ISO_LEN];
};

static const char *decision_name(enum decision d)
{
	return d == DECISION_DROP ? "drop" : d == DECISION_FLAG ? "flag" : "keep";
}

static int writer_init(struct writer *w, struct store *st, struct sl_err *err)
{
	memset(w, 0, sizeof(*w));
	w->st = st;
	buf_init(&w->z, 0);
	if (!(w->cctx = ZSTD_createCCtx()))
		return sl_error(err, "out of memory");
	if (store_prepare(st, &w->verdict, "INSERT OR REPLACE INTO verdicts"
			  "(doc, stage, version, decision, reason, score, at, "
			  "detail) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)", err) ||
	    store_prepare(st, &w->text, "INSERT INTO texts(doc, stage, nbytes, "
			  "nchars, hash, text) VALUES (?1, ?2, ?3, ?4, ?5, ?6) "
			  "ON CONFLICT(doc) DO UPDATE SET stage = ?2, nbytes = "
			  "?3, nchars = ?4, hash = ?5, text = ?6", err) ||
	    store_prepare(st, &w->lang, "UPDATE docs SET lang = ?2 WHERE "
			  "rowid = ?1", err) ||
	    store_prepare(st, &w->untext, "DELETE FROM texts WHERE doc = ?1",
			  err))
		return -1;
	return 0;
}

static void writer_release(struct writer *w)
{
	sqlite3_finalize(w->verdict);
	sqlite3_finalize(w->text);
	sqlite3_finalize(w->lang);
	sqlite3_finalize(w->untext);
	ZSTD_freeCCtx(w->cctx);
	buf_release(&w->z);
}

static int step_done(struct writer *w, sqlite3_stmt *s, struct sl_err *err,
		     const char *what)
{
	int rc = sqlite3_step(s);

	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	if (rc != SQLITE_DONE)
		return store_fail(w->st, err, what);
	return 0;
}

static int write_text(struct writer *w, const struct pipeline_stage *ps,
		      struct job *j, struct sl_err *err)
{
	struct doc_in d = { .text = j->out.text.data ? j->out.text.data : "",
			    .nbytes = j->out.text.len, .id = j->doc.id };
	sqlite3_stmt *s = w->text;

	if (j->is_packed) {
		d = j->packed;
	} else {
		docs_measure(&d);
		if (docs_compress(&d, w->cctx, &w->z, err))
			return -1;
	}
	sqlite3_bind_int64(s, 1, j->rowid);
	sqlite3_bind_text(s, 2, ps->ops->name, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 3, (sqlite3_int64)d.nbytes);
	sqlite3_bind_int64(s, 4, (sqlite3_int64)d.nchars);
	sqlite3_bind_blob(s, 5, d.hash.b, sizeof(d.hash.b), SQLITE_STATIC);
	sqlite3_bind_blob(s, 6, d.z, (int)d.zlen, SQLITE_STATIC);
	return step_done(w, s, err, "cannot store a rewritten text");
}

static int write_job(struct writer *w, const struct pipeline_stage *ps,
		     struct job *j, struct sl_err *err)
{
	struct stage_out *o = &j->out;
	sqlite3_stmt *s = w->verdict;

	sqlite3_bind_int64(s, 1, j->rowid);
	sqlite3_bind_text(s, 2, ps->ops->name, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, ps->version, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 4, decision_name(o->decision), -1, SQLITE_STATIC);
	if (o->reason[0])
		sqlite3_bind_text(s, 5, o->reason, -1, SQLITE_STATIC);
	if (!isnan(o->score))
		sqlite3_bind_double(s, 6, o->score);
	sqlite3_bind_text(s, 7, w->now, -1, SQLITE_STATIC);
	if (o->detail.len)
		sqlite3_bind_text(s, 8, o->detail.data, (int)o->detail.len,
				  SQLITE_STATIC);
	if (step_done(w, s, err, "cannot store a verdict"))
		return -1;
	if (o->rewrite && o->decision != DECISION_DROP &&
	    write_text(w, ps, j, err))
		return -1;
	/* A stage that sees the original text and leaves it as it is: the
	 * original is again the current text (as if it had been written). */
	if (j->same && (ps->ops->flags & STAGE_ORIGINAL_TEXT)) {
		sqlite3_bind_int64(w->untext, 1, j->rowid);
		if (step_done(w, w->untext, err, "cannot store a rewritten text"))
			return -1;
	}
	if (o->lang[0]) {
		sqlite3_bind_int64(w->lang, 1, j->rowid);
		sqlite3_bind_text(w->lang, 2, o->lang, -1, SQLITE_STATIC);
		if (step_done(w, w->lang, err, "cannot store a language"))
			return -1;
	}
	return 0;
}

static void count(struct stage_counts *c, const struct job *j)
{
	c->in++;
	if (j->failed) {
		c->errors++;
		return;
	}
	if (j->out.decision == DECISION_DROP)
		c->dropped++;
	else if (j->out.decision == DECISION_FLAG)
		c->flagged++;
	else
		c->kept++;
	if (j->out.rewrite && j->out.decision != DECISION_DROP)
		c->rewritten++;
	c->kept -= (uint64_t)j->out.demoted;
	c->dropped += (uint64_t)j->out.demoted;
}

/* decide() and write one batch in one transaction. */
static int write_batch(struct writer *w, const struct pipeline_stage *ps,
		       void *state, struct batch *b, const struct filter_opts *o,
		       struct stage_counts *c, struct sl_err *err)
{
	struct stage_counts add = { 0 };

	clock_iso_now(w->now);
	if (store_begin(w->st, err))
		return -1;
	if (ps->ops->sync && ps->ops->sync(state, w->st, err)) {
		store_rollback(w->st);
		return -1;
	}
	for (size_t i = 0; i < b->n; i++) {
		struct job *j = &b->jobs[i];

		if (!j->failed && ps->ops->decide &&
		    ps->ops->decide(state, w->st, &j->doc, &j->out, &j->err))
			j->failed = 1;
		count(&add, j);
		if (j->failed) {
			if (o->on_error)
				o->on_error(o->arg, j->err.msg);
			continue;
		}
		if (write_job(w, ps, j, err)) {
			store_rollback(w->st);
			return -1;
		}
	}
	if (o->dry_run)
		store_rollback(w->st);
	else if (store_commit(w->st, err))
		return -1;
	c->in += add.in;
	c->kept += add.kept;
	c->dropped += add.dropped;
	c->flagged += add.flagged;
	c->errors += add.errors;
	c->rewritten += add.rewritten;
	return 0;
}

/* ---- one stage ------------------------------------------------------ */

/* SELECT of the stage's work; ?1 last rowid, ?2 stage, ?3 version,
 * ?4 limit, ?5 shard count, ?6 shard, ?7.. earlier stages. */
static int stage_query(struct store *st, const struct pipeline *p, size_t k,
		       const struct filter_opts *o, int counting,
		       sqlite3_stmt **q, struct sl_err *err)
{
	const struct pipeline_stage *ps = &p->v[k];
	int orig = ps->ops->flags & STAGE_ORIGINAL_TEXT;
	struct buf sql;
	int rc;

	buf_init(&sql, 0);
	if (counting)
		buf_adds(&sql, "SELECT count(*) FROM docs d ");
	else
		buf_addf(&sql, "SELECT d.rowid, d.id, d.url, d.source, d.lang, "
			 "%s FROM docs d LEFT JOIN texts t ON t.doc = d.rowid ",
			 orig ? "d.text, d.nbytes" :
			 "coalesce(t.text, d.text), coalesce(t.nbytes, d.nbytes)");
	buf_adds(&sql, "WHERE d.rowid > ?1 AND NOT EXISTS (SELECT 1 FROM "
		 "verdicts v WHERE v.doc = d.rowid AND v.stage = ?2 AND "
		 "v.version = ?3)");
	if (k) {
		buf_adds(&sql, " AND NOT EXISTS (SELECT 1 FROM verdicts v WHERE "
			 "v.doc = d.rowid AND v.decision = 'drop' AND v.stage "
			 "IN (");
		for (size_t i = 0; i < k; i++)
			buf_addf(&sql, "%s?%zu", i ? ", " : "", 7 + i);
		buf_adds(&sql, "))");
	}
	if (o->shard_n > 1)
		buf_adds(&sql, " AND sl_shard(d.id, ?5) = ?6");
	if (!counting)
		buf_adds(&sql, " ORDER BY d.rowid LIMIT ?4");
	rc = store_prepare(st, q, sql.data, err);
	buf_release(&sql);
	if (rc)
		return -1;
	sqlite3_bind_int64(*q, 1, 0);
	sqlite3_bind_text(*q, 2, ps->ops->name, -1, SQLITE_STATIC);
	sqlite3_bind_text(*q, 3, ps->version, -1, SQLITE_STATIC);
	sqlite3_bind_int(*q, 5, (int)o->shard_n);
	sqlite3_bind_int(*q, 6, (int)o->shard_i);
	for (size_t i = 0; i < k; i++)
		sqlite3_bind_text(*q, (int)(7 + i), p->v[i].ops->name, -1,
				  SQLITE_STATIC);
	return 0;
}

static int redo_wanted(const struct filter_opts *o, const char *name)
{
	for (size_t i = 0; i < o->nredo; i++)
		if (!strcmp(o->redo[i], name))
			return 1;
	return 0;
}

/* Start the stage over when asked to or when its version changed; record
 * the version the store's verdicts now follow. */
static int prepare_stage(struct store *st, const struct pipeline_stage *ps,
			 void *state, const struct filter_opts *o,
			 struct sl_err *err)
{
	char key[128];
	char *stored;
	int redo = redo_wanted(o, ps->ops->name), changed, rc = 0;
	sqlite3_stmt *s;

	snprintf(key, sizeof(key), "stage.%s.version", ps->ops->name);
	stored = store_info_get(st, key);
	changed = !stored || strcmp(stored, ps->version);
	free(stored);
	if (o->dry_run || (!redo && !changed))
		return 0;
	if (store_begin(st, err))
		return -1;
	if (redo) {
		if (store_prepare(st, &s, "DELETE FROM verdicts WHERE stage = ?1",
				  err))
			goto fail;
		sqlite3_bind_text(s, 1, ps->ops->name, -1, SQLITE_STATIC);
		rc = sqlite3_step(s) == SQLITE_DONE ? 0 :
		     store_fail(st, err, "cannot drop old verdicts");
		sqlite3_finalize(s);
		if (rc)
			goto fail;
	}
	if (ps->ops->reset && ps->ops->reset(state, st, err))
		goto fail;
	if (store_info_set(st, key, ps->version, err))
		goto fail;
	return store_commit(st, err);
fail:
	store_rollback(st);
	return -1;
}

static int count_todo(struct store *st, const struct pipeline *p, size_t k,
		      const struct filter_opts *o, uint64_t *todo,
		      struct sl_err *err)
{
	sqlite3_stmt *q;
	int rc;

	if (stage_query(st, p, k, o, 1, &q, err))
		return -1;
	rc = sqlite3_step(q);
	*todo = rc == SQLITE_ROW ? (uint64_t)sqlite3_column_int64(q, 0) : 0;
	sqlite3_finalize(q);
	return rc == SQLITE_ROW ? 0 : store_fail(st, err, "cannot count work");
}

static int finish_stage(struct store *st, const struct pipeline_stage *ps,
			void *state, struct sl_err *err)
{
	if (store_begin(st, err))
		return -1;
	if (ps->ops->finish(state, st, err)) {
		store_rollback(st);
		return -1;
	}
	return store_commit(st, err);
}

static int run_stage(struct store *st, const struct pipeline *p, size_t k,
		     const struct filter_opts *o, struct stage_counts *c,
		     struct sl_err *err)
{
	const struct pipeline_stage *ps = &p->v[k];
	struct batch b = { 0 };
	struct writer w;
	sqlite3_stmt *q = NULL;
	void *state = NULL;
	int64_t last = 0;
	double t0 = clock_mono();
	int rc = -1;

	if (ps->ops->open(&state, ps->conf, err)) {
		sl_error_prefix(err, "stage '%s': ", ps->ops->name);
		return -1;
	}
	if (writer_init(&w, st, err) ||
	    prepare_stage(st, ps, state, o, err) ||
	    count_todo(st, p, k, o, &c->todo, err) ||
	    stage_query(st, p, k, o, 0, &q, err))
		goto out;
	for (;;) {
		if (o->stop && *o->stop) {
			rc = 0;
			break;
		}
		if (read_batch(st, q, last, o->batch, &b, err))
			break;
		if (!b.n) {
			rc = 0;
			break;
		}
		last = b.jobs[b.n - 1].rowid;
		apply_batch(ps, state, &b, o->threads);
		if (write_batch(&w, ps, state, &b, o, c, err))
			break;
		c->seconds = clock_mono() - t0;
		if (o->on_progress)
			o->on_progress(o->arg, ps, c);
	}
	/* interrupted: the next run reads the log, stop now */
	if (!rc && !o->dry_run && ps->ops->finish && !(o->stop && *o->stop))
		rc = finish_stage(st, ps, state, err);
out:
	c->seconds = clock_mono() - t0;
	if (rc)
		sl_error_prefix(err, "stage '%s': ", ps->ops->name);
	sqlite3_finalize(q);
	writer_release(&w);
	batch_release(&b);
	ps->ops->close(state);
	return rc;
}

int filter_run(struct store *st, const struct pipeline *p,
	       const struct filter_opts *opts, struct stage_counts *counts,
	       struct sl_err *err)
{
	struct filter_opts o = *opts;
	int errors = 0;

	if (!o.batch)
		o.batch = DEFAULT_BATCH;
	if (o.threads <= 0) {
		long n = sysconf(_SC_NPROCESSORS_ONLN);

		o.threads = n > 0 ? (int)n : 1;
	}
	sqlite3_create_function(st->db, "sl_shard", 2,
				SQLITE_UTF8 | SQLITE_DETERMINISTIC, NULL,
				sql_shard, NULL, NULL);
	memset(counts, 0, p->n * sizeof(*counts));
	/* Every row the run writes points at a document it has just read and
	 * the run deletes no document, so the foreign key checks (a docs
	 * lookup and a statement journal per verdict: 30% of the writer's
	 * time) can prove nothing; they are back on when the run ends. */
	if (store_exec(st, "PRAGMA foreign_keys = OFF", err))
		return -1;
	for (size_t k = 0; k < p->n; k++) {
		if (o.stop && *o.stop)
			break;
		if (run_stage(st, p, k, &o, &counts[k], err)) {
			errors = -1;
			break;
		}
		errors |= counts[k].errors > 0;
	}
	if (store_exec(st, "PRAGMA foreign_keys = ON", errors < 0 ? NULL : err))
		return -1;
	return errors;
}
