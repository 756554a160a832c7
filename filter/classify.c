/*
 * classify.c: the classify stage: a trained model (sluice train) scores
 * each document, and documents whose probability of the target class
 * reaches the threshold are dropped or flagged.
 *
 * Cascade: with cheap_model (a linear model) the cheap model scores every
 * document and its answer stands outside the band [low, high] of its
 * target probability; only the documents inside the band go to model (the
 * Transformer, ~100x slower).  Without cheap_model, model scores all.
 *
 * Verdict: score = the deciding model's probability of the target class,
 * kept for every document (the labelling queue picks uncertain ones), and
 * detail {"label":"toxic","threshold":0.5,"suggest":"<argmax class>",
 * "by":"linear|encoder"} (the labelling UI shows the suggestion).  Reason
 * "classify_<label>" when the action fires.
 *
 * Not in the default pipeline (it needs a model file): a pipeline file
 * turns it on with a [filter.classify] section.  The version folds in the
 * model files' contents, so a retrained model re-scores every document.
 *
 * Threads: apply_many() runs on the runner's workers, each with its share
 * of a batch; a linear model is read without locks, an encoder's calls
 * are serialized by model/classifier, so each worker's doubtful documents
 * go to it in one call (its matrix products run over all of them).
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stage.h"
#include "../lib/err.h"
#include "../lib/hash.h"
#include "../lib/jsonw.h"
#include "../model/cascade.h"
#include "../model/classifier.h"
#include "../model/metrics.h"
#include "../lib/banned.h"

struct classify_conf {
	char model[OPT_STRING_MAX];
	char label[OPT_STRING_MAX];
	double threshold;
	char action[OPT_STRING_MAX];
	char cheap_model[OPT_STRING_MAX];
	double low, high;
	long threads;
};

static const struct stage_opt opts[] = {
	{ "model", OPT_STRING, offsetof(struct classify_conf, model), "",
	  "the model file (sluice train --out), linear or encoder; required",
	  1, 0 },
	{ "label", OPT_STRING, offsetof(struct classify_conf, label), "",
	  "the class to act on; empty: a binary model's positive class (the "
	  "one not named not_*, else the greater name)", 1, 0 },
	{ "threshold", OPT_DOUBLE, offsetof(struct classify_conf, threshold),
	  "0.5", "act when the probability of label is at least this", 0, 1 },
	{ "action", OPT_STRING, offsetof(struct classify_conf, action), "drop",
	  "drop or flag the documents at or above the threshold", 1, 0 },
	{ "cheap_model", OPT_STRING,
	  offsetof(struct classify_conf, cheap_model), "",
	  "cascade: a linear model that scores every document first; empty: "
	  "none", 1, 0 },
	{ "low", OPT_DOUBLE, offsetof(struct classify_conf, low), "0.3",
	  "cascade: below this cheap probability of label the cheap model "
	  "decides", 0, 1 },
	{ "high", OPT_DOUBLE, offsetof(struct classify_conf, high), "0.7",
	  "cascade: above this cheap probability of label the cheap model "
	  "decides; in [low, high] model scores", 0, 1 },
	{ "threads", OPT_INT, offsetof(struct classify_conf, threads), "1",
	  "encoder scoring threads (the runner's workers already run in "
	  "parallel)", 1, 256 },
	{ 0 },
};

struct classify_state {
	struct classify_conf c;
	struct classifier *model, *cheap;
	struct cascade cs;
	int drop;
};

static void close_(void *state)
{
	struct classify_state *s = state;

	if (!s)
		return;
	cascade_release(&s->cs);
	classifier_close(s->cheap);
	classifier_close(s->model);
	free(s);
}

static const char *default_label(const struct classifier *m)
{
	char *names[CLASSIFIER_MAX_LABELS];
	size_t n = classifier_nlabels(m);
	int pos;

	for (size_t k = 0; k < n; k++)
		names[k] = (char *)classifier_label(m, k);
	pos = metrics_positive(names, n);
	return pos < 0 ? NULL : names[pos];
}

static int open_(void **state, const void *conf, struct sl_err *err)
{
	const struct classify_conf *c = conf;
	struct classify_state *s;
	const char *label;

	*state = NULL;
	if (!*c->model)
		return sl_error(err, "[filter.classify] model: give the model "
				"file (sluice train --out)");
	if (strcmp(c->action, "drop") && strcmp(c->action, "flag"))
		return sl_error(err, "[filter.classify] action: '%s' is not "
				"drop or flag", c->action);
	if (c->low > c->high)
		return sl_error(err, "[filter.classify] low %g is above high %g",
				c->low, c->high);
	if (!(s = calloc(1, sizeof(*s))))
		return sl_error(err, "out of memory");
	s->c = *c;
	s->drop = !strcmp(c->action, "drop");
	if (classifier_open(&s->model, c->model, (int)c->threads, err) ||
	    (*c->cheap_model &&
	     classifier_open(&s->cheap, c->cheap_model, 1, err)))
		goto fail;
	label = *c->label ? c->label : default_label(s->model);
	if (!label) {
		sl_error(err, "[filter.classify] label: the model has %zu "
			 "classes, say which to act on",
			 classifier_nlabels(s->model));
		goto fail;
	}
	snprintf(s->c.label, sizeof(s->c.label), "%s", label);
	if (cascade_init(&s->cs, s->model, s->cheap, label, c->low, c->high,
			 err)) {
		sl_error_prefix(err, "[filter.classify] ");
		goto fail;
	}
	*state = s;
	return 0;
fail:
	close_(s);
	return -1;
}

/* A worker's arrays for a run of documents, grown as runs get longer. */
struct scratch {
	size_t alloc;
	const char **texts;
	size_t *lens;
	float *probs;
	unsigned char *by;
};

