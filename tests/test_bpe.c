/*
 * Check suite for model/bpe.c: token ids against tiktoken's.
 *
 * tests/data/tokenizers/golden_encode.jsonl holds ids computed by npm
 * tiktoken 1.0.22 (OpenAI's Rust core); every case of the encodings we ship
 * must match exactly, with both regex spellings (pat_str, and upstream's
 * possessive pat_str_upstream).  Cases of encodings we do not ship
 * (p50k_base) are counted and reported as skipped.  The merge loop is also
 * checked against a plain reference implementation of tiktoken's loop.
 *
 * Includes bpe.c to reach bpe_open_pat() and the two merge routines.
 */
#include <pthread.h>
#include <unistd.h>
#include <stdio.h>
#include <time.h>

#include "check_main.h"
#include "../model/bpe.c"

#define GOLDEN "tests/data/tokenizers/golden_encode.jsonl"
#define GOLDEN_EXTRA "tests/data/tokenizers/golden_extra.jsonl"

struct gcase {
	char enc[32];
	int special;
	uint8_t *text;
	size_t len;
	uint32_t *ids;
	size_t n;
};

static struct gcase *cases;
static size_t ncases;

static void load_file(const char *path)
{
	FILE *f;
	char *line = NULL;
	size_t cap = 0;

	f = fopen(path, "r");
	ck_assert_msg(f != NULL, "cannot open %s", path);
	while (getline(&line, &cap, f) > 0) {
		json_error_t jerr;
		json_t *o = json_loads(line, 0, &jerr), *ids;
		struct gcase *c;
		const char *b64;

		ck_assert_msg(o != NULL, "bad golden line: %s", jerr.text);
		cases = realloc(cases, (ncases + 1) * sizeof(*cases));
		ck_assert_ptr_nonnull(cases);
		c = &cases[ncases++];
		snprintf(c->enc, sizeof(c->enc), "%s",
			 json_string_value(json_object_get(o, "enc")));
		c->special = json_is_true(json_object_get(o, "special"));
		b64 = json_string_value(json_object_get(o, "text_b64"));
		c->text = malloc(strlen(b64) + 1);
		c->len = (size_t)b64_decode(b64, strlen(b64), c->text);
		ck_assert(strlen(b64) == 0 || c->len > 0);
		ids = json_object_get(o, "ids");
		c->n = json_array_size(ids);
		c->ids = malloc((c->n + 1) * sizeof(*c->ids));
		for (size_t i = 0; i < c->n; i++)
			c->ids[i] = (uint32_t)json_integer_value(
				json_array_get(ids, i));
		json_decref(o);
	}
	free(line);
	fclose(f);
}

/* golden_encode.jsonl (4,092 cases), then golden_extra.jsonl: cases aimed
 * at regex corners (White_Space, Unicode 15 letters), from the same
 * reference (bench/golden_extra.mjs). */
static void load_golden(void)
{
	if (cases)
		return;
	load_file(GOLDEN);
	ck_assert_uint_eq(ncases, 4092);
	load_file(GOLDEN_EXTRA);
	ck_assert_uint_ge(ncases, 4092 + 3 * 40);
}

/* ids equal want[0..n)?  (memcmp must not see the NULL of an empty
 * struct ids.) */
static int ids_eq(const struct ids *v, const uint32_t *want, size_t n)
{
	return v->len == n && (n == 0 || !memcmp(v->v, want, n * 4));
}

static struct bpe *open_ok(const char *name, const char *pat_key)
{
	struct bpe *t;
	struct sl_err err;

	if (bpe_open_pat(&t, name, pat_key, &err))
		ck_abort_msg("bpe_open '%s': %s", name, err.msg);
	return t;
}

