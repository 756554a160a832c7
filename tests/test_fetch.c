/* Check suite for the pieces of crawl/fetch.c and crawl/pagejob.c that
 * need no network: Retry-After parsing, media types, and turning bodies
 * into documents (charset, extraction, metadata) as the worker does. */
#include <string.h>
#include <time.h>

#include "check_main.h"
#include "../crawl/fetch.h"
#include "../crawl/frontier.h"
#include "../crawl/pagejob.h"
#include "../lib/err.h"

START_TEST(retry_after)
{
	/* Sun, 06 Nov 1994 08:49:37 GMT = 784111777 */
	ck_assert(fetch_parse_retry_after("120", 0) == 120);
	ck_assert(fetch_parse_retry_after(" 5 ", 0) == 5);
	ck_assert(fetch_parse_retry_after("Sun, 06 Nov 1994 08:49:37 GMT",
					  784111777 - 30) == 30);
	ck_assert(fetch_parse_retry_after("Sun, 06 Nov 1994 08:49:37 GMT",
					  784111777 + 30) == 0);
	ck_assert(fetch_parse_retry_after("soon", 0) == -1);
	ck_assert(fetch_parse_retry_after("12x", 0) == -1);
	ck_assert(fetch_parse_retry_after(NULL, 0) == -1);
}
END_TEST

START_TEST(media_types)
{
	char mt[16];

	pagejob_media_type(" Text/HTML; charset=GBK", mt, sizeof(mt));
	ck_assert_str_eq(mt, "text/html");
	pagejob_media_type(NULL, mt, sizeof(mt));
	ck_assert_str_eq(mt, "");
	pagejob_media_type("application/xhtml+xml-very-long", mt, sizeof(mt));
	ck_assert_uint_eq(strlen(mt), sizeof(mt) - 1);
}
END_TEST

/* A job for body with content type ct, processed in this thread. */
static struct pagejob *job(const char *body, const char *ct)
{
	struct fetch_result *r = calloc(1, sizeof(*r));
	struct frontier_item *it = calloc(1, sizeof(*it));
	struct pagejob *j;
	ZSTD_CCtx *cctx = ZSTD_createCCtx();

	ck_assert_ptr_nonnull(r);
	ck_assert_ptr_nonnull(it);
	r->status = 200;
	r->content_type = ct ? strdup(ct) : NULL;
	r->etag = strdup("\"e\"");
	buf_init(&r->body, 0);
	ck_assert_int_eq(buf_add(&r->body, body, strlen(body)), 0);
	it->url = strdup("http://a.test/p");
	it->origin = strdup("http://a.test:80");
	j = pagejob_new(r, it, 784111777);
	ck_assert_ptr_nonnull(j);
	pagejob_process(j, cctx);
	ZSTD_freeCCtx(cctx);
	ck_assert_msg(!j->failed, "%s", j->err.msg);
	return j;
}

START_TEST(html_page)
{
	struct pagejob *j = job("<html lang=\"fr\"><head><meta charset="
		"\"windows-1252\"><title>T\xe9l\xe9</title><link rel=\"canonical\" "
		"href=\"/c?x=1\"></head><body><nav>"
		"<a href=\"/x\">x</a></nav><article><p>Caf\xe9 cr\xe8me, a long "
		"enough paragraph of real prose for the extractor to keep it as "
		"the main text of this little page.</p></article></body></html>",
		"text/html");

	ck_assert(j->is_html);
	ck_assert(j->has_doc);
	ck_assert_str_eq(j->label, "windows-1252");
	ck_assert_str_eq(j->d.lang, "fr");
	ck_assert_str_eq(j->d.url, "http://a.test/p");
	ck_assert_str_eq(j->d.source, "crawl");
	ck_assert_ptr_nonnull(strstr(j->d.text, "Caf\xc3\xa9 cr\xc3\xa8me"));
	ck_assert_str_eq(j->d.meta, "{\"http_status\":200,\"content_type\":"
		"\"text/html\",\"fetched\":\"1994-11-06T08:49:37Z\",\"charset\":"
		"\"windows-1252\",\"title\":\"T\xc3\xa9l\xc3\xa9\",\"canonical\":"
		"\"http://a.test/c?x=1\",\"etag\":"
		"\"\\\"e\\\"\"}");
	ck_assert_uint_gt(j->d.zlen, 0);
	ck_assert_uint_ge(j->er.nlinks, 1);
	pagejob_free(j);
}
END_TEST

START_TEST(plain_noindex_empty)
{
	struct pagejob *j = job("  plain\ttext kept as is\n",
				"text/plain; charset=utf-8");

	ck_assert(!j->is_html);
	ck_assert(j->has_doc);
	ck_assert_str_eq(j->d.text, "  plain\ttext kept as is\n");
	ck_assert_ptr_null(j->d.lang);
	pagejob_free(j);
	j = job("<html><head><meta name=robots content=noindex></head><body>"
		"<p>Some text that would otherwise be kept as main text of the "
		"page, long enough to count as a paragraph.</p></body></html>",
		"text/html");
	ck_assert(!j->has_doc);
	ck_assert_str_eq(j->reason, "noindex");
	pagejob_free(j);
	j = job("", "text/html");
	ck_assert(!j->has_doc);
	ck_assert_str_eq(j->reason, "no text");
	pagejob_free(j);
}
END_TEST

static Suite *fetch_suite(void)
{
	Suite *s = suite_create("fetch");
	TCase *tc = tcase_create("fetch");

	tcase_add_test(tc, retry_after);
	tcase_add_test(tc, media_types);
	tcase_add_test(tc, html_page);
	tcase_add_test(tc, plain_noindex_empty);
	suite_add_tcase(s, tc);
	return s;
}

SL_CHECK_MAIN(fetch_suite)
