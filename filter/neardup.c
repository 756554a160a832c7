/*
 * neardup.c: the near-dedup stage ("minhash"): MinHash LSH over word
 * 5-grams (character 5-grams for Chinese and Japanese: filter/shingle.h),
 * 112 permutations in 14 bands x 8 rows by default (FineWeb's setup).
 *
 * apply() (workers): shingles -> signature -> band keys, into out->data.
 * decide() (writer, in rowid order): the band keys are looked up among the
 * documents kept so far (minhash_bands); each candidate's signature is
 * compared (estimated Jaccard >= threshold, when verify is on).  No match:
 * the document is kept and becomes its cluster's representative (its bands
 * and signature are stored).  A match: the document is dropped as
 * "near_duplicate" of the best-matching representative and joins its
 * cluster.  When it matches representatives of several clusters, the
 * clusters are merged (union-find: the smallest representative's cluster
 * wins; the other representatives are dropped as near duplicates of it).
 *
 * Containment (option containment > 0): a candidate also matches when the
 * smaller document of the pair lies mostly inside the larger one, an
 * excerpt copied from a longer page (Clough-Stevenson's `cut` answers),
 * which whole-document Jaccard misses: J = |A ∩ B| / |A ∪ B| is at most
 * |A| / |B| however exact the copy.  It is estimated from the signatures
 * and the two shingle counts (|A| + |B| = |A ∩ B| + |A ∪ B|):
 *     |A ∩ B| ~ J (|A| + |B|) / (1 + J),   overlap = |A ∩ B| / min(|A|, |B|)
 * (capped at 1).  The estimate's error is J's times (|A| + |B|) /
 * ((1 + J) min(|A|, |B|)), so it is good for excerpts of a few times
 * their own size, noisy for a sentence out of a book.  LSH makes pairs
 * candidates by J, not by containment: with containment on, use more
 * bands of fewer rows (28 x 4, 56 x 2) so low-J pairs become candidates.
 *
 * Incremental: bands, signatures and clusters persist in the store, so the
 * documents of next week's import are checked against everything kept.
 * minhash_docs.cluster gives each document's cluster (the rowid of its
 * representative); `sluice why` shows it.
 *
 * The band index is a hash table in memory (lib/u64map.h: band key ->
 * doc << 9 | band, 16 bytes a slot at 40-80% load), the one thing a run's
 * memory grows with (14 entries per representative: 268 MB at a million
 * documents).  It is cut by the key's top bits into INDEX_PARTS tables
 * that grow one at a time, so a doubling holds the old copy of 1/16 of
 * the index, not of all of it.  minhash_bands holds the same entries in
 * the order they were added; sync() reads those past the last it saw (all
 * of them at the first batch; then what another process sharing the
 * store added), keep_as_rep() appends.  A random-key B-tree in the store instead made
 * each batch dirty pages all over a table that outgrew the page cache
 * (1,174 s for a million documents).  Candidates come out in the order the
 * old index's query gave them (band by band, each band's documents by
 * rowid), so the verdicts are the same.
 */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "minhash.h"
#include "shingle.h"
#include "stage.h"
#include "../store/db.h"
#include "../lib/err.h"
#include "../lib/jsonw.h"
#include "../lib/u64map.h"
#include "../lib/banned.h"

struct near_conf {
	long perms, bands, rows, seed, word_n, char_n;
	double threshold, containment;
	int verify;
};

static const struct stage_opt opts[] = {
	{ "bands", OPT_INT, offsetof(struct near_conf, bands), "14",
	  "LSH bands (FineWeb: 14)", 1, 512 },
	{ "rows", OPT_INT, offsetof(struct near_conf, rows), "8",
	  "rows per band (FineWeb: 8); permutations = bands x rows", 1, 512 },
	{ "seed", OPT_INT, offsetof(struct near_conf, seed), "1",
	  "seed of the hash permutations", 0, 2147483647 },
	{ "word_n", OPT_INT, offsetof(struct near_conf, word_n), "5",
	  "words per shingle (FineWeb, datatrove: 5)", 1, SHINGLE_MAX_N },
	{ "char_n", OPT_INT, offsetof(struct near_conf, char_n), "5",
	  "characters per shingle for text without spaces (Chinese, "
	  "Japanese, Thai)", 1, SHINGLE_MAX_N },
	{ "threshold", OPT_DOUBLE, offsetof(struct near_conf, threshold), "0.8",
	  "estimated Jaccard at or above which a candidate is a duplicate",
	  0, 1 },
	{ "containment", OPT_DOUBLE, offsetof(struct near_conf, containment),
	  "0", "estimated share of the smaller document's shingles inside "
	  "the larger at or above which a candidate is a duplicate too (0: "
	  "off; ours, for partial copies; pair with e.g. 28 bands x 4 rows)",
	  0, 1 },
	{ "verify", OPT_BOOL, offsetof(struct near_conf, verify), "true",
	  "check candidates' estimated Jaccard against threshold (false: "
	  "any shared band is a duplicate, as datatrove does)", 1, 0 },
	{ 0 },
};

