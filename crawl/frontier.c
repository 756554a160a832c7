/*
 * frontier.c: the crawl queue in the store (see frontier.h).
 *
 * Every operation is one prepared statement; the index frontier_ready
 * (state, origin, priority DESC, next_try) makes a pick one seek.  A pick
 * orders as that index does (then rowid, which every index entry ends
 * with), so it reads just the rows it returns: ordering by priority and
 * rowid alone made SQLite sort every ready row of the best priority on
 * each pick, thousands of rows on a large site.
 */
#include "frontier.h"

#include <stdlib.h>
#include <string.h>

#include "../store/db.h"
#include "../lib/clock.h"
#include "../lib/err.h"
#include "../lib/banned.h"

static const char *const state_names[] = {
	"queued", "fetching", "done", "failed", "skipped",
};

const char *frontier_state_name(enum frontier_state s)
{
	return (unsigned)s < 5 ? state_names[s] : "?";
}

int frontier_open(struct frontier *f, struct store *st, int64_t run,
		  struct sl_err *err)
{
	memset(f, 0, sizeof(*f));
	f->st = st;
	f->run = run;
	if (store_prepare(st, &f->ins,
		"INSERT INTO frontier(url, origin, depth, hops, priority, "
		"discovered_from, added) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) "
		"ON CONFLICT(url) DO UPDATE SET state = 'queued', tries = 0, "
		"next_try = 0, reason = NULL, depth = min(depth, excluded.depth) "
		"WHERE ?8 > 0 AND state IN ('done', 'failed') "
		"AND fetched IS NOT NULL AND fetched < ?8", err) ||
	    store_prepare(st, &f->pick,
		"SELECT rowid, url, origin, etag, last_modified, depth, hops, "
		"tries FROM frontier WHERE state = 'queued' AND origin = ?1 "
		"AND next_try <= ?2 ORDER BY priority DESC, next_try, rowid "
		"LIMIT ?3",
		err) ||
	    store_prepare(st, &f->mark,
		"UPDATE frontier SET state = 'fetching', run = ?2 "
		"WHERE rowid = ?1", err) ||
	    store_prepare(st, &f->fin,
		"UPDATE frontier SET state = ?2, status = ?3, reason = ?4, "
		"fetched = coalesce(?5, fetched), etag = coalesce(?6, etag), "
		"last_modified = coalesce(?7, last_modified), "
		"tries = tries + 1 WHERE rowid = ?1", err) ||
	    store_prepare(st, &f->retry,
		"UPDATE frontier SET state = 'queued', tries = tries + 1, "
		"next_try = ?2, reason = ?3 WHERE rowid = ?1", err) ||
	    store_prepare(st, &f->wake,
		"SELECT min(next_try) FROM frontier WHERE state = 'queued' "
		"AND origin = ?1", err) ||
	    store_prepare(st, &f->origins,
		"SELECT DISTINCT origin FROM frontier WHERE state = 'queued'",
		err)) {
		frontier_close(f);
		return -1;
	}
	return 0;
}

void frontier_close(struct frontier *f)
{
	sqlite3_finalize(f->ins);
	sqlite3_finalize(f->pick);
	sqlite3_finalize(f->mark);
	sqlite3_finalize(f->fin);
	sqlite3_finalize(f->retry);
	sqlite3_finalize(f->wake);
	sqlite3_finalize(f->origins);
	memset(f, 0, sizeof(*f));
}

/* Step a statement that returns no rows, then reset it. */
static int step_done(struct frontier *f, sqlite3_stmt *s, const char *what,
		     struct sl_err *err)
{
	int rc = sqlite3_step(s);

	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	if (rc != SQLITE_DONE)
		return store_fail(f->st, err, what);
	return 0;
}

int frontier_recover(struct frontier *f, int64_t run, struct sl_err *err)
{
	sqlite3_stmt *s;
	int rc;

	if (store_prepare(f->st, &s, "UPDATE frontier SET state = 'queued' "
			  "WHERE state = 'fetching' AND (?1 = 0 OR run = ?1)",
			  err))
		return -1;
	sqlite3_bind_int64(s, 1, run);
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE)
		return store_fail(f->st, err, "cannot recover the frontier");
	return sqlite3_changes(f->st->db);
}

