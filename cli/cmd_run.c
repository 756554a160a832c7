/*
 * cmd_run.c: `sluice run PIPELINE.ini`: the steps of a pipeline file in
 * order ([import], the [filter.*] stages, [export]), for cron: one run at a
 * time per store, incremental, quiet unless asked, honest exit codes, and a
 * row per run in the store (`sluice runs`).
 */
#include <errno.h>
#include <getopt.h>
#include <glob.h>
#include <jansson.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cmd.h"
#include "runconf.h"
#include "../crawl/crawler.h"
#include "../filter/pipeline.h"
#include "../filter/runner.h"
#include "../store/db.h"
#include "../store/export.h"
#include "../store/import.h"
#include "../store/tokens_export.h"
#include "../lib/buf.h"
#include "../lib/clock.h"
#include "../lib/err.h"
#include "../lib/lockfile.h"
#include "../lib/banned.h"

static volatile sig_atomic_t stop_sig;
static struct crawler *volatile crawling;	/* stopped by a signal too */

static void on_signal(int sig)
{
	stop_sig = sig;
	if (crawling)
		crawl_request_stop(crawling);
}

struct run {
	struct ctx *ctx;
	const char *pipeline;
	struct runconf rc;
	FILE *log;
	int tty;
	int failed;		/* a step failed: 1 */
	int64_t row;		/* runs.rowid */
	json_t *steps, *errors;
};

/* A timestamped line on stderr (unless --quiet and not an error) and in
 * the --log file. */
__attribute__((format(printf, 3, 4)))
static void say(struct run *r, int error, const char *fmt, ...)
{
	char now[CLOCK_ISO_LEN], msg[2048];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	clock_iso_now(now);
	if (error)
		json_array_append_new(r->errors, json_string(msg));
	if (!r->ctx->quiet || error) {
		if (r->tty)
			fprintf(stderr, "sluice: %s\n", msg);
		else
			fprintf(stderr, "%s sluice: %s\n", now, msg);
	}
	if (r->log) {
		fprintf(r->log, "%s %s\n", now, msg);
		fflush(r->log);
	}
}

static int64_t runs_begin(struct store *st, const char *pipeline,
			  struct sl_err *err)
{
	sqlite3_stmt *s;
	char now[CLOCK_ISO_LEN];
	int rc;

	/* runs left 'running' by a killed process are over */
	if (store_exec(st, "UPDATE runs SET status = 'interrupted', error = "
		       "'the process ended without finishing (killed?)' "
		       "WHERE status = 'running'", err))
		return -1;
	if (store_prepare(st, &s, "INSERT INTO runs(pipeline, pid, started, "
			  "status) VALUES (?1, ?2, ?3, 'running')", err))
		return -1;
	sqlite3_bind_text(s, 1, pipeline, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, (sqlite3_int64)getpid());
	sqlite3_bind_text(s, 3, clock_iso_now(now), -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE)
		return store_fail(st, err, "cannot record the run");
	return sqlite3_last_insert_rowid(st->db);
}

static void runs_end(struct run *r, const char *status, const char *summary)
{
	sqlite3_stmt *s;
	char now[CLOCK_ISO_LEN];
	json_t *e = json_array_get(r->errors, 0);

	if (sqlite3_prepare_v2(r->ctx->st->db, "UPDATE runs SET finished = ?1, "
			       "status = ?2, summary = ?3, error = ?4 WHERE "
			       "rowid = ?5", -1, &s, NULL) != SQLITE_OK)
		return;
	sqlite3_bind_text(s, 1, clock_iso_now(now), -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, status, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, summary, -1, SQLITE_STATIC);
	if (e)
		sqlite3_bind_text(s, 4, json_string_value(e), -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 5, r->row);
	sqlite3_step(s);
	sqlite3_finalize(s);
}

/* ---- the steps ------------------------------------------------------ */

