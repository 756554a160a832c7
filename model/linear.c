/*
 * linear.c: the hashed n-gram linear classifier (see linear.h).
 *
 * Layout in memory (one struct for a trained and for a loaded model):
 *
 *   emb   [nrows][dim]       F32  row r is the vector of bucket rows[r]
 *   rows  [nrows]            U32  bucket of each row, distinct
 *   w     [nlabels][dim]     F32  output layer
 *   b     [nlabels]          F32
 *   slot  [mask + 1]         open-addressing table bucket -> row + 1
 *                                 (0 = empty), at most half full; the
 *                                 bucket is kept in the slot so a lookup
 *                                 touches one cache line, not two
 *
 * A loaded model points emb, w and b into the mapped file when they are
 * aligned (the writer puts them at 4-byte offsets, so they are) and only
 * builds rows and slot.
 */
#include "linear.h"

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dataset.h"
#include "ngram.h"
#include "safetensors.h"
#include "../lib/buf.h"
#include "../lib/err.h"
#include "../lib/jsonw.h"
#include "../lib/banned.h"

struct linear {
	int dim, ngrams, char_ngrams;
	uint32_t buckets;
	size_t nlabels;
	char **labels;
	size_t nrows, arows;
	float *emb, *w, *b;
	uint32_t *rows;
	struct slot {
		uint32_t bucket, row1;	/* row + 1; 0: empty */
	} *slot;
	size_t mask;
	struct safetensors *st;	/* the mapped file, or NULL */
	float *own_emb, *own_w, *own_b;	/* allocations to free */
};

void linear_opts_default(struct linear_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->dim = 64;
	o->buckets = 2097152;
	o->ngrams = 2;
	o->char_ngrams = 3;
	/* fastText's 25 epochs overfit both toxicity sets (held-out 10% of
	 * train: 10 epochs +0.004-0.006 AUC on Chinese, +0.001 English) */
	o->epochs = 10;
	o->lr = 0.1;	/* fastText's default for supervised */
	o->seed = 1;
}

size_t linear_nlabels(const struct linear *m)
{
	return m->nlabels;
}

const char *linear_label(const struct linear *m, size_t i)
{
	return i < m->nlabels ? m->labels[i] : NULL;
}

size_t linear_nrows(const struct linear *m)
{
	return m->nrows;
}

void linear_free(struct linear *m)
{
	if (!m)
		return;
	for (size_t i = 0; i < m->nlabels; i++)
		free(m->labels[i]);
	free(m->labels);
	free(m->own_emb);
	free(m->own_w);
	free(m->own_b);
	free(m->rows);
	free(m->slot);
	safetensors_close(m->st);
	free(m);
}

/* ---- the bucket -> row table ---------------------------------------- */

static size_t slot_of(const struct linear *m, uint32_t bucket)
{
	return (size_t)((bucket * 0x9e3779b97f4a7c15ULL) >> 20) & m->mask;
}

/* The row of bucket, or -1. */
static long find_row(const struct linear *m, uint32_t bucket)
{
	for (size_t i = slot_of(m, bucket);; i = (i + 1) & m->mask) {
		const struct slot *s = &m->slot[i];

		if (!s->row1)
			return -1;
		if (s->bucket == bucket)
			return (long)s->row1 - 1;
	}
}

static int table_alloc(struct linear *m, size_t nrows)
{
	size_t n = 64;

	while (n < 2 * nrows)
		n *= 2;
	free(m->slot);
	if (!(m->slot = calloc(n, sizeof(*m->slot))))
		return -1;
	m->mask = n - 1;
	return 0;
}

/* Put row r (bucket rows[r]) in the table; 1 when the bucket was there. */
static int table_put(struct linear *m, uint32_t r)
{
	size_t i = slot_of(m, m->rows[r]);

	for (; m->slot[i].row1; i = (i + 1) & m->mask)
		if (m->slot[i].bucket == m->rows[r])
			return 1;
	m->slot[i].bucket = m->rows[r];
	m->slot[i].row1 = r + 1;
	return 0;
}

