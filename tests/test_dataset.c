/* Check suite for model/dataset and model/dataset_load: the hash-stable
 * split, the TSV and JSONL loaders (a table of files: what loads, and the
 * file:line of every error), and a labelling task's final labels read
 * from a store (the tables of schema v5, created here when the schema
 * does not have them yet). */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "check_main.h"
#include "testutil.h"
#include "../lib/err.h"
#include "../model/dataset.h"
#include "../model/dataset_load.h"
#include "../store/db.h"
#include "../store/docs.h"

struct file_case {
	const char *name;	/* the extension picks the format */
	const char *text;
	size_t n;		/* examples loaded */
	const char *first_text, *first_label;
	const char *err;	/* substring of the error, or NULL */
};

static const struct file_case files[] = {
	{ "a.tsv", "text\tlabel\nhello world\tpos\nbad day\tneg\n", 2,
	  "hello world", "pos", NULL },
	{ "b.tsv", "a\tb\tc\tneg\r\n\nx\tpos", 2, "a\tb\tc", "neg", NULL },
	{ "c.tsv", "ok\tpos\nno label here\n", 0, NULL, NULL,
	  "c.tsv' line 2: no label" },
	{ "d.tsv", "ok\tpos\n\tneg\n", 0, NULL, NULL,
	  "d.tsv' line 2: empty text" },
	{ "e.tsv", "ok\tpos\nbad \xff\tneg\n", 0, NULL, NULL,
	  "e.tsv' line 2: text is not valid UTF-8" },
	{ "f.tsv", "ok\tpos\nbad\t\n", 0, NULL, NULL,
	  "f.tsv' line 2: no label" },
	{ "g.jsonl", "{\"text\":\"hi\\tthere\",\"label\":\"pos\"}\n"
	  "{\"text\":\"x\",\"label\":1}\n{\"text\":\"y\",\"label\":true}\n", 3,
	  "hi\tthere", "pos", NULL },
	{ "h.jsonl", "{\"text\":\"good\",\"label\":\"toxic\",\"answer\":"
	  "\"reject\"}\n{\"text\":\"bad\",\"label\":\"toxic\",\"answer\":"
	  "\"ignore\"}\n{\"text\":\"worse\",\"label\":\"toxic\",\"answer\":"
	  "\"accept\"}\n", 2, "good", "not_toxic", NULL },
	{ "i.jsonl", "{\"text\":\"a\",\"label\":\"x\"}\n[1]\n", 0, NULL, NULL,
	  "i.jsonl' line 2:" },
	{ "j.jsonl", "{\"label\":\"x\"}\n", 0, NULL, NULL,
	  "j.jsonl' line 1: no \"text\" string" },
	{ "k.jsonl", "{\"text\":\"a\"}\n", 0, NULL, NULL,
	  "k.jsonl' line 1: no \"label\"" },
	{ "l.jsonl", "{\"text\":\"a\",\"answer\":\"accept\"}\n", 0, NULL, NULL,
	  "l.jsonl' line 1: \"answer\" needs" },
	{ "m.jsonl", "{\"text\":\"a\",\"label\":[1]}\n", 0, NULL, NULL,
	  "m.jsonl' line 1: \"label\" is not" },
	{ "n.jsonl", "{\"text\":\"a\",\"label\":\"x\",\"answer\":\"maybe\"}\n",
	  0, NULL, NULL, "n.jsonl' line 1: \"answer\" is not" },
	{ "o.jsonl", "{\"text\":\"\",\"label\":\"x\"}\n", 0, NULL, NULL,
	  "o.jsonl' line 1: empty text" },
	{ "p.jsonl", "{\"text\":\"a\",\"text\":\"b\",\"label\":\"x\"}\n", 0,
	  NULL, NULL, "p.jsonl' line 1:" },
};

START_TEST(load_files)
{
	const struct file_case *c = &files[_i];
	const char *dir = tu_tmpdir();
	char path[128];
	struct dataset d;
	struct sl_err err;
	int rc;

	snprintf(path, sizeof(path), "%s/%s", dir, c->name);
	tu_write(path, c->text, strlen(c->text));
	dataset_init(&d);
	err.msg[0] = '\0';
	rc = dataset_load_file(&d, path, &err);
	if (c->err) {
		ck_assert_int_eq(rc, -1);
		ck_assert_msg(strstr(err.msg, c->err), "%s: '%s'", c->name,
			      err.msg);
	} else {
		ck_assert_msg(!rc, "%s: %s", c->name, err.msg);
		ck_assert_uint_eq(d.n, c->n);
		ck_assert_str_eq(d.ex[0].text, c->first_text);
		ck_assert_str_eq(d.labels[d.ex[0].label], c->first_label);
	}
	dataset_release(&d);
	unlink(path);
	rmdir(dir);
}
END_TEST

