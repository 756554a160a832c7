/*
 * labelsel.c: label rules for the exporters (see labelsel.h).
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "labelsel.h"
#include "db.h"
#include "../lib/err.h"
#include "../lib/banned.h"

/* The task's rowid when it exists and has the label: 1, 0 when the task
 * or the label is unknown (err says which), -1 on error. */
static int resolve(struct store *st, const char *task, const char *label,
		   sqlite3_int64 *id, struct sl_err *err)
{
	sqlite3_stmt *s;
	int rc, has = 0;

	if (store_prepare(st, &s, "SELECT rowid, EXISTS (SELECT 1 FROM "
			  "json_each(tasks.labels) WHERE value = ?2) FROM tasks "
			  "WHERE name = ?1", err))
		return -1;
	sqlite3_bind_text(s, 1, task, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, label, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		*id = sqlite3_column_int64(s, 0);
		has = sqlite3_column_int(s, 1);
	}
	sqlite3_finalize(s);
	if (rc == SQLITE_DONE)
		return sl_error(err, "no task '%s'", task) + 1;
	if (rc != SQLITE_ROW)
		return store_fail(st, err, "cannot read tasks");
	if (!has)
		return sl_error(err, "task '%s' has no label '%s'", task,
				label) + 1;
	return 1;
}

int labelsel_build(struct store *st, const char *const *args,
		   const int *exclude, size_t n, char **json,
		   struct sl_err *err)
{
	json_t *a;
	int rc = 0;

	*json = NULL;
	if (!n)
		return 0;
	a = json_array();
	for (size_t i = 0; i < n && !rc; i++) {
		const char *eq = strchr(args[i], '=');
		char *task;
		sqlite3_int64 id = 0;

		if (!eq || eq == args[i] || !eq[1]) {
			rc = sl_error(err, "bad label rule '%s' (TASK=LABEL)",
				      args[i]);
			break;
		}
		task = strndup(args[i], (size_t)(eq - args[i]));
		if (!task) {
			rc = sl_error(err, "out of memory");
			break;
		}
		if (resolve(st, task, eq + 1, &id, err) != 1)
			rc = -1;
		else
			json_array_append_new(a, json_pack("{s:I,s:s,s:s,s:i}",
				"task", (json_int_t)id, "name", task,
				"label", eq + 1, "exclude", exclude[i] ? 1 : 0));
		free(task);
	}
	if (!rc && !(*json = json_dumps(a, JSON_COMPACT | JSON_PRESERVE_ORDER)))
		rc = sl_error(err, "out of memory");
	json_decref(a);
	return rc;
}