/* Run every golden case of encoding `name`; print a maxdiff-style line. */
static void golden_run(const char *name, const char *pat_key)
{
	struct bpe *t = open_ok(name, pat_key);
	struct bpe_scratch *s = bpe_scratch_new();
	struct ids v;
	struct sl_err err;
	size_t total = 0, matched = 0, skipped = 0, first_bad = SIZE_MAX;

	load_golden();
	ids_init(&v);
	ck_assert_int_ne(t->ascii, BPE_ASCII_NONE);	/* both spellings */
	for (size_t i = 0; i < ncases; i++) {
		struct gcase *c = &cases[i];

		if (strcmp(c->enc, name)) {
			if (!strcmp(c->enc, "p50k_base"))
				skipped++;
			continue;
		}
		total++;
		ids_reset(&v);
		ck_assert_int_eq(bpe_encode(t, s, (char *)c->text, c->len,
					    c->special ? BPE_ALLOW_SPECIAL : 0,
					    &v, &err), 0);
		if (!c->special) {	/* PCRE2 alone, exact regex, too */
			struct ids x;
			int kind = t->ascii;

			ids_init(&x);
			t->ascii = BPE_ASCII_NONE;
			ck_assert_int_eq(encode_ordinary(t, s, RE_EXACT,
				(char *)c->text, c->len, &x, &err), 0);
			t->ascii = kind;
			ck_assert_uint_eq(x.len, c->n);
			ck_assert(!x.len || !memcmp(x.v, c->ids, x.len * 4));
			ids_release(&x);
		}
		if (ids_eq(&v, c->ids, c->n))
			matched++;
		else if (first_bad == SIZE_MAX)
			first_bad = i;
		if (!ids_eq(&v, c->ids, c->n)) {
			printf("  case %zu: got", i + 1);
			for (size_t k = 0; k < v.len; k++)
				printf(" %u", v.v[k]);
			printf(" want");
			for (size_t k = 0; k < c->n; k++)
				printf(" %u", c->ids[k]);
			printf("\n");
		}
	}
	printf("golden %-11s (%s): %zu/%zu cases match tiktoken; "
	       "%zu p50k_base cases skipped (no rank file)\n", name, pat_key,
	       matched, total, skipped);
	ck_assert_msg(first_bad == SIZE_MAX, "golden case %zu differs",
		      first_bad + 1);
	ck_assert_uint_ge(total, 1023 + 40);
	ck_assert_uint_eq(skipped, 1023);
	ids_release(&v);
	bpe_scratch_free(s);
	bpe_close(t);
}

static const char *const encs[] = { "r50k_base", "cl100k_base", "o200k_base" };

START_TEST(golden_pat_str)
{
	golden_run(encs[_i], "pat_str");
}
END_TEST

START_TEST(golden_pat_str_upstream)
{
	golden_run(encs[_i], "pat_str_upstream");
}
END_TEST

START_TEST(golden_round_trip)
{
	struct bpe *t = open_ok(encs[_i], "pat_str");
	struct ids v;
	struct buf b;
	struct sl_err err;
	size_t n = 0;

	load_golden();
	ids_init(&v);
	buf_init(&b, 0);
	for (size_t i = 0; i < ncases; i++) {
		struct gcase *c = &cases[i];

		ids_reset(&v);
		buf_reset(&b);
		/* every text, whatever encoding it was written for */
		ck_assert_int_eq(bpe_encode(t, NULL, (char *)c->text, c->len,
					    c->special ? BPE_ALLOW_SPECIAL : 0,
					    &v, &err), 0);
		ck_assert_int_eq(bpe_decode(t, v.v, v.len, &b, &err), 0);
		ck_assert_uint_eq(b.len, c->len);
		ck_assert(c->len == 0 || !memcmp(b.data, c->text, c->len));
		n++;
	}
	ck_assert_uint_eq(n, ncases);
	ids_release(&v);
	buf_release(&b);
	bpe_close(t);
}
END_TEST

static void encode_expect(struct bpe *t, const char *text, unsigned flags,
			  const uint32_t *want, size_t nwant)
{
	struct ids v;
	struct sl_err err;

	ids_init(&v);
	ck_assert_int_eq(bpe_encode(t, NULL, text, strlen(text), flags, &v,
				    &err), 0);
	ck_assert_uint_eq(v.len, nwant);
	for (size_t i = 0; i < nwant; i++)
		ck_assert_uint_eq(v.v[i], want[i]);
	ids_release(&v);
}

START_TEST(special_is_ordinary_by_default)
{
	struct bpe *t = open_ok("cl100k_base", "pat_str");
	static const uint32_t ord[] = { 27, 91, 8862, 728, 428, 91, 29 };
	static const uint32_t spec[] = { 9906, 100257, 1917 };
	static const uint32_t mixed[] = { 9906, 27, 91, 8862, 728, 428, 91, 29,
					  1917 };

	encode_expect(t, "<|endoftext|>", 0, ord, 7);
	encode_expect(t, "<|endoftext|>", BPE_ALLOW_SPECIAL,
		      (uint32_t[]){ 100257 }, 1);
	encode_expect(t, "Hello<|endoftext|> world", BPE_ALLOW_SPECIAL,
		      spec, 3);
	encode_expect(t, "Hello<|endoftext|> world", 0, mixed, 9);
	ck_assert_uint_eq(bpe_eot_id(t), 100257);
	ck_assert_uint_eq(bpe_vocab_size(t), 100277);
	bpe_close(t);
}
END_TEST

