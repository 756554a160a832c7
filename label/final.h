/*
 * final.h: a document's labelling state, recomputed from its annotations
 * and reviews (label_docs and final_labels in schema.sql).
 *
 * final_refresh(st, t, doc) must run inside the caller's write transaction,
 * after every change to the document's annotations or reviews, so the
 * derived rows never disagree with the decisions.  The rules:
 *   label_docs.n       the number of annotations (a row only while n > 0
 *                      or a review exists)
 *   label_docs.review  1 when not reviewed and (two annotations differ or
 *                      one is flagged)
 *   final_labels       the latest review (source 'review'), else an import
 *                      is kept as it is, else when n >= K, none is
 *                      flagged and every annotation is the same
 *                      non-"ignore" answer: that answer ('single' when
 *                      K = 1, 'agree'); else none.
 * Recomputing (a handful of rows per document) instead of updating by
 * increments keeps undo, review and import on one code path.
 */
#ifndef SL_FINAL_H
#define SL_FINAL_H

#include <stdint.h>

struct store;
struct task;
struct sl_err;

int final_refresh(struct store *st, const struct task *t, int64_t doc,
		  struct sl_err *err);

/* Set doc's final label from outside (source 'import'), replacing any but
 * a review's.  labels is a canonical array (answer.h).  In a transaction. */
int final_import(struct store *st, const struct task *t, int64_t doc,
		 const char *answer, const char *labels, struct sl_err *err);

#endif