/* The row of bucket, adding one when new (training); -1 out of memory. */
static long add_row(struct linear *m, uint32_t bucket)
{
	long r = find_row(m, bucket);

	if (r >= 0)
		return r;
	if (m->nrows == UINT32_MAX - 1)
		return -1;
	if (m->nrows == m->arows) {
		size_t na = m->arows ? 2 * m->arows : 4096;
		uint32_t *nr = realloc(m->rows, na * sizeof(*nr));

		if (!nr)
			return -1;
		m->rows = nr;
		m->arows = na;
	}
	m->rows[m->nrows] = bucket;
	if (2 * (m->nrows + 1) > m->mask + 1) {
		if (table_alloc(m, 2 * (m->nrows + 1)))
			return -1;
		for (size_t i = 0; i < m->nrows; i++)
			table_put(m, (uint32_t)i);
	}
	table_put(m, (uint32_t)m->nrows);
	return (long)m->nrows++;
}

/* ---- scoring -------------------------------------------------------- */

static void softmax(const double *z, size_t n, float *p)
{
	double mx = z[0], sum = 0;

	for (size_t k = 1; k < n; k++)
		if (z[k] > mx)
			mx = z[k];
	for (size_t k = 0; k < n; k++)
		sum += exp(z[k] - mx);
	for (size_t k = 0; k < n; k++)
		p[k] = (float)(exp(z[k] - mx) / sum);
}

/* Output layer on the hidden vector h, in double (training and scoring
 * alike): a file's weights are only checked finite, and near FLT_MAX a
 * float sum overflows to inf and softmax to NaN. */
static void forward(const struct linear *m, const double *h, double *z)
{
	for (size_t k = 0; k < m->nlabels; k++) {
		const float *w = m->w + k * (size_t)m->dim;
		double s = 0;

		for (int j = 0; j < m->dim; j++)
			s += (double)w[j] * h[j];
		z[k] = s + m->b[k];
	}
}

/* Features are looked up PREFETCH at a time: the slot of each, then the
 * embedding row of each, are requested before any is used, so their cache
 * misses (a big model's table and rows are far larger than the cache)
 * overlap instead of following one another. */
#define PREFETCH 16

static size_t next_buckets(const struct linear *m, struct ngram_iter *it,
			   uint32_t *bk)
{
	uint64_t f;
	size_t n = 0;

	while (n < PREFETCH && ngram_next(it, &f)) {
		bk[n] = (uint32_t)(f % m->buckets);
		__builtin_prefetch(&m->slot[slot_of(m, bk[n])]);
		n++;
	}
	return n;
}

void linear_score(const struct linear *m, const char *text, size_t len,
		  float *probs)
{
	double h[LINEAR_MAX_DIM];
	double z[LINEAR_MAX_LABELS];
	struct ngram_iter it;
	uint32_t bk[PREFETCH];
	long row[PREFETCH];
	size_t nf = 0, n;

	memset(h, 0, (size_t)m->dim * sizeof(*h));
	ngram_init(&it, text, len, m->ngrams, m->char_ngrams);
	while ((n = next_buckets(m, &it, bk)) > 0) {
		for (size_t i = 0; i < n; i++) {
			const float *e;

			if ((row[i] = find_row(m, bk[i])) < 0)
				continue;
			e = m->emb + (size_t)row[i] * (size_t)m->dim;
			for (int j = 0; j < m->dim; j += 16)
				__builtin_prefetch(e + j);
		}
		for (size_t i = 0; i < n; i++) {
			if (row[i] < 0)
				continue;
			const float *e = m->emb + (size_t)row[i] * (size_t)m->dim;
			for (int j = 0; j < m->dim; j++)
				h[j] += e[j];
			nf++;
		}
	}
	if (nf > 1)
		for (int j = 0; j < m->dim; j++)
			h[j] /= (double)nf;
	forward(m, h, z);
	softmax(z, m->nlabels, probs);
}

