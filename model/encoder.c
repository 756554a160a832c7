/*
 * encoder.c: the encoder classifier's model file, open and scoring (see
 * encoder.h; forward pass in encoder_fwd.c, backward in encoder_grad.c,
 * training in encoder_train.c).
 *
 * Model file (safetensors), d = dim, f = ffn, V = vocab, P = max_len,
 * C = number of labels; Linear weights are [out, in] as nn.Linear's:
 *
 *   tok_emb.weight              [V, d]    token embeddings
 *   pos_emb.weight              [P, d]    learned position embeddings
 *   blocks.{l}.ln1.weight       [d]       LayerNorm before attention
 *   blocks.{l}.ln1.bias         [d]
 *   blocks.{l}.attn.qkv.weight  [3d, d]   rows 0..d-1 q, d..2d-1 k, then v;
 *                                         head h owns columns h*d/H.. of each
 *   blocks.{l}.attn.qkv.bias    [3d]
 *   blocks.{l}.attn.proj.weight [d, d]
 *   blocks.{l}.attn.proj.bias   [d]
 *   blocks.{l}.ln2.weight       [d]       LayerNorm before the MLP
 *   blocks.{l}.ln2.bias         [d]
 *   blocks.{l}.mlp.fc1.weight   [f, d]    then GELU (erf)
 *   blocks.{l}.mlp.fc1.bias     [f]
 *   blocks.{l}.mlp.fc2.weight   [d, f]
 *   blocks.{l}.mlp.fc2.bias     [d]
 *   ln_f.weight, ln_f.bias      [d]       final LayerNorm
 *   head.weight                 [C, d]    on the mean over the tokens
 *   head.bias                   [C]
 *
 *   __metadata__: "arch": "encoder"
 *                 "config": {"vocab":V,"dim":d,"layers":L,"heads":H,
 *                            "ffn":f,"max_len":P,"pool":"max"|"mean"}
 *                 "labels": ["clean","toxic"]   (output unit order)
 *                 "tokenizer": the .tiktoken rank lines
 *                 "tokenizer_json": its .json (regex, <|endoftext|>)
 *
 * Weights may be F32, F16 or BF16; F32 tensors aligned in the mapping are
 * used in place, the others converted to F32 at open.  Every tensor must
 * be present with exactly the shape the config implies and there must be
 * no other: a file that disagrees with itself is refused before use.
 */
#include <cblas.h>
#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "bpe.h"
#include "encoder_int.h"
#include "ids.h"
#include "safetensors.h"
#include "../lib/err.h"
#include "../lib/banned.h"

static int json_int(json_t *o, const char *key, int *out, struct sl_err *err)
{
	json_t *v = json_object_get(o, key);

	if (!json_is_integer(v) || json_integer_value(v) < 0 ||
	    json_integer_value(v) > 1 << 30)
		return sl_error(err, "config has no integer '%s'", key);
	*out = (int)json_integer_value(v);
	return 0;
}

static int parse_config(struct encoder *m, const char *cfg,
			struct sl_err *err)
{
	json_error_t jerr;
	json_t *o = cfg ? json_loads(cfg, JSON_REJECT_DUPLICATES, &jerr) : NULL;
	json_t *pool;
	struct enc_config *c = &m->cfg;
	int rc = -1;

	if (!o)
		return sl_error(err, "no valid 'config' in the metadata");
	if (json_int(o, "vocab", &c->vocab, err) ||
	    json_int(o, "dim", &c->dim, err) ||
	    json_int(o, "layers", &c->layers, err) ||
	    json_int(o, "heads", &c->heads, err) ||
	    json_int(o, "ffn", &c->ffn, err) ||
	    json_int(o, "max_len", &c->max_len, err))
		goto out;
	pool = json_object_get(o, "pool");
	if (json_is_string(pool) && !strcmp(json_string_value(pool), "max"))
		c->pool = ENC_POOL_MAX;
	else if (json_is_string(pool) &&
		 !strcmp(json_string_value(pool), "mean"))
		c->pool = ENC_POOL_MEAN;
	else {
		sl_error(err, "config 'pool' is not \"max\" or \"mean\"");
		goto out;
	}
	rc = 0;
out:
	json_decref(o);
	return rc;
}

