/* Check suite for crawl/frontier.c: each URL once, picking per origin by
 * priority and readiness, outcomes, retries, recrawl, and recovery of a
 * dead run's half-fetched rows (the kill -9 guarantee).  Also the
 * crawler's option JSON round trip and the sitemap parser. */
#include <string.h>
#include <unistd.h>

#include "check_main.h"
#include "testutil.h"
#include "../crawl/crawler.h"
#include "../crawl/frontier.h"
#include "../crawl/sitemap.h"
#include "../lib/err.h"
#include "../store/db.h"

static const char *dir;
static char dbpath[128];
static struct store *st;
static struct frontier fr;
static struct sl_err err;

static void setup(void)
{
	dir = tu_tmpdir();
	snprintf(dbpath, sizeof(dbpath), "%s/s.db", dir);
	ck_assert_msg(!store_open(&st, dbpath, STORE_CREATE, &err), "%s",
		      err.msg);
	ck_assert_msg(!frontier_open(&fr, st, 1, &err), "%s", err.msg);
}

static void teardown(void)
{
	frontier_close(&fr);
	store_close(st);
	tu_rm_rf(dir);
}

static long long count(const char *sql)
{
	sqlite3_stmt *s;
	long long n = -1;

	ck_assert_int_eq(sqlite3_prepare_v2(st->db, sql, -1, &s, NULL), SQLITE_OK);
	if (sqlite3_step(s) == SQLITE_ROW)
		n = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return n;
}

static int add(const char *url, const char *origin, int depth, int prio)
{
	struct frontier_add a = { .url = url, .origin = origin, .depth = depth,
				  .priority = prio };
	int rc = frontier_add(&fr, &a, &err);

	ck_assert_msg(rc >= 0, "%s", err.msg);
	return rc;
}

static int pick(const char *origin, double now, int max,
		struct frontier_item *items)
{
	int n = frontier_pick(&fr, origin, now, max, items, &err);

	ck_assert_msg(n >= 0, "%s", err.msg);
	return n;
}

static void release(struct frontier_item *items, int n)
{
	for (int i = 0; i < n; i++)
		frontier_item_release(&items[i]);
}

#define A "http://a.test:80"
#define B "http://b.test:80"

START_TEST(each_url_once)
{
	ck_assert_int_eq(add("http://a.test/", A, 0, 0), 1);
	ck_assert_int_eq(add("http://a.test/", A, 3, 0), 0);
	ck_assert_int_eq(add("http://a.test/x", A, 1, 0), 1);
	ck_assert_int_eq(count("SELECT count(*) FROM frontier"), 2);
	/* the first depth stays */
	ck_assert_int_eq(count("SELECT depth FROM frontier WHERE url = "
			       "'http://a.test/'"), 0);
}
END_TEST

START_TEST(pick_per_origin_priority_then_age)
{
	struct frontier_item it[8];
	int n;

	add("http://a.test/1", A, 2, -2);
	add("http://b.test/1", B, 0, 0);
	add("http://a.test/2", A, 1, -1);
	add("http://a.test/3", A, 1, -1);
	n = pick(A, 1000, 2, it);
	ck_assert_int_eq(n, 2);
	ck_assert_str_eq(it[0].url, "http://a.test/2");
	ck_assert_str_eq(it[1].url, "http://a.test/3");
	ck_assert_str_eq(it[0].origin, A);
	ck_assert_int_eq(it[0].depth, 1);
	release(it, n);
	/* picked rows are 'fetching' and not picked again */
	ck_assert_int_eq(count("SELECT count(*) FROM frontier WHERE state = "
			       "'fetching' AND run = 1"), 2);
	n = pick(A, 1000, 8, it);
	ck_assert_int_eq(n, 1);
	ck_assert_str_eq(it[0].url, "http://a.test/1");
	release(it, n);
	ck_assert_int_eq(pick(A, 1000, 8, it), 0);
	/* another origin is untouched */
	n = pick(B, 1000, 8, it);
	ck_assert_int_eq(n, 1);
	release(it, n);
}
END_TEST