static void step_crawl(struct run *r)
{
	struct crawl_opts o;
	struct crawl_stats cs;
	struct crawler *c = NULL;
	struct sl_err err;
	double t0 = clock_mono();
	int ok = 1;

	crawl_opts_init(&o);
	for (size_t i = 0; i < r->rc.ncrawl && ok; i++)
		if (crawl_config(&o, r->rc.crawl[i].key, r->rc.crawl[i].value,
				 &err)) {
			say(r, 1, "crawl: %s: %s", r->rc.crawl[i].key, err.msg);
			ok = 0;
		}
	if (ok && crawl_open(&c, r->ctx->st, &o, &err)) {
		say(r, 1, "crawl: %s", err.msg);
		ok = 0;
	}
	if (ok) {
		crawling = c;
		if (stop_sig)
			crawl_request_stop(c);
		if (crawl_run(c, NULL, NULL, &err)) {
			say(r, 1, "crawl: %s", err.msg);
			ok = 0;
		}
		crawling = NULL;
		crawl_get_stats(c, &cs);
		say(r, 0, "crawl: %ld pages fetched, %ld documents added, %ld "
		    "still queued", cs.pages, cs.docs_added, cs.queued);
		json_array_append_new(r->steps, json_pack(
			"{s:s,s:I,s:I,s:I,s:f,s:b}", "step", "crawl",
			"pages", (json_int_t)cs.pages,
			"added", (json_int_t)cs.docs_added,
			"queued", (json_int_t)cs.queued,
			"seconds", clock_mono() - t0, "ok", ok));
	}
	crawl_close(c);
	crawl_opts_release(&o);
	r->failed |= !ok && !stop_sig;
}

static void step_import(struct run *r)
{
	struct import_opts o = { .skip_seen = 1, .stop = &stop_sig };
	struct import_stats t = { 0 };
	struct sl_err err;
	double t0 = clock_mono();
	int ok = 1;

	o.text_field = r->rc.text_field[0] ? r->rc.text_field : NULL;
	o.id_field = r->rc.id_field[0] ? r->rc.id_field : NULL;
	o.url_field = r->rc.url_field[0] ? r->rc.url_field : NULL;
	o.source = r->rc.source[0] ? r->rc.source : NULL;
	o.skip_bad = r->rc.skip_bad;
	o.max_line = (size_t)r->rc.max_line;
	for (size_t i = 0; i < r->rc.nglobs && ok && !stop_sig; i++) {
		glob_t g;
		int grc = glob(r->rc.globs[i], GLOB_NOSORT, NULL, &g);

		if (grc == GLOB_NOMATCH) {
			say(r, 0, "import: nothing matches '%s'", r->rc.globs[i]);
			continue;
		}
		if (grc) {
			say(r, 1, "import: cannot expand '%s'", r->rc.globs[i]);
			ok = 0;
			continue;
		}
		qsort(g.gl_pathv, g.gl_pathc, sizeof(char *),
		      (int (*)(const void *, const void *))strcmp);
		for (size_t j = 0; j < g.gl_pathc && ok; j++)
			if (import_path(r->ctx->st, g.gl_pathv[j], &o, &t, &err)) {
				if (!stop_sig)
					say(r, 1, "import: %s", err.msg);
				ok = 0;
			}
		globfree(&g);
	}
	r->failed |= !ok && !stop_sig;
	say(r, 0, "import: %llu files read, %llu already imported; %llu "
	    "documents added, %llu already stored, %llu bad lines skipped",
	    (unsigned long long)t.files, (unsigned long long)t.seen_files,
	    (unsigned long long)t.added, (unsigned long long)t.existing,
	    (unsigned long long)t.bad);
	json_array_append_new(r->steps, json_pack("{s:s,s:I,s:I,s:I,s:I,s:I,s:f,s:b}",
		"step", "import", "files", (json_int_t)t.files,
		"files_seen", (json_int_t)t.seen_files,
		"added", (json_int_t)t.added, "existing", (json_int_t)t.existing,
		"bad", (json_int_t)t.bad, "seconds", clock_mono() - t0, "ok", ok));
}

static void on_filter_error(void *arg, const char *msg)
{
	say(arg, 1, "filter: %s", msg);
}

static void on_filter_progress(void *arg, const struct pipeline_stage *ps,
			       const struct stage_counts *c)
{
	struct run *r = arg;

	if (r->tty && !r->ctx->quiet)
		fprintf(stderr, "\r%-10s %llu/%llu documents, %.0f/s   ",
			ps->ops->name, (unsigned long long)c->in,
			(unsigned long long)c->todo,
			c->seconds > 0 ? (double)c->in / c->seconds : 0.0);
}

