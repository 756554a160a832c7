/*
 * cmd_stats.c: `sluice stats [--json]`: what the store holds, where it
 * came from, and what each filter stage did to it.
 */
#include <getopt.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "../store/db.h"
#include "../lib/err.h"
#include "../lib/banned.h"

/* Run a query and return its rows as a JSON array of objects keyed by
 * column name; NULL (with a message printed) on error. */
static json_t *rows(struct store *st, const char *sql)
{
	sqlite3_stmt *s;
	json_t *arr = json_array();
	int rc;

	if (sqlite3_prepare_v2(st->db, sql, -1, &s, NULL) != SQLITE_OK) {
		die_msg("cannot read the store: %s", sqlite3_errmsg(st->db));
		json_decref(arr);
		return NULL;
	}
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		json_t *o = json_object();

		for (int i = 0; i < sqlite3_column_count(s); i++) {
			const char *k = sqlite3_column_name(s, i);

			switch (sqlite3_column_type(s, i)) {
			case SQLITE_INTEGER:
				json_object_set_new(o, k, json_integer(
					sqlite3_column_int64(s, i)));
				break;
			case SQLITE_FLOAT:
				json_object_set_new(o, k, json_real(
					sqlite3_column_double(s, i)));
				break;
			case SQLITE_NULL:
				json_object_set_new(o, k, json_null());
				break;
			default:
				json_object_set_new(o, k, json_string((const
					char *)sqlite3_column_text(s, i)));
			}
		}
		json_array_append_new(arr, o);
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE) {
		die_msg("cannot read the store: %s", sqlite3_errmsg(st->db));
		json_decref(arr);
		return NULL;
	}
	return arr;
}

static const struct {
	const char *key, *sql;
} queries[] = {
	{ "documents", "SELECT count(*) AS docs, coalesce(sum(nbytes), 0) AS "
	  "text_bytes, coalesce(sum(nchars), 0) AS chars, "
	  "coalesce(sum(length(text)), 0) AS stored_bytes FROM docs" },
	{ "sources", "SELECT source, count(*) AS docs, sum(nbytes) AS "
	  "text_bytes FROM docs GROUP BY source ORDER BY docs DESC, source "
	  "LIMIT 20" },
	{ "languages", "SELECT coalesce(lang, '-') AS lang, count(*) AS docs "
	  "FROM docs GROUP BY lang ORDER BY docs DESC, lang LIMIT 20" },
	{ "imports", "SELECT count(*) AS runs, count(DISTINCT path) AS files, "
	  "coalesce(sum(status = 'done'), 0) AS done, "
	  "coalesce(sum(status = 'failed'), 0) AS failed, "
	  "coalesce(sum(status = 'running'), 0) AS unfinished, "
	  "coalesce(sum(added), 0) AS added, coalesce(sum(bad), 0) AS bad, "
	  "coalesce(sum(repaired), 0) AS repaired, max(started) AS last "
	  "FROM imports" },
	{ "stages", "SELECT stage, count(*) AS docs, "
	  "sum(decision = 'keep') AS kept, sum(decision = 'drop') AS dropped, "
	  "sum(decision = 'flag') AS flagged FROM verdicts GROUP BY stage "
	  "ORDER BY stage" },
	{ "reasons", "SELECT stage, reason, decision, count(*) AS docs FROM "
	  "verdicts WHERE decision != 'keep' GROUP BY stage, reason, decision "
	  "ORDER BY stage, docs DESC LIMIT 200" },
	{ "crawl_runs", "SELECT count(*) AS runs, "
	  "coalesce(sum(status = 'running'), 0) AS running, "
	  "coalesce(sum(status = 'killed'), 0) AS killed, "
	  "coalesce(sum(added), 0) AS added, max(started) AS last "
	  "FROM crawl_runs" },
	{ "frontier", "SELECT state, count(*) AS urls FROM frontier "
	  "GROUP BY state ORDER BY state" },
	{ "fetches", "SELECT count(*) AS fetches, "
	  "coalesce(sum(outcome = 'ok'), 0) AS ok, "
	  "coalesce(sum(outcome = 'redirect'), 0) AS redirect, "
	  "coalesce(sum(outcome = 'notmodified'), 0) AS notmodified, "
	  "coalesce(sum(outcome = 'http'), 0) AS http_error, "
	  "coalesce(sum(outcome = 'timeout'), 0) AS timeout, "
	  "coalesce(sum(outcome = 'neterror'), 0) AS neterror, "
	  "coalesce(sum(outcome = 'toobig'), 0) AS toobig, "
	  "coalesce(sum(outcome = 'refused'), 0) AS refused, "
	  "coalesce(sum(outcome = 'type'), 0) AS wrong_type, "
	  "coalesce(sum(bytes), 0) AS bytes FROM fetches" },
	{ "fetch_status", "SELECT status, count(*) AS fetches FROM fetches "
	  "GROUP BY status ORDER BY fetches DESC, status LIMIT 20" },
};

