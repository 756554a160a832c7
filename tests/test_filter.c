/* Check suite for filter/: options and pipeline files, the normalize and
 * exact stages, and the runner (incremental runs, versions, --redo, dry
 * runs, shards, stage errors). */
#include <math.h>
#include <string.h>
#include <unistd.h>
#include <utf8proc.h>

#include "check_main.h"
#include "testutil.h"
#include "tsv.h"
#include "../filter/pipeline.h"
#include "../filter/runner.h"
#include "../lib/err.h"
#include "../lib/utf8.h"
#include "../store/db.h"
#include "../store/import.h"

static const char *dir;
static char dbpath[128], path[128];
static struct store *st;

static void setup(void)
{
	struct sl_err err;

	dir = tu_tmpdir();
	snprintf(dbpath, sizeof(dbpath), "%s/s.db", dir);
	snprintf(path, sizeof(path), "%s/p.ini", dir);
	ck_assert_msg(!store_open(&st, dbpath, STORE_CREATE, &err), "%s",
		      err.msg);
}

static void teardown(void)
{
	store_close(st);
	tu_rm_rf(dir);
}

static long long q1(const char *sql)
{
	sqlite3_stmt *s;
	long long n = -1;

	ck_assert_int_eq(sqlite3_prepare_v2(st->db, sql, -1, &s, NULL), SQLITE_OK);
	if (sqlite3_step(s) == SQLITE_ROW)
		n = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return n;
}

static void import_lines(const char *jsonl)
{
	struct import_opts o = { 0 };
	struct import_stats t = { 0 };
	struct sl_err err;
	char p[160];

	snprintf(p, sizeof(p), "%s/in.jsonl", dir);
	tu_write(p, jsonl, strlen(jsonl));
	ck_assert_msg(import_path(st, p, &o, &t, &err) == 0, "%s", err.msg);
}

static int load(struct pipeline *p, const char *ini, struct sl_err *err)
{
	if (!ini)
		return pipeline_load(p, NULL, err);
	tu_write(path, ini, strlen(ini));
	return pipeline_load(p, path, err);
}

START_TEST(pipeline_files)
{
	struct pipeline p;
	struct sl_err err;

	ck_assert_int_eq(load(&p, "[filter.exact]\n[crawl]\nx = 1\n"
			      "[filter.normalize]\nnfkc = yes\n", &err), 0);
	ck_assert_uint_eq(p.n, 2);
	ck_assert_str_eq(p.v[0].ops->name, "exact");	/* file order */
	ck_assert_str_eq(p.v[1].ops->name, "normalize");
	pipeline_release(&p);
	ck_assert_int_eq(load(&p, "[filter.normalize]\nnfkc = maybe\n", &err), -1);
	ck_assert_msg(strstr(err.msg, "p.ini:2: [filter.normalize] nfkc: "
			     "'maybe' is not a boolean"), "%s", err.msg);
	ck_assert_int_eq(load(&p, "\n[filter.nosuch]\n", &err), -1);
	ck_assert_msg(strstr(err.msg, "p.ini:2: [filter.nosuch]: no stage"),
		      "%s", err.msg);
	ck_assert_int_eq(load(&p, "[filter.normalize]\nmax_blank_lines = 1000\n",
			      &err), -1);
	ck_assert_msg(strstr(err.msg, "out of range"), "%s", err.msg);
	ck_assert_int_eq(load(&p, "[filter.exact]\nprefer\n", &err), -1);
	ck_assert_msg(strstr(err.msg, "p.ini:2: cannot parse"), "%s", err.msg);
	ck_assert_int_eq(load(&p, "[crawl]\n", &err), -1);
	ck_assert_msg(strstr(err.msg, "no [filter.NAME] section"), "%s", err.msg);
	/* a stage's section given twice */
	ck_assert_int_eq(load(&p, "[filter.minhash]\nbands = 7\n\n"
			      "[filter.minhash]\n", &err), -1);
	ck_assert_msg(strstr(err.msg, "p.ini:4: [filter.minhash]: stage given "
			     "twice"), "%s", err.msg);
	/* values each fine alone, checked by the stage at load time */
	ck_assert_int_eq(load(&p, "[filter.lines]\nunit = word\n", &err), -1);
	ck_assert_msg(strstr(err.msg, "p.ini: [filter.lines] unit: 'word'"),
		      "%s", err.msg);
	ck_assert_int_eq(load(&p, "[filter.minhash]\nbands = 100\nrows = 100\n",
			      &err), -1);
	ck_assert_msg(strstr(err.msg, "p.ini: [filter.minhash]: bands x rows"),
		      "%s", err.msg);
	/* no file: every stage with its defaults */
	ck_assert_int_eq(load(&p, NULL, &err), 0);
	ck_assert_uint_ge(p.n, 2);
	pipeline_release(&p);
}
END_TEST