#define INDEX_PARTS 16

struct near {
	struct near_conf conf;
	struct minhash mh;
	sqlite3_stmt *load, *sig, *add_doc, *add_band, *merge, *demote,
		     *id_of;
	uint64_t *cand_sig;
	/* band key -> doc << BAND_BITS | band, by the key's top 4 bits */
	struct u64map index[INDEX_PARTS];
	int64_t synced;		/* minhash_bands.seq read up to */
	int64_t *cands;		/* a document's candidates */
	size_t ncands, cands_alloc;
};

/* Bands are at most 512 (the option's range): 9 bits of an index entry;
 * rowids must leave them room. */
#define BAND_BITS 9
#define MAX_DOC (INT64_MAX >> BAND_BITS)

static struct u64map *part(struct near *n, uint64_t key)
{
	return &n->index[key >> 60];
}

struct scratch {
	struct shingle_set s;
};

/* out->data layout: u64 nshingles, then perms u64 minima, then bands u64
 * band keys.  minhash_docs.sig of a representative: the perms minima,
 * then its nshingles (what the containment estimate needs). */

static int open_(void **state, const void *conf, struct sl_err *err)
{
	struct near *n = calloc(1, sizeof(*n));
	const struct near_conf *c = conf;

	if (!n)
		return sl_error(err, "out of memory");
	n->conf = *c;
	n->conf.perms = c->bands * c->rows;
	if (n->conf.perms > MINHASH_MAX_PERMS ||
	    minhash_init(&n->mh, (int)n->conf.perms, (int)c->bands,
			 (int)c->rows, (uint64_t)c->seed, err) ||
	    !(n->cand_sig = malloc((size_t)(n->conf.perms + 1) *
				   sizeof(uint64_t)))) {
		if (n->conf.perms > MINHASH_MAX_PERMS)
			sl_error(err, "bands x rows is over %d", MINHASH_MAX_PERMS);
		minhash_release(&n->mh);
		free(n);
		return -1;
	}
	*state = n;
	return 0;
}

static void close_(void *state)
{
	struct near *n = state;

	sqlite3_finalize(n->load);
	sqlite3_finalize(n->sig);
	sqlite3_finalize(n->add_doc);
	sqlite3_finalize(n->add_band);
	sqlite3_finalize(n->merge);
	sqlite3_finalize(n->demote);
	sqlite3_finalize(n->id_of);
	minhash_release(&n->mh);
	for (int i = 0; i < INDEX_PARTS; i++)
		u64map_release(&n->index[i]);
	free(n->cand_sig);
	free(n->cands);
	free(n);
}

static void *scratch_new(const void *state)
{
	struct scratch *s = calloc(1, sizeof(*s));

	if (s)
		shingle_init(&s->s);
	return s;
}

static void scratch_free(void *p)
{
	struct scratch *s = p;

	shingle_release(&s->s);
	free(s);
}

static int apply(const void *state, void *scratch, const struct stage_doc *d,
		 struct stage_out *out, struct sl_err *err)
{
	const struct near *n = state;
	struct scratch *s = scratch;
	struct shingle_opts so = { (int)n->conf.word_n, (int)n->conf.char_n,
				   1 };
	size_t need = (1 + (size_t)n->conf.perms + (size_t)n->conf.bands) *
		      sizeof(uint64_t);
	uint64_t *p;

	if (shingle_text(&s->s, &so, d->text, d->len, err) < 0)
		return -1;
	if (buf_grow(&out->data, need))
		return sl_error(err, "out of memory");
	p = (uint64_t *)out->data.data;
	p[0] = s->s.n;
	minhash_signature(&n->mh, s->s.h, s->s.n, p + 1);
	minhash_bands(&n->mh, p + 1, p + 1 + n->conf.perms);
	out->data.len = need;
	return 0;
}

/* One statement for all bands of a document: SQLite's per-statement cost
 * (VDBE start, halt, reset) was most of the writer's time with one
 * statement a band.  ?1..?bands are the band keys; ?bands+1 the document;
 * the rows get consecutive seq in band order. */
