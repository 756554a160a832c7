/* Check suite for crawl/robots: Google's robots_test.cc expectations as
 * data (tests/data/robots/, see SOURCES.md there), our own extra cases,
 * the long-line cases generated here, and the fetch-status policy. */
#include <string.h>

#include "check_main.h"
#include "tsv.h"
#include "../crawl/robots.h"

/* One IsUserAgentAllowed(robots_txt, agent, url) expectation. */
static int allowed_for(const char *txt, size_t len, const char *agent,
		       const char *url)
{
	struct robots *r;
	struct sl_err err;
	struct buf path;
	int ok;

	ck_assert_int_eq(robots_parse(&r, txt, len, agent, &err), 0);
	buf_init(&path, 0);
	ck_assert_int_eq(robots_url_path(url, &path), 0);
	ok = robots_allowed(r, path.data);
	buf_release(&path);
	robots_free(r);
	return ok;
}

/* cases.tsv and extra_cases.tsv: robots_txt agent url expected ... */
static void run_cases(const char *file, int want_rows)
{
	struct tsv t;
	int rows = 0, passed = 0;

	ck_assert_msg(tsv_open(&t, file) == 0, "cannot open %s", file);
	while (tsv_next(&t)) {
		size_t len = tsv_unescape(t.f[0]);
		int want = strcmp(t.f[3], "allowed") == 0;
		int got;

		ck_assert_msg(want || strcmp(t.f[3], "disallowed") == 0,
			      "%s:%d: bad expectation '%s'", file, t.lineno,
			      t.f[3]);
		got = allowed_for(t.f[0], len, t.f[1], t.f[2]);
		rows++;
		if (got == want)
			passed++;
		else
			fprintf(stderr, "%s:%d: agent '%s' url '%s': got %s\n",
				file, t.lineno, t.f[1], t.f[2],
				got ? "allowed" : "disallowed");
	}
	tsv_close(&t);
	printf("robots %s: %d/%d rows pass\n", file, passed, rows);
	ck_assert_int_eq(passed, rows);
	if (want_rows)
		ck_assert_int_eq(rows, want_rows);
}

START_TEST(google_cases)
{
	run_cases("tests/data/robots/cases.tsv", 140);
}
END_TEST

START_TEST(extra_cases)
{
	run_cases("tests/data/robots/extra_cases.tsv", 0);
}
END_TEST

/* GoogleOnly_LineTooLong: lines are cut after 2083 * 8 bytes and the cut
 * pattern still applies. */
START_TEST(long_lines)
{
	const size_t maxline = 2083 * 8;
	struct buf txt, a, b, url;
	int n = 0;

	buf_init(&txt, 0);
	buf_init(&a, 0);
	buf_init(&b, 0);
	buf_init(&url, 0);
	buf_adds(&a, "/x/");
	while (a.len < maxline - 3 - strlen("disallow: ") + 1)
		buf_addc(&a, 'a');
	buf_addf(&txt, "user-agent: FooBot\ndisallow: %s/qux\n", a.data);
	ck_assert(allowed_for(txt.data, txt.len, "FooBot",
			      "http://foo.bar/fux")), n++;
	buf_addf(&url, "http://foo.bar%s/fux", a.data);
	ck_assert(!allowed_for(txt.data, txt.len, "FooBot", url.data)), n++;

	buf_reset(&txt);
	buf_reset(&a);
	buf_adds(&a, "/x/");
	buf_adds(&b, "/x/");
	while (a.len < maxline - 3 - strlen("allow: ") + 1) {
		buf_addc(&a, 'a');
		buf_addc(&b, 'b');
	}
	buf_addf(&txt, "user-agent: FooBot\ndisallow: /\nallow: %s/qux\n"
		 "allow: %s/qux\n", a.data, b.data);
	ck_assert(!allowed_for(txt.data, txt.len, "FooBot",
			       "http://foo.bar/")), n++;
	buf_reset(&url);
	buf_addf(&url, "http://foo.bar%s/qux", a.data);
	ck_assert(allowed_for(txt.data, txt.len, "FooBot", url.data)), n++;
	buf_reset(&url);
	buf_addf(&url, "http://foo.bar%s/fux", b.data);
	ck_assert(allowed_for(txt.data, txt.len, "FooBot", url.data)), n++;
	printf("robots long lines: %d/5 pass\n", n);
	buf_release(&txt);
	buf_release(&a);
	buf_release(&b);
	buf_release(&url);
}
END_TEST