START_TEST(version_follows_options)
{
	struct pipeline a, b, c;
	struct sl_err err;

	ck_assert_int_eq(load(&a, "[filter.normalize]\n", &err), 0);
	ck_assert_int_eq(load(&b, "[filter.normalize]\nnfkc = false\n", &err), 0);
	ck_assert_int_eq(load(&c, "[filter.normalize]\nnfkc = true\n", &err), 0);
	ck_assert_str_eq(a.v[0].version, b.v[0].version);  /* = the default */
	ck_assert_str_ne(a.v[0].version, c.v[0].version);
	pipeline_release(&a);
	pipeline_release(&b);
	pipeline_release(&c);
}
END_TEST

/* Run one stage's apply() on a text with options "k=v;k=v". */
static void apply_one(const char *stage, const char *options, const char *text,
		      struct stage_out *out)
{
	const struct stage_ops *ops = stage_find(stage);
	char conf[8192], opt[512], *kv, *save;
	struct stage_doc d = { .id = "t", .text = text, .len = strlen(text),
			       .source = "test" };
	struct sl_err err;
	void *state, *scratch;

	ck_assert_ptr_nonnull(ops);
	ck_assert_uint_le(ops->conf_size, sizeof(conf));
	ck_assert_int_eq(stage_conf_defaults(ops, conf, &err), 0);
	snprintf(opt, sizeof(opt), "%s", strcmp(options, "-") ? options : "");
	for (kv = strtok_r(opt, ";", &save); kv; kv = strtok_r(NULL, ";", &save)) {
		char *eq = strchr(kv, '=');

		ck_assert_ptr_nonnull(eq);
		*eq = '\0';
		ck_assert_msg(!stage_conf_set(ops, conf, kv, eq + 1, &err), "%s",
			      err.msg);
	}
	ck_assert_int_eq(ops->open(&state, conf, &err), 0);
	scratch = ops->scratch_new(state);
	stage_out_reset(out);
	ck_assert_msg(!ops->apply(state, scratch, &d, out, &err), "%s", err.msg);
	ops->scratch_free(scratch);
	ops->close(state);
}

START_TEST(normalize_cases)
{
	struct tsv t;
	struct stage_out out;
	int n = 0;

	stage_out_init(&out);
	ck_assert_int_eq(tsv_open(&t, "tests/data/normalize/cases.tsv"), 0);
	while (tsv_next(&t)) {
		ck_assert_int_eq(t.nf, 3);
		tsv_unescape(t.f[0]);
		tsv_unescape(t.f[2]);
		apply_one("normalize", t.f[1], t.f[0], &out);
		if (!strcmp(t.f[2], "DROP")) {
			ck_assert_msg(out.decision == DECISION_DROP,
				      "cases.tsv:%d: not dropped", t.lineno);
		} else {
			ck_assert_msg(out.decision == DECISION_KEEP && out.rewrite &&
				      !strcmp(out.text.data, t.f[2]),
				      "cases.tsv:%d: got '%s'", t.lineno,
				      out.text.data);
		}
		n++;
	}
	tsv_close(&t);
	stage_out_release(&out);
	ck_assert_int_ge(n, 15);
}
END_TEST

/* The normalize stage copies ASCII and Han through and sends only the
 * other runs to utf8proc: on random mixes of ASCII, Han, combining marks,
 * precomposed and compatibility characters, Hangul jamo, white space and
 * controls, its output must be what normalizing the whole text with
 * utf8proc first gives, and must itself be NFC (NFKC). */
