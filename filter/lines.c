/*
 * lines.c: line dedup (CCNet's idea): lines that repeat across many
 * documents (cookie notices, navigation left by extraction, "Share this")
 * are cut from the text.
 *
 * Each line (or paragraph, with unit = paragraph) is hashed after folding
 * ASCII case, mapping digits to 0 and dropping white space, so "Page 2 of 9"
 * and "page 3 of 9" count as one line.  line_counts holds, for each hash,
 * in how many documents it has been seen; once a line has been seen in
 * min_docs documents it is cut from every later one.  This is a streaming
 * version of CCNet's shard-wide pass: the first min_docs - 1 documents keep
 * the line, which costs little and needs no second pass over the corpus.
 * A document left with no text is dropped ("all_lines_repeated").
 *
 * The count stops at min_docs (all that matters is reaching it), so a
 * boilerplate line costs one lookup per document and no write; the
 * lookups of lines known to be cut are skipped too, through a small
 * direct-mapped cache of such hashes (a count never goes down, except on
 * reset(), which empties the cache).  Each distinct line of a document is
 * counted once.
 *
 * Counting writes no random keys.  line_counts, keyed by the hash, is
 * read only; a document's increments go to the end of line_log (one row,
 * its hashes) and into a table in memory (delta: hash -> increments in
 * the log).  A line's count is its line_counts row plus its delta.  When
 * the delta reaches FOLD_AT hashes, and after the stage's last batch,
 * the log is folded into line_counts in hash order and emptied.  Writing
 * each count in place instead dirtied a 16 KB page per line once
 * line_counts outgrew the page cache: ~100 MB a batch at 500k documents.
 * Memory stays at FOLD_AT entries (32 MB) whatever the corpus.
 *
 * Processes that share the store (--shard) see each other's counts as
 * before: sync() reads the log rows added since it last looked, and a
 * fold bumps the store's info "lines.folds", on which every process
 * reads its delta again from the emptied log.
 *
 * Most lines of a large corpus are new, and looking a new line up in a
 * line_counts larger than the page cache costs a read or two from disk.
 * Once a run has done as many lookups as an eighth of line_counts' rows
 * (at least SEEN_AFTER), it builds a Bloom filter of every hash in
 * line_counts and the delta (one scan of the table) and keeps it up to
 * date; a hash the filter has never seen has count 0, without a lookup.
 * Another process's fold may move hashes this one never saw into
 * line_counts: the filter is then dropped, and built again later.
 */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "stage.h"
#include "../store/db.h"
#include "../lib/err.h"
#include "../lib/bloom.h"
#include "../lib/hash.h"
#include "../lib/u64map.h"
#include "../lib/banned.h"

struct lines_conf {
	long min_docs;
	long min_chars;
	char unit[OPT_STRING_MAX];
};

static const struct stage_opt opts[] = {
	{ "min_docs", OPT_INT, offsetof(struct lines_conf, min_docs), "3",
	  "cut a line once this many documents have had it", 2, 1e9 },
	{ "min_chars", OPT_INT, offsetof(struct lines_conf, min_chars), "1",
	  "lines shorter than this (in bytes, white space excluded) are "
	  "never cut", 0, 1e6 },
	{ "unit", OPT_STRING, offsetof(struct lines_conf, unit), "line",
	  "line, or paragraph (text between blank lines)", 1, 0 },
	{ 0 },
};

#define CUT_CACHE (1u << 16)
/* 57% of 2^21 slots: the delta table stays at 32 MB, and a lookup of a
 * new line (most of them) probes ~3 slots, not the ~13 of 80% load */
#ifndef FOLD_AT
#define FOLD_AT 1200000
#endif
#define FOLDS_KEY "lines.folds"
#ifndef SEEN_AFTER
#define SEEN_AFTER 100000
#endif

struct lines {
	struct lines_conf conf;
	int paragraphs;
	sqlite3_stmt *get, *log, *read_log, *fold;
	uint64_t *cut_cache;	/* hashes at min_docs; 0: empty slot */
	struct u64map delta;	/* hash -> increments in line_log */
	int64_t synced;		/* line_log.seq read up to */
	long long folds;	/* the store's "lines.folds" that delta is of */
	struct buf logged;	/* this document's increments, LE uint64s */
	struct bloom seen;	/* hashes in line_counts or delta */
	int have_seen;		/* seen is built and complete */
	size_t lookups;		/* of line_counts, this run */
	size_t next_check;	/* lookups at which to weigh building seen */
	/* the writer's scratch: a document's distinct unit hashes, sorted,
	 * and whether each is cut */
	uint64_t *uh;
	unsigned char *ucut;
	size_t ualloc;
};

