/*
 * exact.c: exact dedup.  The XXH3-128 of each document's (normalized) text
 * is looked up among the hashes kept so far; the first document with a
 * hash is kept, the later ones are dropped as "duplicate" with
 * {"dup_of": ID}.  With prefer = "a,b", a document from a source earlier in
 * that list takes over from a kept one of a later (or unlisted) source,
 * which is then marked as the duplicate.  Incremental: the hashes persist,
 * so next week's import is checked against everything kept so far.
 *
 * Deciding writes no random keys.  exact_seen (hash -> kept document) is
 * only read while a run decides; a new hash, or a takeover, goes to the
 * end of exact_log and into a table in memory (pend), which lookups see
 * first.  When pend reaches FOLD_AT hashes, and after the stage's last
 * batch, it is folded into exact_seen in key order and the log emptied.
 * Inserting into exact_seen directly dirtied a 16 KB page per document
 * (random 16-byte keys): ~7 MB a batch at 1M documents, 14 GB over the run.
 * Other processes sharing the store (--shard) are followed as line dedup
 * does (filter/lines.c): sync() reads the log rows added since it last
 * looked, and a fold bumps the store's info "exact.folds", on which every
 * process reads the (emptied) log again.
 */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "stage.h"
#include "../store/db.h"
#include "../lib/err.h"
#include "../lib/hash.h"
#include "../lib/jsonw.h"
#include "../lib/u64map.h"
#include "../lib/banned.h"

struct exact_conf {
	char prefer[OPT_STRING_MAX];
};

static const struct stage_opt opts[] = {
	{ "prefer", OPT_STRING, offsetof(struct exact_conf, prefer), "",
	  "comma list of sources, most preferred first: which copy of a "
	  "duplicate to keep (empty: the first seen)", 1, 0 },
	{ 0 },
};

/* 500k hashes: pend and its index stay under ~30 MB */
#ifndef FOLD_AT
#define FOLD_AT 500000
#endif
#define FOLDS_KEY "exact.folds"

/* A hash kept since the last fold and the document that holds it. */
struct pent {
	unsigned char h[16];
	int64_t doc;
};

struct exact {
	struct exact_conf conf;
	sqlite3_stmt *find, *owner, *log, *read_log, *fold, *demote;
	struct pent *pend;	/* one entry per hash, in log order */
	size_t npend, apend;
	struct u64map idx;	/* first 8 bytes of a hash -> pend index + 1 */
	int64_t synced;		/* exact_log.seq read up to */
	long long folds;	/* the store's "exact.folds" pend is of */
};

static int open_(void **state, const void *conf, struct sl_err *err)
{
	struct exact *x = calloc(1, sizeof(*x));

	if (!x)
		return sl_error(err, "out of memory");
	memcpy(&x->conf, conf, sizeof(x->conf));
	u64map_init(&x->idx);
	x->folds = -1;
	*state = x;
	return 0;
}

static void close_(void *state)
{
	struct exact *x = state;

	sqlite3_finalize(x->find);
	sqlite3_finalize(x->owner);
	sqlite3_finalize(x->log);
	sqlite3_finalize(x->read_log);
	sqlite3_finalize(x->fold);
	sqlite3_finalize(x->demote);
	u64map_release(&x->idx);
	free(x->pend);
	free(x);
}

static void *scratch_new(const void *state)
{
	return calloc(1, 1);
}

static int apply(const void *state, void *scratch, const struct stage_doc *d,
		 struct stage_out *out, struct sl_err *err)
{
	struct hash128 h;

	hash128(d->text, d->len, &h);
	if (buf_add(&out->data, h.b, sizeof(h.b)))
		return sl_error(err, "out of memory");
	return 0;
}

/* Rank of a source in prefer: 0 best; unlisted sources rank last. */
static size_t rank(const char *prefer, const char *source)
{
	size_t r = 0, n = strlen(source);
	const char *p = prefer;

	while (*p) {
		const char *e = strchr(p, ',');
		size_t l = e ? (size_t)(e - p) : strlen(p);

		while (l && p[0] == ' ')
			p++, l--;
		while (l && p[l - 1] == ' ')
			l--;
		if (l == n && !memcmp(p, source, n))
			return r;
		r++;
		if (!e)
			break;
		p = e + 1;
	}
	return (size_t)-1;
}

static int prepare(struct exact *x, struct store *st, struct sl_err *err)
{
	if (x->find)
		return 0;
	return store_prepare(st, &x->find, "SELECT doc FROM exact_seen "
			     "WHERE hash = ?1", err) ||
	       store_prepare(st, &x->owner, "SELECT id, source FROM docs "
			     "WHERE rowid = ?1", err) ||
	       store_prepare(st, &x->log, "INSERT INTO exact_log(hash, doc) "
			     "VALUES (?1, ?2)", err) ||
	       store_prepare(st, &x->read_log, "SELECT seq, hash, doc FROM "
			     "exact_log WHERE seq > ?1 ORDER BY seq", err) ||
	       store_prepare(st, &x->fold, "INSERT INTO exact_seen(hash, doc) "
			     "VALUES (?1, ?2) ON CONFLICT(hash) DO UPDATE SET "
			     "doc = excluded.doc", err) ||
	       store_prepare(st, &x->demote, "UPDATE verdicts SET decision = "
			     "'drop', reason = 'duplicate', detail = ?2 WHERE "
			     "doc = ?1 AND stage = 'exact'", err) ? -1 : 0;
}