START_TEST(normalize_fast_path_random)
{
	static const char *const piece[] = {
		"a", "e", "E", "z", " ", "  ", "\t", "\n", "\r\n", "\n\n\n", ".",
		"\xe4\xb8\xad", "\xe6\x96\x87",		/* Han */
		"\xcc\x81", "\xcc\xa7", "\xcc\x88",	/* U+0301 U+0327 U+0308 */
		"\xc3\xa9", "\xc3\x85",			/* é Å */
		"\xe1\x84\x80", "\xe1\x85\xa1", "\xe1\x86\xa8", /* jamo L V T */
		"\xea\xb0\x80",				/* 가 */
		"\xef\xac\x81", "\xef\xbc\xa1",		/* ﬁ, full-width A */
		"\xe2\x80\x8b", "\xc2\xa0", "\xe3\x80\x80", /* ZWSP NBSP IDSP */
		"\xc2\x85", "\xe2\x80\xa8", "\x01",
		"\xe2\x84\xab", "\xef\xa4\x80",		/* Angstrom, CJK compat */
	};
	const size_t np = sizeof(piece) / sizeof(piece[0]);
	struct stage_out a, b;
	unsigned seed = 12345;

	stage_out_init(&a);
	stage_out_init(&b);
	for (int round = 0; round < 4000; round++) {
		const char *opts = round & 1 ? "nfkc=true" : "-";
		int o = UTF8PROC_STABLE | UTF8PROC_COMPOSE |
			(round & 1 ? UTF8PROC_COMPAT : 0);
		char text[512];
		size_t len = 0, k = (size_t)(rand_r(&seed) % 24);
		utf8proc_uint8_t *full = NULL, *again = NULL;
		utf8proc_ssize_t n;
		char *got;

		for (size_t i = 0; i < k; i++) {
			const char *p = piece[(size_t)rand_r(&seed) % np];

			memcpy(text + len, p, strlen(p));
			len += strlen(p);
		}
		text[len] = '\0';
		apply_one("normalize", opts, text, &a);
		n = utf8proc_map((const utf8proc_uint8_t *)text,
				 (utf8proc_ssize_t)len, &full, o);
		ck_assert_int_ge(n, 0);
		apply_one("normalize", opts, (const char *)full, &b);
		got = a.text.data ? a.text.data : "";
		ck_assert_msg(!strcmp(got, b.text.data ? b.text.data : ""),
			      "round %d: fast '%s' != full '%s'", round, got,
			      b.text.data);
		n = utf8proc_map((const utf8proc_uint8_t *)got,
				 (utf8proc_ssize_t)strlen(got), &again, o);
		ck_assert_int_ge(n, 0);
		ck_assert_msg(!strcmp((const char *)again, got),
			      "round %d: output '%s' not normalized", round, got);
		free(full);
		free(again);
	}
	stage_out_release(&a);
	stage_out_release(&b);
}
END_TEST

static int run(const char *ini, struct filter_opts *o, struct stage_counts *c,
	       struct sl_err *err)
{
	struct pipeline p;
	int rc;

	ck_assert_int_eq(load(&p, ini, err), 0);
	rc = filter_run(st, &p, o, c, err);
	pipeline_release(&p);
	return rc;
}

#define DOCS "{\"id\":\"a\",\"text\":\"Hello  world\"}\n" \
	"{\"id\":\"b\",\"text\":\"Hello world\",\"source\":\"best\"}\n" \
	"{\"id\":\"c\",\"text\":\"  \\u200b \"}\n" \
	"{\"id\":\"d\",\"text\":\"something else\"}\n" \
	"{\"id\":\"e\",\"text\":\"Hello world\\n\"}\n"