static json_t *collect(struct store *st)
{
	json_t *all = json_object();

	for (size_t i = 0; i < sizeof(queries) / sizeof(*queries); i++) {
		json_t *r = rows(st, queries[i].sql);

		if (!r) {
			json_decref(all);
			return NULL;
		}
		json_object_set_new(all, queries[i].key, r);
	}
	return all;
}

static long long num(json_t *o, const char *k)
{
	return json_integer_value(json_object_get(o, k));
}

static const char *str(json_t *o, const char *k)
{
	const char *s = json_string_value(json_object_get(o, k));

	return s ? s : "-";
}

static void crawl(json_t *all)
{
	json_t *cr = json_array_get(json_object_get(all, "crawl_runs"), 0);
	json_t *f = json_array_get(json_object_get(all, "fetches"), 0);
	json_t *r;
	size_t i;

	if (!num(cr, "runs")) {
		printf("crawl      none has run\n");
		return;
	}
	printf("crawl      %lld runs (%lld running, %lld killed), %lld "
	       "documents added; last %s\nfrontier  ", num(cr, "runs"),
	       num(cr, "running"), num(cr, "killed"), num(cr, "added"),
	       str(cr, "last"));
	json_array_foreach(json_object_get(all, "frontier"), i, r)
		printf(" %s %lld", str(r, "state"), num(r, "urls"));
	printf("\nfetches    %lld (%.1f MB): ok %lld, redirect %lld, not "
	       "modified %lld, http error %lld, timeout %lld, network error "
	       "%lld, over cap %lld, refused %lld, wrong type %lld\nstatuses  ",
	       num(f, "fetches"), num(f, "bytes") / 1e6, num(f, "ok"),
	       num(f, "redirect"), num(f, "notmodified"), num(f, "http_error"),
	       num(f, "timeout"), num(f, "neterror"), num(f, "toobig"),
	       num(f, "refused"), num(f, "wrong_type"));
	json_array_foreach(json_object_get(all, "fetch_status"), i, r)
		printf(" %lld:%lld", num(r, "status"), num(r, "fetches"));
	printf("\n");
}

static void human(struct ctx *ctx, json_t *all)
{
	json_t *d = json_array_get(json_object_get(all, "documents"), 0);
	json_t *im = json_array_get(json_object_get(all, "imports"), 0);
	json_t *r;
	size_t i;

	printf("store      %s (schema version %d)\n", ctx->db_path,
	       store_schema_version());
	printf("documents  %lld (%.1f MB of text, %lld characters; %.1f MB "
	       "stored)\n", num(d, "docs"), num(d, "text_bytes") / 1e6,
	       num(d, "chars"), num(d, "stored_bytes") / 1e6);
	printf("sources   ");
	json_array_foreach(json_object_get(all, "sources"), i, r)
		printf(" %s %lld", str(r, "source"), num(r, "docs"));
	printf("\nlanguages ");
	json_array_foreach(json_object_get(all, "languages"), i, r)
		printf(" %s %lld", str(r, "lang"), num(r, "docs"));
	printf("\nimports    %lld runs over %lld inputs: %lld done, %lld "
	       "failed, %lld unfinished; %lld added, %lld bad lines "
	       "skipped, %lld repaired; last %s\n", num(im, "runs"),
	       num(im, "files"), num(im, "done"), num(im, "failed"),
	       num(im, "unfinished"), num(im, "added"), num(im, "bad"),
	       num(im, "repaired"), str(im, "last"));
	crawl(all);
	if (!json_array_size(json_object_get(all, "stages"))) {
		printf("stages     none has run\n");
		return;
	}
	printf("\n%-14s %10s %10s %10s %10s\n", "stage", "docs", "kept",
	       "dropped", "flagged");
	json_array_foreach(json_object_get(all, "stages"), i, r)
		printf("%-14s %10lld %10lld %10lld %10lld\n", str(r, "stage"),
		       num(r, "docs"), num(r, "kept"), num(r, "dropped"),
		       num(r, "flagged"));
	printf("\ntop reasons\n");
	json_array_foreach(json_object_get(all, "reasons"), i, r)
		printf("  %-14s %-5s %-24s %lld\n", str(r, "stage"),
		       str(r, "decision"), str(r, "reason"), num(r, "docs"));
}

static int run(int argc, char **argv, struct ctx *ctx)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ NULL, 0, NULL, 0 },
	};
	int c, as_json = 0;
	json_t *all;

	optind = 0;
	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		if (c != 'j')
			return usage_error(ctx, "bad option");
		as_json = 1;
	}
	if (optind < argc)
		return usage_error(ctx, "unexpected argument '%s'", argv[optind]);
	if (!(all = collect(ctx->st)))
		return EXIT_FAIL;
	if (as_json) {
		char *s = json_dumps(all, JSON_INDENT(2));

		if (s)
			puts(s);
		free(s);
	} else {
		human(ctx, all);
	}
	json_decref(all);
	return EXIT_OK;
}

const struct cmd cmd_stats = {
	.name = "stats",
	.run = run,
	.usage = "sluice stats [--json]",
	.summary = "show what the store holds and what each stage decided",
	.help =
	"  --json   print the figures as one JSON object\n",
	.flags = CMD_STORE,
};