static uint64_t key_of(const unsigned char *h)
{
	uint64_t k;

	memcpy(&k, h, sizeof(k));
	return k;
}

static struct pent *pend_find(const struct exact *x, const unsigned char *h)
{
	uint64_t k = key_of(h);

	for (size_t i = u64map_first(&x->idx, k); i != U64MAP_END;
	     i = u64map_next(&x->idx, k, i)) {
		struct pent *e = &x->pend[x->idx.v[i].val - 1];

		if (!memcmp(e->h, h, 16))
			return e;
	}
	return NULL;
}

/* h is held by doc now: the latest entry for a hash wins. */
static int pend_put(struct exact *x, const unsigned char *h, int64_t doc,
		    struct sl_err *err)
{
	struct pent *e = pend_find(x, h);

	if (e) {
		e->doc = doc;
		return 0;
	}
	if (x->npend == x->apend) {
		size_t a = x->apend ? 2 * x->apend : 1024;
		struct pent *p = realloc(x->pend, a * sizeof(*p));

		if (!p)
			return sl_error(err, "exact dedup: out of memory");
		x->pend = p;
		x->apend = a;
	}
	if (u64map_add(&x->idx, key_of(h), x->npend + 1))
		return sl_error(err, "exact dedup: out of memory");
	e = &x->pend[x->npend++];
	memcpy(e->h, h, 16);
	e->doc = doc;
	return 0;
}

static void pend_clear(struct exact *x)
{
	x->npend = 0;
	u64map_clear(&x->idx);
	x->synced = 0;
}

/* Catch up with exact_log: all of it after a fold (ours or another
 * process's) or at the first batch, else the rows added since. */
static int sync_(void *state, struct store *st, struct sl_err *err)
{
	struct exact *x = state;
	long long folds;
	int rc;

	if (prepare(x, st, err))
		return -1;
	folds = store_info_int(st, FOLDS_KEY);
	if (folds != x->folds) {
		pend_clear(x);
		x->folds = folds;
	}
	sqlite3_bind_int64(x->read_log, 1, x->synced);
	while ((rc = sqlite3_step(x->read_log)) == SQLITE_ROW) {
		const void *h = sqlite3_column_blob(x->read_log, 1);

		x->synced = sqlite3_column_int64(x->read_log, 0);
		if (sqlite3_column_bytes(x->read_log, 1) != 16)
			continue;
		if (pend_put(x, h, sqlite3_column_int64(x->read_log, 2), err)) {
			sqlite3_reset(x->read_log);
			return -1;
		}
	}
	sqlite3_reset(x->read_log);
	return rc == SQLITE_DONE ? 0 : store_fail(st, err, "exact dedup");
}

static int cmp_pent(const void *a, const void *b)
{
	return memcmp(((const struct pent *)a)->h, ((const struct pent *)b)->h,
		      16);
}

/* Write pend into exact_seen in the B-tree's key order (BLOBs compare as
 * memcmp) and empty the log. */
static int fold(struct exact *x, struct store *st, struct sl_err *err)
{
	int rc = 0;

	qsort(x->pend, x->npend, sizeof(*x->pend), cmp_pent);
	for (size_t i = 0; i < x->npend && !rc; i++) {
		sqlite3_bind_blob(x->fold, 1, x->pend[i].h, 16, SQLITE_STATIC);
		sqlite3_bind_int64(x->fold, 2, x->pend[i].doc);
		rc = sqlite3_step(x->fold) != SQLITE_DONE;
		sqlite3_reset(x->fold);
	}
	pend_clear(x);
	x->folds++;
	if (rc)
		return store_fail(st, err, "exact dedup: cannot fold hashes");
	return store_exec(st, "DELETE FROM exact_log", err) ||
	       store_info_set_int(st, FOLDS_KEY, x->folds, err) ? -1 : 0;
}

static int finish(void *state, struct store *st, struct sl_err *err)
{
	struct exact *x = state;

	/* the store may have moved on since the last batch */
	if (sync_(x, st, err))
		return -1;
	return x->npend ? fold(x, st, err) : 0;
}