static void step_filter(struct run *r)
{
	struct filter_opts o = { .stop = &stop_sig, .on_error = on_filter_error,
				 .on_progress = on_filter_progress, .arg = r };
	struct stage_counts *c;
	struct pipeline p;
	struct sl_err err;
	int rc;

	if (pipeline_load(&p, r->pipeline, &err)) {
		say(r, 1, "filter: %s", err.msg);
		r->failed = 1;
		return;
	}
	c = calloc(p.n, sizeof(*c));
	rc = c ? filter_run(r->ctx->st, &p, &o, c, &err) : -1;
	if (r->tty && !r->ctx->quiet)
		fprintf(stderr, "\r%60s\r", "");
	if (rc < 0)
		say(r, 1, "filter: %s", c ? err.msg : "out of memory");
	for (size_t i = 0; c && i < p.n; i++) {
		char name[80];

		snprintf(name, sizeof(name), "filter.%s", p.v[i].ops->name);
		say(r, 0, "%s: %llu in, %llu kept, %llu dropped, %llu flagged%s",
		    name, (unsigned long long)c[i].in,
		    (unsigned long long)c[i].kept,
		    (unsigned long long)c[i].dropped,
		    (unsigned long long)c[i].flagged,
		    c[i].errors ? " (with errors)" : "");
		json_array_append_new(r->steps, json_pack(
			"{s:s,s:I,s:I,s:I,s:I,s:I,s:f}", "step", name,
			"in", (json_int_t)c[i].in, "kept", (json_int_t)c[i].kept,
			"dropped", (json_int_t)c[i].dropped,
			"flagged", (json_int_t)c[i].flagged,
			"errors", (json_int_t)c[i].errors,
			"seconds", c[i].seconds));
	}
	r->failed |= rc != 0 && !stop_sig;
	free(c);
	pipeline_release(&p);
}

static int mkdir_p(const char *dir, struct sl_err *err)
{
	if (mkdir(dir, 0777) && errno != EEXIST)
		return sl_error(err, "cannot create '%s':", dir);
	return 0;
}

/* What an export depends on, as one string: it changes whenever a
 * document, a verdict or a rewritten text does. */
static int store_state(struct store *st, struct buf *out, struct sl_err *err)
{
	sqlite3_stmt *s;
	int rc;

	if (store_prepare(st, &s, "SELECT (SELECT count(*) || '.' || "
			  "coalesce(max(rowid), 0) FROM docs) || '/' || (SELECT "
			  "count(*) || '.' || coalesce(max(at), '') || '.' || "
			  "coalesce(sum(decision = 'drop'), 0) FROM verdicts) "
			  "|| '/' || (SELECT count(*) || '.' || "
			  "coalesce(sum(nbytes), 0) FROM texts)", err))
		return -1;
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		buf_adds(out, (const char *)sqlite3_column_text(s, 0));
	sqlite3_finalize(s);
	return rc == SQLITE_ROW ? 0 : store_fail(st, err, "cannot read the store");
}

/* One export format into DIR/SUB (or DIR for jsonl.zst, as before). */
static int export_one(struct run *r, const char *fmt, json_t **step,
		      struct sl_err *err)
{
	struct buf dir;
	int rc;

	buf_init(&dir, 0);
	if (!strcmp(fmt, "jsonl.zst")) {
		struct export_opts o = { .shard_size = r->rc.shard_size,
					 .level = r->rc.level };
		struct export_stats t = { 0 };

		rc = export_jsonl(r->ctx->st, r->rc.dir, &o, &t, err);
		if (!rc) {
			say(r, 0, "export jsonl.zst: %llu documents in %llu files "
			    "under '%s/documents'", (unsigned long long)t.docs,
			    (unsigned long long)t.files, r->rc.dir);
			*step = json_pack("{s:s,s:s,s:I,s:I}", "step", "export",
					  "format", fmt, "docs", (json_int_t)t.docs,
					  "files", (json_int_t)t.files);
		}
	} else {
		struct tokens_opts o = {
			.format = strcmp(fmt, "megatron") ? TOKENS_LLMC :
				  TOKENS_MEGATRON,
			.tokenizer = r->rc.tokenizer[0] ? r->rc.tokenizer : NULL,
			.val_fraction = r->rc.val_fraction, .seed = r->rc.seed,
			.eot_after = r->rc.eot_after,
			.shard_tokens = r->rc.shard_tokens,
			.min_tokens = r->rc.min_tokens, .version = SLUICE_VERSION,
		};
		struct tokens_stats t;

		buf_addf(&dir, "%s/%s", r->rc.dir, strcmp(fmt, "megatron") ?
			 "tokens" : "megatron");
		rc = mkdir_p(r->rc.dir, err) || tokens_export(r->ctx->st,
			dir.data, &o, &t, err) ? -1 : 0;
		if (!rc) {
			say(r, 0, "export %s: %llu documents, %llu tokens in %llu "
			    "files under '%s'", fmt, (unsigned long long)t.docs,
			    (unsigned long long)t.tokens,
			    (unsigned long long)t.files, dir.data);
			*step = json_pack("{s:s,s:s,s:I,s:I,s:I}", "step", "export",
					  "format", fmt, "docs", (json_int_t)t.docs,
					  "tokens", (json_int_t)t.tokens,
					  "files", (json_int_t)t.files);
		}
	}
	buf_release(&dir);
	return rc;
}

