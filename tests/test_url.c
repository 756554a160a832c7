/* Check suite for crawl/url: resolution and normalisation from
 * tests/data/url/cases.tsv (base, href, expected URL or "ERROR:<reason
 * substring>"), scope from tests/data/url/scope.tsv, and accessors. */
#include <string.h>

#include "check_main.h"
#include "tsv.h"
#include "../crawl/url.h"

/* One case: resolve href against base ("" = no base) and compare. */
static int url_case(const char *base_s, const char *href, const char *want,
		    char *got, size_t gotsz)
{
	struct url base = URL_INIT, u = URL_INIT;
	struct sl_err err;
	int rc, ok;

	if (*base_s) {
		ck_assert_msg(url_parse(&base, base_s, &err) == 0,
			      "base '%s': %s", base_s, err.msg);
	}
	rc = url_resolve(&u, *base_s ? &base : NULL, href, &err);
	if (rc == 0) {
		snprintf(got, gotsz, "%s", url_str(&u));
		ok = strcmp(got, want) == 0;
	} else {
		snprintf(got, gotsz, "ERROR:%s", err.msg);
		ok = !strncmp(want, "ERROR:", 6) &&
		     strstr(err.msg, want + 6) != NULL;
	}
	url_release(&u);
	url_release(&base);
	return ok;
}

START_TEST(cases)
{
	struct tsv t;
	char got[URL_MAX + 1024];
	int rows = 0, passed = 0;

	ck_assert(tsv_open(&t, "tests/data/url/cases.tsv") == 0);
	while (tsv_next(&t)) {
		tsv_unescape(t.f[0]);
		tsv_unescape(t.f[1]);
		rows++;
		if (url_case(t.f[0], t.f[1], t.f[2], got, sizeof(got)))
			passed++;
		else
			fprintf(stderr, "cases.tsv:%d: base '%s' href '%s': "
				"got '%s' want '%s'\n", t.lineno, t.f[0],
				t.f[1], got, t.f[2]);
	}
	tsv_close(&t);
	printf("url cases.tsv: %d/%d rows pass\n", passed, rows);
	ck_assert_int_eq(passed, rows);
	ck_assert_int_ge(rows, 60);
}
END_TEST

static enum url_scope scope_of(const char *s)
{
	if (!strcmp(s, "host"))
		return URL_SCOPE_HOST;
	if (!strcmp(s, "domain"))
		return URL_SCOPE_DOMAIN;
	if (!strcmp(s, "prefix"))
		return URL_SCOPE_PREFIX;
	ck_assert_str_eq(s, "any");
	return URL_SCOPE_ANY;
}

START_TEST(scope)
{
	struct tsv t;
	int rows = 0;

	ck_assert(tsv_open(&t, "tests/data/url/scope.tsv") == 0);
	while (tsv_next(&t)) {
		struct url u = URL_INIT, seed = URL_INIT;
		struct sl_err err;

		ck_assert_msg(url_parse(&u, t.f[0], &err) == 0, "%s", err.msg);
		ck_assert_msg(url_parse(&seed, t.f[1], &err) == 0, "%s",
			      err.msg);
		ck_assert_msg(url_in_scope(&u, &seed, scope_of(t.f[2])) ==
			      (t.f[3][0] == '1'), "scope.tsv:%d: %s", t.lineno,
			      t.f[4]);
		url_release(&u);
		url_release(&seed);
		rows++;
	}
	tsv_close(&t);
	printf("url scope.tsv: %d/%d rows pass\n", rows, rows);
	ck_assert_int_ge(rows, 20);
}
END_TEST