START_TEST(runner_incremental)
{
	struct filter_opts o = { .threads = 2, .batch = 2 };
	struct stage_counts c[2];
	struct sl_err err;
	const char *ini = "[filter.normalize]\n[filter.exact]\n";

	import_lines(DOCS);
	ck_assert_msg(run(ini, &o, c, &err) == 0, "%s", err.msg);
	ck_assert_uint_eq(c[0].in, 5);
	ck_assert_uint_eq(c[0].dropped, 1);	/* c is empty */
	ck_assert_uint_eq(c[1].in, 4);		/* c skipped: dropped before */
	ck_assert_uint_eq(c[1].dropped, 2);	/* b, e duplicate a */
	ck_assert_int_eq(q1("SELECT count(*) FROM verdicts WHERE stage = 'exact' "
			    "AND detail = '{\"dup_of\":\"a\"}'"), 2);
	/* only a and e changed; b and d are stored once, as imported */
	ck_assert_int_eq(q1("SELECT count(*) FROM texts t JOIN docs d ON "
			    "d.rowid = t.doc WHERE d.id IN ('a', 'e')"), 2);
	ck_assert_int_eq(q1("SELECT count(*) FROM texts"), 2);
	ck_assert_uint_eq(c[0].rewritten, 2);
	/* again: nothing to do */
	ck_assert_int_eq(run(ini, &o, c, &err), 0);
	ck_assert_uint_eq(c[0].in + c[1].in, 0);
	/* new documents only */
	import_lines("{\"id\":\"f\",\"text\":\"hello world\"}\n"
		     "{\"id\":\"g\",\"text\":\"Hello world\"}\n");
	ck_assert_int_eq(run(ini, &o, c, &err), 0);
	ck_assert_uint_eq(c[0].in, 2);
	ck_assert_uint_eq(c[1].in, 2);
	ck_assert_uint_eq(c[1].dropped, 1);	/* g; f differs in case */
	/* a changed option: new version, the stage starts over; with
	 * prefer the copy from source "best" wins */
	ck_assert_int_eq(run("[filter.normalize]\n[filter.exact]\nprefer = best\n",
			     &o, c, &err), 0);
	ck_assert_uint_eq(c[0].in, 0);
	ck_assert_uint_eq(c[1].in, 6);
	ck_assert_int_eq(q1("SELECT count(*) FROM verdicts v JOIN docs d ON "
			    "d.rowid = v.doc WHERE v.stage = 'exact' AND "
			    "v.decision = 'keep' AND d.id IN ('b', 'd', 'f')"), 3);
	ck_assert_int_eq(q1("SELECT count(*) FROM verdicts WHERE stage = 'exact' "
			    "AND decision = 'drop'"), 3);
}
END_TEST

/* A stage that sees the original text and now leaves it unchanged (a new
 * option) makes the original the current text again: its old rewrite is
 * forgotten, not kept. */
START_TEST(runner_unchanged_rewrite_reverts)
{
	struct filter_opts o = { .threads = 2 };
	struct stage_counts c[1];
	struct sl_err err;

	import_lines("{\"id\":\"a\",\"text\":\"x  y\"}\n");
	ck_assert_int_eq(run("[filter.normalize]\n", &o, c, &err), 0);
	ck_assert_uint_eq(c[0].rewritten, 1);
	ck_assert_int_eq(q1("SELECT count(*) FROM texts"), 1);
	ck_assert_int_eq(run("[filter.normalize]\ncollapse_spaces = false\n",
			     &o, c, &err), 0);
	ck_assert_uint_eq(c[0].in, 1);
	ck_assert_uint_eq(c[0].rewritten, 0);
	ck_assert_int_eq(q1("SELECT count(*) FROM texts"), 0);
	/* the run turns foreign keys off for its writes, and back on */
	ck_assert_int_eq(q1("PRAGMA foreign_keys"), 1);
	ck_assert_int_eq(q1("SELECT count(*) FROM pragma_foreign_key_check"), 0);
}
END_TEST

