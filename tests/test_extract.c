/* Check suite for crawl/extract.  Data-driven: every tests/data/extract/X.html
 * is extracted and compared with X.txt (the main text, one trailing newline
 * ignored) and, when present, X.meta (title, lang, base, robots, links in
 * the format below).  Adding a case needs no new C.  The other tests cover
 * the limits: nesting depth, text cap, input cap, result reuse. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_main.h"
#include "../crawl/extract.h"
#include "../lib/buf.h"
#include "../lib/err.h"
#include "../lib/utf8.h"

#define DIR_ "tests/data/extract"

static int read_file(const char *path, struct buf *b)
{
	FILE *f = fopen(path, "rb");
	char chunk[4096];
	size_t n;

	if (!f)
		return -1;
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		ck_assert_int_eq(buf_add(b, chunk, n), 0);
	fclose(f);
	return 0;
}

static void chomp(struct buf *b)
{
	if (b->len && b->data[b->len - 1] == '\n')
		b->data[--b->len] = '\0';
}

/* The .meta format: the lines `sluice extract --meta --links` prints. */
static void format_meta(const struct extract_result *r, struct buf *m)
{
	buf_addf(m, "title: %s\nlang: %s\nbase: %s\ncanonical: %s\nrobots:%s%s\n",
		 r->title ? r->title : "", r->lang ? r->lang : "",
		 r->base_href ? r->base_href : "",
		 r->canonical ? r->canonical : "",
		 r->noindex ? " noindex" : "", r->nofollow ? " nofollow" : "");
	for (size_t i = 0; i < r->nlinks; i++)
		buf_addf(m, "%s\t%s\n", r->links[i].nofollow ? "nofollow" :
			 "link", r->links[i].href);
}

static void run_case(const char *name, struct extract_result *r)
{
	char path[512];
	struct buf html, want, meta, got;
	struct extract_opts o;
	struct sl_err err;

	buf_init(&html, 0);
	buf_init(&want, 0);
	buf_init(&meta, 0);
	buf_init(&got, 0);
	extract_opts_init(&o);
	snprintf(path, sizeof(path), DIR_ "/%s.html", name);
	ck_assert_int_eq(read_file(path, &html), 0);
	snprintf(path, sizeof(path), DIR_ "/%s.txt", name);
	ck_assert_msg(read_file(path, &want) == 0, "missing %s", path);
	chomp(&want);
	ck_assert_int_eq(extract_html(html.data ? html.data : "", html.len,
				      &o, r, &err), 0);
	ck_assert(utf8_valid(r->text.data ? r->text.data : "", r->text.len));
	ck_assert_msg(r->text.len == want.len &&
		      !memcmp(r->text.data ? r->text.data : "",
			      want.data ? want.data : "", want.len),
		      "%s: text differs:\n--- got\n%s\n--- want\n%s", name,
		      r->text.data ? r->text.data : "",
		      want.data ? want.data : "");
	snprintf(path, sizeof(path), DIR_ "/%s.meta", name);
	if (!read_file(path, &meta)) {
		format_meta(r, &got);
		ck_assert_msg(!strcmp(got.data, meta.data ? meta.data : ""),
			      "%s: meta differs:\n--- got\n%s--- want\n%s",
			      name, got.data, meta.data ? meta.data : "");
	}
	buf_release(&html);
	buf_release(&want);
	buf_release(&meta);
	buf_release(&got);
}

START_TEST(fixtures)
{
	DIR *d = opendir(DIR_);
	struct dirent *e;
	struct extract_result r;
	int n = 0;

	ck_assert_ptr_nonnull(d);
	extract_result_init(&r);	/* reused across pages */
	while ((e = readdir(d))) {
		size_t len = strlen(e->d_name);
		char name[256];

		if (len < 6 || len >= sizeof(name) ||
		    strcmp(e->d_name + len - 5, ".html"))
			continue;
		memcpy(name, e->d_name, len - 5);
		name[len - 5] = '\0';
		run_case(name, &r);
		n++;
	}
	closedir(d);
	extract_result_release(&r);
	ck_assert_int_ge(n, 9);
}
END_TEST

/* 100000 nested elements: no stack overflow, text below max_depth is
 * ignored, text above it is kept. */
START_TEST(deep_nesting)
{
	struct buf h;
	struct extract_result r;
	struct extract_opts o;
	struct sl_err err;

	buf_init(&h, 0);
	buf_adds(&h, "<html><body><p>Shallow text that sits above the deep "
		 "nesting, long enough to count as a paragraph.</p>");
	for (int i = 0; i < 100000; i++)
		buf_adds(&h, i % 2 ? "<span>" : "<div>");
	buf_adds(&h, "deep text");
	buf_adds(&h, "</body></html>");
	extract_opts_init(&o);
	extract_result_init(&r);
	ck_assert_int_eq(extract_html(h.data, h.len, &o, &r, &err), 0);
	ck_assert_ptr_nonnull(strstr(r.text.data, "Shallow text"));
	ck_assert_ptr_null(strstr(r.text.data, "deep text"));
	extract_result_release(&r);
	buf_release(&h);
}
END_TEST

