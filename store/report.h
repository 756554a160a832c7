/*
 * report.h: the figures of `sluice report`, read from the store once so the
 * terminal summary and the HTML charts show the same numbers.
 *
 * The per-stage counts, reasons, languages and document totals use the
 * same SQL as `sluice stats` (cli/cmd_stats.c), so the report and stats
 * agree by construction; the e2e test checks it.
 *
 * Optional parts depend on tables that other subsystems add: the crawl
 * (crawl_runs, frontier, fetches), labeling (labels) and run history
 * (runs).  report_collect() looks each table up in sqlite_schema and
 * leaves the part's has_* flag 0 when a table is missing, so a store from
 * an older or newer schema still gets a report.
 *
 *   struct report r;
 *   if (report_collect(st, stage_order, &r, &err)) ... // r is released
 *   ... read r ...
 *   report_release(&r);
 *
 * All strings and arrays belong to the report and are freed by
 * report_release(), which may be called on a zeroed report.
 */
#ifndef SL_REPORT_H
#define SL_REPORT_H

#include <stddef.h>

struct sl_err;
struct store;

/* Document length bins (characters, log2): <16, 16.., 32.., ..., >=64k */
#define REPORT_LEN_BINS 14
#define REPORT_LEN_MIN_LOG2 4
/* Near-duplicate cluster sizes: 1, 2, 3-4, 5-8, ..., >=257 */
#define REPORT_CLUSTER_BINS 10
/* Classifier scores in [0, 1] */
#define REPORT_SCORE_BINS 20
/* Fetch times: <10 ms, 10-30 ms, 30-100 ms, ..., >= 10 s */
#define REPORT_FETCH_BINS 8
/* Runs in the history */
#define REPORT_RUNS 30

struct report_count {
	char *label;
	char *extra;		/* a second column (the decision), or NULL */
	long long n;
};

struct report_counts {
	struct report_count *v;
	size_t n, alloc;
};

struct report_stage {
	char *name;
	long long in, kept, dropped, flagged;	/* documents */
	long long bytes_in, bytes_out;	/* nbytes as imported; out = not
					 * dropped by this stage */
	struct report_counts reasons;	/* drops and flags by reason */
};

struct report_run {
	long long id;
	char *started, *status, *pipeline;
	double seconds;		/* NAN while running */
	long long added;	/* documents imported or crawled */
	long long filtered;	/* documents the first filter step saw */
};

struct report {
	/* corpus, as `sluice stats` "documents" */
	long long docs, text_bytes, chars, stored_bytes;
	/* documents no stage dropped, and their bytes */
	long long kept_docs, kept_bytes;

	/* stages in pipeline order: the given order first, then the rest
	 * by name */
	struct report_stage *stages;
	size_t nstages;

	struct report_counts langs, sources;

	/* length histogram, by documents dropped by some stage or not */
	long long len_kept[REPORT_LEN_BINS], len_dropped[REPORT_LEN_BINS];

	int has_minhash;
	long long cluster_bins[REPORT_CLUSTER_BINS];	/* clusters */
	long long clusters, clustered_docs;

	int has_classify;	/* verdicts of a stage named "classify" */
	long long score_bins[REPORT_SCORE_BINS];
	int has_threshold;
	double threshold;	/* detail's "threshold", when recorded */

	int has_crawl;
	long long crawl_runs, fetches, fetch_bytes;
	struct report_counts statuses;	/* HTTP status -> fetches */
	long long fetch_bins[REPORT_FETCH_BINS];
	struct report_counts hosts;	/* origin -> pages fetched, top 20 */

	int has_labels;		/* at least one labelling task */
	long long tasks, annotations, finals;
	struct report_counts task_annotations;	/* task -> annotations */
	struct report_counts final_labels;	/* "task: label" -> documents,
						 * top 30 */

	int has_runs;
	struct report_run *runs;	/* oldest first, the last REPORT_RUNS */
	size_t nruns;
};

/* order: stage names in pipeline order, NULL-terminated (may be NULL). */
int report_collect(struct store *st, const char *const *order,
		   struct report *r, struct sl_err *err);
void report_release(struct report *r);

/* Bin labels ("<16", "16", ..., "64k+") for the length, cluster, score and
 * fetch-time histograms. */
const char *report_len_label(size_t bin);
const char *report_cluster_label(size_t bin);
const char *report_score_label(size_t bin);
const char *report_fetch_label(size_t bin);

/* The bin of a value (exposed for tests). */
size_t report_len_bin(long long chars);
size_t report_cluster_bin(long long size);
size_t report_score_bin(double score);
size_t report_fetch_bin(double seconds);

#endif