static void bind_opt(sqlite3_stmt *s, int i, const char *v)
{
	if (v)
		sqlite3_bind_text(s, i, v, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(s, i);
}

int frontier_add(struct frontier *f, const struct frontier_add *a,
		 struct sl_err *err)
{
	sqlite3_stmt *s = f->ins;
	char now[CLOCK_ISO_LEN];

	sqlite3_bind_text(s, 1, a->url, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, a->origin, -1, SQLITE_STATIC);
	sqlite3_bind_int(s, 3, a->depth);
	sqlite3_bind_int(s, 4, a->hops);
	sqlite3_bind_int(s, 5, a->priority);
	if (a->from)
		sqlite3_bind_int64(s, 6, a->from);
	else
		sqlite3_bind_null(s, 6);
	sqlite3_bind_text(s, 7, clock_iso_now(now), -1, SQLITE_TRANSIENT);
	sqlite3_bind_double(s, 8, a->recrawl_before);
	if (step_done(f, s, "cannot add to the frontier", err))
		return -1;
	return sqlite3_changes(f->st->db) > 0;
}

static char *col_dup(sqlite3_stmt *s, int i)
{
	const unsigned char *t = sqlite3_column_text(s, i);

	return t ? strdup((const char *)t) : NULL;
}

void frontier_item_release(struct frontier_item *it)
{
	free(it->url);
	free(it->origin);
	free(it->etag);
	free(it->last_modified);
	memset(it, 0, sizeof(*it));
}

int frontier_pick(struct frontier *f, const char *origin, double now,
		  int max, struct frontier_item *items, struct sl_err *err)
{
	sqlite3_stmt *s = f->pick;
	int n = 0, rc;

	sqlite3_bind_text(s, 1, origin, -1, SQLITE_STATIC);
	sqlite3_bind_double(s, 2, now);
	sqlite3_bind_int(s, 3, max);
	while (n < max && (rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct frontier_item *it = &items[n];

		memset(it, 0, sizeof(*it));
		it->id = sqlite3_column_int64(s, 0);
		it->url = col_dup(s, 1);
		it->origin = col_dup(s, 2);
		it->etag = col_dup(s, 3);
		it->last_modified = col_dup(s, 4);
		it->depth = sqlite3_column_int(s, 5);
		it->hops = sqlite3_column_int(s, 6);
		it->tries = sqlite3_column_int(s, 7);
		n++;
		if (!it->url || !it->origin) {
			rc = SQLITE_NOMEM;
			break;
		}
	}
	if (n == max)
		rc = SQLITE_DONE;
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	if (rc != SQLITE_DONE) {
		while (n > 0)
			frontier_item_release(&items[--n]);
		return store_fail(f->st, err, "cannot pick from the frontier");
	}
	for (int i = 0; i < n; i++) {
		sqlite3_bind_int64(f->mark, 1, items[i].id);
		sqlite3_bind_int64(f->mark, 2, f->run);
		if (step_done(f, f->mark, "cannot mark a URL fetching", err)) {
			while (n > 0)
				frontier_item_release(&items[--n]);
			return -1;
		}
	}
	return n;
}

int frontier_next_time(struct frontier *f, const char *origin, double *when,
		       struct sl_err *err)
{
	sqlite3_stmt *s = f->wake;
	int rc, found = 0;

	sqlite3_bind_text(s, 1, origin, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW && sqlite3_column_type(s, 0) != SQLITE_NULL) {
		*when = sqlite3_column_double(s, 0);
		found = 1;
	}
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	if (rc != SQLITE_ROW)
		return store_fail(f->st, err, "cannot read the frontier");
	return found;
}

int frontier_finish(struct frontier *f, int64_t id, enum frontier_state st,
		    const struct frontier_result *r, struct sl_err *err)
{
	sqlite3_stmt *s = f->fin;

	sqlite3_bind_int64(s, 1, id);
	sqlite3_bind_text(s, 2, frontier_state_name(st), -1, SQLITE_STATIC);
	if (r->status > 0)
		sqlite3_bind_int(s, 3, r->status);
	else
		sqlite3_bind_null(s, 3);
	bind_opt(s, 4, r->reason);
	if (r->fetched > 0)
		sqlite3_bind_double(s, 5, r->fetched);
	else
		sqlite3_bind_null(s, 5);
	bind_opt(s, 6, r->etag);
	bind_opt(s, 7, r->last_modified);
	return step_done(f, s, "cannot update the frontier", err);
}

int frontier_retry(struct frontier *f, int64_t id, double when,
		   const char *reason, struct sl_err *err)
{
	sqlite3_stmt *s = f->retry;

	sqlite3_bind_int64(s, 1, id);
	sqlite3_bind_double(s, 2, when);
	bind_opt(s, 3, reason);
	return step_done(f, s, "cannot update the frontier", err);
}

int frontier_origins(struct frontier *f,
		     int (*fn)(void *arg, const char *origin), void *arg,
		     struct sl_err *err)
{
	sqlite3_stmt *s = f->origins;
	int rc, stop = 0;

	while (!stop && (rc = sqlite3_step(s)) == SQLITE_ROW)
		stop = fn(arg, (const char *)sqlite3_column_text(s, 0));
	if (stop)
		rc = SQLITE_DONE;
	sqlite3_reset(s);
	if (rc != SQLITE_DONE)
		return store_fail(f->st, err, "cannot read the frontier");
	return stop;
}
