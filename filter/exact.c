/*
 * exact.c: exact dedup.  The XXH3-128 of each document's (normalized) text
 * is looked up in exact_seen; the first document with a hash is kept, the
 * later ones are dropped as "duplicate" with {"dup_of": ID}.  With
 * prefer = "a,b", a document from a source earlier in that list takes over
 * from a kept one of a later (or unlisted) source, which is then marked as
 * the duplicate.  Incremental: exact_seen persists, so next week's import
 * is checked against everything kept so far.
 */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "stage.h"
#include "../store/db.h"
#include "../lib/err.h"
#include "../lib/hash.h"
#include "../lib/jsonw.h"
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

struct exact {
	struct exact_conf conf;
	sqlite3_stmt *find, *add, *move, *demote;
};

static int open_(void **state, const void *conf, struct sl_err *err)
{
	struct exact *x = calloc(1, sizeof(*x));

	if (!x)
		return sl_error(err, "out of memory");
	memcpy(&x->conf, conf, sizeof(x->conf));
	*state = x;
	return 0;
}

static void close_(void *state)
{
	struct exact *x = state;

	sqlite3_finalize(x->find);
	sqlite3_finalize(x->add);
	sqlite3_finalize(x->move);
	sqlite3_finalize(x->demote);
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
	return store_prepare(st, &x->find, "SELECT e.doc, d.id, d.source "
			     "FROM exact_seen e JOIN docs d ON d.rowid = e.doc "
			     "WHERE e.hash = ?1", err) ||
	       store_prepare(st, &x->add, "INSERT INTO exact_seen(hash, doc) "
			     "VALUES (?1, ?2)", err) ||
	       store_prepare(st, &x->move, "UPDATE exact_seen SET doc = ?2 "
			     "WHERE hash = ?1", err) ||
	       store_prepare(st, &x->demote, "UPDATE verdicts SET decision = "
			     "'drop', reason = 'duplicate', detail = ?2 WHERE "
			     "doc = ?1 AND stage = 'exact'", err) ? -1 : 0;
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

static int decide(void *state, struct store *st, const struct stage_doc *d,
		  struct stage_out *out, struct sl_err *err)
{
	struct exact *x = state;
	const void *h = out->data.data;
	int64_t kept;
	char *kid, *ksrc;
	int rc;

	if (prepare(x, st, err))
		return -1;
	sqlite3_bind_blob(x->find, 1, h, 16, SQLITE_STATIC);
	rc = sqlite3_step(x->find);
	if (rc == SQLITE_DONE) {
		sqlite3_reset(x->find);
		sqlite3_bind_blob(x->add, 1, h, 16, SQLITE_STATIC);
		sqlite3_bind_int64(x->add, 2, d->rowid);
		return run(st, x->add, err);
	}
	if (rc != SQLITE_ROW) {
		sqlite3_reset(x->find);
		return store_fail(st, err, "exact dedup");
	}
	kept = sqlite3_column_int64(x->find, 0);
	kid = strdup((const char *)sqlite3_column_text(x->find, 1));
	ksrc = strdup((const char *)sqlite3_column_text(x->find, 2));
	sqlite3_reset(x->find);
	if (!kid || !ksrc) {
		free(kid);
		free(ksrc);
		return sl_error(err, "out of memory");
	}
	rc = 0;
	if (kept == d->rowid) {
		/* seen before by an earlier run of this version: still kept */
	} else if (rank(x->conf.prefer, d->source) < rank(x->conf.prefer, ksrc)) {
		sqlite3_bind_blob(x->move, 1, h, 16, SQLITE_STATIC);
		sqlite3_bind_int64(x->move, 2, d->rowid);
		dup_detail(&out->detail, d->id);
		sqlite3_bind_int64(x->demote, 1, kept);
		sqlite3_bind_text(x->demote, 2, out->detail.data, -1,
				  SQLITE_TRANSIENT);
		rc = run(st, x->move, err) || run(st, x->demote, err) ? -1 : 0;
		out->demoted = 1;
		buf_reset(&out->detail);
	} else {
		stage_verdict(out, DECISION_DROP, "duplicate");
		dup_detail(&out->detail, kid);
	}
	free(kid);
	free(ksrc);
	return rc;
}

static int reset(void *state, struct store *st, struct sl_err *err)
{
	return store_exec(st, "DELETE FROM exact_seen", err);
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
	.decide = decide,
	.reset = reset,
};