static int open_(void **state, const void *conf, struct sl_err *err)
{
	struct lines *l = calloc(1, sizeof(*l));

	if (!l)
		return sl_error(err, "out of memory");
	memcpy(&l->conf, conf, sizeof(l->conf));
	if (strcmp(l->conf.unit, "line") && strcmp(l->conf.unit, "paragraph")) {
		free(l);
		return sl_error(err, "[filter.lines] unit: '%s' is not line "
				"or paragraph", ((const struct lines_conf *)conf)->unit);
	}
	l->paragraphs = !strcmp(l->conf.unit, "paragraph");
	if (!(l->cut_cache = calloc(CUT_CACHE, sizeof(uint64_t)))) {
		free(l);
		return sl_error(err, "out of memory");
	}
	u64map_init(&l->delta);
	buf_init(&l->logged, 0);
	l->folds = -1;
	l->next_check = SEEN_AFTER;
	*state = l;
	return 0;
}

static void close_(void *state)
{
	struct lines *l = state;

	sqlite3_finalize(l->get);
	sqlite3_finalize(l->log);
	sqlite3_finalize(l->read_log);
	sqlite3_finalize(l->fold);
	u64map_release(&l->delta);
	bloom_release(&l->seen);
	buf_release(&l->logged);
	free(l->cut_cache);
	free(l->uh);
	free(l->ucut);
	free(l);
}

static void *scratch_new(const void *state)
{
	return calloc(1, 1);
}

/* End of the unit starting at p (exclusive), and where the next starts. */
static const char *unit_end(const char *p, const char *end, int paragraphs,
			    const char **next)
{
	const char *q = p;

	for (;;) {
		const char *nl = memchr(q, '\n', (size_t)(end - q));

		if (!nl) {
			*next = end;
			return end;
		}
		if (!paragraphs || (nl + 1 < end && nl[1] == '\n') ||
		    nl + 1 == end) {
			*next = nl + 1;
			return nl;
		}
		q = nl + 1;
	}
}

/* Hash of a unit folded for comparison; *len = its significant bytes. */
static uint64_t unit_hash(const char *p, const char *e, size_t *len)
{
	char tmp[4096];
	size_t n = 0;
	uint64_t h = 0;

	*len = 0;
	for (; p < e; p++) {
		unsigned char c = (unsigned char)*p;

		if (c == ' ' || c == '\t' || c == '\n' || c == '\r')
			continue;
		if (c >= 'A' && c <= 'Z')
			c = (unsigned char)(c - 'A' + 'a');
		else if (c >= '0' && c <= '9')
			c = '0';
		tmp[n++] = (char)c;
		(*len)++;
		if (n == sizeof(tmp)) {
			h = hash64_seed(tmp, n, h);
			n = 0;
		}
	}
	return hash64_seed(tmp, n, h);
}

/* apply: the hashes of the units (0 for units too short to matter) */
static int apply(const void *state, void *scratch, const struct stage_doc *d,
		 struct stage_out *out, struct sl_err *err)
{
	const struct lines *l = state;
	const char *p = d->text, *end = d->text + d->len, *next;

	while (p < end) {
		const char *e = unit_end(p, end, l->paragraphs, &next);
		size_t sig;
		uint64_t h = unit_hash(p, e, &sig);

		if (sig < (size_t)l->conf.min_chars || sig == 0)
			h = 0;
		if (buf_add(&out->data, &h, sizeof(h)))
			return sl_error(err, "out of memory");
		p = next;
	}
	return 0;
}