static int parse_labels(struct encoder *m, const char *labels,
			struct sl_err *err)
{
	json_error_t jerr;
	json_t *a = labels ? json_loads(labels, 0, &jerr) : NULL;
	size_t n;
	int rc = -1;

	if (!json_is_array(a)) {
		json_decref(a);
		return sl_error(err, "no 'labels' array in the metadata");
	}
	n = json_array_size(a);
	if (n < 2 || n > ENC_MAX_LABELS) {
		sl_error(err, "%zu labels (2 to %d)", n, ENC_MAX_LABELS);
		goto out;
	}
	m->labels = calloc(n, sizeof(*m->labels));
	if (!m->labels) {
		sl_error(err, "out of memory");
		goto out;
	}
	m->cfg.nlabels = (int)n;
	for (size_t i = 0; i < n; i++) {
		json_t *v = json_array_get(a, i);

		if (!json_is_string(v) || !*json_string_value(v)) {
			sl_error(err, "label %zu is not a non-empty string", i);
			goto out;
		}
		if (!(m->labels[i] = strdup(json_string_value(v)))) {
			sl_error(err, "out of memory");
			goto out;
		}
	}
	rc = 0;
out:
	json_decref(a);
	return rc;
}

/* Point every weight at its tensor, converting those that cannot be used
 * in place. */
static int float_dtype(enum st_dtype dt)
{
	return dt == ST_F32 || dt == ST_F16 || dt == ST_BF16;
}

/* Check tensor i's entry (and the scales of an I8 matrix); *nq counts
 * the scale tensors, *owned the floats to convert. */
static int check_tensor(struct encoder *m, const char *name,
			const uint64_t shape[2], size_t ndim, size_t *nq,
			size_t *owned, struct sl_err *err)
{
	const struct st_tensor *t = safetensors_find(m->st, name), *s;
	char sname[80];

	if (!t)
		return sl_error(err, "no tensor '%s'", name);
	if (t->ndim != ndim || t->shape[0] != shape[0] ||
	    (ndim == 2 && t->shape[1] != shape[1]))
		return sl_error(err, "tensor '%s' has not the shape the config "
				"implies", name);
	if (!safetensors_f32(t))
		*owned += t->nelem;
	if (float_dtype(t->dtype))
		return 0;
	if (t->dtype != ST_I8 || ndim != 2)
		return sl_error(err, "tensor '%s' is %s, not F32, F16, BF16 "
				"(or I8 for a matrix)", name,
				st_dtype_name(t->dtype));
	snprintf(sname, sizeof(sname), "%s.scale", name);
	s = safetensors_find(m->st, sname);
	if (!s || s->ndim != 1 || s->shape[0] != shape[0] ||
	    !float_dtype(s->dtype))
		return sl_error(err, "I8 tensor '%s' has no float '%s' of "
				"shape [%llu]", name, sname,
				(unsigned long long)shape[0]);
	(*nq)++;
	return 0;
}

/* Point every weight at its tensor, converting those that cannot be used
 * in place (F16, BF16, unaligned F32, I8 times its row scales). */
static int bind_tensors(struct encoder *m, struct sl_err *err)
{
	const struct enc_config *c = &m->cfg;
	size_t nt = enc_ntensors(c), owned = 0, nq = 0;
	char name[64];
	uint64_t shape[2];
	size_t ndim;
	float **slot;

	for (size_t i = 0; enc_tensor(c, &m->w, i, name, shape, &ndim); i++)
		if (check_tensor(m, name, shape, ndim, &nq, &owned, err))
			return -1;
	if (safetensors_count(m->st) != nt + nq)
		return sl_error(err, "%zu tensors where the config implies %zu",
				safetensors_count(m->st), nt + nq);
	if (owned && !(m->owned = malloc(owned * sizeof(float))))
		return sl_error(err, "out of memory");
	owned = 0;
	for (size_t i = 0; (slot = enc_tensor(c, &m->w, i, name, shape, &ndim));
	     i++) {
		const struct st_tensor *t = safetensors_find(m->st, name);
		const float *direct = safetensors_f32(t);

		if (direct) {
			/* Read-only in practice: scoring never writes. */
			*slot = (float *)(uintptr_t)direct;
			continue;
		}
		*slot = m->owned + owned;
		if (safetensors_to_f32(t, *slot, t->nelem, err) ||
		    (t->dtype == ST_I8 && enc_dequant_rows(m->st, name, *slot,
							   shape, err)))
			return -1;
		owned += t->nelem;
	}
	return 0;
}