START_TEST(runner_redo_dry_run_and_shards)
{
	struct filter_opts o = { .threads = 3 };
	struct stage_counts c[2];
	struct sl_err err;
	const char *redo[] = { "exact" };
	const char *ini = "[filter.normalize]\n[filter.exact]\n";
	uint64_t total = 0;

	import_lines(DOCS);
	o.dry_run = 1;
	ck_assert_int_eq(run(ini, &o, c, &err), 0);
	ck_assert_uint_eq(c[0].in, 5);
	ck_assert_int_eq(q1("SELECT count(*) FROM verdicts"), 0);
	ck_assert_int_eq(q1("SELECT count(*) FROM texts"), 0);
	o.dry_run = 0;
	/* three shards together cover every document exactly once */
	o.shard_n = 3;
	for (o.shard_i = 0; o.shard_i < 3; o.shard_i++) {
		ck_assert_int_eq(run("[filter.normalize]\n", &o, c, &err), 0);
		total += c[0].in;
	}
	ck_assert_uint_eq(total, 5);
	o.shard_n = 0;
	ck_assert_int_eq(run(ini, &o, c, &err), 0);
	ck_assert_uint_eq(c[0].in, 0);
	ck_assert_uint_eq(c[1].in, 4);
	o.redo = redo;
	o.nredo = 1;
	ck_assert_int_eq(run(ini, &o, c, &err), 0);
	ck_assert_uint_eq(c[0].in, 0);
	ck_assert_uint_eq(c[1].in, 4);
	ck_assert_uint_eq(c[1].dropped, 2);
	ck_assert_int_eq(q1("SELECT count(*) FROM exact_seen"), 2);
}
END_TEST

/* A run killed after some batches leaves its hashes in exact_log, not
 * yet folded into exact_seen: the next run still sees them (and folds
 * them), takeovers included. */
START_TEST(exact_log_outlives_a_killed_run)
{
	struct filter_opts o = { .threads = 2, .batch = 2 };
	struct stage_counts c[2];
	struct sl_err err;
	const char *ini = "[filter.normalize]\n[filter.exact]\nprefer = best\n";

	import_lines(DOCS);
	ck_assert_msg(run(ini, &o, c, &err) == 0, "%s", err.msg);
	ck_assert_int_eq(q1("SELECT count(*) FROM exact_log"), 0);
	ck_assert_int_eq(q1("SELECT count(*) FROM exact_seen"), 2);
	/* b (source best) took "Hello world" over from a */
	ck_assert_int_eq(q1("SELECT count(*) FROM exact_seen e JOIN docs d ON "
			    "d.rowid = e.doc WHERE d.id IN ('b', 'd')"), 2);
	/* as if killed before the fold: the log holds a's hash with its
	 * first holder, then the takeover */
	ck_assert_int_eq(store_exec(st, "INSERT INTO exact_log(hash, doc) "
			 "SELECT e.hash, a.rowid FROM exact_seen e, docs a "
			 "WHERE a.id = 'a' AND e.doc = (SELECT rowid FROM docs "
			 "WHERE id = 'b'); INSERT INTO exact_log(hash, doc) "
			 "SELECT hash, doc FROM exact_seen; "
			 "DELETE FROM exact_seen", &err), 0);
	import_lines("{\"id\":\"h\",\"text\":\"Hello world\"}\n"
		     "{\"id\":\"i\",\"text\":\"something else\"}\n"
		     "{\"id\":\"j\",\"text\":\"new text\"}\n");
	ck_assert_msg(run(ini, &o, c, &err) == 0, "%s", err.msg);
	ck_assert_uint_eq(c[1].in, 3);
	ck_assert_uint_eq(c[1].dropped, 2);
	ck_assert_int_eq(q1("SELECT count(*) FROM verdicts v JOIN docs d ON "
			    "d.rowid = v.doc WHERE v.stage = 'exact' AND "
			    "d.id = 'h' AND v.detail = '{\"dup_of\":\"b\"}'"), 1);
	ck_assert_int_eq(q1("SELECT count(*) FROM verdicts v JOIN docs d ON "
			    "d.rowid = v.doc WHERE v.stage = 'exact' AND "
			    "d.id = 'i' AND v.detail = '{\"dup_of\":\"d\"}'"), 1);
	ck_assert_int_eq(q1("SELECT count(*) FROM exact_log"), 0);
	ck_assert_int_eq(q1("SELECT count(*) FROM exact_seen e JOIN docs d ON "
			    "d.rowid = e.doc WHERE d.id IN ('b', 'd', 'j')"), 3);
	ck_assert_int_eq(q1("SELECT count(*) FROM exact_seen"), 3);
}
END_TEST