static void step_export(struct run *r)
{
	static const char *const fmts[] = { "jsonl.zst", "tokens", "megatron" };
	int want[] = { r->rc.jsonl, r->rc.tokens, r->rc.megatron };
	struct sl_err err;
	struct buf state, key;
	char *last;
	double t0 = clock_mono();
	int skip;

	if (r->failed) {
		say(r, 1, "export: skipped because a step failed (the "
		    "documents might not all be filtered)");
		return;
	}
	buf_init(&state, 0);
	buf_init(&key, 0);
	buf_addf(&key, "run.export.%s", r->rc.dir);
	if (store_state(r->ctx->st, &state, &err)) {
		say(r, 1, "export: %s", err.msg);
		r->failed = 1;
		goto out;
	}
	/* the formats are part of what was exported */
	buf_addf(&state, "/%d%d%d", want[0], want[1], want[2]);
	last = store_info_get(r->ctx->st, key.data);
	skip = !r->rc.force && last && !strcmp(last, state.data) &&
	       access(r->rc.dir, F_OK) == 0;
	free(last);
	if (skip) {
		say(r, 0, "export: nothing changed since the last export to "
		    "'%s'", r->rc.dir);
		json_array_append_new(r->steps, json_pack("{s:s,s:I,s:b,s:f}",
			"step", "export", "docs", (json_int_t)0, "skipped", 1,
			"seconds", clock_mono() - t0));
		goto out;
	}
	for (size_t i = 0; i < 3; i++) {
		json_t *step = NULL;

		if (!want[i])
			continue;
		if (export_one(r, fmts[i], &step, &err)) {
			say(r, 1, "export %s: %s", fmts[i], err.msg);
			r->failed = 1;
			goto out;
		}
		json_object_set_new(step, "skipped", json_false());
		json_object_set_new(step, "seconds", json_real(clock_mono() - t0));
		json_array_append_new(r->steps, step);
	}
	store_info_set(r->ctx->st, key.data, state.data, &err);
out:
	buf_release(&state);
	buf_release(&key);
}

/* ---- the command ---------------------------------------------------- */

/* True when no step changed anything: no document added, looked at or
 * exported. */
static int nothing_done(json_t *steps)
{
	static const char *const keys[] = { "added", "in", "docs" };
	json_t *s;
	size_t i;

	json_array_foreach(steps, i, s)
		for (size_t k = 0; k < 3; k++)
			if (json_integer_value(json_object_get(s, keys[k])))
				return 0;
	return 1;
}

static int finish(struct run *r, int summary_json)
{
	json_t *sum;
	char *text;
	const char *status = stop_sig ? "interrupted" : r->failed ? "failed" : "ok";
	int code = stop_sig ? 128 + stop_sig : r->failed ? EXIT_FAIL : EXIT_OK;

	sum = json_pack("{s:I,s:s,s:s,s:O,s:O}", "run", (json_int_t)r->row,
			"pipeline", r->pipeline, "status", status,
			"steps", r->steps, "errors", r->errors);
	text = json_dumps(sum, JSON_COMPACT);
	runs_end(r, status, text);
	if (summary_json && text)
		printf("%s\n", text);
	say(r, r->failed, "run %lld %s", (long long)r->row, status);
	free(text);
	json_decref(sum);
	return code;
}

static int parse_wait(const char *s, int *out)
{
	char *end;
	long v;

	if (!s) {
		*out = -1;
		return 0;
	}
	v = strtol(s, &end, 10);
	if (end == s || *end || v < 0 || v > 86400 * 7)
		return -1;
	*out = (int)v;
	return 0;
}