static int open_tokenizer(struct encoder *m, const char *path,
			  struct sl_err *err)
{
	const char *ranks = safetensors_meta(m->st, "tokenizer");
	const char *json = safetensors_meta(m->st, "tokenizer_json");

	if (!ranks || !json)
		return sl_error(err, "no tokenizer in the metadata");
	if (bpe_open_mem(&m->tok, path, ranks, strlen(ranks), json,
			 strlen(json), err))
		return -1;
	if (bpe_vocab_size(m->tok) > (uint32_t)m->cfg.vocab)
		return sl_error(err, "the tokenizer has %u ids, the model %d",
				bpe_vocab_size(m->tok), m->cfg.vocab);
	return 0;
}

static int open_model(struct encoder *m, const char *path, int threads,
		      struct sl_err *err)
{
	const char *arch;

	arch = safetensors_meta(m->st, "arch");
	if (!arch || strcmp(arch, "encoder"))
		return sl_error(err, "not an encoder model (arch '%s')",
				arch ? arch : "");
	if (parse_config(m, safetensors_meta(m->st, "config"), err) ||
	    parse_labels(m, safetensors_meta(m->st, "labels"), err) ||
	    enc_config_check(&m->cfg, err))
		return -1;
	if (enc_weights_alloc(&m->w, &m->cfg))
		return sl_error(err, "out of memory");
	if (bind_tensors(m, err) || open_tokenizer(m, path, err))
		return -1;
	m->threads = threads < 1 ? 1 : threads > 64 ? 64 : threads;
	m->acts = calloc((size_t)m->threads, sizeof(*m->acts));
	m->scratch = calloc((size_t)m->threads, sizeof(*m->scratch));
	if (!m->acts || !m->scratch)
		return sl_error(err, "out of memory");
	for (int i = 0; i < m->threads; i++) {
		enc_acts_init(&m->acts[i], 0, 0);
		if (!(m->scratch[i] = bpe_scratch_new()))
			return sl_error(err, "out of memory");
	}
	return 0;
}

int enc_open_st(struct encoder **out, struct safetensors *st,
		const char *path, int threads, struct sl_err *err)
{
	struct encoder *m = calloc(1, sizeof(*m));

	*out = NULL;
	if (!m) {
		safetensors_close(st);
		return sl_error(err, "out of memory");
	}
	m->st = st;
	if (open_model(m, path, threads, err)) {
		sl_error_prefix(err, "cannot open model '%s': ", path);
		encoder_close(m);
		return -1;
	}
	/* Our workers each run a whole sub-batch: OpenBLAS's own threads
	 * would only fight them for the cores. */
	openblas_set_num_threads(1);
	*out = m;
	return 0;
}

int encoder_open(struct encoder **out, const char *path, int threads,
		 struct sl_err *err)
{
	struct safetensors *st;

	*out = NULL;
	if (safetensors_open(&st, path, err))
		return -1;
	return enc_open_st(out, st, path, threads, err);
}

void encoder_close(struct encoder *m)
{
	if (!m)
		return;
	if (m->labels)
		for (int i = 0; i < m->cfg.nlabels; i++)
			free(m->labels[i]);
	free(m->labels);
	if (m->acts)
		for (int i = 0; i < m->threads; i++)
			enc_acts_release(&m->acts[i]);
	free(m->acts);
	if (m->scratch)
		for (int i = 0; i < m->threads; i++)
			bpe_scratch_free(m->scratch[i]);
	free(m->scratch);
	enc_weights_release(&m->w);
	free(m->owned);
	bpe_close(m->tok);
	safetensors_close(m->st);
	free(m);
}

size_t encoder_nlabels(const struct encoder *m)
{
	return (size_t)m->cfg.nlabels;
}