START_TEST(lines_cut_after_min_docs)
{
	struct filter_opts o = { .threads = 2 };
	struct stage_counts c[2];
	struct sl_err err;
	struct buf in;
	static const char *const w[] = { "alpha", "bravo", "charlie", "delta" };

	buf_init(&in, 0);
	for (int i = 0; i < 4; i++)
		buf_addf(&in, "{\"id\":\"d%d\",\"text\":\"Menu\\nAbout %s\\n"
			 "Share THIS page\\n\"}\n", i, w[i]);
	import_lines(in.data);
	buf_release(&in);
	ck_assert_msg(run("[filter.normalize]\n[filter.lines]\nmin_docs = 2\n",
			  &o, c, &err) == 0, "%s", err.msg);
	ck_assert_uint_eq(c[1].in, 4);
	/* d0 keeps everything; from d1 on "Menu" and "Share this page" go */
	ck_assert_int_eq(q1("SELECT count(*) FROM verdicts WHERE stage = 'lines' "
			    "AND reason = 'lines_cut' AND detail = '{\"cut\":2}'"), 3);
	ck_assert_int_eq(q1("SELECT count(*) FROM texts t JOIN docs d ON "
			    "d.rowid = t.doc WHERE d.id = 'd3' AND t.stage = "
			    "'lines' AND t.nbytes = length('About delta')"), 1);
}
END_TEST

/* n in letters: line dedup folds digits together. */
static void add_letters(struct buf *b, unsigned n)
{
	do {
		buf_addc(b, (char)('a' + n % 26));
		n /= 26;
	} while (n);
}

/* Past SEEN_AFTER lookups the stage answers new lines from its Bloom
 * filter: lines seen in the delta still count.  3000 documents of 48
 * lines of their own, a line shared by each pair and one by each triple
 * (min_docs 3: the third of a triple cuts it). */
START_TEST(lines_counts_past_the_filter)
{
	struct filter_opts o = { .threads = 2 };
	struct stage_counts c[1];
	struct sl_err err;
	struct buf in;

	buf_init(&in, 0);
	for (unsigned i = 0; i < 3000; i++) {
		buf_addf(&in, "{\"id\":\"d%u\",\"text\":\"", i);
		for (unsigned j = 0; j < 48; j++) {
			buf_adds(&in, "own ");
			add_letters(&in, i * 48 + j);
			buf_adds(&in, "\\n");
		}
		buf_adds(&in, "pair ");
		add_letters(&in, i / 2);
		buf_adds(&in, "\\ntriple ");
		add_letters(&in, i / 3);
		buf_adds(&in, "\"}\n");
	}
	import_lines(in.data);
	buf_release(&in);
	ck_assert_msg(run("[filter.lines]\nmin_docs = 3\n", &o, c, &err) == 0,
		      "%s", err.msg);
	ck_assert_uint_eq(c[0].in, 3000);
	ck_assert_int_eq(q1("SELECT count(*) FROM verdicts WHERE stage = 'lines' "
			    "AND reason = 'lines_cut' AND detail = '{\"cut\":1}'"),
			 1000);
	ck_assert_int_eq(q1("SELECT count(*) FROM verdicts v JOIN docs d ON "
			    "d.rowid = v.doc WHERE v.reason = 'lines_cut' AND "
			    "CAST(substr(d.id, 2) AS INTEGER) % 3 = 2"), 1000);
	ck_assert_int_eq(q1("SELECT count(*) FROM line_counts"),
			 3000 * 48 + 1500 + 1000);
	ck_assert_int_eq(q1("SELECT sum(docs) FROM line_counts"),
			 3000 * 48 + 1500 * 2 + 1000 * 3);
}
END_TEST

/* A line is counted once per document however often it appears there,
 * every occurrence goes once it is cut, and the count stops at min_docs. */
