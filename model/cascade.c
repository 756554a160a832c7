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

/* Score the escalated texts idx[m] with the model in one call (the
 * encoder multiplies whole batches), then put each answer in its place. */
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

int cascade_score(const struct cascade *cs, const char *const *texts,
		  const size_t *lens, size_t n, float *probs,
		  unsigned char *by, struct sl_err *err)
{
	float p[CLASSIFIER_MAX_LABELS];
	const size_t k = cs->nlabels;
	size_t one, *idx, m = 0;
	int rc;

	if (!cs->cheap) {
		if (by)
			memset(by, BY_MODEL, n);
		return classifier_score(cs->model, texts, lens, n, probs, err);
	}
	/* the stage sends one text at a time: no allocation for that */
	idx = n == 1 ? &one : malloc(n * sizeof(*idx));
	if (!idx)
		return sl_error(err, "out of memory");
	for (size_t i = 0; i < n; i++) {
		float *out = probs + i * k;

		if (classifier_score(cs->cheap, texts + i, lens + i, 1, p,
				     err)) {
			m = 0;
			rc = -1;
			goto out;
		}
		if (p[cs->cheap_target] < cs->low ||
		    p[cs->cheap_target] > cs->high) {
			for (size_t j = 0; j < k; j++)
				out[cs->map[j]] = p[j];
			if (by)
				by[i] = BY_CHEAP;
			continue;
		}
		idx[m++] = i;
		if (by)
			by[i] = BY_MODEL;
	}
	rc = m ? escalate(cs, texts, lens, idx, m, probs, err) : 0;
out:
	if (idx != &one)
		free(idx);
	return rc;
}
