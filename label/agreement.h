/*
 * agreement.h: inter-annotator agreement on nominal data (issue #6).
 *
 * The data is a units x coders matrix of category indices, -1 where a coder
 * did not code a unit (missing data is allowed everywhere).  For a task the
 * units are documents, the coders annotators and a category is what an
 * annotator answered: the label (single), the set of labels as one value
 * (multi: "a+b"), accept/reject (binary).  "ignore" counts as missing.
 *
 *   struct agree_data a;
 *   agree_init(&a, ncoders, ncats);
 *   agree_set(&a, unit, coder, cat);        // units grow as needed
 *   struct agree_result r;
 *   agree_compute(&a, &r);
 *   ... r.alpha, r.fleiss, r.percent, r.pairs[], r.coincidence[] ...
 *   agree_result_release(&r);  agree_release(&a);
 *
 * Definitions (a statistic that cannot be computed, for want of data or
 * because the expected disagreement is 0, is NAN):
 *   percent   share of agreeing ordered pairs of values within units, over
 *             all pairs in units with >= 2 values
 *   Cohen     per coder pair, over the units both coded:
 *             (po - pe) / (1 - pe), pe from each coder's own marginals
 *             (Cohen 1960)
 *   Fleiss    (P - Pe) / (1 - Pe) over units with >= 2 values; P_i is the
 *             agreeing pairs of unit i over its n_i (n_i - 1) pairs, p_j
 *             pooled over all values; with the same number of raters per
 *             unit this is exactly Fleiss (1971)
 *   alpha     Krippendorff's nominal alpha, 1 - Do/De from the coincidence
 *             matrix of pairable values (units with >= 2 values)
 *   coincidence  ncats x ncats: o[c][k] = sum over units of pairs (c, k)
 *             / (m_u - 1), Krippendorff's coincidence matrix: the
 *             per-label confusion, symmetric, row sums are n_c
 */
#ifndef SL_AGREEMENT_H
#define SL_AGREEMENT_H

#include <stddef.h>

struct store;
struct task;
struct sl_err;

struct agree_data {
	size_t ncoders, ncats, nunits, alloc_units;
	int *v;			/* nunits * ncoders, -1 = missing */
	char **coders;		/* optional names (agree_load fills them) */
	char **cats;		/* optional names */
};

struct agree_pair {
	size_t a, b;		/* coder indices, a < b */
	long n;			/* units both coded */
	double percent;		/* share of those units they agree on */
	double kappa;		/* Cohen's kappa */
};

struct agree_result {
	long units;		/* units with >= 1 value */
	long pairable;		/* units with >= 2 values */
	long values;		/* pairable values (n..) */
	double percent, fleiss, alpha;
	struct agree_pair *pairs;	/* every coder pair with n > 0 */
	size_t npairs;
	double *coincidence;	/* ncats * ncats */
};

int agree_init(struct agree_data *a, size_t ncoders, size_t ncats);
void agree_release(struct agree_data *a);
/* Set unit u's value from coder c (cat -1 = missing); 0 or -1 (no memory). */
int agree_set(struct agree_data *a, size_t unit, size_t coder, int cat);

int agree_compute(const struct agree_data *a, struct agree_result *r);
void agree_result_release(struct agree_result *r);

/* Fill a (agree_init not needed; agree_release after) from the task's
 * annotations: coders are annotators (by name), categories the task's
 * answers as described above, units the documents with annotations. */
int agree_load(struct store *st, const struct task *t, struct agree_data *a,
	       struct sl_err *err);

#endif
