/*
 * frontier.h: the crawl queue, kept in the store (table frontier).
 *
 * Each normalized URL has one row for ever (url is UNIQUE): adding a URL
 * seen before does nothing, so links loop back harmlessly.  A row moves
 *
 *   queued --pick--> fetching --finish--> done | failed | skipped
 *      ^                 |
 *      +----retry--------+   (tries + 1, next_try = later)
 *
 * Picking is per origin (the politeness key), best priority first, then
 * longest due first (next_try, 0 for rows never tried), then oldest first,
 * among rows whose next_try has come.
 *
 * Durability: the caller wraps calls in store_begin()/store_commit()
 * batches.  A row is 'fetching' only inside a run; when a run dies
 * (kill -9), frontier_recover() puts its 'fetching' rows back to 'queued',
 * so a URL whose outcome was never committed is fetched again and one
 * whose outcome was committed never is.  A pick that was not committed is
 * simply still 'queued'.
 *
 *   struct frontier f;
 *   frontier_open(&f, st, run_id, &err);
 *   store_begin(st, &err);
 *   frontier_recover(&f, dead_runs_only, &err);
 *   frontier_add(&f, &(struct frontier_add){ .url = ..., ... }, &err);
 *   n = frontier_pick(&f, origin, now, 8, items, &err);
 *   frontier_finish(&f, items[i].id, FRONTIER_DONE, &res, &err);
 *   store_commit(st, &err);
 *   frontier_close(&f);
 *
 * Strings in a struct frontier_item are owned by the item: free them with
 * frontier_item_release().
 */
#ifndef SL_FRONTIER_H
#define SL_FRONTIER_H

#include <stddef.h>
#include <stdint.h>
#include <sqlite3.h>

struct store;
struct sl_err;

enum frontier_state {
	FRONTIER_QUEUED,
	FRONTIER_FETCHING,
	FRONTIER_DONE,
	FRONTIER_FAILED,
	FRONTIER_SKIPPED,
};

struct frontier {
	struct store *st;
	int64_t run;
	sqlite3_stmt *ins, *pick, *mark, *fin, *retry, *wake, *origins;
};

struct frontier_add {
	const char *url;	/* normalized */
	const char *origin;
	int depth, hops, priority;
	int64_t from;		/* linking row, 0 when none */
	double recrawl_before;	/* > 0: a done/failed row fetched before
				   this time is queued again */
};

struct frontier_item {
	int64_t id;
	char *url, *origin, *etag, *last_modified;
	int depth, hops, tries;
};

/* What a fetch ended with (for frontier_finish). */
struct frontier_result {
	int status;			/* HTTP status, 0 when none */
	const char *reason;		/* NULL when none */
	double fetched;			/* time; 0 leaves fetched as it was */
	const char *etag, *last_modified;	/* NULL keeps the old ones */
};

int frontier_open(struct frontier *f, struct store *st, int64_t run,
		  struct sl_err *err);
void frontier_close(struct frontier *f);

/* Put 'fetching' rows back to 'queued': all of them when run is 0, else
 * those of that (dead) run.  Returns how many, or -1. */
int frontier_recover(struct frontier *f, int64_t run, struct sl_err *err);

/* 1 added (or queued again for recrawl), 0 already known, -1 error. */
int frontier_add(struct frontier *f, const struct frontier_add *a,
		 struct sl_err *err);

/* Up to max ready rows of origin (next_try <= now) into items, marked
 * 'fetching' by this run.  Returns how many, or -1. */
int frontier_pick(struct frontier *f, const char *origin, double now,
		  int max, struct frontier_item *items, struct sl_err *err);

/* The earliest next_try of a queued row of origin: 1 with *when set, 0
 * when the origin has no queued rows, -1 on error. */
int frontier_next_time(struct frontier *f, const char *origin, double *when,
		       struct sl_err *err);

/* Mark a row done, failed or skipped. */
int frontier_finish(struct frontier *f, int64_t id, enum frontier_state s,
		    const struct frontier_result *r, struct sl_err *err);

/* Queue a row again for a later try (tries + 1, next_try = when). */
int frontier_retry(struct frontier *f, int64_t id, double when,
		   const char *reason, struct sl_err *err);

/* Call fn for each origin that has queued rows; stops early when fn
 * returns nonzero (and returns that). */
int frontier_origins(struct frontier *f,
		     int (*fn)(void *arg, const char *origin), void *arg,
		     struct sl_err *err);

void frontier_item_release(struct frontier_item *it);

const char *frontier_state_name(enum frontier_state s);

#endif
