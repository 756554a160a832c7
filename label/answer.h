/*
 * answer.h: one annotator's answer checked against its task, in the
 * canonical form the store keeps (annotations, reviews, final_labels).
 *
 * Canonical: answer is "accept", "reject" or "ignore"; labels is a compact
 * JSON array of label names in the task's order, no duplicates.  Two
 * answers agree exactly when both strings are equal, so agreement is a
 * string compare.
 *   binary: accept -> ["L"], reject -> [], ignore -> [] (labels given are
 *           not looked at)
 *   single: accept (or NULL) with exactly one label; ignore with none
 *   multi:  accept (or NULL) with zero or more labels; ignore with none
 */
#ifndef SL_ANSWER_H
#define SL_ANSWER_H

#include <stddef.h>

struct buf;
struct task;
struct sl_err;

/* Check (answer, labels) against t; *canon gets a static string, json the
 * labels array (replacing its contents).  0 or -1 with err. */
int answer_build(const struct task *t, const char *answer,
		 const char *const *labels, size_t nlabels,
		 const char **canon, struct buf *json, struct sl_err *err);

/* Parse a canonical labels array (as stored) into a malloc'd array of
 * malloc'd names; free with task_labels_free().  0 or -1. */
int answer_labels_parse(const char *json, char ***labels, size_t *n,
			struct sl_err *err);

#endif
