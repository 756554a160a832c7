/* Check suite for label/agreement.c and label/agreement_load.c: the
 * statistics against published values (tests/data/agreement/expected.tsv
 * names the data file, the statistic, the value and the tolerance), the
 * edge cases, and a task's annotations loaded from a store. */
#include <math.h>
#include <string.h>

#include "check_main.h"
#include "testutil.h"
#include "tsv.h"
#include "../label/agreement.h"
#include "../label/task.h"
#include "../lib/err.h"
#include "../store/db.h"

#define DATA "tests/data/agreement/"
#define MAX_CATS 32

/* A units x coders table with values as strings, '.' or '' missing. */
static void load_table(const char *file, struct agree_data *a)
{
	char path[256], *cats[MAX_CATS];
	size_t ncats = 0, unit = 0;
	struct tsv t;

	snprintf(path, sizeof(path), DATA "%s", file);
	ck_assert_msg(!tsv_open(&t, path), "cannot open %s", path);
	agree_init(a, 0, 0);
	while (tsv_next(&t)) {
		if (!a->ncoders) {
			a->ncoders = (size_t)t.nf - 1;
			a->ncats = MAX_CATS;
		}
		ck_assert_uint_eq((size_t)t.nf - 1, a->ncoders);
		for (int c = 1; c < t.nf; c++) {
			const char *v = t.f[c];
			int k = -1;

			if (*v && strcmp(v, ".")) {
				for (size_t i = 0; i < ncats; i++)
					if (!strcmp(cats[i], v))
						k = (int)i;
				if (k < 0) {
					ck_assert_uint_lt(ncats, MAX_CATS);
					cats[ncats] = strdup(v);
					k = (int)ncats++;
				}
			}
			ck_assert_int_eq(agree_set(a, unit, (size_t)c - 1, k), 0);
		}
		unit++;
	}
	tsv_close(&t);
	a->ncats = ncats;	/* only the categories seen */
	for (size_t i = 0; i < ncats; i++)
		free(cats[i]);
}

START_TEST(published_values)
{
	struct tsv t;
	int cases = 0;

	ck_assert_int_eq(tsv_open(&t, DATA "expected.tsv"), 0);
	while (tsv_next(&t)) {
		struct agree_data a;
		struct agree_result r;
		double want = strtod(t.f[2], NULL), tol = strtod(t.f[3], NULL);
		double got = NAN;
		unsigned i, j;

		load_table(t.f[0], &a);
		ck_assert_int_eq(agree_compute(&a, &r), 0);
		if (!strcmp(t.f[1], "alpha"))
			got = r.alpha;
		else if (!strcmp(t.f[1], "fleiss"))
			got = r.fleiss;
		else if (!strcmp(t.f[1], "percent"))
			got = r.percent;
		else if (sscanf(t.f[1], "cohen:%u-%u", &i, &j) == 2)
			for (size_t p = 0; p < r.npairs; p++)
				if (r.pairs[p].a == i && r.pairs[p].b == j)
					got = r.pairs[p].kappa;
		printf("agreement %-22s %-10s %.6f (published %s, maxdiff %.2g)\n",
		       t.f[0], t.f[1], got, t.f[2], fabs(got - want));
		ck_assert_msg(fabs(got - want) <= tol, "%s line %d: %s = %.6f, "
			      "want %s", "expected.tsv", t.lineno, t.f[1], got,
			      t.f[2]);
		agree_result_release(&r);
		agree_release(&a);
		cases++;
	}
	tsv_close(&t);
	ck_assert_int_ge(cases, 5);
}
END_TEST

START_TEST(coincidence_is_symmetric)
{
	struct agree_data a;
	struct agree_result r;
	double sum = 0;

	load_table("krippendorff_3x15.tsv", &a);
	ck_assert_int_eq(agree_compute(&a, &r), 0);
	for (size_t c = 0; c < a.ncats; c++)
		for (size_t k = 0; k < a.ncats; k++) {
			ck_assert_double_eq_tol(r.coincidence[c * a.ncats + k],
						r.coincidence[k * a.ncats + c],
						1e-12);
			sum += r.coincidence[c * a.ncats + k];
		}
	/* the coincidences add up to the pairable values: 26 here */
	ck_assert_double_eq_tol(sum, 26, 1e-9);
	ck_assert_int_eq(r.values, 26);
	ck_assert_int_eq(r.units, 13);		/* units 2 and 14 have no value */
	ck_assert_int_eq(r.pairable, 12);	/* and unit 1 has one */
	ck_assert_uint_eq(r.npairs, 3);
	agree_result_release(&r);
	agree_release(&a);
}
END_TEST