START_TEST(split_is_stable)
{
	struct dataset d, tr, dv, d2, tr2, dv2;
	struct sl_err err;
	char t[32];

	dataset_init(&d);
	dataset_init(&d2);
	for (int i = 0; i < 1000; i++) {
		int n = snprintf(t, sizeof(t), "text %d", i);

		ck_assert(!dataset_add(&d, t, (size_t)n, i % 3 ? "a" : "b",
				       &err));
	}
	/* the same texts in reverse order: the same ones go to dev */
	for (int i = 999; i >= 0; i--) {
		int n = snprintf(t, sizeof(t), "text %d", i);

		ck_assert(!dataset_add(&d2, t, (size_t)n, i % 3 ? "a" : "b",
				       &err));
	}
	ck_assert(!dataset_split(&d, 0.2, 5, &tr, &dv, &err));
	ck_assert(!dataset_split(&d2, 0.2, 5, &tr2, &dv2, &err));
	ck_assert_uint_eq(tr.n + dv.n, 1000);
	ck_assert(dv.n > 150 && dv.n < 250);
	ck_assert_uint_eq(dv.n, dv2.n);
	for (size_t i = 0; i < dv.n; i++)
		ck_assert_str_eq(dv.ex[i].text, dv2.ex[dv.n - 1 - i].text);
	ck_assert_uint_eq(tr.nlabels, 2);
	dataset_release(&tr);
	dataset_release(&dv);
	dataset_release(&tr2);
	dataset_release(&dv2);
	dataset_release(&d);
	dataset_release(&d2);
}
END_TEST

static void add_doc(struct store *st, const char *id, const char *text)
{
	struct docs_writer w;
	struct doc_in d = { .id = id, .text = text, .nbytes = strlen(text),
			    .source = "test" };
	ZSTD_CCtx *cctx = ZSTD_createCCtx();
	struct buf z;
	struct sl_err err;

	buf_init(&z, 0);
	ck_assert_msg(!docs_pack(&d, cctx, &z, &err), "%s", err.msg);
	ck_assert(!docs_writer_init(&w, st, &err));
	ck_assert_int_eq(docs_insert(&w, &d, &err), 1);
	docs_writer_release(&w);
	buf_release(&z);
	ZSTD_freeCCtx(cctx);
}

START_TEST(load_task)
{
	const char *dir = tu_tmpdir();
	char path[128];
	struct store *st;
	struct sl_err err;
	struct dataset d;
	size_t skipped;

	snprintf(path, sizeof(path), "%s/s.db", dir);
	ck_assert(!store_open(&st, path, STORE_CREATE, &err));
	/* schema v5's tables, when this schema does not have them yet */
	ck_assert_msg(!store_exec(st,
		"CREATE TABLE IF NOT EXISTS tasks (name TEXT UNIQUE NOT NULL, "
		"kind TEXT NOT NULL, labels TEXT NOT NULL, created TEXT);"
		"CREATE TABLE IF NOT EXISTS final_labels (task INTEGER, doc "
		"INTEGER, labels TEXT, answer TEXT, source TEXT, at TEXT, "
		"PRIMARY KEY (task, doc));", &err), "%s", err.msg);
	ck_assert(!store_begin(st, &err));
	add_doc(st, "d1", "you are wonderful");
	add_doc(st, "d2", "you are awful");
	add_doc(st, "d3", "meh");
	add_doc(st, "d4", "a news article");
	ck_assert_msg(!store_exec(st,
		"INSERT INTO tasks (rowid, name, kind, labels, created) VALUES "
		"(1, 'toxic', 'binary', '[\"toxic\"]', 'x'), "
		"(2, 'topic', 'multi', '[\"news\",\"chat\"]', 'x');"
		"INSERT INTO final_labels (task, doc, labels, answer, source, at) "
		"VALUES (1, 1, '[]', 'reject', 'single', 'x'), "
		"(1, 2, '[\"toxic\"]', 'accept', 'single', 'x'), "
		"(1, 3, '[]', 'ignore', 'single', 'x'), "
		"(2, 4, '[\"news\"]', 'accept', 'agree', 'x'), "
		"(2, 1, '[\"chat\"]', 'accept', 'review', 'x'), "
		"(2, 3, '[\"news\",\"chat\"]', 'accept', 'agree', 'x');", &err),
		"%s", err.msg);
	ck_assert(!store_commit(st, &err));

	dataset_init(&d);
	ck_assert_msg(!dataset_load_task(&d, st, "toxic", &skipped, &err),
		      "%s", err.msg);
	ck_assert_uint_eq(d.n, 2);
	ck_assert_uint_eq(skipped, 1);
	ck_assert_str_eq(d.ex[0].text, "you are wonderful");
	ck_assert_str_eq(d.labels[d.ex[0].label], "not_toxic");
	ck_assert_str_eq(d.labels[d.ex[1].label], "toxic");
	ck_assert_uint_eq(d.nlabels, 2);
	dataset_release(&d);

	dataset_init(&d);
	ck_assert(!dataset_load_task(&d, st, "topic", &skipped, &err));
	ck_assert_uint_eq(d.n, 2);
	ck_assert_uint_eq(skipped, 1);
	ck_assert_str_eq(d.labels[d.ex[0].label], "chat");
	dataset_release(&d);

	dataset_init(&d);
	ck_assert_int_eq(dataset_load_task(&d, st, "nosuch", &skipped, &err),
			 -1);
	ck_assert_msg(strstr(err.msg, "no task 'nosuch'"), "%s", err.msg);
	dataset_release(&d);
	store_close(st);
	unlink(path);
	rmdir(dir);
}
END_TEST

static Suite *dataset_suite(void)
{
	Suite *s = suite_create("dataset");
	TCase *tc = tcase_create("core");

	tcase_add_loop_test(tc, load_files, 0,
			    (int)(sizeof(files) / sizeof(files[0])));
	tcase_add_test(tc, split_is_stable);
	tcase_add_test(tc, load_task);
	suite_add_tcase(s, tc);
	return s;
}

SL_CHECK_MAIN(dataset_suite)