const char *encoder_label(const struct encoder *m, size_t i)
{
	return i < (size_t)m->cfg.nlabels ? m->labels[i] : NULL;
}

int enc_tokenize(const struct encoder *m, struct bpe_scratch *s,
		 const char *text, size_t len, struct ids *out,
		 struct sl_err *err)
{
	return bpe_encode(m->tok, s, text, len, 0, out, err);
}

/* ------------------------------------------------------------------ */
/* Scoring                                                            */

struct window {
	const uint32_t *ids;
	int len;
	size_t text;
};

struct score_job {
	const struct enc_config *c;
	const struct enc_weights *w;
	struct enc_acts *acts;
	const struct window *win;
	size_t nwin;
	int threads;
	float *wprob;		/* [nwin, nlabels] */
	int failed;
};

/* Windows [lo, hi) of the job in sub-batches of about 4096 tokens. */
static void score_range(struct score_job *j, struct enc_acts *a, size_t lo,
			size_t hi)
{
	size_t C = (size_t)j->c->nlabels, cap = 4096;
	uint32_t *ids = malloc(cap * sizeof(*ids));
	int *len = malloc((hi - lo + 1) * sizeof(*len));

	if (!ids || !len)
		goto fail;
	while (lo < hi) {
		struct enc_batch b = { ids, len, 0, 0 };
		size_t first = lo;

		while (lo < hi && (b.B == 0 || b.N + (size_t)j->win[lo].len <=
				   cap)) {
			const struct window *w = &j->win[lo++];

			if (b.N + (size_t)w->len > cap) {
				uint32_t *p = realloc(ids, (b.N + (size_t)w->len)
						      * sizeof(*ids));
				if (!p)
					goto fail;
				ids = p;
				b.ids = ids;
				cap = b.N + (size_t)w->len;
			}
			memcpy(ids + b.N, w->ids, (size_t)w->len * sizeof(*ids));
			len[b.B++] = w->len;
			b.N += (size_t)w->len;
		}
		if (enc_acts_reserve(a, j->c, &b))
			goto fail;
		enc_forward(j->c, j->w, a, &b, 0.0f, 0);
		for (size_t s = 0; s < b.B; s++) {
			float *p = j->wprob + (first + s) * C, mx, sum = 0;
			const float *z = a->logits + s * C;

			mx = z[0];
			for (size_t k = 1; k < C; k++)
				mx = z[k] > mx ? z[k] : mx;
			for (size_t k = 0; k < C; k++)
				sum += (p[k] = expf(z[k] - mx));
			for (size_t k = 0; k < C; k++)
				p[k] /= sum;
		}
	}
	free(ids);
	free(len);
	return;
fail:
	free(ids);
	free(len);
	j->failed = 1;
}

static void score_worker(void *ctx, int i)
{
	struct score_job *j = ctx;
	size_t lo = j->nwin * (size_t)i / (size_t)j->threads;
	size_t hi = j->nwin * (size_t)(i + 1) / (size_t)j->threads;

	if (lo < hi)
		score_range(j, &j->acts[i], lo, hi);
}