START_TEST(degenerate_data_is_nan)
{
	struct agree_data a;
	struct agree_result r;

	/* everybody always says the same category: no expected disagreement */
	agree_init(&a, 2, 2);
	for (size_t u = 0; u < 4; u++) {
		ck_assert_int_eq(agree_set(&a, u, 0, 1), 0);
		ck_assert_int_eq(agree_set(&a, u, 1, 1), 0);
	}
	ck_assert_int_eq(agree_compute(&a, &r), 0);
	ck_assert_double_eq(r.percent, 1.0);
	ck_assert(isnan(r.alpha));
	ck_assert(isnan(r.fleiss));
	ck_assert(isnan(r.pairs[0].kappa));
	agree_result_release(&r);
	agree_release(&a);
	/* no data at all */
	agree_init(&a, 3, 2);
	ck_assert_int_eq(agree_compute(&a, &r), 0);
	ck_assert(isnan(r.percent) && isnan(r.alpha));
	ck_assert_uint_eq(r.npairs, 0);
	agree_result_release(&r);
	agree_release(&a);
	/* out of range */
	agree_init(&a, 2, 2);
	ck_assert_int_eq(agree_set(&a, 0, 2, 0), -1);
	ck_assert_int_eq(agree_set(&a, 0, 0, 2), -1);
	agree_release(&a);
}
END_TEST

/* The store's annotations, binary and multi-label, as agreement data. */
START_TEST(load_from_store)
{
	const char *dir = tu_tmpdir();
	char path[128];
	struct store *st;
	struct sl_err err;
	struct task *t;
	struct agree_data a;
	struct agree_result r;
	char *bl[] = { "toxic" }, *ml[] = { "x", "y" };
	struct task bin = { .name = "b", .kind = TASK_BINARY, .labels = bl,
			    .nlabels = 1, .overlap = 2 },
		    multi = { .name = "m", .kind = TASK_MULTI, .labels = ml,
			      .nlabels = 2, .overlap = 2 };

	snprintf(path, sizeof(path), "%s/s.db", dir);
	ck_assert_int_eq(store_open(&st, path, STORE_CREATE, &err), 0);
	ck_assert_int_eq(task_create(st, &bin, &err), 0);
	ck_assert_int_eq(task_create(st, &multi, &err), 0);
	/* docs need not exist for the statistics: annotations name rowids */
	ck_assert_int_eq(store_exec(st, "INSERT INTO annotations (task, doc, "
		"annotator, answer, labels, at, session) VALUES "
		"(1, 1, 'bo', 'accept', '[\"toxic\"]', 'x', 's'),"
		"(1, 1, 'al', 'accept', '[\"toxic\"]', 'x', 's'),"
		"(1, 2, 'al', 'reject', '[]', 'x', 's'),"
		"(1, 2, 'bo', 'ignore', '[]', 'x', 's'),"
		"(1, 3, 'al', 'reject', '[]', 'x', 's'),"
		"(1, 3, 'bo', 'accept', '[\"toxic\"]', 'x', 's'),"
		"(2, 1, 'al', 'accept', '[\"x\",\"y\"]', 'x', 's'),"
		"(2, 1, 'bo', 'accept', '[\"x\",\"y\"]', 'x', 's'),"
		"(2, 2, 'al', 'accept', '[]', 'x', 's'),"
		"(2, 2, 'bo', 'accept', '[\"y\"]', 'x', 's')", &err), 0);
	ck_assert_int_eq(task_load(st, "b", &t, &err), 1);
	ck_assert_int_eq(agree_load(st, t, &a, &err), 0);
	ck_assert_uint_eq(a.ncoders, 2);
	ck_assert_str_eq(a.coders[0], "al");
	ck_assert_uint_eq(a.nunits, 3);
	ck_assert_int_eq(agree_compute(&a, &r), 0);
	ck_assert_int_eq(r.pairable, 2);	/* bo ignored doc 2 */
	ck_assert_double_eq_tol(r.percent, 0.5, 1e-12);
	agree_result_release(&r);
	agree_release(&a);
	task_free(t);
	ck_assert_int_eq(task_load(st, "m", &t, &err), 1);
	ck_assert_int_eq(agree_load(st, t, &a, &err), 0);
	ck_assert_uint_eq(a.ncats, 3);
	ck_assert_str_eq(a.cats[0], "x+y");
	ck_assert_str_eq(a.cats[1], "(none)");
	ck_assert_int_eq(agree_compute(&a, &r), 0);
	ck_assert_double_eq_tol(r.percent, 0.5, 1e-12);
	agree_result_release(&r);
	agree_release(&a);
	task_free(t);
	store_close(st);
	tu_rm_rf(dir);
}
END_TEST

static Suite *agreement_suite(void)
{
	Suite *s = suite_create("agreement");
	TCase *tc = tcase_create("agreement");

	tcase_add_test(tc, published_values);
	tcase_add_test(tc, coincidence_is_symmetric);
	tcase_add_test(tc, degenerate_data_is_nan);
	tcase_add_test(tc, load_from_store);
	suite_add_tcase(s, tc);
	return s;
}

SL_CHECK_MAIN(agreement_suite)
