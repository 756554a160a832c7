/*
 * cmd_report.c: `sluice report [--html FILE]`: the morning summary.
 *
 * The figures come from store/report.c, read once, so the terminal summary
 * and the HTML charts show the same numbers (and the same as `sluice
 * stats`).  No colour is ever printed, so NO_COLOR and cron mail are
 * honoured by construction.
 */
#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "report_html.h"
#include "../filter/stage.h"
#include "../lib/atomicfile.h"
#include "../lib/buf.h"
#include "../lib/clock.h"
#include "../lib/err.h"
#include "../lib/svg.h"
#include "../store/report.h"
#include "../lib/banned.h"

extern const struct stage_ops *const stage_registry[];

/* Stage names in pipeline order (the registry's), NULL-terminated. */
static const char **stage_order(void)
{
	size_t n = 0;
	const char **v;

	while (stage_registry[n])
		n++;
	v = calloc(n + 1, sizeof(*v));
	for (size_t i = 0; v && i < n; i++)
		v[i] = stage_registry[i]->name;
	return v;
}

static const char *th(char *dst, long long v)
{
	svg_thousands(dst, 32, v);
	return dst;
}

static void corpus(const struct report *r)
{
	char a[32], b[32], c[32], d[32];

	printf("corpus     %s documents, %s bytes, %s characters\n",
	       th(a, r->docs), th(b, r->text_bytes), th(c, r->chars));
	printf("kept       %s documents (%.1f%%), %s bytes; tokens -\n",
	       th(a, r->kept_docs), r->docs ? 100.0 * (double)r->kept_docs /
	       (double)r->docs : 0.0, th(d, r->kept_bytes));
}

static void stages(const struct report *r)
{
	char a[32], b[32], c[32], d[32];
	int any = 0;

	if (!r->nstages) {
		printf("\nstages     none has run ('sluice filter')\n");
		return;
	}
	printf("\n%-16s %10s %10s %10s %10s\n", "stage", "in", "kept",
	       "dropped", "flagged");
	for (size_t i = 0; i < r->nstages; i++) {
		const struct report_stage *s = &r->stages[i];

		printf("%-16s %10s %10s %10s %10s\n", s->name, th(a, s->in),
		       th(b, s->kept), th(c, s->dropped), th(d, s->flagged));
	}
	printf("\ntop drop reasons\n");
	for (size_t i = 0; i < r->nstages; i++)
		for (size_t j = 0; j < r->stages[i].reasons.n && j < 5; j++) {
			const struct report_count *k = &r->stages[i].reasons.v[j];

			printf("  %-14s %-5s %-28s %10s\n", r->stages[i].name,
			       k->extra ? k->extra : "-", k->label, th(a, k->n));
			any = 1;
		}
	if (!any)
		printf("  none\n");
}

static void counts_line(const char *title, const struct report_counts *c,
			size_t max)
{
	char a[32];

	printf("%-10s", title);
	for (size_t i = 0; i < c->n && i < max; i++)
		printf("%s %s %s", i ? "," : "", c->v[i].label ? c->v[i].label :
		       "-", th(a, c->v[i].n));
	printf("%s\n", c->n ? "" : " none");
}

static void optional_parts(const struct report *r)
{
	char a[32], b[32], c[32];

	if (r->has_minhash)
		printf("neardup    %s clusters over %s documents\n",
		       th(a, r->clusters), th(b, r->clustered_docs));
	if (!r->has_crawl) {
		printf("crawl      skipped: no crawl tables in this store\n");
	} else {
		printf("crawl      %s runs, %s fetches\n", th(a, r->crawl_runs),
		       th(b, r->fetches));
		counts_line("  status", &r->statuses, 10);
	}
	if (!r->has_labels)
		printf("labeling   skipped: no labeling task in this store\n");
	else {
		printf("labeling   %s tasks, %s annotations, %s final labels "
		       "(agreement: sluice agreement TASK)\n",
		       th(a, r->tasks), th(b, r->annotations), th(c, r->finals));
		counts_line("  tasks", &r->task_annotations, 10);
		counts_line("  finals", &r->final_labels, 10);
	}
}

static void history(const struct report *r)
{
	char a[32], b[32];

	if (!r->has_runs) {
		printf("\nruns       skipped: no run table in this store\n");
		return;
	}
	if (!r->nruns) {
		printf("\nruns       none ('sluice run')\n");
		return;
	}
	printf("\nlast runs\n");
	for (size_t i = r->nruns > 5 ? r->nruns - 5 : 0; i < r->nruns; i++) {
		const struct report_run *u = &r->runs[i];

		printf("  #%-4lld %s  %-11s %7.1fs  added %s  filtered %s\n",
		       u->id, u->started, u->status,
		       isnan(u->seconds) ? 0.0 : u->seconds, th(a, u->added),
		       th(b, u->filtered));
	}
}

static int write_html(struct ctx *ctx, const struct report *r,
		      const char *path)
{
	struct atomicfile af;
	struct sl_err err;
	struct buf page;
	char now[CLOCK_ISO_LEN];
	int rc;

	buf_init(&page, 0);
	if (report_html(&page, r, ctx->db_path, clock_iso_now(now))) {
		buf_release(&page);
		return die_msg("cannot render the report: out of memory");
	}
	if (atomicfile_open(&af, path, &err)) {
		buf_release(&page);
		return die_msg("%s", err.msg);
	}
	if (fwrite(page.data, 1, page.len, af.fp) != page.len) {
		atomicfile_abort(&af);
		buf_release(&page);
		return die_msg("cannot write '%s'", path);
	}
	rc = atomicfile_commit(&af, &err);
	buf_release(&page);
	if (rc)
		return die_msg("%s", err.msg);
	note(ctx, "report written to %s", path);
	return EXIT_OK;
}

static int run(int argc, char **argv, struct ctx *ctx)
{
	static const struct option longopts[] = {
		{ "html", required_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *html = NULL, **order;
	struct report r;
	struct sl_err err;
	int c, rc;

	optind = 0;
	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		if (c != 'h')
			return usage_error(ctx, "bad option");
		html = optarg;
	}
	if (optind < argc)
		return usage_error(ctx, "unexpected argument '%s'", argv[optind]);
	if (html && !*html)
		return usage_error(ctx, "--html needs a file name");
	if (!(order = stage_order()))
		return die_msg("out of memory");
	rc = report_collect(ctx->st, order, &r, &err);
	free(order);
	if (rc)
		return die_msg("%s", err.msg);
	if (html) {
		rc = write_html(ctx, &r, html);
	} else {
		printf("store      %s\n", ctx->db_path);
		corpus(&r);
		stages(&r);
		printf("\n");
		counts_line("languages", &r.langs, 10);
		optional_parts(&r);
		history(&r);
		rc = EXIT_OK;
	}
	report_release(&r);
	return rc;
}

const struct cmd cmd_report = {
	.name = "report",
	.run = run,
	.usage = "sluice report [--html FILE]",
	.summary = "summarize the corpus, the filter funnel, crawl and runs",
	.help =
	"  --html FILE   write one self-contained HTML page with charts to\n"
	"                FILE instead of the terminal summary (default: the\n"
	"                terminal summary on standard output)\n",
	.flags = CMD_STORE,
};