int enc_score_ids(const struct enc_config *c, const struct enc_weights *w,
		  int threads, struct enc_acts *acts,
		  const uint32_t *const *ids, const size_t *nids, size_t n,
		  float *probs, struct sl_err *err)
{
	size_t C = (size_t)c->nlabels, P = (size_t)c->max_len, nwin = 0;
	struct window *win = NULL;
	struct score_job j;
	uint32_t *empty = NULL;
	int rc = -1;

	for (size_t i = 0; i < n; i++)
		nwin += nids[i] ? (nids[i] + P - 1) / P : 1;
	win = malloc((nwin ? nwin : 1) * sizeof(*win));
	empty = malloc(sizeof(*empty));
	j = (struct score_job){ c, w, acts, win, nwin, threads, NULL, 0 };
	j.wprob = malloc((nwin ? nwin : 1) * C * sizeof(float));
	if (!win || !empty || !j.wprob) {
		sl_error(err, "out of memory");
		goto out;
	}
	*empty = 0;	/* callers give at least one id; be safe anyway */
	nwin = 0;
	for (size_t i = 0; i < n; i++) {
		if (!nids[i])
			win[nwin++] = (struct window){ empty, 1, i };
		for (size_t o = 0; o < nids[i]; o += P)
			win[nwin++] = (struct window){
				ids[i] + o, (int)(nids[i] - o < P ? nids[i] - o
						  : P), i };
	}
	for (size_t i = 0; i < nwin; i++)
		for (int k = 0; k < win[i].len; k++)
			if (win[i].ids[k] >= (uint32_t)c->vocab) {
				sl_error(err, "token id %u beyond the vocabulary",
					 win[i].ids[k]);
				goto out;
			}
	enc_parallel(threads, score_worker, &j);
	if (j.failed) {
		sl_error(err, "out of memory");
		goto out;
	}
	/* Pool each text's windows (they are consecutive). */
	for (size_t i = 0, k = 0; i < n; i++) {
		float *p = probs + i * C, sum = 0;

		/* Max of probabilities >= 0 and sum both start at 0; the
		 * mean's division is the renormalization below. */
		for (size_t q = 0; q < C; q++)
			p[q] = 0.0f;
		for (; k < nwin && win[k].text == i; k++)
			for (size_t q = 0; q < C; q++) {
				float v = j.wprob[k * C + q];

				p[q] = c->pool == ENC_POOL_MAX ?
				       (v > p[q] ? v : p[q]) : p[q] + v;
			}
		for (size_t q = 0; q < C; q++)
			sum += p[q];
		for (size_t q = 0; q < C; q++)
			p[q] = sum > 0 ? p[q] / sum : 1.0f / (float)C;
	}
	rc = 0;
out:
	free(win);
	free(empty);
	free(j.wprob);
	return rc;
}

struct tok_job {
	struct encoder *m;
	const char *const *texts;
	const size_t *lens;
	size_t n;
	struct ids *tok;
	struct sl_err err;
	int failed;
};

/* Tokenize texts [i n / threads, (i + 1) n / threads). */
static void tok_worker(void *ctx, int i)
{
	struct tok_job *j = ctx;
	struct encoder *m = j->m;
	size_t lo = j->n * (size_t)i / (size_t)m->threads;
	size_t hi = j->n * (size_t)(i + 1) / (size_t)m->threads;
	uint32_t eot = bpe_eot_id(m->tok);
	struct sl_err err;

	/* An empty text is scored as <|endoftext|> alone. */
	if (eot >= (uint32_t)m->cfg.vocab)
		eot = 0;
	for (size_t k = lo; k < hi; k++) {
		if (enc_tokenize(m, m->scratch[i], j->texts[k], j->lens[k],
				 &j->tok[k], &err) ||
		    (!j->tok[k].len && ids_push(&j->tok[k], eot))) {
			/* One message is enough; which thread's is kept does
			 * not matter. */
			if (!__atomic_exchange_n(&j->failed, 1,
						 __ATOMIC_ACQ_REL))
				j->err = err;
			return;
		}
	}
}

int encoder_score(struct encoder *m, const char *const *texts,
		  const size_t *lens, size_t n, float *probs,
		  struct sl_err *err)
{
	struct ids *tok = calloc(n ? n : 1, sizeof(*tok));
	const uint32_t **ids = malloc((n ? n : 1) * sizeof(*ids));
	size_t *nids = malloc((n ? n : 1) * sizeof(*nids));
	struct tok_job j = { m, texts, lens, n, tok, { "" }, 0 };
	int rc = -1;

	if (!tok || !ids || !nids) {
		sl_error(err, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < n; i++)
		ids_init(&tok[i]);
	enc_parallel(m->threads, tok_worker, &j);
	if (j.failed) {
		if (err)
			*err = j.err;
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		ids[i] = tok[i].v;
		nids[i] = tok[i].len;
	}
	rc = enc_score_ids(&m->cfg, &m->w, m->threads, m->acts, ids, nids, n,
			   probs, err);
out:
	if (tok)
		for (size_t i = 0; i < n; i++)
			ids_release(&tok[i]);
	free(tok);
	free(ids);
	free(nids);
	return rc;
}