static int prepare_bands(struct near *n, struct store *st, struct sl_err *err)
{
	struct buf a;
	int rc;

	buf_init(&a, 0);
	buf_adds(&a, "INSERT INTO minhash_bands(band, hash, doc) VALUES ");
	for (long b = 0; b < n->conf.bands; b++)
		buf_addf(&a, "%s(%ld, ?%ld, ?%ld)", b ? ", " : "", b, b + 1,
			 n->conf.bands + 1);
	rc = !a.data ? sl_error(err, "out of memory") :
	     store_prepare(st, &n->add_band, a.data, err);
	buf_release(&a);
	return rc;
}

static int prepare(struct near *n, struct store *st, struct sl_err *err)
{
	if (n->add_band)
		return 0;
	return prepare_bands(n, st, err) ||
	       store_prepare(st, &n->load, "SELECT seq, band, hash, doc FROM "
			     "minhash_bands WHERE seq > ?1 ORDER BY seq", err) ||
	       store_prepare(st, &n->sig, "SELECT sig, cluster FROM "
			     "minhash_docs WHERE doc = ?1", err) ||
	       store_prepare(st, &n->add_doc, "INSERT OR REPLACE INTO "
			     "minhash_docs(doc, cluster, sig) VALUES (?1, ?2, ?3)",
			     err) ||
	       store_prepare(st, &n->merge, "UPDATE minhash_docs SET cluster = "
			     "?2 WHERE cluster = ?1", err) ||
	       store_prepare(st, &n->demote, "UPDATE verdicts SET decision = "
			     "'drop', reason = 'near_duplicate', detail = ?2 "
			     "WHERE doc = ?1 AND stage = 'minhash' AND decision "
			     "= 'keep'", err) ||
	       store_prepare(st, &n->id_of, "SELECT id FROM docs WHERE rowid = "
			     "?1", err) ? -1 : 0;
}

static int done(struct store *st, sqlite3_stmt *s, struct sl_err *err)
{
	int rc = sqlite3_step(s);

	sqlite3_reset(s);
	return rc == SQLITE_DONE ? 0 : store_fail(st, err, "near dedup");
}

static int index_add(struct near *n, long band, uint64_t key, int64_t doc,
		     struct sl_err *err)
{
	if (band < 0 || band >= n->conf.bands || doc <= 0 || doc > MAX_DOC)
		return sl_error(err, "near dedup: band index entry (band %ld, "
				"doc %lld) out of range", band, (long long)doc);
	if (u64map_add(part(n, key), key, (uint64_t)doc << BAND_BITS |
		       (uint64_t)band))
		return sl_error(err, "near dedup: out of memory for the band "
				"index");
	return 0;
}

/* Read the band index entries added since the last look: the whole index
 * at the first batch, later what other processes appended.  Our own
 * appends move synced past themselves (keep_as_rep), which is right as
 * the batch's transaction holds the write lock. */
static int sync_(void *state, struct store *st, struct sl_err *err)
{
	struct near *n = state;
	int rc;

	if (prepare(n, st, err))
		return -1;
	sqlite3_bind_int64(n->load, 1, n->synced);
	while ((rc = sqlite3_step(n->load)) == SQLITE_ROW) {
		n->synced = sqlite3_column_int64(n->load, 0);
		if (index_add(n, (long)sqlite3_column_int64(n->load, 1),
			      (uint64_t)sqlite3_column_int64(n->load, 2),
			      sqlite3_column_int64(n->load, 3), err)) {
			sqlite3_reset(n->load);
			return -1;
		}
	}
	sqlite3_reset(n->load);
	return rc == SQLITE_DONE ? 0 : store_fail(st, err, "near dedup");
}

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
}

/* The representatives sharing a band with keys into n->cands, in the
 * order version 2's SQL index gave them: band by band, each band's
 * documents by rowid (a document once per band it shares). */
static int candidates(struct near *n, const uint64_t *keys,
		      struct sl_err *err)
{
	n->ncands = 0;
	for (long b = 0; b < n->conf.bands; b++) {
		size_t start = n->ncands;

		const struct u64map *m = part(n, keys[b]);

		for (size_t i = u64map_first(m, keys[b]); i != U64MAP_END;
		     i = u64map_next(m, keys[b], i)) {
			uint64_t v = m->v[i].val;

			if ((long)(v & ((1u << BAND_BITS) - 1)) != b)
				continue;
			if (n->ncands == n->cands_alloc) {
				size_t na = n->cands_alloc ? 2 * n->cands_alloc : 64;
				int64_t *p = realloc(n->cands, na * sizeof(*p));

				if (!p)
					return sl_error(err, "out of memory");
				n->cands = p;
				n->cands_alloc = na;
			}
			n->cands[n->ncands++] = (int64_t)(v >> BAND_BITS);
		}
		if (n->ncands - start > 1)
			qsort(n->cands + start, n->ncands - start,
			      sizeof(*n->cands), cmp_i64);
	}
	return 0;
}