START_TEST(vocab_and_lookup)
{
	static const struct { const char *name; uint32_t vocab, eot; } w[] = {
		{ "gpt2", 50257, 50256 },
		{ "r50k_base", 50257, 50256 },
		{ "cl100k_base", 100277, 100257 },
		{ "o200k_base", 200019, 199999 },
	};
	struct bpe *t = open_ok(w[_i].name, "pat_str");
	struct buf b;
	struct sl_err err;
	const char *p;
	size_t len;
	uint32_t bad = 100256;

	ck_assert_uint_eq(bpe_vocab_size(t), w[_i].vocab);
	ck_assert_uint_eq(bpe_eot_id(t), w[_i].eot);
	ck_assert_str_eq(bpe_name(t), w[_i].name);
	ck_assert_int_eq(bpe_token_bytes(t, w[_i].eot, &p, &len), 0);
	ck_assert_uint_eq(len, 13);
	ck_assert_int_eq(memcmp(p, "<|endoftext|>", 13), 0);
	ck_assert_uint_eq(bpe_token_id(t, "<|endoftext|>", 13), w[_i].eot);
	ck_assert_uint_eq(bpe_token_id(t, "!", 1), 0);	/* rank != byte */
	ck_assert_int_eq(bpe_token_bytes(t, 0, &p, &len), 0);
	ck_assert_uint_eq(len, 1);
	ck_assert_int_eq(p[0], '!');
	ck_assert_uint_eq(bpe_token_id(t, "", 0), BPE_NO_ID);
	buf_init(&b, 0);
	ck_assert_int_eq(bpe_decode(t, &w[_i].vocab, 1, &b, &err), -1);
	ck_assert(strstr(err.msg, "unknown token id") != NULL);
	if (!strcmp(w[_i].name, "cl100k_base")) {	/* gap below specials */
		ck_assert_int_eq(bpe_decode(t, &bad, 1, &b, &err), -1);
		ck_assert_int_eq(bpe_token_bytes(t, bad, &p, &len), -1);
	}
	buf_release(&b);
	bpe_close(t);
}
END_TEST

/* A .tiktoken of our own with a .json holding only "pat_str": no special
 * tokens, so no end-of-text id, and the vocabulary is the ranks. */
static void custom_files(void)
{
	char dir[] = "/tmp/test_bpe.XXXXXX", path[64], jpath[64];
	FILE *in, *out;
	char line[256];
	struct bpe *t;
	struct sl_err err;
	struct ids v;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/mine.tiktoken", dir);
	snprintf(jpath, sizeof(jpath), "%s/mine.json", dir);
	in = fopen("model/data/r50k_base.tiktoken", "r");
	out = fopen(path, "w");
	ck_assert(in && out);
	while (fgets(line, sizeof(line), in))
		fputs(line, out);
	fclose(in);
	ck_assert_int_eq(fclose(out), 0);
	out = fopen(jpath, "w");
	fputs("{\"pat_str\": \" ?\\\\p{L}+| ?[^\\\\s\\\\p{L}]+|\\\\s+\"}", out);
	ck_assert_int_eq(fclose(out), 0);
	ck_assert_msg(bpe_open(&t, path, &err) == 0, "%s", err.msg);
	ck_assert_uint_eq(bpe_vocab_size(t), 50256);
	ck_assert_uint_eq(bpe_eot_id(t), BPE_NO_ID);
	ids_init(&v);
	ck_assert_int_eq(bpe_encode(t, NULL, "Hello world", 11,
				    BPE_ALLOW_SPECIAL, &v, &err), 0);
	ck_assert_uint_eq(v.len, 2);
	ck_assert_uint_eq(v.v[0], 15496);
	ck_assert_uint_eq(v.v[1], 995);
	ids_release(&v);
	bpe_close(t);
	unlink(jpath);
	ck_assert_int_eq(bpe_open(&t, path, &err), -1);
	ck_assert(strstr(err.msg, "mine.json") != NULL);
	unlink(path);
	rmdir(dir);
}

