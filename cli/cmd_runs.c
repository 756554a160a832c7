/*
 * cmd_runs.c: `sluice runs [--last N] [--json]`: the history of
 * `sluice run` from the store.
 */
#include <getopt.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "../store/db.h"
#include "../lib/banned.h"

static void print_steps(const char *summary)
{
	json_t *s = summary ? json_loads(summary, 0, NULL) : NULL, *step;
	size_t i;

	json_array_foreach(json_object_get(s, "steps"), i, step) {
		const char *name = json_string_value(json_object_get(step, "step"));

		printf("      %-18s", name ? name : "?");
		if (json_object_get(step, "in"))
			printf(" in %lld kept %lld dropped %lld flagged %lld",
			       json_integer_value(json_object_get(step, "in")),
			       json_integer_value(json_object_get(step, "kept")),
			       json_integer_value(json_object_get(step, "dropped")),
			       json_integer_value(json_object_get(step, "flagged")));
		else if (!strcmp(name ? name : "", "import"))
			printf(" files %lld (seen %lld) added %lld",
			       json_integer_value(json_object_get(step, "files")),
			       json_integer_value(json_object_get(step, "files_seen")),
			       json_integer_value(json_object_get(step, "added")));
		else
			printf(" docs %lld files %lld%s",
			       json_integer_value(json_object_get(step, "docs")),
			       json_integer_value(json_object_get(step, "files")),
			       json_is_true(json_object_get(step, "skipped")) ?
			       " (unchanged, skipped)" : "");
		printf(" %.2fs\n", json_number_value(json_object_get(step, "seconds")));
	}
	json_decref(s);
}

static int run(int argc, char **argv, struct ctx *ctx)
{
	static const struct option longopts[] = {
		{ "last", required_argument, NULL, 'n' },
		{ NULL, 0, NULL, 0 },
	};
	sqlite3_stmt *s;
	long last = 10;
	int c, rc;

	optind = 0;
	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		if (c != 'n')
			return usage_error(ctx, "bad option");
		last = strtol(optarg, NULL, 10);
		if (last < 1)
			return usage_error(ctx, "bad --last '%s'", optarg);
	}
	if (optind < argc)
		return usage_error(ctx, "unexpected argument '%s'", argv[optind]);
	if (sqlite3_prepare_v2(ctx->st->db, "SELECT rowid, started, finished, "
			       "status, pipeline, summary, error, "
			       "round((julianday(finished) - julianday(started)) "
			       "* 86400) FROM (SELECT * FROM runs ORDER BY rowid "
			       "DESC LIMIT ?1) ORDER BY rowid", -1, &s, NULL))
		return die_msg("cannot read runs: %s", sqlite3_errmsg(ctx->st->db));
	sqlite3_bind_int64(s, 1, last);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		const char *err = (const char *)sqlite3_column_text(s, 6);

		printf("run %lld  %s  %-11s %5.0fs  %s\n", sqlite3_column_int64(s, 0),
		       sqlite3_column_text(s, 1), sqlite3_column_text(s, 3),
		       sqlite3_column_double(s, 7), sqlite3_column_text(s, 4));
		print_steps((const char *)sqlite3_column_text(s, 5));
		if (err)
			printf("      error: %s\n", err);
	}
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? EXIT_OK :
	       die_msg("cannot read runs: %s", sqlite3_errmsg(ctx->st->db));
}

const struct cmd cmd_runs = {
	.name = "runs",
	.run = run,
	.usage = "sluice runs [--last N]",
	.summary = "the history of 'sluice run': when, how long, what each "
		   "step did",
	.help = "  --last N   the N most recent runs (default: 10)\n",
	.flags = CMD_STORE,
};