/* Estimated overlap |A ∩ B| / min(|A|, |B|) from the estimated Jaccard
 * and the shingle counts; see the top of the file. */
static double overlap(double j, uint64_t na, uint64_t nb)
{
	double c, small = (double)(na < nb ? na : nb);

	if (small <= 0)
		return 0;
	c = j * ((double)na + (double)nb) / (1 + j) / small;
	return c > 1 ? 1 : c;
}

/* A candidate's estimated Jaccard against sig, its cluster and its
 * shingle count; -1 on error. */
static double compare(struct near *n, struct store *st, int64_t cand,
		      const uint64_t *sig, int64_t *cluster, uint64_t *nsh,
		      struct sl_err *err)
{
	size_t sz = (size_t)n->conf.perms * sizeof(uint64_t);
	const void *b;
	double est = -1;

	sqlite3_bind_int64(n->sig, 1, cand);
	if (sqlite3_step(n->sig) != SQLITE_ROW) {
		sqlite3_reset(n->sig);
		return store_fail(st, err, "near dedup: candidate without row");
	}
	*cluster = sqlite3_column_int64(n->sig, 1);
	b = sqlite3_column_blob(n->sig, 0);
	*nsh = 0;
	if (b && sqlite3_column_bytes(n->sig, 0) == (int)(sz + sizeof(*nsh))) {
		memcpy(n->cand_sig, b, sz);
		memcpy(nsh, (const char *)b + sz, sizeof(*nsh));
		est = minhash_estimate(sig, n->cand_sig, (int)n->conf.perms);
	}
	sqlite3_reset(n->sig);
	return est < 0 ? 0 : est;
}

/* {"dup_of":ID,"cluster":N} and, when the match was by containment
 * only, "contained":its estimate (contained < 0: none). */
static int dup_detail(struct near *n, struct store *st, int64_t cluster,
		      double contained, struct buf *out, struct sl_err *err)
{
	const char *id;

	sqlite3_bind_int64(n->id_of, 1, cluster);
	if (sqlite3_step(n->id_of) != SQLITE_ROW) {
		sqlite3_reset(n->id_of);
		return store_fail(st, err, "near dedup: lost representative");
	}
	id = (const char *)sqlite3_column_text(n->id_of, 0);
	buf_reset(out);
	buf_adds(out, "{\"dup_of\":");
	jsonw_str(out, id, strlen(id));
	buf_addf(out, ",\"cluster\":%lld", (long long)cluster);
	if (contained >= 0)
		buf_addf(out, ",\"contained\":%.3f", contained);
	buf_addc(out, '}');
	sqlite3_reset(n->id_of);
	return 0;
}

#define MAX_CLUSTERS 64

/* Merge the other matched clusters into target: the representatives of
 * those clusters stop being kept. */
static int merge(struct near *n, struct store *st, const int64_t *cl,
		 size_t ncl, int64_t target, struct stage_out *out,
		 struct sl_err *err)
{
	struct buf detail;
	int rc = 0;

	buf_init(&detail, 0);
	if (dup_detail(n, st, target, -1, &detail, err))
		return -1;
	for (size_t i = 0; i < ncl && !rc; i++) {
		if (cl[i] == target)
			continue;
		sqlite3_bind_int64(n->merge, 1, cl[i]);
		sqlite3_bind_int64(n->merge, 2, target);
		sqlite3_bind_int64(n->demote, 1, cl[i]);
		sqlite3_bind_text(n->demote, 2, detail.data, -1, SQLITE_TRANSIENT);
		rc = done(st, n->merge, err) || done(st, n->demote, err);
		if (!rc && sqlite3_changes(st->db) > 0)
			out->demoted++;
	}
	buf_release(&detail);
	return rc ? -1 : 0;
}

/* sig is out->data's minima, nsh the count just before them; the stored
 * blob is minima then count, so they are copied into cand_sig (free
 * here: the candidates are done). */