START_TEST(finish_and_retry)
{
	struct frontier_item it[2];
	struct frontier_result r = { .status = 200, .fetched = 50,
				     .etag = "\"e1\"",
				     .last_modified = "Sun, 01 Nov 2026 00:00:00 GMT" };
	double when;
	int n;

	add("http://a.test/1", A, 0, 0);
	add("http://a.test/2", A, 0, 0);
	n = pick(A, 10, 2, it);
	ck_assert_int_eq(n, 2);
	ck_assert(!frontier_finish(&fr, it[0].id, FRONTIER_DONE, &r, &err));
	ck_assert(!frontier_retry(&fr, it[1].id, 100, "HTTP 503", &err));
	release(it, n);
	ck_assert_int_eq(count("SELECT count(*) FROM frontier WHERE state = "
			       "'done' AND status = 200 AND fetched = 50 AND "
			       "etag = '\"e1\"' AND tries = 1"), 1);
	/* the retried row waits for its time */
	ck_assert_int_eq(pick(A, 99, 2, it), 0);
	ck_assert_int_eq(frontier_next_time(&fr, A, &when, &err), 1);
	ck_assert(when == 100);
	n = pick(A, 100, 2, it);
	ck_assert_int_eq(n, 1);
	ck_assert_str_eq(it[0].url, "http://a.test/2");
	ck_assert_int_eq(it[0].tries, 1);
	ck_assert(!frontier_finish(&fr, it[0].id, FRONTIER_FAILED,
		&(struct frontier_result){ .status = 503,
		.reason = "HTTP 503 (gave up after 2 tries)" }, &err));
	release(it, n);
	ck_assert_int_eq(frontier_next_time(&fr, A, &when, &err), 0);
	ck_assert_int_eq(count("SELECT tries FROM frontier WHERE url = "
			       "'http://a.test/2'"), 2);
	/* the validators of a done row come back with the next pick */
	ck_assert_int_eq(count("SELECT count(*) FROM frontier WHERE "
			       "state = 'failed' AND reason LIKE 'HTTP 503%'"), 1);
}
END_TEST

/* Within a priority, rows never tried come first (next_try 0), then a
 * retried row once its time has come, however old it is. */
START_TEST(pick_retried_after_fresh)
{
	struct frontier_item it[4];
	int n;

	add("http://a.test/1", A, 0, 0);
	add("http://a.test/2", A, 0, 0);
	n = pick(A, 10, 1, it);
	ck_assert_str_eq(it[0].url, "http://a.test/1");
	ck_assert(!frontier_retry(&fr, it[0].id, 20, "HTTP 503", &err));
	release(it, n);
	add("http://a.test/3", A, 0, 0);
	add("http://a.test/4", A, 0, -1);
	n = pick(A, 30, 4, it);
	ck_assert_int_eq(n, 4);
	ck_assert_str_eq(it[0].url, "http://a.test/2");
	ck_assert_str_eq(it[1].url, "http://a.test/3");
	ck_assert_str_eq(it[2].url, "http://a.test/1");
	ck_assert_str_eq(it[3].url, "http://a.test/4");
	release(it, n);
}
END_TEST

/* Every state name the frontier writes passes the schema's CHECK (a chain
 * of = since version 8), and a wrong one does not. */
START_TEST(state_names_pass_the_schema)
{
	sqlite3_stmt *s;

	add("http://a.test/1", A, 0, 0);
	ck_assert_int_eq(sqlite3_prepare_v2(st->db, "UPDATE frontier SET "
		"state = ?1", -1, &s, NULL), SQLITE_OK);
	for (int i = FRONTIER_QUEUED; i <= FRONTIER_SKIPPED; i++) {
		sqlite3_bind_text(s, 1, frontier_state_name(
			(enum frontier_state)i), -1, SQLITE_STATIC);
		ck_assert_int_eq(sqlite3_step(s), SQLITE_DONE);
		sqlite3_reset(s);
	}
	sqlite3_bind_text(s, 1, "bogus", -1, SQLITE_STATIC);
	ck_assert_int_eq(sqlite3_step(s), SQLITE_CONSTRAINT_CHECK);
	sqlite3_finalize(s);
}
END_TEST