/* ---- training ------------------------------------------------------- */

static uint64_t rng_next(uint64_t *s)
{
	/* splitmix64: small, seedable, good enough for shuffles and init */
	uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static double rng_unit(uint64_t *s)
{
	return (double)(rng_next(s) >> 11) / 9007199254740992.0;
}

/* Every example's rows, flat: rows of example i are
 * feat[off[i] .. off[i + 1]). */
struct featset {
	uint32_t *feat;
	size_t *off;
	size_t n, alloc;
};

static int featset_build(struct linear *m, const struct dataset *d,
			 struct featset *fs, struct sl_err *err)
{
	memset(fs, 0, sizeof(*fs));
	if (!(fs->off = malloc((d->n + 1) * sizeof(*fs->off))))
		return sl_error(err, "out of memory");
	for (size_t i = 0; i < d->n; i++) {
		struct ngram_iter it;
		uint64_t f;

		fs->off[i] = fs->n;
		ngram_init(&it, d->ex[i].text, d->ex[i].len, m->ngrams,
			   m->char_ngrams);
		while (ngram_next(&it, &f)) {
			long r = add_row(m, (uint32_t)(f % m->buckets));

			if (r < 0)
				return sl_error(err, "out of memory");
			if (fs->n == fs->alloc) {
				size_t na = fs->alloc ? 2 * fs->alloc : 65536;
				uint32_t *nf = realloc(fs->feat,
						       na * sizeof(*nf));
				if (!nf)
					return sl_error(err, "out of memory");
				fs->feat = nf;
				fs->alloc = na;
			}
			fs->feat[fs->n++] = (uint32_t)r;
		}
	}
	fs->off[d->n] = fs->n;
	return 0;
}

static void featset_release(struct featset *fs)
{
	free(fs->feat);
	free(fs->off);
}

/* One SGD step on one example; returns its loss.  h and gh are scratch
 * [dim]. */
static double step(struct linear *m, const uint32_t *f, size_t nf, int y,
		   double weight, double lr, double *h, float *gh)
{
	double z[LINEAR_MAX_LABELS];
	float p[LINEAR_MAX_LABELS];
	const int dim = m->dim;

	memset(h, 0, (size_t)dim * sizeof(*h));
	for (size_t i = 0; i < nf; i++) {
		const float *e = m->emb + (size_t)f[i] * (size_t)dim;
		for (int j = 0; j < dim; j++)
			h[j] += e[j];
	}
	if (nf > 1)
		for (int j = 0; j < dim; j++)
			h[j] /= (double)nf;
	forward(m, h, z);
	softmax(z, m->nlabels, p);
	memset(gh, 0, (size_t)dim * sizeof(*gh));
	for (size_t k = 0; k < m->nlabels; k++) {
		/* d loss / d z_k = p_k - [k == y] */
		float g = (float)(lr * weight * (p[k] - (k == (size_t)y)));
		float *w = m->w + k * (size_t)dim;

		if (g == 0)
			continue;
		for (int j = 0; j < dim; j++) {
			gh[j] += g * w[j];
			w[j] -= (float)(g * h[j]);
		}
		m->b[k] -= g;
	}
	if (nf > 1)
		for (int j = 0; j < dim; j++)
			gh[j] /= (float)nf;
	for (size_t i = 0; i < nf; i++) {
		float *e = m->emb + (size_t)f[i] * (size_t)dim;
		for (int j = 0; j < dim; j++)
			e[j] -= gh[j];
	}
	return -weight * log(p[y] > 1e-30f ? p[y] : 1e-30f);
}

static int check_opts(const struct linear_opts *o, const struct dataset *d,
		      struct sl_err *err)
{
	if (o->dim < 1 || o->dim > LINEAR_MAX_DIM)
		return sl_error(err, "dim %d is not in 1..%d", o->dim,
				LINEAR_MAX_DIM);
	if (o->buckets < 1)
		return sl_error(err, "buckets must be at least 1");
	if (o->ngrams < 1 || o->ngrams > NGRAM_MAX)
		return sl_error(err, "ngrams %d is not in 1..%d", o->ngrams,
				NGRAM_MAX);
	if (o->char_ngrams < 1 || o->char_ngrams > NGRAM_MAX)
		return sl_error(err, "char_ngrams %d is not in 1..%d",
				o->char_ngrams, NGRAM_MAX);
	if (o->epochs < 1)
		return sl_error(err, "epochs must be at least 1");
	if (!(o->lr > 0) || o->lr > 100)
		return sl_error(err, "learning rate %g is not in (0, 100]",
				o->lr);
	if (!d->n)
		return sl_error(err, "no training examples");
	if (d->nlabels < 2)
		return sl_error(err, "need at least two classes, have %zu",
				d->nlabels);
	if (d->nlabels > LINEAR_MAX_LABELS)
		return sl_error(err, "%zu classes: at most %d", d->nlabels,
				LINEAR_MAX_LABELS);
	return 0;
}

static int init_weights(struct linear *m, const struct dataset *d,
			uint64_t *rng, struct sl_err *err)
{
	size_t ne = m->nrows * (size_t)m->dim;

	if (!(m->labels = calloc(d->nlabels, sizeof(*m->labels))))
		return sl_error(err, "out of memory");
	for (size_t k = 0; k < d->nlabels; k++)
		if (!(m->labels[m->nlabels++] = strdup(d->labels[k])))
			return sl_error(err, "out of memory");
	m->own_emb = malloc((ne ? ne : 1) * sizeof(float));
	m->own_w = calloc(m->nlabels * (size_t)m->dim, sizeof(float));
	m->own_b = calloc(m->nlabels, sizeof(float));
	if (!m->own_emb || !m->own_w || !m->own_b)
		return sl_error(err, "out of memory");
	m->emb = m->own_emb;
	m->w = m->own_w;
	m->b = m->own_b;
	for (size_t i = 0; i < ne; i++)
		m->emb[i] = (float)((2 * rng_unit(rng) - 1) / m->dim);
	return 0;
}

static int run_epochs(struct linear *m, const struct dataset *d,
		      const struct featset *fs, const struct linear_opts *o,
		      uint64_t *rng, struct sl_err *err)
{
	size_t *order = malloc(d->n * sizeof(*order));
	size_t *count = calloc(d->nlabels, sizeof(*count));
	double *h = malloc((size_t)m->dim * sizeof(*h));
	float *gh = malloc((size_t)m->dim * sizeof(*gh));
	double total = (double)d->n * o->epochs, done = 0;
	int rc = -1;

	if (!order || !count || !h || !gh) {
		sl_error(err, "out of memory");
		goto out;
	}
	dataset_counts(d, count);
	for (size_t i = 0; i < d->n; i++)
		order[i] = i;
	for (int ep = 1; ep <= o->epochs; ep++) {
		double loss = 0;

		for (size_t i = d->n - 1; i > 0; i--) {
			size_t j = (size_t)(rng_next(rng) % (i + 1)), t;

			t = order[i], order[i] = order[j], order[j] = t;
		}
		for (size_t i = 0; i < d->n; i++, done++) {
			size_t e = order[i];
			int y = d->ex[e].label;
			double wt = o->class_weight ?
				(double)d->n / ((double)d->nlabels * count[y]) :
				1.0;

			loss += step(m, fs->feat + fs->off[e],
				     fs->off[e + 1] - fs->off[e], y, wt,
				     o->lr * (1 - done / total), h, gh);
		}
		if (o->on_epoch)
			o->on_epoch(o->arg, ep, loss / (double)d->n, m);
	}
	rc = 0;
out:
	free(order);
	free(count);
	free(h);
	free(gh);
	return rc;
}

int linear_train(struct linear **out, const struct dataset *d,
		 const struct linear_opts *o, struct sl_err *err)
{
	struct linear *m;
	struct featset fs = { 0 };
	uint64_t rng = o->seed;

	*out = NULL;
	if (check_opts(o, d, err))
		return -1;
	if (!(m = calloc(1, sizeof(*m))))
		return sl_error(err, "out of memory");
	m->dim = o->dim;
	m->ngrams = o->ngrams;
	m->char_ngrams = o->char_ngrams;
	m->buckets = o->buckets;
	if (table_alloc(m, 4096)) {
		sl_error(err, "out of memory");
		goto fail;
	}
	if (featset_build(m, d, &fs, err) || init_weights(m, d, &rng, err) ||
	    run_epochs(m, d, &fs, o, &rng, err))
		goto fail;
	featset_release(&fs);
	*out = m;
	return 0;
fail:
	featset_release(&fs);
	linear_free(m);
	return -1;
}

/* ---- the file ------------------------------------------------------- */

static int meta_json(const struct linear *m, struct st_writer *w,
		     struct sl_err *err)
{
	struct buf b;
	int rc;

	buf_init(&b, 0);
	buf_addf(&b, "{\"dim\":%d,\"buckets\":%u,\"ngrams\":%d,"
		 "\"char_ngrams\":%d}", m->dim, m->buckets, m->ngrams,
		 m->char_ngrams);
	rc = safetensors_writer_meta(w, "config", b.data, err);
	buf_reset(&b);
	buf_addc(&b, '[');
	for (size_t k = 0; k < m->nlabels; k++) {
		if (k)
			buf_addc(&b, ',');
		jsonw_str(&b, m->labels[k], strlen(m->labels[k]));
	}
	if (buf_addc(&b, ']'))
		rc = sl_error(err, "out of memory");
	if (!rc)
		rc = safetensors_writer_meta(w, "labels", b.data, err);
	if (!rc)
		rc = safetensors_writer_meta(w, "arch", "linear", err);
	buf_release(&b);
	return rc;
}

int linear_save(const struct linear *m, const char *path, struct sl_err *err)
{
	struct st_writer w;
	uint64_t se[2] = { m->nrows, (uint64_t)m->dim };
	uint64_t sr[1] = { m->nrows };
	uint64_t sw[2] = { m->nlabels, (uint64_t)m->dim };
	uint64_t sb[1] = { m->nlabels };
	int rc;

	safetensors_writer_init(&w);
	rc = safetensors_writer_add(&w, "emb", ST_F32, se, 2, m->emb,
				    m->nrows * (size_t)m->dim * 4, err);
	if (!rc)
		rc = safetensors_writer_add(&w, "rows", ST_U32, sr, 1,
					    m->rows, m->nrows * 4, err);
	if (!rc)
		rc = safetensors_writer_add(&w, "out.weight", ST_F32, sw, 2,
					    m->w, m->nlabels * (size_t)m->dim *
					    4, err);
	if (!rc)
		rc = safetensors_writer_add(&w, "out.bias", ST_F32, sb, 1, m->b,
					    m->nlabels * 4, err);
	if (!rc)
		rc = meta_json(m, &w, err);
	if (!rc)
		rc = safetensors_writer_write(&w, path, err);
	safetensors_writer_release(&w);
	return rc;
}

static int get_int(json_t *o, const char *key, long long lo, long long hi,
		   long long *v, const char *path, struct sl_err *err)
{
	json_t *x = json_object_get(o, key);

	if (!json_is_integer(x))
		return sl_error(err, "'%s': config lacks the integer '%s'",
				path, key);
	*v = json_integer_value(x);
	if (*v < lo || *v > hi)
		return sl_error(err, "'%s': config %s = %lld is not in "
				"%lld..%lld", path, key, *v, lo, hi);
	return 0;
}

static int load_config(struct linear *m, const char *path, struct sl_err *err)
{
	const char *cfg = safetensors_meta(m->st, "config");
	json_error_t je;
	json_t *o;
	long long v;
	int rc = -1;

	if (!cfg)
		return sl_error(err, "'%s': no config in the metadata", path);
	if (!(o = json_loads(cfg, JSON_REJECT_DUPLICATES, &je)) ||
	    !json_is_object(o)) {
		json_decref(o);
		return sl_error(err, "'%s': config is not a JSON object", path);
	}
	if (get_int(o, "dim", 1, LINEAR_MAX_DIM, &v, path, err))
		goto out;
	m->dim = (int)v;
	if (get_int(o, "buckets", 1, UINT32_MAX, &v, path, err))
		goto out;
	m->buckets = (uint32_t)v;
	if (get_int(o, "ngrams", 1, NGRAM_MAX, &v, path, err))
		goto out;
	m->ngrams = (int)v;
	/* files from before char_ngrams used ngrams for every token */
	m->char_ngrams = m->ngrams;
	if (json_object_get(o, "char_ngrams")) {
		if (get_int(o, "char_ngrams", 1, NGRAM_MAX, &v, path, err))
			goto out;
		m->char_ngrams = (int)v;
	}
	rc = 0;
out:
	json_decref(o);
	return rc;
}

static int load_labels(struct linear *m, const char *path, struct sl_err *err)
{
	const char *s = safetensors_meta(m->st, "labels");
	json_error_t je;
	json_t *a;
	size_t n;
	int rc = -1;

	if (!s)
		return sl_error(err, "'%s': no labels in the metadata", path);
	if (!(a = json_loads(s, 0, &je)) || !json_is_array(a)) {
		json_decref(a);
		return sl_error(err, "'%s': labels is not a JSON array", path);
	}
	n = json_array_size(a);
	if (n < 2 || n > LINEAR_MAX_LABELS) {
		sl_error(err, "'%s': %zu labels (2..%d)", path, n,
			 LINEAR_MAX_LABELS);
		goto out;
	}
	if (!(m->labels = calloc(n, sizeof(*m->labels)))) {
		sl_error(err, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		const char *l = json_string_value(json_array_get(a, i));

		if (!l || !*l) {
			sl_error(err, "'%s': label %zu is not a non-empty "
				 "string", path, i);
			goto out;
		}
		for (size_t j = 0; j < i; j++)
			if (!strcmp(m->labels[j], l)) {
				sl_error(err, "'%s': label '%s' given twice",
					 path, l);
				goto out;
			}
		if (!(m->labels[m->nlabels++] = strdup(l))) {
			sl_error(err, "out of memory");
			goto out;
		}
	}
	rc = 0;
out:
	json_decref(a);
	return rc;
}

/* Tensor name of dtype dt and shape [d0] or [d0, d1]. */
static const struct st_tensor *want(const struct linear *m, const char *name,
				    enum st_dtype dt, uint64_t d0, int ndim,
				    uint64_t d1, const char *path,
				    struct sl_err *err)
{
	const struct st_tensor *t = safetensors_find(m->st, name);

	if (!t) {
		sl_error(err, "'%s': no tensor '%s'", path, name);
		return NULL;
	}
	if (t->dtype != dt || t->ndim != (size_t)ndim || t->shape[0] != d0 ||
	    (ndim == 2 && t->shape[1] != d1)) {
		sl_error(err, "'%s': tensor '%s' is not %s of the shape the "
			 "config and labels give", path, name,
			 st_dtype_name(dt));
		return NULL;
	}
	return t;
}

/* Point into the file when possible, else copy; then check finiteness. */
static int floats(const struct st_tensor *t, float **to, float **own,
		  const char *path, struct sl_err *err)
{
	const float *p = safetensors_f32(t);

	if (p) {
		*to = (float *)p;
	} else {
		if (!(*own = malloc(t->nelem ? t->nelem * sizeof(float) : 1)))
			return sl_error(err, "out of memory");
		if (safetensors_to_f32(t, *own, t->nelem, err))
			return -1;
		*to = *own;
	}
	for (uint64_t i = 0; i < t->nelem; i++)
		if (!isfinite((*to)[i]))
			return sl_error(err, "'%s': tensor '%s' holds a value "
					"that is not finite", path, t->name);
	return 0;
}

static int load_rows(struct linear *m, const struct st_tensor *t,
		     const char *path, struct sl_err *err)
{
	const unsigned char *p = t->data;

	m->nrows = t->nelem;
	if (!(m->rows = malloc(m->nrows ? m->nrows * 4 : 1)) ||
	    table_alloc(m, m->nrows))
		return sl_error(err, "out of memory");
	for (size_t i = 0; i < m->nrows; i++) {
		/* little-endian on disk, whatever the host */
		m->rows[i] = (uint32_t)p[4 * i] | (uint32_t)p[4 * i + 1] << 8 |
			     (uint32_t)p[4 * i + 2] << 16 |
			     (uint32_t)p[4 * i + 3] << 24;
		if (m->rows[i] >= m->buckets)
			return sl_error(err, "'%s': row %zu has bucket %u, "
					"beyond the %u buckets", path, i,
					m->rows[i], m->buckets);
		if (table_put(m, (uint32_t)i))
			return sl_error(err, "'%s': bucket %u has two rows",
					path, m->rows[i]);
	}
	return 0;
}

static int load(struct linear *m, const char *path, struct sl_err *err)
{
	const struct st_tensor *te, *tr, *tw, *tb;
	const char *arch = safetensors_meta(m->st, "arch");

	if (!arch || strcmp(arch, "linear"))
		return sl_error(err, "'%s': not a linear model (arch '%s')",
				path, arch ? arch : "");
	if (load_config(m, path, err) || load_labels(m, path, err))
		return -1;
	if (safetensors_count(m->st) != 4)
		return sl_error(err, "'%s': %zu tensors, want emb, rows, "
				"out.weight and out.bias", path,
				safetensors_count(m->st));
	if (!(tr = safetensors_find(m->st, "rows")))
		return sl_error(err, "'%s': no tensor 'rows'", path);
	if (!(tr = want(m, "rows", ST_U32, tr->ndim ? tr->shape[0] : 0, 1, 0,
			path, err)) ||
	    !(te = want(m, "emb", ST_F32, tr->shape[0], 2, (uint64_t)m->dim,
			path, err)) ||
	    !(tw = want(m, "out.weight", ST_F32, m->nlabels, 2,
			(uint64_t)m->dim, path, err)) ||
	    !(tb = want(m, "out.bias", ST_F32, m->nlabels, 1, 0, path, err)))
		return -1;
	if (load_rows(m, tr, path, err) ||
	    floats(te, &m->emb, &m->own_emb, path, err) ||
	    floats(tw, &m->w, &m->own_w, path, err) ||
	    floats(tb, &m->b, &m->own_b, path, err))
		return -1;
	return 0;
}

int linear_parse_mem(struct linear **out, const void *data, size_t size,
		     const char *name, struct sl_err *err)
{
	struct linear *m = calloc(1, sizeof(*m));

	*out = NULL;
	if (!m)
		return sl_error(err, "out of memory");
	if (safetensors_parse_mem(&m->st, data, size, name, err) ||
	    load(m, name, err)) {
		linear_free(m);
		return -1;
	}
	*out = m;
	return 0;
}

int linear_open(struct linear **out, const char *path, struct sl_err *err)
{
	struct linear *m = calloc(1, sizeof(*m));

	*out = NULL;
	if (!m)
		return sl_error(err, "out of memory");
	if (safetensors_open(&m->st, path, err) || load(m, path, err)) {
		linear_free(m);
		return -1;
	}
	*out = m;
	return 0;
}
