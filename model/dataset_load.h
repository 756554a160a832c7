/*
 * dataset_load.h: fill a dataset (model/dataset.h) from labelled files or
 * from a labelling task's final labels in the store.
 *
 * TSV (any name not ending in .jsonl/.json, optionally .gz or .zst):
 *   one example a line, `text<TAB>label`: the label is the field after the
 *   LAST tab, the text everything before it (so a text may hold tabs).  A
 *   first line of exactly "text<TAB>label" is a header and skipped; blank
 *   lines are skipped.
 * JSONL (.jsonl, .json, optionally .gz or .zst):
 *   one object a line with "text" (a string) and "label" (a string, an
 *   integer or a boolean, taken as its JSON text: 1, true).  Prodigy-style
 *   binary answers: with "answer" = "accept" the class is the label, with
 *   "reject" it is "not_" + label, "ignore" skips the line.
 * Both: texts must be valid UTF-8 and non-empty, labels non-empty; every
 * bad line is an error naming file:line, and nothing is added from it.
 *
 * Task (schema v5, the labelling tables): every final label of task NAME,
 * the document's original text.  A binary task (kind "binary", or one
 * declared label X) gives class X for answer "accept" and "not_X" for
 * "reject"; other tasks give the single label of labels (rows with none or
 * several, and ignored ones, are skipped and counted in *skipped).
 *
 *   struct dataset d;  dataset_init(&d);
 *   if (dataset_load_file(&d, "train.tsv", &err)) ...
 *   if (dataset_load_task(&d, st, "toxic", &skipped, &err)) ...
 */
#ifndef SL_DATASET_LOAD_H
#define SL_DATASET_LOAD_H

#include <stddef.h>

struct sl_err;
struct dataset;
struct store;
struct buf;
struct jscan;

/* The longest line a loader accepts (longer ones are an error). */
#define DATASET_MAX_LINE (64u << 20)

int dataset_load_file(struct dataset *d, const char *path, struct sl_err *err);
int dataset_load_task(struct dataset *d, struct store *st, const char *task,
		      size_t *skipped, struct sl_err *err);

/* Is path a JSONL name (by its extension)? */
int dataset_is_jsonl(const char *path);

/* Split a TSV line: *text, *tlen always set; *label NULL when the line has
 * no tab (classify's input may be bare texts). */
void dataset_tsv_split(const char *line, size_t len, const char **text,
		       size_t *tlen, const char **label, size_t *llen);

/* Decode one JSONL line into text and label (label left empty when the
 * line has none).  1 to use, 0 to skip (Prodigy "ignore"), -1 with a
 * message in *why (static text). */
int dataset_jsonl_fields(struct jscan *js, const char *line, size_t len,
			 struct buf *text, struct buf *label,
			 const char **why);

#endif