static int opt_int(const char *s, int *v)
{
	char *end;

	if (!*s)
		return 0;
	*v = (int)strtol(s, &end, 10);
	return 1;
}

/* parse_cases.tsv: robots_txt valid unknown last_line sitemap source */
START_TEST(parse_cases)
{
	struct tsv t;
	int rows = 0;

	ck_assert(tsv_open(&t, "tests/data/robots/parse_cases.tsv") == 0);
	while (tsv_next(&t)) {
		size_t len = tsv_unescape(t.f[0]);
		struct robots *r;
		struct robots_stats st;
		struct sl_err err;
		const char *const *maps;
		size_t nmaps;
		int v;

		ck_assert_int_eq(robots_parse(&r, t.f[0], len, "foo", &err),
				 0);
		robots_get_stats(r, &st);
		if (opt_int(t.f[1], &v))
			ck_assert_msg(st.valid_directives == v, "line %d: "
				      "valid %d want %d", t.lineno,
				      st.valid_directives, v);
		if (opt_int(t.f[2], &v))
			ck_assert_msg(st.unknown_directives == v, "line %d: "
				      "unknown %d want %d", t.lineno,
				      st.unknown_directives, v);
		if (opt_int(t.f[3], &v))
			ck_assert_msg(st.last_line == v, "line %d: last "
				      "line %d want %d", t.lineno,
				      st.last_line, v);
		if (*t.f[4]) {
			nmaps = robots_sitemaps(r, &maps);
			ck_assert_uint_eq(nmaps, 1);
			ck_assert_str_eq(maps[0], t.f[4]);
		}
		robots_free(r);
		rows++;
	}
	tsv_close(&t);
	printf("robots parse_cases.tsv: %d/%d rows pass\n", rows, rows);
	ck_assert_int_eq(rows, 12);
}
END_TEST

/* url_cases.tsv: kind input expected source */
START_TEST(url_cases)
{
	struct tsv t;
	struct buf out;
	int rows = 0;

	buf_init(&out, 0);
	ck_assert(tsv_open(&t, "tests/data/robots/url_cases.tsv") == 0);
	while (tsv_next(&t)) {
		buf_reset(&out);
		if (strcmp(t.f[0], "path_params_query") == 0) {
			ck_assert_int_eq(robots_url_path(t.f[1], &out), 0);
			ck_assert_msg(strcmp(out.data, t.f[2]) == 0,
				      "line %d: '%s' -> '%s' want '%s'",
				      t.lineno, t.f[1], out.data, t.f[2]);
		} else if (strcmp(t.f[0], "escape_pattern") == 0) {
			ck_assert_int_eq(robots_escape_pattern(t.f[1],
					 strlen(t.f[1]), &out), 0);
			ck_assert_str_eq(out.data, t.f[2]);
		} else {
			ck_assert_str_eq(t.f[0], "valid_user_agent_token");
			ck_assert_msg(robots_agent_valid(t.f[1]) ==
				      (strcmp(t.f[2], "true") == 0),
				      "line %d: agent '%s'", t.lineno, t.f[1]);
		}
		rows++;
	}
	tsv_close(&t);
	buf_release(&out);
	printf("robots url_cases.tsv: %d/%d rows pass\n", rows, rows);
	ck_assert_int_eq(rows, 32);
}
END_TEST

