/*
 * stage.h: the filter stage interface.
 *
 * A stage judges one document at a time: keep, drop or flag, with a short
 * reason code ("gopher_mean_word_length"), a score, and optional details
 * (a JSON object: {"dup_of": "..."}).  Stages that rewrite text (normalize,
 * line dedup, pii, redacting rules) also return the new text, which is what
 * later stages and the exporter see; the original stays in the store.
 *
 * Calling sequence, driven by the runner (filter/runner.c):
 *
 *   conf = defaults from ops->opts, then the pipeline file's keys
 *   ops->open(&state, conf, err)                  once, main thread
 *   scratch = ops->scratch_new(state)             once per worker thread
 *   ops->apply(state, scratch, doc, out, err)     per document, on workers:
 *                                                 reads state, writes only
 *                                                 scratch and out (or
 *                                                 ops->apply_many over a
 *                                                 run of documents)
 *   ops->sync(state, st, err)                     optional, per batch, on the
 *                                                 writer thread, first in the
 *                                                 batch's transaction
 *   ops->decide(state, st, doc, out, err)         optional, per document, on
 *                                                 the writer thread, in rowid
 *                                                 order, inside the batch's
 *                                                 transaction: for stages
 *                                                 whose verdict depends on
 *                                                 the store (dedup)
 *   ops->finish(state, st, err)                   optional, after the last
 *                                                 batch, own transaction
 *   ops->scratch_free(scratch); ops->close(state)
 *
 * ops->reset(state, st, err) runs first, in a transaction, when the stage
 * must start over (--redo, or its version changed).
 *
 * apply() returns 0, or -1 with err set for a failure of the stage itself
 * (a regex that hit its match limit): the document then gets no verdict
 * and the run reports the error, never a silent pass.
 *
 * Options: each stage lists its options in a table (struct stage_opt) that
 * gives the key, type, default and help, and where the value goes in the
 * stage's conf struct.  The same table parses the pipeline file, prints
 * `sluice help filter`, and defines the stage's version: a hash of the
 * stage's code version and every option's value, so changing an option
 * makes the stage run again over every document.
 */
#ifndef SL_STAGE_H
#define SL_STAGE_H

#include <stddef.h>
#include <stdint.h>

#include "../lib/buf.h"

struct sl_err;
struct store;

enum decision { DECISION_KEEP, DECISION_DROP, DECISION_FLAG };

/* One document as a stage sees it.  text is valid UTF-8, NUL-terminated:
 * the latest rewrite (normalized, ...) or else the original. */
struct stage_doc {
	int64_t rowid;
	const char *id;
	const char *text;
	size_t len;
	const char *url;	/* NULL when unknown */
	const char *source;
	const char *lang;	/* set by the lang stage, or given; may be NULL */
};

/* What a stage says about one document.  The runner resets it before each
 * apply() (decision keep, no reason, score NAN, empty buffers) and owns the
 * buffers, which are reused. */
struct stage_out {
	enum decision decision;
	char reason[64];	/* short code; empty for a plain keep */
	double score;		/* NAN when the stage has none */
	int rewrite;		/* text holds the new text of the document */
	struct buf text;
	struct buf detail;	/* a JSON object's text, or empty */
	struct buf data;	/* apply() -> decide() payload (signatures) */
	char lang[16];		/* the lang stage's answer, or "" */
	int demoted;		/* decide() turned this many earlier keeps
				 * of the stage into drops (dedup takeover) */
};

enum opt_type {
	OPT_BOOL,	/* int: true/false, yes/no, on/off, 1/0 */
	OPT_INT,	/* long */
	OPT_DOUBLE,	/* double */
	OPT_STRING,	/* char[OPT_STRING_MAX] */
};

#define OPT_STRING_MAX 1024

struct stage_opt {
	const char *key;
	enum opt_type type;
	size_t offset;		/* offsetof(conf struct, field) */
	const char *def;	/* the default, as text */
	const char *help;	/* one line; mention units and the source of
				 * the default (paper, reference code) */
	double min, max;	/* allowed range for numbers (min > max: none) */
};

enum {
	STAGE_ORIGINAL_TEXT = 1,	/* apply() sees the original text, not
					 * the latest rewrite (normalize) */
	STAGE_OPT_IN = 2,		/* not in the default pipeline: only a
					 * pipeline file's section runs it
					 * (classify needs a model file) */
};

struct stage_ops {
	const char *name;
	const char *summary;	/* one line for `sluice help filter` */
	int code_version;	/* bump when the stage's behaviour changes */
	unsigned flags;
	const struct stage_opt *opts;	/* ends with a zeroed entry */
	size_t conf_size;

	int (*open)(void **state, const void *conf, struct sl_err *err);
	void (*close)(void *state);
	void *(*scratch_new)(const void *state);	/* NULL: out of memory */
	void (*scratch_free)(void *scratch);
	int (*apply)(const void *state, void *scratch,
		     const struct stage_doc *doc, struct stage_out *out,
		     struct sl_err *err);
	/* Optional: apply() to n documents in one call, for stages that
	 * score a batch faster than its documents one by one (the classify
	 * stage's Transformer multiplies whole batches).  Each outs[i] is
	 * what apply() would have made of docs[i]; -1 with err set fails all
	 * n.  The runner then calls this instead of apply(). */
	int (*apply_many)(const void *state, void *scratch,
			  const struct stage_doc *const *docs,
			  struct stage_out *const *outs, size_t n,
			  struct sl_err *err);
	int (*decide)(void *state, struct store *st,
		      const struct stage_doc *doc, struct stage_out *out,
		      struct sl_err *err);	/* may be NULL */
	/* At the start of each batch's transaction, before its decide()
	 * calls: a stage that holds part of its store tables in memory (the
	 * LSH band index, line counts not yet folded) reads what other
	 * processes committed since it last looked.  Writer thread.  May be
	 * NULL. */
	int (*sync)(void *state, struct store *st, struct sl_err *err);
	/* After the stage's last batch of a run (not a dry run), in a
	 * transaction of its own: move what the stage appended to a log
	 * into its final tables.  A run killed before it leaves the log for
	 * the next run, which reads it.  May be NULL. */
	int (*finish)(void *state, struct store *st, struct sl_err *err);
	/* Forget the stage's own tables in the store (dedup indexes) before
	 * it runs again over everything: after --redo or a version change.
	 * Writer thread, inside a transaction.  May be NULL. */
	int (*reset)(void *state, struct store *st, struct sl_err *err);
	/* Extra text the stage's version depends on besides its options
	 * (the contents of the rule files it reads).  May be NULL. */
	void (*version_salt)(const void *conf, struct buf *out);
};

/* Helpers for stage code. */
void stage_out_reset(struct stage_out *o);
void stage_out_init(struct stage_out *o);
void stage_out_release(struct stage_out *o);
/* Set decision and reason ("%s"-style) in one go. */
__attribute__((format(printf, 3, 4)))
void stage_verdict(struct stage_out *o, enum decision d, const char *fmt, ...);

/* The registry of built-in stages, in the default pipeline order. */
extern const struct stage_ops *const stage_registry[];
const struct stage_ops *stage_find(const char *name);

#endif