START_TEST(accessors)
{
	struct url u = URL_INIT;
	struct sl_err err;

	ck_assert_int_eq(url_parse(&u, "HTTPS://user@Example.COM:8443/a/../b"
				   "?x=1#f", &err), 0);
	ck_assert_str_eq(url_str(&u), "https://user@example.com:8443/b?x=1");
	ck_assert_str_eq(url_host(&u), "example.com");
	ck_assert_str_eq(url_origin(&u), "https://example.com:8443");
	ck_assert_str_eq(url_path_query(&u), "/b?x=1");
	ck_assert_int_eq(u.port, 8443);
	ck_assert_int_eq(u.https, 1);
	ck_assert(u.flags & URL_USERINFO);

	/* reuse: the old contents are released; u may be its own base */
	ck_assert_int_eq(url_resolve(&u, &u, "//[::1]/x", &err), 0);
	ck_assert_str_eq(url_str(&u), "https://[::1]/x");
	ck_assert_str_eq(url_host(&u), "::1");
	ck_assert_str_eq(url_origin(&u), "https://[::1]:443");
	ck_assert(u.flags & URL_IPV6);
	ck_assert(!(u.flags & URL_USERINFO));

	/* a failure leaves u as it was */
	ck_assert_int_eq(url_resolve(&u, &u, "mailto:x@y", &err), -1);
	ck_assert_str_eq(url_str(&u), "https://[::1]/x");
	ck_assert_ptr_nonnull(strstr(err.msg, "unsupported scheme 'mailto'"));

	ck_assert_int_eq(url_parse(&u, "http://10.0.0.1/", &err), 0);
	ck_assert(u.flags & URL_IPV4);
	ck_assert_str_eq(url_origin(&u), "http://10.0.0.1:80");
	ck_assert_int_eq(url_parse(&u, "http://b\xC3\xBC" "cher.de/", &err), 0);
	ck_assert(u.flags & URL_IDN);
	url_release(&u);
}
END_TEST

START_TEST(length_cap)
{
	struct url u = URL_INIT;
	struct sl_err err;
	char *s = malloc(URL_MAX + 100);
	size_t n;

	n = (size_t)snprintf(s, URL_MAX + 100, "http://example.com/");
	memset(s + n, 'a', URL_MAX - n);
	s[URL_MAX] = '\0';
	ck_assert_int_eq(url_parse(&u, s, &err), 0);	/* exactly URL_MAX */
	ck_assert_uint_eq(strlen(url_str(&u)), URL_MAX);
	s[URL_MAX] = 'a';
	s[URL_MAX + 1] = '\0';
	ck_assert_int_eq(url_parse(&u, s, &err), -1);
	ck_assert_ptr_nonnull(strstr(err.msg, "too long"));
	/* short input that grows past the cap when encoded */
	memset(s + n, ' ', URL_MAX - n - 1);
	s[URL_MAX - 1] = 'x';
	s[URL_MAX] = '\0';
	ck_assert_int_eq(url_parse(&u, s, &err), -1);
	ck_assert_ptr_nonnull(strstr(err.msg, "too long"));
	url_release(&u);
	free(s);
}
END_TEST

/* RFC 3492 section 7.1 samples, as code points. */
START_TEST(punycode)
{
	static const unsigned arabic[] = {
		0x0644, 0x064A, 0x0647, 0x0645, 0x0627, 0x0628, 0x062A, 0x0643,
		0x0644, 0x0645, 0x0648, 0x0634, 0x0639, 0x0631, 0x0628, 0x064A,
		0x061F };
	static const unsigned chinese[] = {
		0x4ED6, 0x4EEC, 0x4E3A, 0x4EC0, 0x4E48, 0x4E0D, 0x8BF4, 0x4E2D,
		0x6587 };
	static const unsigned mixed[] = {
		0x0033, 0x5E74, 0x0042, 0x7D44, 0x91D1, 0x516B, 0x5148, 0x751F };
	char out[128];

	ck_assert_int_eq(url_punycode(arabic, 17, out, sizeof(out)), 0);
	ck_assert_str_eq(out, "egbpdaj6bu4bxfgehfvwxn");
	ck_assert_int_eq(url_punycode(chinese, 9, out, sizeof(out)), 0);
	ck_assert_str_eq(out, "ihqwcrb4cv8a8dqg056pqjye");
	ck_assert_int_eq(url_punycode(mixed, 8, out, sizeof(out)), 0);
	ck_assert_str_eq(out, "3B-ww4c5e180e575a65lsy2b");
	ck_assert_int_eq(url_punycode(chinese, 9, out, 10), -1);
}
END_TEST

static Suite *url_suite(void)
{
	Suite *s = suite_create("url");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, cases);
	tcase_add_test(tc, scope);
	tcase_add_test(tc, accessors);
	tcase_add_test(tc, length_cap);
	tcase_add_test(tc, punycode);
	suite_add_tcase(s, tc);
	return s;
}

SL_CHECK_MAIN(url_suite)
