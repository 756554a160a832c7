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
 */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "stage.h"
#include "../store/db.h"
#include "../lib/err.h"
#include "../lib/hash.h"
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

struct lines {
	struct lines_conf conf;
	int paragraphs;
	sqlite3_stmt *get, *add, *set;
	uint64_t *cut_cache;	/* hashes at min_docs; 0: empty slot */
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
	*state = l;
	return 0;
}

static void close_(void *state)
{
	struct lines *l = state;

	sqlite3_finalize(l->get);
	sqlite3_finalize(l->add);
	sqlite3_finalize(l->set);
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
	       store_prepare(st, &l->add, "INSERT OR IGNORE INTO line_counts"
			     "(hash, docs) VALUES (?1, 1)", err) ||
	       store_prepare(st, &l->set, "UPDATE line_counts SET docs = ?2 "
			     "WHERE hash = ?1", err) ? -1 : 0;
}

static uint64_t *cache_slot(struct lines *l, uint64_t h)
{
	return &l->cut_cache[(h ^ (h >> 29)) & (CUT_CACHE - 1)];
}

/* Count unit hash h in one more document; *cut: it has now been seen in
 * min_docs documents. */
static int bump(struct lines *l, struct store *st, uint64_t h, int *cut,
		struct sl_err *err)
{
	long long n = 0;
	int rc;

	if (*cache_slot(l, h) == h) {
		*cut = 1;
		return 0;
	}
	/* most lines are new: try the insert first */
	sqlite3_bind_int64(l->add, 1, (sqlite3_int64)h);
	rc = sqlite3_step(l->add);
	sqlite3_reset(l->add);
	if (rc != SQLITE_DONE)
		return store_fail(st, err, "line dedup");
	if (sqlite3_changes(st->db) == 0) {
		sqlite3_bind_int64(l->get, 1, (sqlite3_int64)h);
		rc = sqlite3_step(l->get);
		if (rc == SQLITE_ROW)
			n = sqlite3_column_int64(l->get, 0);
		sqlite3_reset(l->get);
		if (rc != SQLITE_ROW)
			return store_fail(st, err, "line dedup");
	}
	*cut = n + 1 >= l->conf.min_docs;
	if (*cut)
		*cache_slot(l, h) = h;
	if (!n || n >= l->conf.min_docs)
		return 0;
	sqlite3_bind_int64(l->set, 1, (sqlite3_int64)h);
	sqlite3_bind_int64(l->set, 2, n + 1);
	rc = sqlite3_step(l->set);
	sqlite3_reset(l->set);
	return rc == SQLITE_DONE ? 0 : store_fail(st, err, "line dedup");
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
	for (size_t i = 0; i < n; i++) {
		int cut = 0;

		if (k && l->uh[k - 1] == l->uh[i])
			continue;
		if (bump(l, st, l->uh[i], &cut, err))
			return -1;
		l->uh[k] = l->uh[i];
		l->ucut[k++] = (unsigned char)cut;
	}
	return (long)k;
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
	return store_exec(st, "DELETE FROM line_counts", err);
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
	.decide = decide,
	.reset = reset,
};
