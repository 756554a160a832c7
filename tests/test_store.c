/* Check suite for store/: opening and migrating, documents, import (field
 * mapping, bad input, compression, .txt directories) and export. */
#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check_main.h"
#include "testutil.h"
#include "../lib/err.h"
#include "../store/db.h"
#include "../store/docs.h"
#include "../store/export.h"
#include "../store/import.h"

static const char *dir;
static char dbpath[128], in[128], out[128];
static struct store *st;

static void setup(void)
{
	struct sl_err err;

	dir = tu_tmpdir();
	snprintf(dbpath, sizeof(dbpath), "%s/s.db", dir);
	snprintf(in, sizeof(in), "%s/in.jsonl", dir);
	snprintf(out, sizeof(out), "%s/out", dir);
	ck_assert_msg(!store_open(&st, dbpath, STORE_CREATE, &err), "%s",
		      err.msg);
}

static void teardown(void)
{
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

static int import_str(const char *text, struct import_opts *o,
		      struct import_stats *t, struct sl_err *err)
{
	tu_write(in, text, strlen(text));
	return import_path(st, in, o, t, err);
}

START_TEST(open_refuses_foreign_and_newer)
{
	struct store *s2;
	struct sl_err err;
	char p[160];

	ck_assert_int_eq(count("PRAGMA user_version"), store_schema_version());
	ck_assert_int_eq(count("PRAGMA application_id"), STORE_APP_ID);
	/* reopening an existing store works and migrates nothing */
	ck_assert_int_eq(store_open(&s2, dbpath, 0, &err), 0);
	store_close(s2);
	/* a missing store is not created without STORE_CREATE */
	snprintf(p, sizeof(p), "%s/missing.db", dir);
	ck_assert_int_eq(store_open(&s2, p, 0, &err), -1);
	ck_assert_int_eq(errno, ENOENT);
	/* not a database at all */
	snprintf(p, sizeof(p), "%s/junk.db", dir);
	tu_write(p, "this is not sqlite, just some text......", 40);
	ck_assert_int_eq(store_open(&s2, p, 0, &err), -1);
	ck_assert_ptr_nonnull(strstr(err.msg, "is not a sluice store"));
	/* a store written by a newer sluice */
	ck_assert_int_eq(store_exec(st, "PRAGMA user_version = 999", &err), 0);
	ck_assert_int_eq(store_open(&s2, dbpath, 0, &err), -1);
	ck_assert_ptr_nonnull(strstr(err.msg, "newer sluice"));
}
END_TEST

START_TEST(docs_roundtrip_and_ids)
{
	struct docs_writer w;
	struct docs_cursor cur;
	struct doc_row row;
	struct sl_err err;
	struct buf z;
	ZSTD_CCtx *cctx = ZSTD_createCCtx();
	struct doc_in d = { .text = "你好, world", .source = "t",
			    .url = "https://example.com/a" };

	d.nbytes = strlen(d.text);
	buf_init(&z, 0);
	ck_assert_int_eq(docs_pack(&d, cctx, &z, &err), 0);
	ck_assert_uint_eq(d.nchars, 9);
	ck_assert_uint_eq(strlen(doc_in_id(&d)), 32);	/* hex of the url hash */
	ck_assert_int_eq(docs_writer_init(&w, st, &err), 0);
	ck_assert_int_eq(store_begin(st, &err), 0);
	ck_assert_int_eq(docs_insert(&w, &d, &err), 1);
	ck_assert_int_eq(docs_insert(&w, &d, &err), 0);	/* same id */
	ck_assert_int_eq(store_commit(st, &err), 0);
	ck_assert_int_eq(docs_get(&cur, st, doc_in_id(&d), &row, &err), 1);
	ck_assert_str_eq(row.text, "你好, world");
	ck_assert_str_eq(row.url, "https://example.com/a");
	ck_assert_mem_eq(row.hash.b, d.hash.b, 16);
	docs_cursor_close(&cur);
	ck_assert_int_eq(docs_get(&cur, st, "nope", &row, &err), 0);
	docs_cursor_close(&cur);
	docs_writer_release(&w);
	buf_release(&z);
	ZSTD_freeCCtx(cctx);
}
END_TEST

START_TEST(import_maps_fields_and_keeps_metadata)
{
	struct import_opts o = { 0 };
	struct import_stats t = { 0 };
	struct sl_err err;
	struct docs_cursor cur;
	struct doc_row row;

	/* FineWeb-shaped lines: extra top-level fields go into metadata */
	ck_assert_int_eq(import_str(
		"{\"text\":\"a b c\",\"id\":\"<urn:1>\",\"dump\":\"CC-2024\","
		"\"url\":\"http://x/1\",\"language_score\":0.9}\n"
		"{\"text\":\"d e\",\"id\":7,\"metadata\":{\"url\":\"http://x/2\","
		"\"z\":[1,2]},\"source\":\"s2\",\"created\":\"2020-01-01\"}\n",
		&o, &t, &err), 0);
	ck_assert_uint_eq(t.added, 2);
	ck_assert_int_eq(docs_get(&cur, st, "<urn:1>", &row, &err), 1);
	ck_assert_str_eq(row.meta, "{\"dump\":\"CC-2024\",\"language_score\":0.9}");
	ck_assert_str_eq(row.url, "http://x/1");
	ck_assert_str_eq(row.source, "jsonl");
	docs_cursor_close(&cur);
	/* numeric ids become text; metadata.url is the url */
	ck_assert_int_eq(docs_get(&cur, st, "7", &row, &err), 1);
	ck_assert_str_eq(row.url, "http://x/2");
	ck_assert_str_eq(row.meta, "{\"url\":\"http://x/2\",\"z\":[1,2]}");
	ck_assert_str_eq(row.created, "2020-01-01");
	ck_assert_str_eq(row.source, "s2");
	docs_cursor_close(&cur);
	/* mapped fields, dotted path */
	o.text_field = "raw.body";
	o.id_field = "doc_id";
	o.source = "rp";
	ck_assert_int_eq(import_str("{\"raw\":{\"body\":\"deep\"},\"doc_id\":\"q\"}\n",
				    &o, &t, &err), 0);
	ck_assert_int_eq(docs_get(&cur, st, "q", &row, &err), 1);
	ck_assert_str_eq(row.text, "deep");
	ck_assert_str_eq(row.source, "rp");
	docs_cursor_close(&cur);
	/* re-import adds nothing */
	ck_assert_int_eq(import_str("{\"raw\":{\"body\":\"deep\"},\"doc_id\":\"q\"}\n",
				    &o, &t, &err), 0);
	ck_assert_uint_eq(t.added, 3);
	ck_assert_uint_eq(t.existing, 1);
}
END_TEST

START_TEST(import_bad_line_stops_after_committing)
{
	struct import_opts o = { 0 };
	struct import_stats t = { 0 };
	struct sl_err err;

	ck_assert_int_eq(import_str("{\"text\":\"one\"}\n{\"text\":\"two\"}\n"
				    "{\"text\": oops}\n{\"text\":\"four\"}\n",
				    &o, &t, &err), -1);
	ck_assert_msg(strstr(err.msg, "in.jsonl:3:10: invalid JSON") != NULL,
		      "%s", err.msg);
	ck_assert_int_eq(count("SELECT count(*) FROM docs"), 2);
	ck_assert_int_eq(count("SELECT count(*) FROM imports WHERE status = "
			       "'failed'"), 1);
	/* skip_bad counts instead, and the run completes */
	o.skip_bad = 1;
	memset(&t, 0, sizeof(t));
	ck_assert_int_eq(import_str("{\"text\":\"one\"}\n{\"text\":\"two\"}\n"
				    "{\"text\": oops}\n{\"text\":\"four\"}\n"
				    "{\"text\":5}\n{\"nope\":1}\n{\"text\":\"\"}\n"
				    "[1]\n", &o, &t, &err), 0);
	ck_assert_uint_eq(t.bad, 5);
	ck_assert_uint_eq(t.added, 1);
	ck_assert_uint_eq(t.existing, 2);
}
END_TEST

static void expect_bad(const char *line, const char *msg)
{
	struct import_opts o = { 0 };
	struct import_stats t = { 0 };
	struct sl_err err;

	ck_assert_int_eq(import_str(line, &o, &t, &err), -1);
	ck_assert_msg(strstr(err.msg, msg) != NULL, "got '%s', want '%s'",
		      err.msg, msg);
}

START_TEST(import_bad_line_messages)
{
	expect_bad("{\"text\":5}\n", "in.jsonl:1: field 'text' is not a string");
	expect_bad("\n{\"id\":\"x\"}\n", "in.jsonl:2: no field 'text'");
	expect_bad("{\"text\":\"\"}\n", "in.jsonl:1: empty text");
	expect_bad("[1,2]\n", "in.jsonl:1:1: invalid JSON: not a JSON object");
	expect_bad("{\"text\":\"a\",\"text\":\"b\"}\n", "duplicate object key");
}
END_TEST

START_TEST(import_line_cap)
{
	struct import_opts o = { .max_line = 64 };
	struct import_stats t = { 0 };
	struct sl_err err;
	char line[200];

	memset(line, 'x', sizeof(line));
	memcpy(line, "{\"text\":\"", 9);
	memcpy(line + sizeof(line) - 3, "\"}\n", 3);
	tu_write(in, line, sizeof(line));
	ck_assert_int_eq(import_path(st, in, &o, &t, &err), -1);
	ck_assert_ptr_nonnull(strstr(err.msg, "in.jsonl:1: line longer than "
				     "the cap of 64 bytes"));
}
END_TEST

START_TEST(import_repairs_utf8)
{
	struct import_opts o = { 0 };
	struct import_stats t = { 0 };
	struct sl_err err;
	struct docs_cursor cur;
	struct doc_row row;

	ck_assert_int_eq(import_str("{\"id\":\"u\",\"text\":\"a\xff\xfe b \xe4\xb8\"}\n",
				    &o, &t, &err), 0);
	ck_assert_uint_eq(t.repaired, 1);
	ck_assert_uint_eq(t.replacements, 3);
	ck_assert_int_eq(docs_get(&cur, st, "u", &row, &err), 1);
	ck_assert_str_eq(row.text, "a\xEF\xBF\xBD\xEF\xBF\xBD b \xEF\xBF\xBD");
	docs_cursor_close(&cur);
}
END_TEST

START_TEST(import_compressed_and_corrupt)
{
	struct import_opts o = { 0 };
	struct import_stats t = { 0 };
	struct sl_err err;
	const char *lines = "{\"text\":\"gz one\"}\n{\"text\":\"gz two\"}\n";
	char p[160];
	size_t zn;
	char *z;

	snprintf(p, sizeof(p), "%s/a.jsonl.gz", dir);
	tu_write_gz(p, lines, strlen(lines));
	ck_assert_msg(import_path(st, p, &o, &t, &err) == 0, "%s", err.msg);
	snprintf(p, sizeof(p), "%s/b.jsonl.zst", dir);
	tu_write_zst(p, "{\"text\":\"zst\"}\n", 15);
	ck_assert_msg(import_path(st, p, &o, &t, &err) == 0, "%s", err.msg);
	ck_assert_uint_eq(t.added, 3);
	/* truncated zstd: error names the file and the offset */
	z = tu_zstd(lines, strlen(lines), &zn);
	tu_write(p, z, zn - 6);
	free(z);
	ck_assert_int_eq(import_path(st, p, &o, &t, &err), -1);
	ck_assert_msg(strstr(err.msg, "b.jsonl.zst': truncated zstd data") &&
		      strstr(err.msg, "byte"), "%s", err.msg);
}
END_TEST

START_TEST(import_txt_directory)
{
	struct import_opts o = { 0 };
	struct import_stats t = { 0 };
	struct sl_err err;
	char p[200];

	snprintf(p, sizeof(p), "%s/docs", dir);
	mkdir(p, 0777);
	snprintf(p, sizeof(p), "%s/docs/sub", dir);
	mkdir(p, 0777);
	snprintf(p, sizeof(p), "%s/docs/a.txt", dir);
	tu_write(p, "first file\n", 11);
	snprintf(p, sizeof(p), "%s/docs/sub/b.txt", dir);
	tu_write(p, "中文文件\n", 13);
	snprintf(p, sizeof(p), "%s/docs/sub/c.jsonl", dir);
	tu_write(p, "{\"text\":\"from jsonl\"}\n", 22);
	snprintf(p, sizeof(p), "%s/docs/.hidden.txt", dir);
	tu_write(p, "hidden", 6);
	snprintf(p, sizeof(p), "%s/docs/notes.md", dir);
	tu_write(p, "ignored", 7);
	snprintf(p, sizeof(p), "%s/docs", dir);
	ck_assert_msg(import_path(st, p, &o, &t, &err) == 0, "%s", err.msg);
	ck_assert_uint_eq(t.added, 3);
	ck_assert_int_eq(count("SELECT count(*) FROM docs WHERE source = 'txt' "
			       "AND meta = '{\"path\":\"sub/b.txt\"}'"), 1);
	/* again: nothing new */
	ck_assert_msg(import_path(st, p, &o, &t, &err) == 0, "%s", err.msg);
	ck_assert_uint_eq(t.added, 3);
	ck_assert_uint_eq(t.existing, 3);
}
END_TEST

static char *slurp(const char *path, size_t *n)
{
	FILE *f = fopen(path, "rb");
	char *p;
	long sz;

	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	sz = ftell(f);
	fseek(f, 0, SEEK_SET);
	p = malloc((size_t)sz + 1);
	*n = fread(p, 1, (size_t)sz, f);
	fclose(f);
	return p;
}

START_TEST(export_deterministic_rolls_and_drops)
{
	struct import_opts o = { 0 };
	struct import_stats t = { 0 };
	struct export_opts eo = { .shard_size = 1024 };
	struct export_stats es = { 0 };
	struct sl_err err;
	struct buf lines;
	char p[200], *a, *b;
	size_t an, bn;

	buf_init(&lines, 0);
	for (int i = 0; i < 300; i++)
		buf_addf(&lines, "{\"id\":\"d%03d\",\"text\":\"document %d: %x "
			 "%x\"}\n", i, i, i * 2654435761u, i * 40503u);
	ck_assert_msg(import_str(lines.data, &o, &t, &err) == 0, "%s", err.msg);
	buf_release(&lines);
	ck_assert_int_eq(store_exec(st, "INSERT INTO verdicts SELECT rowid, "
		"'q', '1', 'drop', 'short', 0.5, 'now', NULL FROM docs WHERE "
		"id = 'd007'", &err), 0);
	ck_assert_int_eq(export_jsonl(st, out, &eo, &es, &err), 0);
	ck_assert_uint_eq(es.docs, 299);
	ck_assert_uint_gt(es.files, 1);
	snprintf(p, sizeof(p), "%s/documents/0000.jsonl.zst", out);
	a = slurp(p, &an);
	ck_assert_ptr_nonnull(a);
	/* again into the same place: byte-identical */
	memset(&es, 0, sizeof(es));
	ck_assert_int_eq(export_jsonl(st, out, &eo, &es, &err), 0);
	b = slurp(p, &bn);
	ck_assert_uint_eq(an, bn);
	ck_assert_mem_eq(a, b, an);
	free(a);
	free(b);
	/* a smaller export removes the files it no longer writes */
	eo.shard_size = 1 << 20;
	ck_assert_int_eq(export_jsonl(st, out, &eo, &es, &err), 0);
	snprintf(p, sizeof(p), "%s/documents/0001.jsonl.zst", out);
	ck_assert_int_ne(access(p, F_OK), 0);
}
END_TEST

START_TEST(export_unwritable_fails_cleanly)
{
	struct export_opts eo = { 0 };
	struct export_stats es = { 0 };
	struct import_opts o = { 0 };
	struct import_stats t = { 0 };
	struct sl_err err;

	ck_assert_int_eq(import_str("{\"text\":\"x\"}\n", &o, &t, &err), 0);
	ck_assert_int_eq(export_jsonl(st, "/proc/sluice-cannot-write", &eo,
				      &es, &err), -1);
	ck_assert_ptr_nonnull(strstr(err.msg, "cannot create"));
}
END_TEST

static Suite *store_suite(void)
{
	Suite *s = suite_create("store");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, open_refuses_foreign_and_newer);
	tcase_add_test(tc, docs_roundtrip_and_ids);
	tcase_add_test(tc, import_maps_fields_and_keeps_metadata);
	tcase_add_test(tc, import_bad_line_stops_after_committing);
	tcase_add_test(tc, import_bad_line_messages);
	tcase_add_test(tc, import_line_cap);
	tcase_add_test(tc, import_repairs_utf8);
	tcase_add_test(tc, import_compressed_and_corrupt);
	tcase_add_test(tc, import_txt_directory);
	tcase_add_test(tc, export_deterministic_rolls_and_drops);
	tcase_add_test(tc, export_unwritable_fails_cleanly);
	suite_add_tcase(s, tc);
	return s;
}

SL_CHECK_MAIN(store_suite)
