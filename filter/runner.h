/*
 * runner.h: run a pipeline's stages over the store, incrementally.
 *
 * Stage by stage, in pipeline order, over the documents that have no
 * verdict from that stage at its current version and that no earlier stage
 * of the pipeline dropped.  Documents go in rowid order, in batches: the
 * calling thread reads a batch, worker threads decompress and apply() it,
 * the calling thread (the one writer) runs decide() and writes verdicts,
 * rewritten texts and languages in one transaction per batch.  A killed
 * run loses at most the batch in flight; the next run goes on from there.
 *
 * --redo (opts->redo) or a changed stage version makes the stage start
 * over: its verdicts and its own tables (ops->reset) are dropped first.
 * A stage error on one document (a regex limit) is reported through
 * on_error, counted, and leaves that document without a verdict; it makes
 * filter_run() return 1 after finishing the run.
 */
#ifndef SL_RUNNER_H
#define SL_RUNNER_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>

#include "pipeline.h"

struct store;

struct stage_counts {
	uint64_t todo;		/* documents to look at when the stage began */
	uint64_t in, kept, dropped, flagged, errors, rewritten;
	double seconds;
};

struct filter_opts {
	int threads;			/* workers; 0: one per CPU */
	int dry_run;			/* decide and count, write nothing */
	unsigned shard_i, shard_n;	/* this process's share (n <= 1: all) */
	const char *const *redo;	/* stage names to start over */
	size_t nredo;
	size_t batch;			/* documents a transaction (512) */
	void (*on_progress)(void *arg, const struct pipeline_stage *s,
			    const struct stage_counts *c);
	void (*on_error)(void *arg, const char *msg);
	void *arg;
	volatile sig_atomic_t *stop;	/* nonzero: stop after this batch */
};

/* counts has p->n entries.  0: done; 1: done, but some documents failed a
 * stage (reported through on_error); -1: the run failed (err). */
int filter_run(struct store *st, const struct pipeline *p,
	       const struct filter_opts *opts, struct stage_counts *counts,
	       struct sl_err *err);

/* The shard of a document id among n (xxh3 of the id, mod n). */
unsigned filter_shard_of(const char *id, unsigned n);

#endif
