/*
 * task.h: labelling tasks (issue #6).
 *
 * A task names a set of labels and how they are picked:
 *   TASK_SINGLE  exactly one of labels[] per document (keys 1-9)
 *   TASK_MULTI   any subset of labels[] (keys 1-9 toggle, Enter confirms)
 *   TASK_BINARY  one label; accept / reject / ignore (Prodigy's flow):
 *                accept means labels ["L"], reject means [], ignore is no
 *                label at all
 * overlap K: how many independent annotations each document gets before
 * it is done (never two from the same annotator).  guidelines: the text of
 * a file, shown by the UI's `h` key, or NULL.
 *
 * Label names: non-empty, at most TASK_LABEL_MAX bytes of valid UTF-8, no
 * control characters, no ',' (the command line separates with it), unique;
 * at most TASK_MAX_LABELS for single and multi tasks (keys 1-9 pick them).
 *
 *   struct task spec = { .name = "tox", .kind = TASK_SINGLE,
 *                        .labels = names, .nlabels = 3, .overlap = 1 };
 *   task_create(st, &spec, &err);          // -1 when it exists or is invalid
 *   struct task *t;
 *   task_load(st, "tox", &t, &err);        // 1 found, 0 no such task, -1
 *   ... t->labels[i] ...
 *   task_free(t);
 *
 * Rows: table tasks (schema.sql version 5); labels are stored as a JSON
 * array in the order given, which is the order of the keys 1-9.
 */
#ifndef SL_TASK_H
#define SL_TASK_H

#include <stddef.h>
#include <stdint.h>

struct store;
struct sl_err;

#define TASK_MAX_LABELS 9
#define TASK_LABEL_MAX 64
#define TASK_NAME_MAX 128
#define TASK_MAX_OVERLAP 100

enum task_kind { TASK_SINGLE, TASK_MULTI, TASK_BINARY };

struct task {
	int64_t id;		/* tasks.rowid; ignored by task_create */
	char *name;
	enum task_kind kind;
	char **labels;		/* nlabels names; binary: exactly one */
	size_t nlabels;
	int overlap;		/* K >= 1 */
	char *guidelines;	/* text, may be NULL */
	char *created;		/* ISO 8601 UTC; set by task_load */
};

/* Check spec (name, labels, kind, overlap) without touching the store. */
int task_validate(const struct task *spec, struct sl_err *err);

/* Insert a new task; -1 with "task 'x' already exists" when it does. */
int task_create(struct store *st, const struct task *spec, struct sl_err *err);

/* 1 with *out (free with task_free), 0 when there is no such task, -1. */
int task_load(struct store *st, const char *name, struct task **out,
	      struct sl_err *err);
void task_free(struct task *t);

/* Every task, ordered by name: *out is an array of n tasks (free each
 * with task_free, then the array with free). */
int task_list(struct store *st, struct task ***out, size_t *n,
	      struct sl_err *err);

/* Split "a,b,c" into labels (malloc'd array of malloc'd strings, free with
 * task_labels_free); validation is task_validate's job. */
int task_parse_labels(const char *csv, char ***labels, size_t *n,
		      struct sl_err *err);
void task_labels_free(char **labels, size_t n);

/* Index of name in t->labels, or -1. */
int task_label_index(const struct task *t, const char *name);

const char *task_kind_name(enum task_kind k);	/* "single" "multi" "binary" */

#endif
