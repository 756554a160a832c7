/*
 * answer.c: canonical answers (see answer.h).
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "answer.h"
#include "task.h"
#include "../lib/buf.h"
#include "../lib/err.h"
#include "../lib/jsonw.h"
#include "../lib/banned.h"

static const char *canon_answer(const char *a)
{
	static const char *const names[] = { "accept", "reject", "ignore" };

	if (!a)
		return names[0];
	for (int i = 0; i < 3; i++)
		if (!strcmp(a, names[i]))
			return names[i];
	return NULL;
}

/* Append labels as a JSON array in task order; every one must be a label
 * of the task, none twice. */
static int labels_json(const struct task *t, const char *const *labels,
		       size_t n, struct buf *json, struct sl_err *err)
{
	unsigned char seen[TASK_MAX_LABELS + 1] = { 0 };
	int first = 1;

	for (size_t i = 0; i < n; i++) {
		int k = labels[i] ? task_label_index(t, labels[i]) : -1;

		if (k < 0)
			return sl_error(err, "'%s' is not a label of task '%s'",
					labels[i] ? labels[i] : "(null)",
					t->name);
		if (k > TASK_MAX_LABELS || seen[k]++)
			return sl_error(err, "label '%s' given twice",
					labels[i]);
	}
	if (buf_addc(json, '['))
		return sl_error(err, "out of memory");
	for (size_t k = 0; k < t->nlabels && k <= TASK_MAX_LABELS; k++) {
		if (!seen[k])
			continue;
		if ((!first && buf_addc(json, ',')) ||
		    jsonw_str(json, t->labels[k], strlen(t->labels[k])))
			return sl_error(err, "out of memory");
		first = 0;
	}
	return buf_addc(json, ']') ? sl_error(err, "out of memory") : 0;
}

int answer_build(const struct task *t, const char *answer,
		 const char *const *labels, size_t nlabels,
		 const char **canon, struct buf *json, struct sl_err *err)
{
	const char *a = canon_answer(answer);

	buf_reset(json);
	if (!a)
		return sl_error(err, "bad answer '%s' (accept, reject, ignore)",
				answer);
	*canon = a;
	if (t->kind == TASK_BINARY) {
		if (!strcmp(a, "accept"))
			return labels_json(t, (const char *const *)t->labels, 1,
					   json, err);
		return labels_json(t, NULL, 0, json, err);
	}
	if (!strcmp(a, "reject"))
		return sl_error(err, "answer 'reject' is for binary tasks; "
				"task '%s' is %s", t->name,
				task_kind_name(t->kind));
	if (!strcmp(a, "ignore")) {
		if (nlabels)
			return sl_error(err, "answer 'ignore' takes no labels");
		return labels_json(t, NULL, 0, json, err);
	}
	if (t->kind == TASK_SINGLE && nlabels != 1)
		return sl_error(err, "task '%s' takes exactly one label, not "
				"%zu", t->name, nlabels);
	return labels_json(t, labels, nlabels, json, err);
}

int answer_labels_parse(const char *json, char ***labels, size_t *n,
			struct sl_err *err)
{
	json_t *a = json ? json_loads(json, 0, NULL) : NULL, *v;
	char **out;
	size_t i;

	*labels = NULL;
	*n = 0;
	if (!json_is_array(a)) {
		json_decref(a);
		return sl_error(err, "bad labels '%s' in the store",
				json ? json : "(null)");
	}
	out = calloc(json_array_size(a) + 1, sizeof(*out));
	if (!out) {
		json_decref(a);
		return sl_error(err, "out of memory");
	}
	json_array_foreach(a, i, v) {
		const char *s = json_string_value(v);

		if (!s || !(out[*n] = strdup(s))) {
			task_labels_free(out, *n);
			json_decref(a);
			*n = 0;
			return sl_error(err, "bad labels '%s' in the store",
					json);
		}
		(*n)++;
	}
	json_decref(a);
	*labels = out;
	return 0;
}
