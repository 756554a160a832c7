/*
 * cmd_agreement.c: `sluice agreement [--json] TASK`: inter-annotator
 * agreement of a task (label/agreement.h has the definitions).
 */
#include <getopt.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "../label/agreement.h"
#include "../label/task.h"
#include "../lib/err.h"
#include "../lib/banned.h"

static json_t *num(double v)
{
	return isnan(v) ? json_null() : json_real(v);
}

static void print_num(const char *name, double v)
{
	if (isnan(v))
		printf("%-24s n/a\n", name);
	else
		printf("%-24s %.4f\n", name, v);
}

static int print_json(const struct task *t, const struct agree_data *a,
		      const struct agree_result *r)
{
	json_t *o = json_object(), *pairs = json_array(), *conf = json_object();
	int rc;

	json_object_set_new(o, "task", json_string(t->name));
	json_object_set_new(o, "documents", json_integer(r->units));
	json_object_set_new(o, "pairable", json_integer(r->pairable));
	json_object_set_new(o, "values", json_integer(r->values));
	json_object_set_new(o, "percent", num(r->percent));
	json_object_set_new(o, "krippendorff_alpha", num(r->alpha));
	json_object_set_new(o, "fleiss_kappa", num(r->fleiss));
	for (size_t i = 0; i < r->npairs; i++) {
		const struct agree_pair *p = &r->pairs[i];

		json_array_append_new(pairs, json_pack("{s:s, s:s, s:I, s:o, s:o}",
			"a", a->coders[p->a], "b", a->coders[p->b],
			"documents", (json_int_t)p->n, "percent", num(p->percent),
			"cohen_kappa", num(p->kappa)));
	}
	json_object_set_new(o, "pairs", pairs);
	for (size_t c = 0; c < a->ncats; c++) {
		json_t *row = json_object();

		for (size_t k = 0; k < a->ncats; k++)
			json_object_set_new(row, a->cats[k],
					    json_real(r->coincidence[c * a->ncats + k]));
		json_object_set_new(conf, a->cats[c], row);
	}
	json_object_set_new(o, "coincidence", conf);
	rc = json_dumpf(o, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	putchar('\n');
	json_decref(o);
	return rc ? die_msg("cannot write to standard output") : EXIT_OK;
}

static void print_text(const struct task *t, const struct agree_data *a,
		       const struct agree_result *r)
{
	printf("task %s: %ld documents annotated, %ld with 2 or more answers "
	       "(%ld answers)\n", t->name, r->units, r->pairable, r->values);
	print_num("percent agreement", r->percent);
	print_num("Krippendorff's alpha", r->alpha);
	print_num("Fleiss' kappa", r->fleiss);
	if (r->npairs)
		printf("\nCohen's kappa per annotator pair:\n");
	for (size_t i = 0; i < r->npairs; i++) {
		const struct agree_pair *p = &r->pairs[i];

		printf("  %s / %s: %ld documents, agree %.4f, kappa ",
		       a->coders[p->a], a->coders[p->b], p->n, p->percent);
		if (isnan(p->kappa))
			printf("n/a\n");
		else
			printf("%.4f\n", p->kappa);
	}
	if (!r->pairable)
		return;
	printf("\nper-label confusion (coincidences: pairs of answers on the "
	       "same document):\n%-16s", "");
	for (size_t k = 0; k < a->ncats; k++)
		printf(" %10.10s", a->cats[k]);
	putchar('\n');
	for (size_t c = 0; c < a->ncats; c++) {
		printf("%-16.16s", a->cats[c]);
		for (size_t k = 0; k < a->ncats; k++)
			printf(" %10.2f", r->coincidence[c * a->ncats + k]);
		putchar('\n');
	}
}

static int run(int argc, char **argv, struct ctx *ctx)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ NULL, 0, NULL, 0 },
	};
	struct agree_data a;
	struct agree_result r;
	struct sl_err err;
	struct task *t;
	int c, json = 0, rc;

	optind = 0;
	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		if (c != 'j')
			return usage_error(ctx, "bad option");
		json = 1;
	}
	if (optind != argc - 1)
		return usage_error(ctx, "give one task name");
	rc = task_load(ctx->st, argv[optind], &t, &err);
	if (rc <= 0)
		return rc ? die_msg("%s", err.msg) :
		       die_msg("no task '%s'", argv[optind]);
	if (agree_load(ctx->st, t, &a, &err)) {
		task_free(t);
		return die_msg("%s", err.msg);
	}
	rc = EXIT_OK;
	if (agree_compute(&a, &r))
		rc = die_msg("out of memory");
	else if (json)
		rc = print_json(t, &a, &r);
	else
		print_text(t, &a, &r);
	agree_result_release(&r);
	agree_release(&a);
	task_free(t);
	return rc;
}

const struct cmd cmd_agreement = {
	.name = "agreement",
	.run = run,
	.usage = "sluice agreement [--json] TASK",
	.summary = "inter-annotator agreement of a task: percent, Cohen, "
		   "Fleiss, Krippendorff, per-label confusion",
	.help =
	"  --json   one JSON object instead of the table (default: table)\n"
	"\n"
	"  Answers are nominal values: the label (single), the set of labels\n"
	"  (multi), accept or reject (binary); 'ignore' counts as missing.\n"
	"  Statistics that the data cannot give print as n/a (JSON null).\n",
	.flags = CMD_STORE,
};