START_TEST(open_from_path)
{
	struct bpe *t, *u;
	struct sl_err err;
	struct ids a, b;
	const char *text = "Hello world, it's 2024!\n\n  x\xc2\x85y";

	ck_assert_int_eq(bpe_open(&t, "model/data/r50k_base.tiktoken", &err), 0);
	u = open_ok("gpt2", "pat_str");
	ids_init(&a);
	ids_init(&b);
	ck_assert_int_eq(bpe_encode(t, NULL, text, strlen(text), 0, &a, &err), 0);
	ck_assert_int_eq(bpe_encode(u, NULL, text, strlen(text), 0, &b, &err), 0);
	ck_assert_uint_eq(a.len, b.len);
	ck_assert_int_eq(memcmp(a.v, b.v, a.len * 4), 0);
	ck_assert_uint_eq(bpe_vocab_size(t), 50257);
	ids_release(&a);
	ids_release(&b);
	bpe_close(t);
	bpe_close(u);
	custom_files();
	ck_assert_int_eq(bpe_open(&t, "p50k_base", &err), -1);
	ck_assert(strstr(err.msg, "unknown tokenizer 'p50k_base'") != NULL);
	ck_assert_int_eq(bpe_open(&t, "/nonexistent/x.tiktoken", &err), -1);
	ck_assert(strstr(err.msg, "cannot open '/nonexistent/x.tiktoken'"));
	ck_assert_int_eq(bpe_open(&t, "tests/data/tokenizers/SOURCES.md",
				  &err), -1);
}
END_TEST

START_TEST(bad_rank_files)
{
	struct bpe t;
	struct sl_err err;

	memset(&t, 0, sizeof(t));
	ck_assert_int_eq(parse_ranks(&t, "IQ== 0\nIg== 5\n", 14, &err), -1);
	ck_assert(strstr(err.msg, "ranks must be dense") != NULL);
	free(t.blob);
	free(t.tok_off);
	memset(&t, 0, sizeof(t));
	ck_assert_int_eq(parse_ranks(&t, "IQ== 0\nIg== 1\n", 14, &err), -1);
	ck_assert(strstr(err.msg, "byte 0x00 has no rank") != NULL);
	free(t.blob);
	free(t.tok_off);
	free(t.slots);
	free(t.rank2);
	memset(&t, 0, sizeof(t));
	ck_assert_int_eq(parse_ranks(&t, "I$== 0\n", 7, &err), -1);
	ck_assert(strstr(err.msg, "line 1: bad base64") != NULL);
	free(t.blob);
	free(t.tok_off);
}
END_TEST

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* A 100 kB piece with nothing to split on, encoded in well under a second
 * (tiktoken: 7.5 s), and decoding back to itself. */
static void worst_case(const char *name, const char *unit)
{
	struct bpe *t = open_ok(name, "pat_str");
	struct buf text, back;
	struct ids v;
	struct sl_err err;
	double t0;

	buf_init(&text, 0);
	buf_init(&back, 0);
	ids_init(&v);
	while (text.len < 100000)
		ck_assert_int_eq(buf_adds(&text, unit), 0);
	t0 = now();
	ck_assert_int_eq(bpe_encode(t, NULL, text.data, text.len, 0, &v,
				    &err), 0);
	t0 = now() - t0;
	printf("worst case %s x %zu bytes, %s: %zu tokens in %.3f s\n",
	       unit[0] == 'a' ? "'a'" : "han", text.len, name, v.len, t0);
	ck_assert_msg(t0 < 1.0, "took %.3f s", t0);
	ck_assert(v.len > 10 && v.len < text.len);
	ck_assert_int_eq(bpe_decode(t, v.v, v.len, &back, &err), 0);
	ck_assert_uint_eq(back.len, text.len);
	ck_assert_int_eq(memcmp(back.data, text.data, text.len), 0);
	ids_release(&v);
	buf_release(&text);
	buf_release(&back);
	bpe_close(t);
}

START_TEST(worst_case_100k)
{
	/* Han with no punctuation: one \p{L}+ piece */
	static const char *han = "\xe6\x88\x91\xe4\xbb\xac\xe7\x9a\x84\xe4"
		"\xb8\xad\xe6\x96\x87\xe6\xb5\x8b\xe8\xaf\x95\xe6\x96\x87"
		"\xe6\x9c\xac\xe5\xbe\x88\xe9\x95\xbf\xe6\xb2\xa1\xe6\x9c"
		"\x89\xe6\xa0\x87\xe7\x82\xb9\xe7\xac\xa6\xe5\x8f\xb7";

	worst_case(encs[_i], "a");
	worst_case(encs[_i], han);
}
END_TEST