static int keep_as_rep(struct near *n, struct store *st,
		       const struct stage_doc *d, uint64_t nsh,
		       const uint64_t *sig, const uint64_t *keys,
		       struct sl_err *err)
{
	size_t sz = (size_t)n->conf.perms * sizeof(uint64_t);

	memcpy(n->cand_sig, sig, sz);
	n->cand_sig[n->conf.perms] = nsh;
	sqlite3_bind_int64(n->add_doc, 1, d->rowid);
	sqlite3_bind_int64(n->add_doc, 2, d->rowid);
	sqlite3_bind_blob(n->add_doc, 3, n->cand_sig, (int)(sz + sizeof(nsh)),
			  SQLITE_STATIC);
	if (done(st, n->add_doc, err))
		return -1;
	for (long b = 0; b < n->conf.bands; b++)
		sqlite3_bind_int64(n->add_band, (int)b + 1,
				   (sqlite3_int64)keys[b]);
	sqlite3_bind_int64(n->add_band, (int)n->conf.bands + 1, d->rowid);
	if (done(st, n->add_band, err))
		return -1;
	n->synced = sqlite3_last_insert_rowid(st->db);
	for (long b = 0; b < n->conf.bands; b++)
		if (index_add(n, b, keys[b], d->rowid, err))
			return -1;
	return 0;
}

static int decide(void *state, struct store *st, const struct stage_doc *d,
		  struct stage_out *out, struct sl_err *err)
{
	struct near *n = state;
	const uint64_t *p = (const uint64_t *)out->data.data;
	const uint64_t *sig = p + 1, *keys = p + 1 + n->conf.perms;
	int64_t clusters[MAX_CLUSTERS], best_cluster = -1, target;
	double best = -1, best_contained = -1;
	size_t ncl = 0;

	if (prepare(n, st, err))
		return -1;
	if (!p[0]) {
		stage_verdict(out, DECISION_KEEP, "no_shingles");
		return 0;
	}
	if (candidates(n, keys, err))
		return -1;
	for (size_t k = 0; k < n->ncands; k++) {
		int64_t cand = n->cands[k], cl = 0;
		uint64_t nsh = 0;
		double est, c = -1;
		size_t i;

		if (cand == d->rowid)
			continue;
		est = compare(n, st, cand, sig, &cl, &nsh, err);
		if (est < 0)
			return -1;
		if (n->conf.verify && est < n->conf.threshold) {
			if (n->conf.containment <= 0 ||
			    (c = overlap(est, p[0], nsh)) < n->conf.containment)
				continue;
			est = c;	/* matched by containment: its score */
		}
		for (i = 0; i < ncl && clusters[i] != cl; i++)
			;
		if (i == ncl && ncl < MAX_CLUSTERS)
			clusters[ncl++] = cl;
		if (est > best) {
			best = est;
			best_cluster = cl;
			best_contained = c;
		}
	}
	if (best_cluster < 0)
		return keep_as_rep(n, st, d, p[0], sig, keys, err);
	/* union: every matched cluster joins the smallest one */
	target = clusters[0];
	for (size_t i = 1; i < ncl; i++)
		if (clusters[i] < target)
			target = clusters[i];
	if (ncl > 1 && merge(n, st, clusters, ncl, target, out, err))
		return -1;
	sqlite3_bind_int64(n->add_doc, 1, d->rowid);
	sqlite3_bind_int64(n->add_doc, 2, target);
	sqlite3_bind_null(n->add_doc, 3);
	if (done(st, n->add_doc, err))
		return -1;
	stage_verdict(out, DECISION_DROP, "near_duplicate");
	out->score = best;
	return dup_detail(n, st, target, best_contained, &out->detail, err);
}

static int reset(void *state, struct store *st, struct sl_err *err)
{
	struct near *n = state;

	for (int i = 0; i < INDEX_PARTS; i++)
		u64map_clear(&n->index[i]);
	n->synced = 0;
	return store_exec(st, "DELETE FROM minhash_bands; "
			  "DELETE FROM minhash_docs", err);
}

const struct stage_ops stage_minhash = {
	.name = "minhash",
	.summary = "near dedup: MinHash LSH over word (or CJK character) "
		   "5-grams, clusters kept to one representative",
	.code_version = 2,	/* 2: fmix32 permutations (filter/minhash.h),
				 * shingle count stored with the signature */
	.opts = opts,
	.conf_size = sizeof(struct near_conf),
	.open = open_,
	.close = close_,
	.scratch_new = scratch_new,
	.scratch_free = scratch_free,
	.apply = apply,
	.sync = sync_,
	.decide = decide,
	.reset = reset,
};