START_TEST(fetch_policy)
{
	ck_assert_int_eq(robots_for_status(200), ROBOTS_FETCH_PARSE);
	ck_assert_int_eq(robots_for_status(204), ROBOTS_FETCH_PARSE);
	ck_assert_int_eq(robots_for_status(301), ROBOTS_FETCH_ALLOW_ALL);
	ck_assert_int_eq(robots_for_status(401), ROBOTS_FETCH_ALLOW_ALL);
	ck_assert_int_eq(robots_for_status(403), ROBOTS_FETCH_ALLOW_ALL);
	ck_assert_int_eq(robots_for_status(404), ROBOTS_FETCH_ALLOW_ALL);
	ck_assert_int_eq(robots_for_status(410), ROBOTS_FETCH_ALLOW_ALL);
	ck_assert_int_eq(robots_for_status(429), ROBOTS_FETCH_DISALLOW_ALL);
	ck_assert_int_eq(robots_for_status(500), ROBOTS_FETCH_DISALLOW_ALL);
	ck_assert_int_eq(robots_for_status(503), ROBOTS_FETCH_DISALLOW_ALL);
	ck_assert_int_eq(robots_for_status(0), ROBOTS_FETCH_DISALLOW_ALL);
	ck_assert_int_eq(robots_for_status(-1), ROBOTS_FETCH_DISALLOW_ALL);
	ck_assert_int_eq(robots_for_status(100), ROBOTS_FETCH_DISALLOW_ALL);
}
END_TEST

START_TEST(fixed_rules)
{
	struct robots *r;
	struct sl_err err;
	const char *const *maps;

	ck_assert_int_eq(robots_fixed(&r, 1, &err), 0);
	ck_assert(robots_allowed(r, "/x"));
	ck_assert(robots_crawl_delay(r) < 0);
	ck_assert_uint_eq(robots_sitemaps(r, &maps), 0);
	robots_free(r);
	ck_assert_int_eq(robots_fixed(&r, 0, &err), 0);
	ck_assert(!robots_allowed(r, "/x"));
	ck_assert(!robots_allowed(r, "/robots.txt"));
	robots_free(r);
}
END_TEST

static struct robots *parse_str(const char *txt, const char *agent)
{
	struct robots *r;
	struct sl_err err;

	ck_assert_int_eq(robots_parse(&r, txt, strlen(txt), agent, &err), 0);
	return r;
}

START_TEST(crawl_delay_and_sitemaps)
{
	struct robots *r;
	const char *const *maps;

	r = parse_str("Sitemap: https://a.example/s1.xml\n"
		      "User-agent: *\nCrawl-delay: 2.5\nDisallow: /x\n"
		      "User-agent: sluice\nCrawl-delay: 0.5\n"
		      "crawl-delay: 1\nDisallow: /y\n"
		      "site-map: https://a.example/s2.xml\n", "sluice");
	ck_assert_double_eq(robots_crawl_delay(r), 0.5);	/* first wins */
	ck_assert_uint_eq(robots_sitemaps(r, &maps), 2);
	ck_assert_str_eq(maps[0], "https://a.example/s1.xml");
	ck_assert_str_eq(maps[1], "https://a.example/s2.xml");
	ck_assert(robots_allowed(r, "/x"));
	ck_assert(!robots_allowed(r, "/y"));
	robots_free(r);

	r = parse_str("User-agent: *\nCrawl-delay: 2.5\nDisallow: /x\n"
		      "User-agent: other\nCrawl-delay: 9\n", "sluice");
	ck_assert_double_eq(robots_crawl_delay(r), 2.5);
	ck_assert(!robots_allowed(r, "/x"));
	robots_free(r);

	/* a group naming us without a delay falls back to the global one */
	r = parse_str("User-agent: *\nCrawl-delay: 3\nDisallow: /x\n"
		      "User-agent: sluice\nDisallow: /y\n", "sluice");
	ck_assert_double_eq(robots_crawl_delay(r), 3.0);
	robots_free(r);

	r = parse_str("User-agent: *\nCrawl-delay: soon\n"
		      "Crawl-delay: nan\nCrawl-delay: -3\n", "sluice");
	ck_assert(robots_crawl_delay(r) < 0);
	robots_free(r);
}
END_TEST