START_TEST(invalid_utf8)
{
	struct bpe *t = open_ok(encs[_i], "pat_str");
	static const char text[] = "ok \xff\xfe caf\xc3 \xed\xa0\x80 x\xc3\xa9"
		"\x80\x80\x80 <|endoftext|\xf4\x90\x80\x80";
	size_t len = sizeof(text) - 1;
	struct ids v;
	struct buf b;
	struct sl_err err;

	ids_init(&v);
	buf_init(&b, 0);
	ck_assert_int_eq(bpe_encode(t, NULL, text, len, BPE_ALLOW_SPECIAL, &v,
				    &err), 0);
	ck_assert_int_eq(bpe_decode(t, v.v, v.len, &b, &err), 0);
	ck_assert_uint_eq(b.len, len);
	ck_assert_int_eq(memcmp(b.data, text, len), 0);
	/* a lone invalid byte is its byte token */
	ids_reset(&v);
	ck_assert_int_eq(bpe_encode(t, NULL, "\xff", 1, 0, &v, &err), 0);
	ck_assert_uint_eq(v.len, 1);
	ck_assert_uint_eq(v.v[0], t->byte_rank[0xff]);
	/* empty text, even as a NULL pointer, appends nothing */
	ck_assert_int_eq(bpe_encode(t, NULL, NULL, 0, BPE_ALLOW_SPECIAL, &v,
				    &err), 0);
	ck_assert_uint_eq(v.len, 1);
	ids_release(&v);
	buf_release(&b);
	bpe_close(t);
}
END_TEST

/* tiktoken's loop with unbounded arrays: the reference for both merges. */
static size_t reference_merge(const struct bpe *t, const uint8_t *p, size_t n,
			      uint32_t *out)
{
	size_t *start = malloc((n + 1) * sizeof(*start)), np = n + 1, k = 0;

	for (size_t i = 0; i <= n; i++)
		start[i] = i;
	for (;;) {
		uint32_t min = BPE_NO_ID, r;
		size_t best = 0;

		for (size_t i = 0; i + 2 < np; i++) {
			r = rank_of(t, p + start[i], start[i + 2] - start[i]);
			if (r < min) {
				min = r;
				best = i;
			}
		}
		if (min == BPE_NO_ID)
			break;
		memmove(start + best + 1, start + best + 2,
			(np - best - 2) * sizeof(*start));
		np--;
	}
	for (size_t i = 0; i + 1 < np; i++)
		out[k++] = rank_of(t, p + start[i], start[i + 1] - start[i]);
	free(start);
	return k;
}

START_TEST(merge_matches_reference)
{
	struct bpe *t = open_ok(encs[_i], "pat_str");
	struct bpe_scratch *s = bpe_scratch_new();
	static const char *alpha[] = { "ab", "aab ", "the quick", "\xe4\xb8\xad",
				       "0123456789", "\xff\x00\x80 e" };
	uint8_t p[600];
	uint32_t want[600];
	struct ids a, b;
	unsigned seed = 12345;

	ids_init(&a);
	ids_init(&b);
	for (int iter = 0; iter < 3000; iter++) {
		const char *al = alpha[iter % 6];
		size_t na = strlen(al) ? strlen(al) : 1, n, k;

		if (iter % 6 == 5)
			na = 6;
		n = 2 + (seed = seed * 1103515245 + 12345) % (iter % 3 ? 47 : 599);
		for (size_t i = 0; i < n; i++)
			p[i] = (uint8_t)al[(seed = seed * 1103515245 + 12345) /
					   65536 % na];
		k = reference_merge(t, p, n, want);
		ids_reset(&a);
		ids_reset(&b);
		ck_assert_int_eq(merge_heap(t, s, p, n, &a, NULL), 0);
		ck_assert_uint_eq(a.len, k);
		ck_assert_int_eq(memcmp(a.v, want, k * 4), 0);
		if (n <= BPE_SMALL) {
			ck_assert_int_eq(merge_small(t, s, p, n, &b, NULL), 0);
			ck_assert_uint_eq(b.len, k);
			ck_assert_int_eq(memcmp(b.v, want, k * 4), 0);
		}
	}
	ids_release(&a);
	ids_release(&b);
	bpe_scratch_free(s);
	bpe_close(t);
}
END_TEST

/* The chain merge against the reference on text of many-byte characters
 * that do and do not join into tokens (Chinese words, kana, Hangul, an
 * emoji, invalid bytes, ASCII), short and long, repeated to force spans to
 * join and the fallback to run; one scratch throughout, so the caches of
 * units, pairs and spans are reused as in a real run. */