/* Hash h is held by doc from now on: to the log and pend. */
static int hold(struct exact *x, struct store *st, const unsigned char *h,
		int64_t doc, struct sl_err *err)
{
	int rc;

	sqlite3_bind_blob(x->log, 1, h, 16, SQLITE_STATIC);
	sqlite3_bind_int64(x->log, 2, doc);
	rc = sqlite3_step(x->log);
	sqlite3_reset(x->log);
	if (rc != SQLITE_DONE)
		return store_fail(st, err, "exact dedup");
	/* the batch holds the write lock: nobody else added rows since sync */
	x->synced = sqlite3_last_insert_rowid(st->db);
	if (pend_put(x, h, doc, err))
		return -1;
	return x->npend >= FOLD_AT ? fold(x, st, err) : 0;
}

/* The document that holds h into *kept (0: none), from pend, else from
 * exact_seen. */
static int holder(struct exact *x, struct store *st, const unsigned char *h,
		  int64_t *kept, struct sl_err *err)
{
	const struct pent *e = pend_find(x, h);
	int rc;

	*kept = 0;
	if (e) {
		*kept = e->doc;
		return 0;
	}
	sqlite3_bind_blob(x->find, 1, h, 16, SQLITE_STATIC);
	rc = sqlite3_step(x->find);
	if (rc == SQLITE_ROW)
		*kept = sqlite3_column_int64(x->find, 0);
	sqlite3_reset(x->find);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 :
	       store_fail(st, err, "exact dedup");
}

static int run(struct store *st, sqlite3_stmt *s, struct sl_err *err)
{
	int rc = sqlite3_step(s);

	sqlite3_reset(s);
	return rc == SQLITE_DONE ? 0 : store_fail(st, err, "exact dedup");
}

static void dup_detail(struct buf *b, const char *id)
{
	buf_reset(b);
	buf_adds(b, "{\"dup_of\":");
	jsonw_str(b, id, strlen(id));
	buf_addc(b, '}');
}

/* The kept document's id and source, copied; both NULL when it is gone. */
static int owner(struct exact *x, struct store *st, int64_t kept, char **kid,
		 char **ksrc, struct sl_err *err)
{
	int rc;

	*kid = *ksrc = NULL;
	sqlite3_bind_int64(x->owner, 1, kept);
	rc = sqlite3_step(x->owner);
	if (rc == SQLITE_ROW) {
		*kid = strdup((const char *)sqlite3_column_text(x->owner, 0));
		*ksrc = strdup((const char *)sqlite3_column_text(x->owner, 1));
	}
	sqlite3_reset(x->owner);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return store_fail(st, err, "exact dedup");
	if (rc == SQLITE_ROW && (!*kid || !*ksrc)) {
		free(*kid);
		free(*ksrc);
		return sl_error(err, "out of memory");
	}
	return 0;
}

/* d, of a preferred source, takes h over from kept, which becomes the
 * duplicate. */
static int take_over(struct exact *x, struct store *st,
		     const struct stage_doc *d, const unsigned char *h,
		     int64_t kept, struct stage_out *out, struct sl_err *err)
{
	dup_detail(&out->detail, d->id);
	sqlite3_bind_int64(x->demote, 1, kept);
	sqlite3_bind_text(x->demote, 2, out->detail.data, -1, SQLITE_TRANSIENT);
	buf_reset(&out->detail);
	out->demoted = 1;
	return hold(x, st, h, d->rowid, err) || run(st, x->demote, err) ? -1 : 0;
}

static int decide(void *state, struct store *st, const struct stage_doc *d,
		  struct stage_out *out, struct sl_err *err)
{
	struct exact *x = state;
	const unsigned char *h = (const unsigned char *)out->data.data;
	int64_t kept;
	char *kid, *ksrc;
	int rc = 0;

	if (prepare(x, st, err) || holder(x, st, h, &kept, err))
		return -1;
	/* kept == d: seen before by an earlier run of this version */
	if (kept == d->rowid)
		return 0;
	if (!kept)
		return hold(x, st, h, d->rowid, err);
	if (owner(x, st, kept, &kid, &ksrc, err))
		return -1;
	if (!kid)	/* its holder is gone */
		rc = hold(x, st, h, d->rowid, err);
	else if (rank(x->conf.prefer, d->source) < rank(x->conf.prefer, ksrc))
		rc = take_over(x, st, d, h, kept, out, err);
	else {
		stage_verdict(out, DECISION_DROP, "duplicate");
		dup_detail(&out->detail, kid);
	}
	free(kid);
	free(ksrc);
	return rc;
}

static int reset(void *state, struct store *st, struct sl_err *err)
{
	struct exact *x = state;

	pend_clear(x);
	x->folds = -1;	/* sync() reads the whole (empty) log again */
	return store_exec(st, "DELETE FROM exact_seen; DELETE FROM exact_log",
			  err);
}
const struct stage_ops stage_exact = {
	.name = "exact",
	.summary = "exact dedup: one document per XXH3-128 of the text",
	.code_version = 1,
	.opts = opts,
	.conf_size = sizeof(struct exact_conf),
	.open = open_,
	.close = close_,
	.scratch_new = scratch_new,
	.scratch_free = free,
	.apply = apply,
	.sync = sync_,
	.decide = decide,
	.finish = finish,
	.reset = reset,
};