START_TEST(lines_once_per_doc_saturated)
{
	struct filter_opts o = { .threads = 1, .batch = 1 };
	struct stage_counts c[1];
	struct sl_err err;

	import_lines("{\"id\":\"d0\",\"text\":\"X\\nX\\nfoo\"}\n"
		     "{\"id\":\"d1\",\"text\":\"X\\nbar\\nX\"}\n"
		     "{\"id\":\"d2\",\"text\":\"X\\nbaz\"}\n"
		     "{\"id\":\"d3\",\"text\":\"X\"}\n");
	ck_assert_msg(run("[filter.lines]\nmin_docs = 2\n", &o, c, &err) == 0,
		      "%s", err.msg);
	ck_assert_uint_eq(c[0].in, 4);
	ck_assert_uint_eq(c[0].dropped, 1);	/* d3: nothing left */
	ck_assert_int_eq(q1("SELECT count(*) FROM verdicts v JOIN docs d ON "
			    "d.rowid = v.doc WHERE d.id = 'd0' AND v.reason "
			    "IS NULL"), 1);
	ck_assert_int_eq(q1("SELECT count(*) FROM verdicts v JOIN docs d ON "
			    "d.rowid = v.doc WHERE d.id = 'd1' AND v.detail = "
			    "'{\"cut\":2}'"), 1);
	ck_assert_int_eq(q1("SELECT count(*) FROM texts t JOIN docs d ON "
			    "d.rowid = t.doc WHERE d.id = 'd1' AND t.nbytes = 3"), 1);
	ck_assert_int_eq(q1("SELECT max(docs) FROM line_counts"), 2);
}
END_TEST

/* A text of n pseudo-random words (deterministic in seed). */
static void words(struct buf *b, int n, unsigned seed)
{
	static const char *const w[] = { "river", "stone", "light", "cloud",
		"paper", "green", "table", "music", "night", "water", "field",
		"glass", "horse", "apple", "train", "bread" };

	for (int i = 0; i < n; i++) {
		seed = seed * 1103515245u + 12345u;
		buf_addf(b, "%s%s%u", i ? " " : "", w[(seed >> 16) % 16],
			 (seed >> 8) % 50);
	}
}

START_TEST(minhash_clusters_near_copies)
{
	struct filter_opts o = { .threads = 2 };
	struct stage_counts c[1];
	struct sl_err err;
	struct buf base, in;

	buf_init(&base, 0);
	buf_init(&in, 0);
	words(&base, 300, 1);
	/* a: the text; b: a one-word edit near the end (J ~ 0.97);
	 * c: unrelated; d: Chinese, e: d with one character changed */
	buf_addf(&in, "{\"id\":\"a\",\"text\":\"%s\"}\n", base.data);
	buf_addf(&in, "{\"id\":\"b\",\"text\":\"%s extra\"}\n", base.data);
	buf_reset(&base);
	words(&base, 300, 2);
	buf_addf(&in, "{\"id\":\"c\",\"text\":\"%s\"}\n", base.data);
	for (int doc = 0; doc < 2; doc++) {
		unsigned seed = 7;

		buf_addf(&in, "{\"id\":\"%c\",\"text\":\"", doc ? 'e' : 'd');
		for (int i = 0; i < 600; i++) {
			char u[4];

			seed = seed * 1103515245u + 12345u;
			/* e: one character changed in the middle */
			buf_add(&in, u, utf8_encode(doc && i == 300 ? 0x4E00 :
				0x4E00 + (seed >> 8) % 3000, u));
		}
		buf_adds(&in, "\"}\n");
	}
	import_lines(in.data);
	buf_release(&base);
	buf_release(&in);
	ck_assert_msg(run("[filter.minhash]\n", &o, c, &err) == 0, "%s", err.msg);
	ck_assert_uint_eq(c[0].in, 5);
	ck_assert_uint_eq(c[0].dropped, 2);
	ck_assert_int_eq(q1("SELECT count(*) FROM verdicts v JOIN docs d ON "
			    "d.rowid = v.doc WHERE v.decision = 'drop' AND "
			    "v.reason = 'near_duplicate' AND d.id IN ('b', 'e')"), 2);
	/* clusters: b with a, e with d, c alone */
	ck_assert_int_eq(q1("SELECT count(DISTINCT cluster) FROM minhash_docs"), 3);
	ck_assert_int_eq(q1("SELECT count(*) FROM minhash_docs m JOIN docs d ON "
			    "d.rowid = m.doc WHERE d.id IN ('a', 'b') GROUP BY "
			    "cluster"), 2);
	/* incremental: a later copy of c is caught against the stored bands */
	buf_init(&base, 0);
	buf_init(&in, 0);
	words(&base, 300, 2);
	buf_addf(&in, "{\"id\":\"c2\",\"text\":\"%s!\"}\n", base.data);
	import_lines(in.data);
	buf_release(&base);
	buf_release(&in);
	ck_assert_int_eq(run("[filter.minhash]\n", &o, c, &err), 0);
	ck_assert_uint_eq(c[0].in, 1);
	ck_assert_uint_eq(c[0].dropped, 1);
}
END_TEST