START_TEST(text_cap)
{
	struct buf h;
	struct extract_result r;
	struct extract_opts o;
	struct sl_err err;

	buf_init(&h, 0);
	buf_adds(&h, "<html><body><article>");
	for (int i = 0; i < 200; i++)
		buf_adds(&h, "<p>Ünïcödé paragraph, with commas, and enough "
			 "words to be scored as content.</p>");
	buf_adds(&h, "</article></body></html>");
	extract_opts_init(&o);
	o.max_text = 1001;
	extract_result_init(&r);
	ck_assert_int_eq(extract_html(h.data, h.len, &o, &r, &err), 0);
	ck_assert_int_eq(r.truncated, 1);
	ck_assert_uint_le(r.text.len, 1001);
	ck_assert_uint_ge(r.text.len, 990);
	ck_assert(utf8_valid(r.text.data, r.text.len));
	o.max_input = 10;
	ck_assert_int_eq(extract_html(h.data, h.len, &o, &r, &err), -1);
	ck_assert_ptr_nonnull(strstr(err.msg, "over the 10 byte limit"));
	extract_result_release(&r);
	buf_release(&h);
}
END_TEST

/* A cap anywhere in the text keeps the longest prefix of the uncapped text
 * that fits and ends on a character boundary: the output is written in runs
 * of words, and a run cut by the cap is cut as a word was.  The page has
 * collapsible whitespace (double spaces, tabs, U+00A0) and multi-byte
 * characters around the cut points, and no closing line that trim_tail()
 * would drop. */
START_TEST(text_cap_every_byte)
{
	const char *h = "<html><body><article><p>Caf\xC3\xA9 cr\xC3\xA8me  "
			"br\xC3\xBBl\xC3\xA9" "e\tand \xC2\xA0more words, with "
			"commas, \xE2\x80\x94 dashes at 25 \xC2\xB0" "C and \xE6\x97\xA5"
			"\xE6\x9C\xAC text.</p><p>Second paragraph with enough "
			"words to be scored, \xC3\xBC" "ber alles, \xF0\x9F\x98\x80 "
			"emoji \xC2\xA0\xC2\xA0 spaced.</p><pre>  pre\tformatted "
			"\xC3\xA9 line\n  two</pre><p>Third one, short and "
			"plain, to close the article body here.</p></article>"
			"</body></html>";
	struct extract_result r;
	struct extract_opts o;
	struct sl_err err;
	struct buf full;

	extract_opts_init(&o);
	extract_result_init(&r);
	buf_init(&full, 0);
	ck_assert_int_eq(extract_html(h, strlen(h), &o, &r, &err), 0);
	ck_assert_uint_ge(r.text.len, 250);
	ck_assert_int_eq(buf_add(&full, r.text.data, r.text.len), 0);
	for (size_t cap = 1; cap <= full.len + 1; cap++) {
		size_t want = cap < full.len ? cap : full.len;

		while (want < full.len &&
		       ((unsigned char)full.data[want] & 0xC0) == 0x80)
			want--;
		o.max_text = cap;
		ck_assert_int_eq(extract_html(h, strlen(h), &o, &r, &err), 0);
		ck_assert_uint_eq(r.text.len, want);
		ck_assert(!memcmp(r.text.data, full.data, want));
		ck_assert_int_eq(r.truncated, cap < full.len);
	}
	buf_release(&full);
	extract_result_release(&r);
}
END_TEST

START_TEST(robots_and_link_cap)
{
	const char *h = "<meta name=robots content='none'><a href=a>1</a>"
			"<a href=b>2</a><a href=c>3</a>";
	struct extract_result r;
	struct extract_opts o;
	struct sl_err err;

	extract_opts_init(&o);
	o.max_links = 2;
	extract_result_init(&r);
	ck_assert_int_eq(extract_html(h, strlen(h), &o, &r, &err), 0);
	ck_assert_int_eq(r.noindex, 1);
	ck_assert_int_eq(r.nofollow, 1);
	ck_assert_uint_eq(r.nlinks, 2);
	ck_assert_str_eq(r.links[1].href, "b");
	o.want_links = 0;
	ck_assert_int_eq(extract_html(h, strlen(h), &o, &r, &err), 0);
	ck_assert_uint_eq(r.nlinks, 0);
	extract_result_release(&r);
}
END_TEST

static Suite *extract_suite(void)
{
	Suite *s = suite_create("extract");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, fixtures);
	tcase_add_test(tc, deep_nesting);
	tcase_add_test(tc, text_cap);
	tcase_add_test(tc, text_cap_every_byte);
	tcase_add_test(tc, robots_and_link_cap);
	suite_add_tcase(s, tc);
	return s;
}

SL_CHECK_MAIN(extract_suite)