static int prepare(struct lines *l, struct store *st, struct sl_err *err)
{
	if (l->get)
		return 0;
	return store_prepare(st, &l->get, "SELECT docs FROM line_counts "
			     "WHERE hash = ?1", err) ||
	       store_prepare(st, &l->log, "INSERT INTO line_log(hashes) "
			     "VALUES (?1)", err) ||
	       store_prepare(st, &l->read_log, "SELECT seq, hashes FROM "
			     "line_log WHERE seq > ?1 ORDER BY seq", err) ||
	       store_prepare(st, &l->fold, "INSERT INTO line_counts(hash, "
			     "docs) VALUES (?1, ?2) ON CONFLICT(hash) DO UPDATE "
			     "SET docs = min(docs + excluded.docs, ?3)", err) ? -1 : 0;
}

static void put_le64(unsigned char *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

static uint64_t get_le64(const unsigned char *p)
{
	uint64_t v = 0;

	for (int i = 7; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

/* One more document with h in the delta; i: h's slot, from
 * u64map_first(). */
static int delta_bump(struct lines *l, uint64_t h, size_t i,
		      struct sl_err *err)
{
	if (i != U64MAP_END) {
		l->delta.v[i].val++;
		return 0;
	}
	if (u64map_add(&l->delta, h, 1))
		return sl_error(err, "line dedup: out of memory");
	if (l->have_seen)
		bloom_add(&l->seen, h);
	return 0;
}

static void drop_seen(struct lines *l)
{
	bloom_release(&l->seen);
	l->have_seen = 0;
}

/* seen from scratch: every hash of line_counts and the delta, with room
 * for half as many again. */
static int build_seen(struct lines *l, struct store *st, size_t rows,
		      struct sl_err *err)
{
	sqlite3_stmt *s;
	int rc;

	drop_seen(l);
	if (bloom_init(&l->seen, (rows + l->delta.n) / 2 * 3 + 1024))
		return sl_error(err, "line dedup: out of memory");
	if (store_prepare(st, &s, "SELECT hash FROM line_counts", err))
		return -1;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		bloom_add(&l->seen, (uint64_t)sqlite3_column_int64(s, 0));
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE)
		return store_fail(st, err, "line dedup");
	for (size_t i = 0; i < l->delta.cap; i++)
		if (l->delta.v[i].val)
			bloom_add(&l->seen, l->delta.v[i].key);
	l->have_seen = 1;
	return 0;
}

/* Build seen when this run's lookups reach an eighth of line_counts' rows
 * (the scan then costs less than the lookups it saves), or rebuild it
 * bigger when it is full. */
static int weigh_seen(struct lines *l, struct store *st, struct sl_err *err)
{
	sqlite3_stmt *s;
	long long rows;

	if (l->have_seen)
		return l->seen.n > l->seen.cap ?
		       build_seen(l, st, l->seen.n, err) : 0;
	if (l->lookups < l->next_check)
		return 0;
	if (store_prepare(st, &s, "SELECT count(*) FROM line_counts", err))
		return -1;
	if (sqlite3_step(s) != SQLITE_ROW) {
		sqlite3_finalize(s);
		return store_fail(st, err, "line dedup");
	}
	rows = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	if ((long long)l->lookups * 8 >= rows)
		return build_seen(l, st, (size_t)rows, err);
	l->next_check = (size_t)rows / 8;
	return 0;
}

static int delta_add(struct lines *l, uint64_t h, struct sl_err *err)
{
	return delta_bump(l, h, u64map_first(&l->delta, h), err);
}

/* Catch up with line_log: all of it after a fold (ours or another
 * process's) or at the first batch, else the rows added since. */
static int sync_(void *state, struct store *st, struct sl_err *err)
{
	struct lines *l = state;
	long long folds;
	int rc;

	if (prepare(l, st, err))
		return -1;
	folds = store_info_int(st, FOLDS_KEY);
	if (folds != l->folds) {
		u64map_clear(&l->delta);
		l->synced = 0;
		l->folds = folds;
		drop_seen(l);	/* hashes it never saw may have moved in */
	}
	sqlite3_bind_int64(l->read_log, 1, l->synced);
	while ((rc = sqlite3_step(l->read_log)) == SQLITE_ROW) {
		const unsigned char *p = sqlite3_column_blob(l->read_log, 1);
		int n = sqlite3_column_bytes(l->read_log, 1);

		l->synced = sqlite3_column_int64(l->read_log, 0);
		for (int i = 0; i + 8 <= n; i += 8)
			if (delta_add(l, get_le64(p + i), err)) {
				sqlite3_reset(l->read_log);
				return -1;
			}
	}
	sqlite3_reset(l->read_log);
	return rc == SQLITE_DONE ? 0 : store_fail(st, err, "line dedup");
}

static int cmp_ent(const void *a, const void *b)
{
	int64_t x = (int64_t)((const struct u64map_ent *)a)->key;
	int64_t y = (int64_t)((const struct u64map_ent *)b)->key;

	return x < y ? -1 : x > y;
}

/* Fold the delta into line_counts, in the B-tree's key order (hashes
 * are stored as signed integers), and empty the log. */
static int fold(struct lines *l, struct store *st, struct sl_err *err)
{
	struct u64map_ent *v = l->delta.v;
	size_t n = 0;
	int rc = 0;

	for (size_t i = 0; i < l->delta.cap; i++)
		if (v[i].val)
			v[n++] = v[i];	/* packs the table: cleared below */
	qsort(v, n, sizeof(*v), cmp_ent);
	sqlite3_bind_int64(l->fold, 3, l->conf.min_docs);
	for (size_t i = 0; i < n && !rc; i++) {
		sqlite3_bind_int64(l->fold, 1, (sqlite3_int64)v[i].key);
		sqlite3_bind_int64(l->fold, 2, (sqlite3_int64)v[i].val);
		rc = sqlite3_step(l->fold) != SQLITE_DONE;
		sqlite3_reset(l->fold);
	}
	u64map_clear(&l->delta);
	l->synced = 0;
	l->folds++;
	if (rc)
		return store_fail(st, err, "line dedup: cannot fold counts");
	return store_exec(st, "DELETE FROM line_log", err) ||
	       store_info_set_int(st, FOLDS_KEY, l->folds, err) ? -1 : 0;
}

static int finish(void *state, struct store *st, struct sl_err *err)
{
	struct lines *l = state;

	/* the store may have moved on since the last batch */
	if (sync_(l, st, err))
		return -1;
	return l->delta.n ? fold(l, st, err) : 0;
}

static uint64_t *cache_slot(struct lines *l, uint64_t h)
{
	return &l->cut_cache[(h ^ (h >> 29)) & (CUT_CACHE - 1)];
}

/* h, in the log for this document; i: its slot in the delta or
 * U64MAP_END. */
static int log_hash(struct lines *l, uint64_t h, size_t i, struct sl_err *err)
{
	if (buf_grow(&l->logged, 8))
		return sl_error(err, "out of memory");
	put_le64((unsigned char *)l->logged.data + l->logged.len, h);
	l->logged.len += 8;
	return delta_bump(l, h, i, err);
}

/* A hash no document had before. */
static int count_new(struct lines *l, uint64_t h, int *cut,
		     struct sl_err *err)
{
	*cut = 1 >= l->conf.min_docs;
	return log_hash(l, h, U64MAP_END, err);
}

/* Count unit hash h in one more document; *cut: it has now been seen in
 * min_docs documents.  Counts stop at min_docs. */
static int bump(struct lines *l, struct store *st, uint64_t h, int *cut,
		struct sl_err *err)
{
	long long n = 0;
	size_t i;
	int rc;

	if (*cache_slot(l, h) == h) {
		*cut = 1;
		return 0;
	}
	if (weigh_seen(l, st, err))
		return -1;
	if (l->have_seen && !bloom_has(&l->seen, h))
		return count_new(l, h, cut, err);
	l->lookups++;
	sqlite3_bind_int64(l->get, 1, (sqlite3_int64)h);
	rc = sqlite3_step(l->get);
	if (rc == SQLITE_ROW)
		n = sqlite3_column_int64(l->get, 0);
	sqlite3_reset(l->get);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return store_fail(st, err, "line dedup");
	i = u64map_first(&l->delta, h);
	if (i != U64MAP_END)
		n += (long long)l->delta.v[i].val;
	*cut = n + 1 >= l->conf.min_docs;
	if (*cut)
		*cache_slot(l, h) = h;
	if (n >= l->conf.min_docs)
		return 0;
	return log_hash(l, h, i, err);
}

/* The document's increments to the log; fold when the delta is full. */
static int log_doc(struct lines *l, struct store *st, struct sl_err *err)
{
	int rc;

	if (!l->logged.len)
		return 0;
	sqlite3_bind_blob(l->log, 1, l->logged.data, (int)l->logged.len,
			  SQLITE_STATIC);
	rc = sqlite3_step(l->log);
	sqlite3_reset(l->log);
	if (rc != SQLITE_DONE)
		return store_fail(st, err, "line dedup");
	/* the batch holds the write lock: nobody else added rows since sync */
	l->synced = sqlite3_last_insert_rowid(st->db);
	return l->delta.n >= FOLD_AT ? fold(l, st, err) : 0;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* The document's distinct nonzero hashes into l->uh (sorted), each
 * counted once; l->ucut says which are cut.  Returns how many, or -1. */
static long count_units(struct lines *l, struct store *st, const uint64_t *h,
			size_t n, struct sl_err *err)
{
	size_t k = 0;

	if (n > l->ualloc) {
		uint64_t *a = realloc(l->uh, n * sizeof(*a));
		unsigned char *c = a ? realloc(l->ucut, n) : NULL;

		if (a)
			l->uh = a;
		if (!c)
			return sl_error(err, "out of memory");
		l->ucut = c;
		l->ualloc = n;
	}
	for (size_t i = 0; i < n; i++)
		if (h[i])
			l->uh[k++] = h[i];
	qsort(l->uh, k, sizeof(*l->uh), cmp_u64);
	n = k;
	k = 0;
	buf_reset(&l->logged);
	for (size_t i = 0; i < n; i++) {
		int cut = 0;

		if (k && l->uh[k - 1] == l->uh[i])
			continue;
		if (bump(l, st, l->uh[i], &cut, err))
			return -1;
		l->uh[k] = l->uh[i];
		l->ucut[k++] = (unsigned char)cut;
	}
	return log_doc(l, st, err) ? -1 : (long)k;
}

static int is_cut(const struct lines *l, size_t n, uint64_t h)
{
	size_t lo = 0, hi = n;

	if (!h)
		return 0;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (l->uh[mid] < h)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < n && l->uh[lo] == h && l->ucut[lo];
}

static int decide(void *state, struct store *st, const struct stage_doc *d,
		  struct stage_out *out, struct sl_err *err)
{
	struct lines *l = state;
	const uint64_t *h = (const uint64_t *)out->data.data;
	size_t n = out->data.len / sizeof(*h), i = 0, cut = 0, cut_bytes = 0;
	const char *p = d->text, *end = d->text + d->len, *next;
	long nu;

	if (prepare(l, st, err) || (nu = count_units(l, st, h, n, err)) < 0)
		return -1;
	buf_reset(&out->text);
	for (; p < end; i++) {
		unit_end(p, end, l->paragraphs, &next);
		if (i < n && is_cut(l, (size_t)nu, h[i])) {
			cut++;
			cut_bytes += (size_t)(next - p);
		} else {
			buf_add(&out->text, p, (size_t)(next - p));
		}
		p = next;
	}
	if (!cut) {
		buf_reset(&out->text);
		return 0;
	}
	while (out->text.len && out->text.data[out->text.len - 1] == '\n')
		out->text.len--;
	if (buf_add(&out->text, "", 0))	/* the NUL, and a buffer if none */
		return sl_error(err, "out of memory");
	out->rewrite = 1;
	out->score = d->len ? (double)cut_bytes / (double)d->len : 0;
	buf_addf(&out->detail, "{\"cut\":%zu}", cut);
	if (!out->text.len)
		stage_verdict(out, DECISION_DROP, "all_lines_repeated");
	else
		stage_verdict(out, DECISION_KEEP, "lines_cut");
	return 0;
}

static int reset(void *state, struct store *st, struct sl_err *err)
{
	struct lines *l = state;

	memset(l->cut_cache, 0, CUT_CACHE * sizeof(uint64_t));
	u64map_clear(&l->delta);
	drop_seen(l);
	l->synced = 0;
	l->folds = -1;	/* sync() reads the whole (empty) log again */
	return store_exec(st, "DELETE FROM line_counts; DELETE FROM line_log",
			  err);
}

const struct stage_ops stage_lines = {
	.name = "lines",
	.summary = "line dedup: cut lines that repeat across documents "
		   "(boilerplate left by extraction)",
	.code_version = 2,	/* 2: a line counted once per document */
	.opts = opts,
	.conf_size = sizeof(struct lines_conf),
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