START_TEST(recrawl_requeues_old_rows_only)
{
	struct frontier_item it[1];
	struct frontier_add a = { .url = "http://a.test/", .origin = A };
	int n;

	add("http://a.test/", A, 0, 0);
	n = pick(A, 10, 1, it);
	ck_assert(!frontier_finish(&fr, it[0].id, FRONTIER_DONE,
		&(struct frontier_result){ .status = 200, .fetched = 100,
		.etag = "\"v1\"" }, &err));
	release(it, n);
	a.recrawl_before = 50;		/* fetched after: stays done */
	ck_assert_int_eq(frontier_add(&fr, &a, &err), 0);
	ck_assert_int_eq(count("SELECT count(*) FROM frontier WHERE state = "
			       "'done'"), 1);
	a.recrawl_before = 150;		/* fetched before: queued again */
	ck_assert_int_eq(frontier_add(&fr, &a, &err), 1);
	n = pick(A, 200, 1, it);
	ck_assert_int_eq(n, 1);
	ck_assert_str_eq(it[0].etag, "\"v1\"");
	release(it, n);
}
END_TEST

/* The kill -9 guarantee at the frontier level: a pick that was never
 * committed is still queued; a committed pick of a dead run is put back;
 * a committed outcome stays. */
START_TEST(recover_after_kill)
{
	struct frontier_item it[4];
	struct frontier f2;
	int n;

	add("http://a.test/1", A, 0, 0);
	add("http://a.test/2", A, 0, 0);
	add("http://a.test/3", A, 0, 0);
	/* uncommitted pick: rolled back as a kill would */
	ck_assert(!store_begin(st, &err));
	n = pick(A, 10, 3, it);
	ck_assert_int_eq(n, 3);
	release(it, n);
	store_rollback(st);
	ck_assert_int_eq(count("SELECT count(*) FROM frontier WHERE state = "
			       "'queued'"), 3);
	/* committed: one done, two left fetching by run 1 */
	ck_assert(!store_begin(st, &err));
	n = pick(A, 10, 3, it);
	ck_assert(!frontier_finish(&fr, it[0].id, FRONTIER_DONE,
		&(struct frontier_result){ .status = 200, .fetched = 5 }, &err));
	release(it, n);
	ck_assert(!store_commit(st, &err));
	/* run 2 recovers run 1's rows, not its own */
	ck_assert(!frontier_open(&f2, st, 2, &err));
	ck_assert_int_eq(frontier_recover(&f2, 2, &err), 0);
	ck_assert_int_eq(frontier_recover(&f2, 1, &err), 2);
	n = frontier_pick(&f2, A, 10, 4, it, &err);
	ck_assert_int_eq(n, 2);
	ck_assert_str_eq(it[0].url, "http://a.test/2");
	ck_assert_str_eq(it[1].url, "http://a.test/3");
	release(it, n);
	frontier_close(&f2);
	ck_assert_int_eq(count("SELECT count(*) FROM frontier WHERE state = "
			       "'done'"), 1);
}
END_TEST

static int collect_origin(void *arg, const char *origin)
{
	char *seen = arg;

	strcat(seen, origin[7] == 'a' ? "a" : "b");
	return 0;
}

START_TEST(origins_with_work)
{
	struct frontier_item it[1];
	char seen[8] = "";
	int n;

	add("http://a.test/1", A, 0, 0);
	add("http://b.test/1", B, 0, 0);
	ck_assert_int_eq(frontier_origins(&fr, collect_origin, seen, &err), 0);
	ck_assert_int_eq(strlen(seen), 2);
	n = pick(B, 10, 1, it);
	release(it, n);
	seen[0] = 0;
	frontier_origins(&fr, collect_origin, seen, &err);
	ck_assert_str_eq(seen, "a");
}
END_TEST

