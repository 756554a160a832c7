/*
 * cascade.c: the cheap model decides outside its band of doubt, the
 * expensive one inside it (see cascade.h).
 */
#include "cascade.h"

#include <stdlib.h>
#include <string.h>

#include "../lib/err.h"
#include "../lib/banned.h"

int cascade_init(struct cascade *cs, struct classifier *model,
		 struct classifier *cheap, const char *target, double low,
		 double high, struct sl_err *err)
{
	memset(cs, 0, sizeof(*cs));
	cs->model = model;
	cs->cheap = cheap;
	cs->low = low;
	cs->high = high;
	cs->nlabels = classifier_nlabels(model);
	if ((cs->target = classifier_find(model, target)) < 0)
		return sl_error(err, "the model has no class '%s'", target);
	if (!cheap)
		return 0;
	if (!(low <= high))
		return sl_error(err, "the band [%g, %g] is empty", low, high);
	if (classifier_nlabels(cheap) != cs->nlabels)
		return sl_error(err, "the cheap model has %zu classes, the "
				"model %zu", classifier_nlabels(cheap),
				cs->nlabels);
	for (size_t k = 0; k < cs->nlabels; k++) {
		const char *l = classifier_label(cheap, k);

		if ((cs->map[k] = classifier_find(model, l)) < 0)
			return sl_error(err, "the model has no class '%s' of "
					"the cheap model", l);
	}
	cs->cheap_target = classifier_find(cheap, target);
	return 0;
}

void cascade_release(struct cascade *cs)
{
	memset(cs, 0, sizeof(*cs));
}

/* Score texts idx[0..m) with the model in one call (the encoder
 * multiplies whole batches), then put each answer in its place. */
static int escalate(const struct cascade *cs, const char *const *texts,
		    const size_t *lens, const size_t *idx, size_t m,
		    float *probs, struct sl_err *err)
{
	const size_t k = cs->nlabels;
	const char **t = malloc(m * sizeof(*t));
	size_t *l = malloc(m * sizeof(*l));
	float *p = malloc(m * k * sizeof(*p));
	int rc = -1;

	if (!t || !l || !p) {
		sl_error(err, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < m; i++) {
		t[i] = texts[idx[i]];
		l[i] = lens[idx[i]];
	}
	if (classifier_score(cs->model, t, l, m, p, err))
		goto out;
	for (size_t i = 0; i < m; i++)
		memcpy(probs + idx[i] * k, p + i * k, k * sizeof(*p));
	rc = 0;
out:
	free(t);
	free(l);
	free(p);
	return rc;
}

int cascade_cheap(const struct cascade *cs, const char *const *texts,
		  const size_t *lens, size_t n, float *probs,
		  unsigned char *by, struct sl_err *err)
{
	float p[CLASSIFIER_MAX_LABELS];
	const size_t k = cs->nlabels;

	if (!cs->cheap) {
		memset(by, BY_MODEL, n);
		return 0;
	}
	for (size_t i = 0; i < n; i++) {
		if (classifier_score(cs->cheap, texts + i, lens + i, 1, p, err))
			return -1;
		by[i] = BY_MODEL;
		if (p[cs->cheap_target] < cs->low ||
		    p[cs->cheap_target] > cs->high) {
			for (size_t j = 0; j < k; j++)
				probs[i * k + (size_t)cs->map[j]] = p[j];
			by[i] = BY_CHEAP;
		}
	}
	return 0;
}

int cascade_escalate(const struct cascade *cs, const char *const *texts,
		     const size_t *lens, size_t n, float *probs,
		     const unsigned char *by, struct sl_err *err)
{
	size_t one, *idx, m = 0;
	int rc;

	/* the stage sends one text at a time: no allocation for that */
	idx = n == 1 ? &one : malloc(n * sizeof(*idx));
	if (!idx)
		return sl_error(err, "out of memory");
	for (size_t i = 0; i < n; i++)
		if (by[i] == BY_MODEL)
			idx[m++] = i;
	rc = m ? escalate(cs, texts, lens, idx, m, probs, err) : 0;
	if (idx != &one)
		free(idx);
	return rc;
}

int cascade_score(const struct cascade *cs, const char *const *texts,
		  const size_t *lens, size_t n, float *probs,
		  unsigned char *by, struct sl_err *err)
{
	unsigned char one, *b = by;
	int rc;

	if (!cs->cheap) {
		if (by)
			memset(by, BY_MODEL, n);
		return classifier_score(cs->model, texts, lens, n, probs, err);
	}
	if (!b && !(b = n == 1 ? &one : malloc(n)))
		return sl_error(err, "out of memory");
	rc = cascade_cheap(cs, texts, lens, n, probs, b, err) ||
	     cascade_escalate(cs, texts, lens, n, probs, b, err) ? -1 : 0;
	if (b != by && b != &one)
		free(b);
	return rc;
}