START_TEST(chain_matches_reference)
{
	static const char *bits[] = {
		"\xe7\x9a\x84", "\xe4\xb8\xad", "\xe5\x9b\xbd", "\xe4\xba\xba",
		"\xe6\x88\x91", "\xe4\xbb\xac", "\xe6\x98\xaf", "\xe4\xb8\x8d",
		"\xe5\x9c\xa8", "\xe9\xbe\x98", "\xe9\xbd\x89", "\xe3\x81\xae",
		"\xe3\x82\xab", "\xea\xb0\x80", "\xef\xbc\x8c", "\xe3\x80\x82",
		"\xf0\x9f\x98\x80", "\xc3\xa9", "\xff", "\xe4", "\x80", "a", " ",
		"\xe4\xb8\xad\xe5\x9b\xbd\xe4\xba\xba",
	};
	const size_t nb = sizeof(bits) / sizeof(bits[0]);
	struct bpe *t = open_ok(encs[_i], NULL);
	struct bpe_scratch *s = bpe_scratch_new();
	static uint8_t p[4100];
	static uint32_t want[4100];
	struct ids a;
	unsigned seed = 4242 + (unsigned)_i;

	ids_init(&a);
	for (int iter = 0; iter < 4000; iter++) {
		size_t n = 0, k, max = iter % 50 == 0 ? 4000 : iter % 3 ? 40 : 300;
		/* a few symbols per text, so neighbours recur and join */
		size_t pick = 1 + (seed = seed * 1103515245 + 12345) / 65536 % 5;
		size_t sym[5];

		for (k = 0; k < pick; k++)
			sym[k] = (seed = seed * 1103515245 + 12345) / 65536 % nb;
		while (n < max) {
			const char *b = bits[sym[(seed = seed * 1103515245 +
						  12345) / 65536 % pick]];
			size_t bl = strlen(b) ? strlen(b) : 1;

			if (n + bl > max)
				break;
			memcpy(p + n, b, bl);
			n += bl;
		}
		if (n < 2)
			continue;
		k = reference_merge(t, p, n, want);
		ids_reset(&a);
		ck_assert_int_eq(merge_chain(t, s, p, n, &a), 0);
		ck_assert_uint_eq(a.len, k);
		ck_assert_int_eq(memcmp(a.v, want, k * 4), 0);
	}
	ids_release(&a);
	bpe_scratch_free(s);
	bpe_close(t);
}
END_TEST

/* Is p[0..len) a proper prefix (kind 0) or suffix (1) of some token, by
 * looking at every token. */
static int affix_brute(const struct bpe *t, const uint8_t *p, size_t len,
		       int kind)
{
	for (uint32_t r = 0; r < t->n_ranks; r++) {
		const uint8_t *q = t->blob + t->tok_off[r];
		size_t n = t->tok_off[r + 1] - t->tok_off[r];

		if (n > len && !memcmp(kind ? q + n - len : q, p, len))
			return 1;
	}
	return 0;
}

/* The filters of bpe_affix.c never say no to a yes: every proper prefix
 * and suffix of 1-4 bytes of every token is found, every split x y of a
 * short token has y's bit in x's filter, every token of 3+ bytes passes
 * the token filter; and the sets do say no, exactly where no token has
 * the string. */
START_TEST(affix_filters_hold_every_token)
{
	struct bpe *t = open_ok(encs[_i], NULL);
	unsigned seed = 99 + (unsigned)_i;
	size_t no = 0;

	for (uint32_t r = 0; r < t->n_ranks; r++) {
		const uint8_t *p = t->blob + t->tok_off[r];
		size_t n = t->tok_off[r + 1] - t->tok_off[r];

		for (size_t k = 1; k <= 4 && k < n; k++) {
			ck_assert(bpe_affix_has(t, p, k, 0));
			ck_assert(bpe_affix_has(t, p + n - k, k, 1));
			if (n - k <= 4)
				ck_assert(bpe_affix_cont(t, p, k) >>
					  bpe_cont_bit(p + k, n - k) & 1);
		}
		if (n >= 3)
			ck_assert(bpe_maybe_token(t->maybe, p, n));
	}
	for (int i = 0; i < 300; i++) {
		uint8_t x[4];
		size_t len = 1 + i % 4;
		int kind = i / 4 % 2;

		for (size_t k = 0; k < len; k++)
			x[k] = (uint8_t)(0x80 | (seed = seed * 1103515245 +
						 12345) / 65536 % 64);
		if (len >= 2)
			x[0] |= 0x60;	/* a lead byte, as in a character */
		ck_assert_int_eq(bpe_affix_has(t, x, len, kind),
				 affix_brute(t, x, len, kind));
		no += !affix_brute(t, x, len, kind);
	}
	ck_assert_uint_gt(no, 50);	/* the test did test the "no" side */
	bpe_close(t);
}
END_TEST

/* The hand-run ASCII split against PCRE2 alone, on random text built
 * from pieces that stress each alternative (contractions, case changes,
 * digit runs, CR/LF and space runs, punctuation, bytes >= 0x80). */