/* Past 500 KiB nothing is read, and the line cut by the limit is dropped
 * whole rather than shortened. */
START_TEST(size_cap)
{
	struct buf txt;
	struct robots *r;
	struct robots_stats st;
	struct sl_err err;

	buf_init(&txt, 0);
	buf_adds(&txt, "User-agent: *\nDisallow: /a\n");
	while (txt.len < ROBOTS_MAX_BYTES - 9)
		buf_adds(&txt, "# padding padding padding\n");
	txt.len = ROBOTS_MAX_BYTES - 9;
	txt.data[txt.len - 1] = '\n';
	/* cut after 9 bytes this would read "Allow: /a", as long as the
	 * disallow and so winning the tie */
	buf_adds(&txt, "Allow: /abcdef\nDisallow: /b\n");
	ck_assert_int_eq(robots_parse(&r, txt.data, txt.len, "x", &err), 0);
	robots_get_stats(r, &st);
	ck_assert_int_eq(st.truncated, 1);
	ck_assert(!robots_allowed(r, "/abc"));	/* "Allow: " was cut */
	ck_assert(robots_allowed(r, "/b"));	/* past the limit */
	robots_free(r);
	buf_release(&txt);
}
END_TEST

START_TEST(agent_matching)
{
	struct robots *r;

	/* our agent is compared whole: "sluice/1.0" matches no group */
	r = parse_str("User-agent: sluice\nDisallow: /\n", "sluice/1.0");
	ck_assert(robots_allowed(r, "/a"));
	robots_free(r);
	r = parse_str("User-agent: SLUICE/2.0 (+https://x)\nDisallow: /\n",
		      "sluice");
	ck_assert(!robots_allowed(r, "/a"));
	ck_assert(robots_allowed(r, "/robots.txt"));
	robots_free(r);
	ck_assert(robots_agent_valid("sluice"));
	ck_assert(!robots_agent_valid("sluice/1.0"));
}
END_TEST

/* Star-heavy patterns against long paths: quadratic matchers take
 * minutes here (30 lines x 100 paths x 8000 x 16000 steps). */
START_TEST(hostile_patterns)
{
	struct buf txt, path;
	struct robots *r;
	struct sl_err err;

	buf_init(&txt, 0);
	buf_init(&path, 0);
	buf_adds(&txt, "User-agent: *\n");
	for (int i = 0; i < 30; i++) {
		buf_adds(&txt, "Disallow: /");
		for (int j = 0; j < 8000; j++)
			buf_adds(&txt, "*a");
		buf_adds(&txt, i % 2 ? "b\n" : "b$\n");
	}
	ck_assert_int_eq(robots_parse(&r, txt.data, txt.len, "x", &err), 0);
	buf_addc(&path, '/');
	for (int j = 0; j < 8000; j++)
		buf_addc(&path, 'a');
	for (int i = 0; i < 100; i++)
		ck_assert(robots_allowed(r, path.data));
	buf_addc(&path, 'b');
	ck_assert(!robots_allowed(r, path.data));
	robots_free(r);
	buf_release(&txt);
	buf_release(&path);
}
END_TEST

static Suite *robots_suite(void)
{
	Suite *s = suite_create("robots");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, google_cases);
	tcase_add_test(tc, extra_cases);
	tcase_add_test(tc, long_lines);
	tcase_add_test(tc, parse_cases);
	tcase_add_test(tc, url_cases);
	tcase_add_test(tc, fetch_policy);
	tcase_add_test(tc, fixed_rules);
	tcase_add_test(tc, crawl_delay_and_sitemaps);
	tcase_add_test(tc, size_cap);
	tcase_add_test(tc, agent_matching);
	tcase_add_test(tc, hostile_patterns);
	suite_add_tcase(s, tc);
	return s;
}

SL_CHECK_MAIN(robots_suite)