static int run(int argc, char **argv, struct ctx *ctx)
{
	static const struct option longopts[] = {
		{ "wait", optional_argument, NULL, 'w' },
		{ "log", required_argument, NULL, 'l' },
		{ "summary", required_argument, NULL, 's' },
		{ NULL, 0, NULL, 0 },
	};
	struct run r = { .ctx = ctx, .tty = isatty(2) };
	struct lockfile lk = { -1 };
	struct sl_err err;
	struct buf lockpath;
	int c, wait = 0, summary_json = 0, rc;

	optind = 0;
	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (c) {
		case 'w':
			if (parse_wait(optarg, &wait))
				return usage_error(ctx, "bad --wait '%s' "
						   "(seconds)", optarg);
			break;
		case 'l':
			if (!(r.log = fopen(optarg, "a")))
				return die_msg("cannot open log '%s': %s", optarg,
					       strerror(errno));
			break;
		case 's':
			if (strcmp(optarg, "json"))
				return usage_error(ctx, "--summary takes json");
			summary_json = 1;
			break;
		default:
			return usage_error(ctx, "bad option");
		}
	}
	if (optind != argc - 1)
		return usage_error(ctx, "give one pipeline file");
	r.pipeline = argv[optind];
	if (runconf_load(&r.rc, r.pipeline, &err)) {
		die_msg("%s", err.msg);
		return EXIT_USAGE;
	}
	if (r.rc.has_filter) {
		struct pipeline p;

		if (pipeline_load(&p, r.pipeline, &err)) {
			runconf_release(&r.rc);
			die_msg("%s", err.msg);
			return EXIT_USAGE;
		}
		pipeline_release(&p);
	}
	buf_init(&lockpath, 0);
	buf_addf(&lockpath, "%s.lock", ctx->db_path);
	rc = lockfile_take(&lk, lockpath.data, wait, &err);
	buf_release(&lockpath);
	if (rc) {
		runconf_release(&r.rc);
		if (r.log)
			fclose(r.log);
		fprintf(stderr, "sluice: %s\n", err.msg);
		return rc > 0 ? EXIT_LOCKED : EXIT_FAIL;
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	r.steps = json_array();
	r.errors = json_array();
	if ((r.row = runs_begin(ctx->st, r.pipeline, &err)) < 0) {
		die_msg("%s", err.msg);
		rc = EXIT_FAIL;
		goto out;
	}
	say(&r, 0, "run %lld of '%s' started", (long long)r.row, r.pipeline);
	if (r.rc.has_crawl && !stop_sig)
		step_crawl(&r);
	if (r.rc.has_import && !stop_sig)
		step_import(&r);
	if (r.rc.has_filter && !stop_sig)
		step_filter(&r);
	if (r.rc.has_export && !stop_sig)
		step_export(&r);
	if (!stop_sig && !r.failed && nothing_done(r.steps))
		say(&r, 0, "nothing new: no step had work to do");
	rc = finish(&r, summary_json);
out:
	json_decref(r.steps);
	json_decref(r.errors);
	runconf_release(&r.rc);
	lockfile_release(&lk);
	if (r.log)
		fclose(r.log);
	return rc;
}

const struct cmd cmd_run = {
	.name = "run",
	.run = run,
	.usage = "sluice run [--wait[=SECONDS]] [--log FILE] [--summary json] "
		 "PIPELINE.ini",
	.summary = "run a pipeline file's steps (crawl, import, filter, "
		   "export), for cron",
	.help =
	"  --wait[=SECONDS]  if another run holds the store, wait for it (for\n"
	"                    ever, or SECONDS) instead of exiting 75\n"
	"  --log FILE        also append the timestamped lines to FILE\n"
	"  --summary json    print a JSON summary on stdout at the end (per\n"
	"                    step: in, kept, dropped, flagged, seconds; errors)\n"
	"  -q, --quiet       errors only on stderr\n"
	"\n"
	"  Steps run in this order:\n"
	"  [crawl]     seeds = URLs, and any option of 'sluice crawl' with '_'\n"
	"              for '-' (max_pages, allow_net, delay, ...); pages\n"
	"              already fetched are not fetched again\n"
	"  [import]    paths = globs; files imported whole before (same path,\n"
	"              size and content hash) are skipped\n"
	"  [filter.*]  the stages, over new documents only\n"
	"  [export]    dir, formats = jsonl.zst, tokens, megatron (into DIR,\n"
	"              DIR/tokens, DIR/megatron), tokenizer, val_fraction,\n"
	"              seed, eot, shard_tokens, min_tokens, shard_size, level;\n"
	"              written only when the store changed (force = true:\n"
	"              always), never after a failed step\n"
	"  One run at a time per store: a lock beside it (STORE.lock); a lock\n"
	"  left by a killed run is free again. SIGINT or SIGTERM: the current\n"
	"  batch is finished and committed, the run is recorded as\n"
	"  interrupted, exit 130/143; the next run goes on. Lines on stderr\n"
	"  carry ISO-8601 times when stderr is not a terminal.\n"
	"  Exit status: 0 ok, 1 a step failed (the others' work is kept),\n"
	"  2 usage or pipeline file error, 75 locked, 130/143 interrupted.\n",
	.flags = CMD_STORE | CMD_CREATE,
};