START_TEST(ascii_split_matches_pcre2)
{
	static const char *bits[] = {
		"'s", "'S", "'re", "'LL", "'ve", "'x", "'", "'\xc5\xbf", "a", "Ab",
		"ABC", "abc", "HTTPServer", "1", "12", "1234", " ", "  ", "\t",
		"\n", "\r\n", " \n ", "\n\n", "!", "...", "/", "//", "(", " (",
		"\xc2\xa0", "\xc2\x85", "\xc3\xa9", "\xe4\xb8\xad", "\xff",
		"\xd9\xa3", "x/", "don't", "I'M", "\x0b", "\x0c", "-", "_",
		/* CJK: ideographs, kana, Hangul, CJK and full-width
		 * punctuation (wide_match()), and neighbours it must leave to
		 * PCRE2: a full-width digit, a combining mark, U+3000, Lm */
		"\xe4\xb8\xad\xe6\x96\x87", "\xe3\x81\xae", "\xea\xb0\x80",
		"\xef\xbc\x8c", "\xe3\x80\x82", "\xe3\x80\x8c",
		"\xe2\x80\x9c", "\xef\xbc\x91", "\xcc\x81", "\xe3\x80\x80",
		"\xe3\x80\x85", "\xe3\x83\xbc", "\xef\xbd\xa5",
	};
	struct bpe *t = open_ok(encs[_i], NULL);
	struct bpe_scratch *s = bpe_scratch_new();
	struct ids a, b;
	struct sl_err err;
	char text[256];
	unsigned seed = 777 + (unsigned)_i;
	int kind = t->ascii;

	ck_assert_int_ne(kind, BPE_ASCII_NONE);
	ids_init(&a);
	ids_init(&b);
	for (int iter = 0; iter < 20000; iter++) {
		size_t len = 0;
		int parts = 1 + (int)((seed = seed * 1103515245 + 12345) >> 16) % 12;

		for (int k = 0; k < parts; k++) {
			const char *w = bits[((seed = seed * 1103515245 + 12345)
					      >> 16) % (sizeof(bits) / sizeof(*bits))];

			memcpy(text + len, w, strlen(w));
			len += strlen(w);
		}
		ids_reset(&a);
		ids_reset(&b);
		t->ascii = kind;
		ck_assert_int_eq(encode_ordinary(t, s, RE_EXACT, text, len, &a,
						 &err), 0);
		t->ascii = BPE_ASCII_NONE;
		ck_assert_int_eq(encode_ordinary(t, s, RE_EXACT, text, len, &b,
						 &err), 0);
		ck_assert_msg(a.len == b.len && !memcmp(a.v, b.v, a.len * 4),
			      "%s: '%.*s'", encs[_i], (int)len, text);
	}
	t->ascii = kind;
	ids_release(&a);
	ids_release(&b);
	bpe_scratch_free(s);
	bpe_close(t);
}
END_TEST

/* Encoding in parts cut at bpe_safe_cut() gives the ids of the whole:
 * the golden texts joined by newlines, fed through windows of odd sizes. */
START_TEST(safe_cut_keeps_ids)
{
	struct bpe *t = open_ok(encs[_i], NULL);
	struct buf doc;
	struct ids whole, parts;
	struct sl_err err;
	size_t cuts = 0;

	load_golden();
	buf_init(&doc, 0);
	for (size_t i = 0; i < ncases; i++) {
		ck_assert_int_eq(buf_add(&doc, cases[i].text, cases[i].len), 0);
		ck_assert_int_eq(buf_adds(&doc, i % 3 ? "\n" : ".\nA"), 0);
	}
	for (unsigned flags = 0; flags <= BPE_ALLOW_SPECIAL; flags++) {
		size_t pos = 0, win = 97;

		ids_init(&whole);
		ids_init(&parts);
		ck_assert_int_eq(bpe_encode(t, NULL, doc.data, doc.len, flags,
					    &whole, &err), 0);
		while (pos < doc.len) {
			size_t end = pos + win < doc.len ? pos + win : doc.len;
			size_t cut = end == doc.len ? end - pos :
				bpe_safe_cut(t, doc.data + pos, end - pos);

			if (!cut) {
				win *= 2;
				continue;
			}
			ck_assert_int_eq(bpe_encode(t, NULL, doc.data + pos, cut,
						    flags, &parts, &err), 0);
			pos += cut;
			win = 97 + pos % 1000;
			cuts++;
		}
		ck_assert_uint_eq(parts.len, whole.len);
		ck_assert_int_eq(memcmp(parts.v, whole.v, whole.len * 4), 0);
		ids_release(&whole);
		ids_release(&parts);
	}
	ck_assert_uint_gt(cuts, 500);
	ck_assert_uint_eq(bpe_safe_cut(t, "ab\nc", 5), 3);
	ck_assert_uint_eq(bpe_safe_cut(t, "a \nc", 5), 0);	/* space run */
	ck_assert_uint_eq(bpe_safe_cut(t, "a!\n/", 5), 0);	/* o200k [\r\n/]* */
	buf_release(&doc);
	bpe_close(t);
}
END_TEST