/* A 150-word excerpt of a 600-word text: J ~ 0.25, so Jaccard alone
 * keeps it; containment (with bands of one row, so the pair becomes a
 * candidate) drops it as a near duplicate of the text. */
START_TEST(minhash_containment_catches_excerpts)
{
	struct filter_opts o = { .threads = 1 };
	struct stage_counts c[1];
	struct sl_err err;
	struct buf base, in;
	const char *from, *to;
	int sp = 0;

	buf_init(&base, 0);
	buf_init(&in, 0);
	words(&base, 600, 3);
	for (from = base.data; sp < 200; from++)
		sp += *from == ' ';
	for (to = from; sp < 350; to++)
		sp += *to == ' ';
	buf_addf(&in, "{\"id\":\"src\",\"text\":\"%s\"}\n", base.data);
	buf_addf(&in, "{\"id\":\"cut\",\"text\":\"%.*s\"}\n",
		 (int)(to - from), from);
	buf_reset(&base);
	words(&base, 300, 4);
	buf_addf(&in, "{\"id\":\"other\",\"text\":\"%s\"}\n", base.data);
	import_lines(in.data);
	buf_release(&base);
	buf_release(&in);
	ck_assert_msg(run("[filter.minhash]\nbands = 112\nrows = 1\n", &o, c,
			  &err) == 0, "%s", err.msg);
	ck_assert_uint_eq(c[0].dropped, 0);
	ck_assert_msg(run("[filter.minhash]\nbands = 112\nrows = 1\n"
			  "containment = 0.7\n", &o, c, &err) == 0, "%s",
		      err.msg);
	ck_assert_uint_eq(c[0].in, 3);	/* new options: a new version */
	ck_assert_uint_eq(c[0].dropped, 1);
	ck_assert_int_eq(q1("SELECT count(*) FROM verdicts v JOIN docs d ON "
			    "d.rowid = v.doc WHERE v.decision = 'drop' AND "
			    "v.reason = 'near_duplicate' AND d.id = 'cut' AND "
			    "json_extract(v.detail, '$.dup_of') = 'src' AND "
			    "json_extract(v.detail, '$.contained') >= 0.7"), 1);
}
END_TEST

START_TEST(rule_file_edits_change_the_version)
{
	struct pipeline a, b;
	struct sl_err err;
	char rules[160], ini[400];

	snprintf(rules, sizeof(rules), "%s/x.rules", dir);
	tu_write(rules, "# nothing yet\n", 14);
	snprintf(ini, sizeof(ini), "[filter.rules]\nfiles = %s\n", rules);
	ck_assert_msg(load(&a, ini, &err) == 0, "%s", err.msg);
	tu_write(rules, "# edited\n", 9);
	ck_assert_int_eq(load(&b, ini, &err), 0);
	ck_assert_str_ne(a.v[0].version, b.v[0].version);
	pipeline_release(&a);
	pipeline_release(&b);
}
END_TEST

static Suite *filter_suite(void)
{
	Suite *s = suite_create("filter");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, pipeline_files);
	tcase_add_test(tc, version_follows_options);
	tcase_add_test(tc, normalize_cases);
	tcase_add_test(tc, normalize_fast_path_random);
	tcase_add_test(tc, runner_incremental);
	tcase_add_test(tc, runner_unchanged_rewrite_reverts);
	tcase_add_test(tc, runner_redo_dry_run_and_shards);
	tcase_add_test(tc, exact_log_outlives_a_killed_run);
	tcase_add_test(tc, lines_cut_after_min_docs);
	tcase_add_test(tc, lines_once_per_doc_saturated);
	tcase_add_test(tc, lines_counts_past_the_filter);
	tcase_add_test(tc, minhash_clusters_near_copies);
	tcase_add_test(tc, minhash_containment_catches_excerpts);
	tcase_add_test(tc, rule_file_edits_change_the_version);
	suite_add_tcase(s, tc);
	return s;
}

SL_CHECK_MAIN(filter_suite)