START_TEST(opts_json_round_trip)
{
	struct crawl_opts o, p;
	char *j, *j2;

	crawl_opts_init(&o);
	crawl_opts_init(&p);
	ck_assert(!strlist_add(&o.seeds, "http://a.test/", &err));
	ck_assert(!strlist_add(&o.exclude, "\\.pdf$", &err));
	ck_assert(!strlist_add(&o.allow_net, "127.0.0.1/32", &err));
	o.scope = URL_SCOPE_PREFIX;
	o.max_pages = 123;
	o.delay = 0.25;
	o.sitemaps = 1;
	o.recrawl = 86400;
	j = crawl_opts_to_json(&o);
	ck_assert_ptr_nonnull(j);
	ck_assert_msg(!crawl_opts_from_json(&p, j, &err), "%s", err.msg);
	j2 = crawl_opts_to_json(&p);
	ck_assert_str_eq(j, j2);
	ck_assert_int_eq(p.scope, URL_SCOPE_PREFIX);
	ck_assert_str_eq(p.exclude.v[0], "\\.pdf$");
	free(j);
	free(j2);
	crawl_opts_release(&o);
	crawl_opts_release(&p);
	ck_assert_int_eq(crawl_opts_from_json(&p, "[1]", &err), -1);
}
END_TEST

struct locs {
	char buf[512];
	int index;
};

static int on_loc(void *arg, const char *loc, int is_index)
{
	struct locs *l = arg;

	strncat(l->buf, loc, sizeof(l->buf) - strlen(l->buf) - 2);
	strcat(l->buf, " ");
	l->index += is_index;
	return 0;
}

START_TEST(sitemaps)
{
	static const char set[] = "<?xml version=\"1.0\"?><urlset xmlns=\"http:"
		"//www.sitemaps.org/schemas/sitemap/0.9\"><url><loc>\n http://"
		"a.test/1 </loc><lastmod>2026</lastmod></url><url><loc>http://"
		"a.test/2?x=1&amp;y=2</loc></url><url></url></urlset>";
	static const char idx[] = "<sitemapindex><sitemap><loc>http://a.test/"
		"s1.xml</loc></sitemap></sitemapindex>";
	struct locs l = { "", 0 };
	char gzpath[160], gz[1024];
	size_t gzn;
	FILE *f;

	ck_assert_int_eq(sitemap_parse(set, strlen(set), on_loc, &l, 100,
				       &err), 2);
	ck_assert_str_eq(l.buf, "http://a.test/1 http://a.test/2?x=1&y=2 ");
	ck_assert_int_eq(l.index, 0);
	l.buf[0] = 0;
	ck_assert_int_eq(sitemap_parse(idx, strlen(idx), on_loc, &l, 100,
				       &err), 1);
	ck_assert_str_eq(l.buf, "http://a.test/s1.xml ");
	ck_assert_int_eq(l.index, 1);
	/* the cap on <loc> entries */
	l.buf[0] = 0;
	ck_assert_int_eq(sitemap_parse(set, strlen(set), on_loc, &l, 1,
				       &err), 1);
	/* gzip'd sitemaps are inflated */
	snprintf(gzpath, sizeof(gzpath), "%s/s.xml.gz", dir);
	tu_write_gz(gzpath, set, strlen(set));
	f = fopen(gzpath, "rb");
	ck_assert_ptr_nonnull(f);
	gzn = fread(gz, 1, sizeof(gz), f);
	fclose(f);
	l.buf[0] = 0;
	ck_assert_int_eq(sitemap_parse(gz, gzn, on_loc, &l, 100, &err), 2);
	ck_assert_int_eq(sitemap_parse("<html/>", 7, on_loc, &l, 100, &err), -1);
	ck_assert_str_eq(err.msg, "not a sitemap: root element is not <urlset> "
			 "or <sitemapindex>");
	ck_assert_int_eq(sitemap_parse("\x1f\x8bxx", 4, on_loc, &l, 100, &err),
			 -1);
}
END_TEST

static Suite *frontier_suite(void)
{
	Suite *s = suite_create("frontier");
	TCase *tc = tcase_create("frontier");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, each_url_once);
	tcase_add_test(tc, pick_per_origin_priority_then_age);
	tcase_add_test(tc, finish_and_retry);
	tcase_add_test(tc, pick_retried_after_fresh);
	tcase_add_test(tc, state_names_pass_the_schema);
	tcase_add_test(tc, recrawl_requeues_old_rows_only);
	tcase_add_test(tc, recover_after_kill);
	tcase_add_test(tc, origins_with_work);
	suite_add_tcase(s, tc);
	tc = tcase_create("opts_and_sitemaps");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, opts_json_round_trip);
	tcase_add_test(tc, sitemaps);
	suite_add_tcase(s, tc);
	return s;
}

SL_CHECK_MAIN(frontier_suite)
