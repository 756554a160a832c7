/*
 * labels_io.h: a task's labels in and out as JSONL (Prodigy-like lines),
 * so they can be read by other tools and labels made elsewhere come in.
 *
 * Export: one line per annotation, ordered by document then time:
 *   {"id":"d01","text":"...","label":"spam","answer":"accept",
 *    "annotator":"alice","timestamp":"2026-11-29T13:28:05Z","seconds":2.5,
 *    "session":"...","flagged":false,"note":null,
 *    "final":{"labels":["spam"],"answer":"accept","source":"agree"}}
 * single and binary tasks write "label" (binary: the task's label, with
 * answer accept/reject/ignore; single: the label, null for ignore), multi
 * tasks "labels" (an array).  "final" is the document's final label or
 * null.  Documents with a final label but no annotation (a review of an
 * imported document) get one line with annotator null.
 *
 * Import: the same lines.  "id" (a document of the store) is required;
 * "label" / "labels" and "answer" (default "accept") are checked against
 * the task as a decision is (answer.h); "annotator" defaults to "import",
 * "timestamp" (ISO 8601 text or Unix seconds) to now; note, flagged and
 * seconds are optional.  Each line becomes that annotator's annotation of
 * the document (replacing theirs), and the document's final label becomes
 * the line's answer with source 'import': unless the line says "final":
 * null (no final label from this line) or gives a "final" object (that
 * one is used).  A review's final label is never replaced.  The whole file
 * is one transaction: on the first bad line nothing is written and err
 * names file:line.  Unknown fields are ignored (Prodigy writes many).
 */
#ifndef SL_LABELS_IO_H
#define SL_LABELS_IO_H

#include <stdio.h>

struct store;
struct task;
struct sl_err;

struct labels_stats {
	long lines;		/* written or read */
	long finals;		/* export: lines with a final label;
				   import: final labels set */
};

/* Write the task's labels to out (the caller opened and closes it). */
int labels_export(struct store *st, const struct task *t, FILE *out,
		  struct labels_stats *stats, struct sl_err *err);

int labels_import(struct store *st, const struct task *t, const char *path,
		  struct labels_stats *stats, struct sl_err *err);

#endif