struct thread_arg {
	const struct bpe *t;
	int bad;
};

static void *thread_encode(void *arg)
{
	struct thread_arg *ta = arg;
	struct bpe_scratch *s = bpe_scratch_new();
	struct ids v;
	struct sl_err err;

	ids_init(&v);
	for (int rep = 0; rep < 3; rep++)
		for (size_t i = 0; i < ncases; i++) {
			struct gcase *c = &cases[i];

			if (strcmp(c->enc, "cl100k_base"))
				continue;
			ids_reset(&v);
			if (bpe_encode(ta->t, s, (char *)c->text, c->len,
				       c->special ? BPE_ALLOW_SPECIAL : 0, &v,
				       &err) || !ids_eq(&v, c->ids, c->n))
				ta->bad++;
		}
	ids_release(&v);
	bpe_scratch_free(s);
	return NULL;
}

START_TEST(concurrent_encodes)
{
	struct bpe *t = open_ok("cl100k_base", "pat_str");
	pthread_t th[4];
	struct thread_arg ta[4];

	load_golden();
	for (int i = 0; i < 4; i++) {
		ta[i] = (struct thread_arg){ t, 0 };
		ck_assert_int_eq(pthread_create(&th[i], NULL, thread_encode,
						&ta[i]), 0);
	}
	for (int i = 0; i < 4; i++) {
		pthread_join(th[i], NULL);
		ck_assert_int_eq(ta[i].bad, 0);
	}
	bpe_close(t);
}
END_TEST

START_TEST(regex_rewrite_matches_rust)
{
	struct buf b;

	buf_init(&b, 0);
	ck_assert_int_eq(rewrite_pattern("\\s+(?!\\S)|[^\\s\\p{Zs}]", 1, &b), 0);
	ck_assert_str_eq(b.data, "[" WS_CLASS "]+(?![^" WS_CLASS "])|[^"
			 WS_CLASS "\\p{Zs}]");
	/* Unicode 16.0's digits (Garay first) join PCRE2's \p{N} */
	buf_reset(&b);
	ck_assert_int_eq(rewrite_pattern("\\p{N}+|[a\\p{N}]", 1, &b), 0);
	ck_assert(!strncmp(b.data, "[\\p{N}\\x{10D40}-\\x{10D49}", 25));
	ck_assert(strstr(b.data, "]+|[a\\p{N}\\x{10D40}") != NULL);
	buf_reset(&b);
	ck_assert_int_eq(rewrite_pattern("[^\\S]", 1, &b), -1);
	buf_release(&b);
}
END_TEST

static Suite *bpe_suite(void)
{
	Suite *s = suite_create("bpe");
	TCase *tc = tcase_create("bpe");

	tcase_set_timeout(tc, 120);
	tcase_add_loop_test(tc, golden_pat_str, 0, 3);
	tcase_add_loop_test(tc, golden_pat_str_upstream, 0, 3);
	tcase_add_loop_test(tc, golden_round_trip, 0, 3);
	tcase_add_test(tc, special_is_ordinary_by_default);
	tcase_add_loop_test(tc, vocab_and_lookup, 0, 4);
	tcase_add_test(tc, open_from_path);
	tcase_add_test(tc, bad_rank_files);
	tcase_add_loop_test(tc, worst_case_100k, 0, 3);
	tcase_add_loop_test(tc, invalid_utf8, 0, 3);
	tcase_add_loop_test(tc, merge_matches_reference, 0, 3);
	tcase_add_loop_test(tc, chain_matches_reference, 0, 3);
	tcase_add_loop_test(tc, affix_filters_hold_every_token, 0, 3);
	tcase_add_loop_test(tc, ascii_split_matches_pcre2, 0, 3);
	tcase_add_loop_test(tc, safe_cut_keeps_ids, 0, 3);
	tcase_add_test(tc, concurrent_encodes);
	tcase_add_test(tc, regex_rewrite_matches_rust);
	suite_add_tcase(s, tc);
	return s;
}

SL_CHECK_MAIN(bpe_suite)
