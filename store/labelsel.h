/*
 * labelsel.h: select documents for export by the final labels of labelling
 * tasks (`sluice export --require-label TASK=LABEL --exclude-label ...`).
 *
 * The rules travel as one JSON array bound to one SQL parameter, so the
 * exporters' queries stay static text:
 *   [{"task": 3, "name": "tox", "label": "spam", "exclude": 0}, ...]
 * A document passes when it has every required label and none of the
 * excluded ones in final_labels (label/final.h: a binary task's accepted
 * documents have ["LABEL"], rejected ones []).  No rules: every document
 * passes.
 *
 *   char *rules;
 *   labelsel_build(st, args, nargs, excl, &rules, &err);  // NULL when none
 *   ... "WHERE ..." LABELSEL_SQL("?5") ... bind ?5 to rules (or NULL)
 *   free(rules);
 */
#ifndef SL_LABELSEL_H
#define SL_LABELSEL_H

#include <stddef.h>

struct store;
struct sl_err;

/* No rule of the array bound to parameter P is broken by docs.rowid. */
#define LABELSEL_SQL(P)                                                      \
	" AND NOT EXISTS (SELECT 1 FROM json_each(" P ") r WHERE "             \
	"(r.value ->> '$.exclude' = 0) <> EXISTS (SELECT 1 FROM final_labels " \
	"fl, json_each(fl.labels) j WHERE fl.task = r.value ->> '$.task' AND " \
	"fl.doc = docs.rowid AND j.value = r.value ->> '$.label'))"

/* args[i] is "TASK=LABEL", excluded when exclude[i]; checks that each
 * task exists and has the label.  *json is malloc'd, NULL when n = 0. */
int labelsel_build(struct store *st, const char *const *args,
		   const int *exclude, size_t n, char **json,
		   struct sl_err *err);

#endif