static void scratch_free(void *scratch)
{
	struct scratch *w = scratch;

	if (!w)
		return;
	free(w->texts);
	free(w->lens);
	free(w->probs);
	free(w->by);
	free(w);
}

static void *scratch_new(const void *state)
{
	(void)state;
	return calloc(1, sizeof(struct scratch));
}

static int scratch_grow(struct scratch *w, size_t n, size_t nlabels)
{
	if (n <= w->alloc)
		return 0;
	free(w->texts);
	free(w->lens);
	free(w->probs);
	free(w->by);
	w->texts = malloc(n * sizeof(*w->texts));
	w->lens = malloc(n * sizeof(*w->lens));
	w->probs = malloc(n * nlabels * sizeof(*w->probs));
	w->by = malloc(n);
	if (!w->texts || !w->lens || !w->probs || !w->by) {
		w->alloc = 0;
		return -1;
	}
	w->alloc = n;
	return 0;
}

/* One document's verdict from its probabilities p and the model that
 * decided (by). */
static int verdict(const struct classify_state *s, const float *p,
		   unsigned char by, struct stage_out *out, struct sl_err *err)
{
	size_t best = 0;
	const char *sug, *arch;

	for (size_t k = 1; k < s->cs.nlabels; k++)
		if (p[k] > p[best])
			best = k;
	out->score = p[s->cs.target];
	if (out->score >= s->c.threshold)
		stage_verdict(out, s->drop ? DECISION_DROP : DECISION_FLAG,
			      "classify_%.50s", s->c.label);
	sug = classifier_label(s->model, best);
	arch = classifier_arch(by == BY_CHEAP ? s->cheap : s->model);
	buf_adds(&out->detail, "{\"label\":");
	jsonw_str(&out->detail, s->c.label, strlen(s->c.label));
	buf_addf(&out->detail, ",\"threshold\":%g,\"suggest\":",
		 s->c.threshold);
	jsonw_str(&out->detail, sug, strlen(sug));
	if (buf_addf(&out->detail, ",\"by\":\"%s\"}", arch))
		return sl_error(err, "out of memory");
	return 0;
}

/* All n documents in one cascade call: the ones the cheap model leaves
 * in doubt reach the encoder together, as one batch. */
static int apply_many(const void *state, void *scratch,
		      const struct stage_doc *const *docs,
		      struct stage_out *const *outs, size_t n,
		      struct sl_err *err)
{
	const struct classify_state *s = state;
	struct scratch *w = scratch;
	const size_t k = s->cs.nlabels;

	if (scratch_grow(w, n, k))
		return sl_error(err, "out of memory");
	for (size_t i = 0; i < n; i++) {
		w->texts[i] = docs[i]->text;
		w->lens[i] = docs[i]->len;
	}
	if (cascade_score(&s->cs, w->texts, w->lens, n, w->probs, w->by, err))
		return -1;
	for (size_t i = 0; i < n; i++)
		if (verdict(s, w->probs + i * k, w->by[i], outs[i], err))
			return -1;
	return 0;
}

static int apply(const void *state, void *scratch,
		 const struct stage_doc *doc, struct stage_out *out,
		 struct sl_err *err)
{
	return apply_many(state, scratch, &doc, &out, 1, err);
}

/* The model files' contents: a retrained model means new verdicts. */
static void version_salt(const void *conf, struct buf *out)
{
	const struct classify_conf *c = conf;
	const char *files[2] = { c->model, c->cheap_model };

	for (int i = 0; i < 2; i++) {
		FILE *f;
		char tmp[65536];
		size_t n;
		uint64_t h = 0;

		if (!*files[i])
			continue;
		if (!(f = fopen(files[i], "rb"))) {
			buf_addf(out, "%s:missing\n", files[i]);
			continue;
		}
		while ((n = fread(tmp, 1, sizeof(tmp), f)) > 0)
			h = hash64_seed(tmp, n, h);
		fclose(f);
		buf_addf(out, "%s:%016llx\n", files[i], (unsigned long long)h);
	}
}

const struct stage_ops stage_classify = {
	.name = "classify",
	.summary = "a trained classifier (linear, encoder, or a cascade of "
		   "both) scores documents; drop or flag a class",
	.code_version = 1,
	.flags = STAGE_OPT_IN,
	.opts = opts,
	.conf_size = sizeof(struct classify_conf),
	.open = open_,
	.close = close_,
	.scratch_new = scratch_new,
	.scratch_free = scratch_free,
	.apply = apply,
	.apply_many = apply_many,
	.version_salt = version_salt,
};
