/*
 * quality.c: the heuristic quality rules of Gopher (Rae et al. 2021,
 * "Scaling Language Models", appendix A.1.1: quality and repetition
 * filters), C4 (Raffel et al. 2020, section 2.2) and FineWeb (Penedo et al.
 * 2024), with the thresholds of datatrove's reference classes
 * (GopherRepetitionFilter, GopherQualityFilter, C4QualityFilter,
 * FineWebQualityFilter) as defaults.  The first rule that fires drops the
 * document with its reason code, and the score is the measured value
 * that crossed the threshold.  The rule sets run cheapest
 * first: Gopher quality, Gopher repetition, C4, FineWeb (FineWeb's
 * pipeline runs repetition before quality: the decision is the same, only
 * a document that breaks rules of both is reported under the quality
 * rule).
 *
 * Words are textstats words (runs of letters and digits; each Han and kana
 * character one word), so the word-based rules work on Chinese and
 * Japanese.  Where this differs from datatrove, which tokenizes with NLTK
 * or spaCy and keeps punctuation tokens as words:
 *   - the hash/ellipsis ratio and the alphabetic-word share are taken over
 *     words without punctuation tokens: that is the paper's wording ("80%
 *     of words contain at least one alphabetic character"); datatrove's
 *     count of punctuation tokens lowers the share on well-punctuated text;
 *   - n-grams are over those same words.
 * Lengths are in code points, as Python's len().
 *
 * Language-dependent rules (doc->lang, or default_lang when unset):
 *   - the mean word length (3..10 characters) is skipped for the
 *     languages of no_word_length_langs (default zh, ja, ko, th: one
 *     character per word, or syllable blocks);
 *   - stop words: Gopher's eight English words for en; for zh and ja our
 *     own lists of the eight most frequent function characters (zh: 的 了
 *     是 在 和 有 不 这; ja: の に は を が で た て); no rule for other
 *     languages;
 *   - terminal punctuation (C4 lines, FineWeb's line ratio) includes the
 *     CJK full stops and marks 。！？ and the ideographic ellipsis.
 *
 * C4 removes lines (no terminal punctuation, fewer than 3 words, a word
 * longer than 1000 characters, "javascript", cookie/privacy policy
 * notices) and strips Wikipedia citation marks; like datatrove's filter,
 * this stage then rewrites the text (out->rewrite), and the FineWeb rules
 * judge the rewritten text.
 *
 * A threshold of 0 turns its rule off (datatrove's convention); each rule
 * family also has an on/off switch.
 *
 * Scratch: the word array, a counting hash table cleared by generation
 * stamps (no allocation per word or per document once warmed up), a
 * lower-cased copy of the text, and the C4 output buffer.
 */
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stage.h"
#include "textstats.h"
#include "../lib/err.h"
#include "../lib/hash.h"
#include "../lib/utf8.h"
#include "../lib/banned.h"

#define MAX_NGRAM_RULES 16

struct quality_conf {
	int gopher_repetition;
	double dup_line_frac, dup_para_frac, dup_line_char_frac,
	       dup_para_char_frac;
	char top_ngrams[OPT_STRING_MAX], dup_ngrams[OPT_STRING_MAX];
	int gopher_quality;
	long min_words, max_words;
	double min_mean_word_length, max_mean_word_length;
	double max_symbol_ratio, max_bullet_lines, max_ellipsis_lines;
	double min_alpha_words;
	long min_stop_words;
	int c4;
	int c4_terminal_punct, c4_lorem_ipsum, c4_javascript,
	    c4_curly_bracket, c4_policy, c4_citations;
	long c4_min_sentences, c4_min_words_per_line, c4_max_word_length;
	int fineweb;
	double fw_line_punct, fw_short_line_ratio, fw_char_dup_ratio,
	       fw_newline_ratio;
	int fw_line_punct_exclude_zero;
	long fw_short_line_length;
	char no_word_length_langs[OPT_STRING_MAX];
	char default_lang[OPT_STRING_MAX];
};

#define O(f) offsetof(struct quality_conf, f)
static const struct stage_opt opts[] = {
	{ "gopher_repetition", OPT_BOOL, O(gopher_repetition), "true",
	  "Gopher repetition rules (datatrove GopherRepetitionFilter)", 1, 0 },
	{ "dup_line_frac", OPT_DOUBLE, O(dup_line_frac), "0.3",
	  "drop above this share of duplicate lines (Gopher table A1 and "
	  "datatrove)", 0, 1 },
	{ "dup_para_frac", OPT_DOUBLE, O(dup_para_frac), "0.3",
	  "drop above this share of duplicate paragraphs (Gopher, datatrove)",
	  0, 1 },
	{ "dup_line_char_frac", OPT_DOUBLE, O(dup_line_char_frac), "0.2",
	  "drop above this share of characters in duplicate lines (Gopher, "
	  "datatrove)", 0, 1 },
	{ "dup_para_char_frac", OPT_DOUBLE, O(dup_para_char_frac), "0.2",
	  "drop above this share of characters in duplicate paragraphs "
	  "(Gopher, datatrove)", 0, 1 },
	{ "top_ngrams", OPT_STRING, O(top_ngrams), "2:0.2,3:0.18,4:0.16",
	  "n:max share of characters in the most frequent word n-gram "
	  "(Gopher, datatrove)", 1, 0 },
	{ "dup_ngrams", OPT_STRING, O(dup_ngrams),
	  "5:0.15,6:0.14,7:0.13,8:0.12,9:0.11,10:0.1",
	  "n:max share of characters in duplicated word n-grams (Gopher, "
	  "datatrove)", 1, 0 },
	{ "gopher_quality", OPT_BOOL, O(gopher_quality), "true",
	  "Gopher quality rules (datatrove GopherQualityFilter)", 1, 0 },
	{ "min_words", OPT_INT, O(min_words), "50",
	  "fewest words (Gopher, datatrove)", 0, 1e9 },
	{ "max_words", OPT_INT, O(max_words), "100000",
	  "most words (Gopher, datatrove)", 0, 1e12 },
	{ "min_mean_word_length", OPT_DOUBLE, O(min_mean_word_length), "3",
	  "shortest mean word length, characters (Gopher, datatrove)", 0, 1e3 },
	{ "max_mean_word_length", OPT_DOUBLE, O(max_mean_word_length), "10",
	  "longest mean word length, characters (Gopher, datatrove)", 0, 1e3 },
	{ "max_symbol_ratio", OPT_DOUBLE, O(max_symbol_ratio), "0.1",
	  "most '#' per word, and most '...'/'…' per word (Gopher, datatrove)",
	  0, 1e3 },
	{ "max_bullet_lines", OPT_DOUBLE, O(max_bullet_lines), "0.9",
	  "largest share of lines starting with a bullet (•, -) (Gopher, "
	  "datatrove)", 0, 1 },
	{ "max_ellipsis_lines", OPT_DOUBLE, O(max_ellipsis_lines), "0.3",
	  "largest share of lines ending with an ellipsis (Gopher, datatrove)",
	  0, 1 },
	{ "min_alpha_words", OPT_DOUBLE, O(min_alpha_words), "0.8",
	  "smallest share of words with a letter (Gopher; datatrove counts "
	  "punctuation tokens as words too)", 0, 1 },
	{ "min_stop_words", OPT_INT, O(min_stop_words), "2",
	  "fewest stop words, for languages with a list (Gopher, datatrove: "
	  "en; ours: zh, ja)", 0, 1e6 },
	{ "c4", OPT_BOOL, O(c4), "true",
	  "C4 rules (datatrove C4QualityFilter); removes lines, so rewrites",
	  1, 0 },
	{ "c4_terminal_punct", OPT_BOOL, O(c4_terminal_punct), "true",
	  "remove lines not ending in terminal punctuation (C4, datatrove; "
	  "FineWeb's pipeline turns it off)", 1, 0 },
	{ "c4_min_words_per_line", OPT_INT, O(c4_min_words_per_line), "3",
	  "remove lines with fewer words (C4, datatrove)", 0, 1e6 },
	{ "c4_max_word_length", OPT_INT, O(c4_max_word_length), "1000",
	  "remove lines with a longer word, characters (C4, datatrove)", 0,
	  1e9 },
	{ "c4_min_sentences", OPT_INT, O(c4_min_sentences), "5",
	  "drop with fewer sentences left (C4, datatrove)", 0, 1e6 },
	{ "c4_lorem_ipsum", OPT_BOOL, O(c4_lorem_ipsum), "true",
	  "drop documents with 'lorem ipsum' (C4, datatrove)", 1, 0 },
	{ "c4_javascript", OPT_BOOL, O(c4_javascript), "true",
	  "remove lines mentioning javascript (C4, datatrove)", 1, 0 },
	{ "c4_curly_bracket", OPT_BOOL, O(c4_curly_bracket), "true",
	  "drop documents with '{' (C4, datatrove)", 1, 0 },
	{ "c4_policy", OPT_BOOL, O(c4_policy), "true",
	  "remove lines with 'terms of use', 'privacy policy', cookie "
	  "notices (C4, datatrove)", 1, 0 },
	{ "c4_citations", OPT_BOOL, O(c4_citations), "true",
	  "strip citation marks [1], [edit], [citation needed] (C4, "
	  "datatrove)", 1, 0 },
	{ "fineweb", OPT_BOOL, O(fineweb), "true",
	  "FineWeb rules (datatrove FineWebQualityFilter)", 1, 0 },
	{ "fw_line_punct", OPT_DOUBLE, O(fw_line_punct), "0.12",
	  "drop below this share of lines ending in terminal punctuation "
	  "(FineWeb, datatrove)", 0, 1 },
	{ "fw_line_punct_exclude_zero", OPT_BOOL,
	  O(fw_line_punct_exclude_zero), "false",
	  "keep documents with no punctuated line at all (datatrove option)",
	  1, 0 },
	{ "fw_short_line_length", OPT_INT, O(fw_short_line_length), "30",
	  "a line this long or shorter is short, characters (FineWeb, "
	  "datatrove)", 0, 1e6 },
	{ "fw_short_line_ratio", OPT_DOUBLE, O(fw_short_line_ratio), "0.67",
	  "drop at or above this share of short lines (FineWeb, datatrove)",
	  0, 1 },
	{ "fw_char_dup_ratio", OPT_DOUBLE, O(fw_char_dup_ratio), "0.01",
	  "drop at or above this share of characters in duplicate lines "
	  "(FineWeb, datatrove)", 0, 1 },
	{ "fw_newline_ratio", OPT_DOUBLE, O(fw_newline_ratio), "0.3",
	  "drop above this many line breaks per word (FineWeb, datatrove)",
	  0, 1e6 },
	{ "no_word_length_langs", OPT_STRING, O(no_word_length_langs),
	  "zh,ja,ko,th", "languages without the mean-word-length rule "
	  "(ours: their words are one character or syllable)", 1, 0 },
	{ "default_lang", OPT_STRING, O(default_lang), "en",
	  "language assumed when the lang stage has not run (datatrove's "
	  "filters default to English)", 1, 0 },
	{ 0 },
};
#undef O

struct ngram_rule {
	int n;
	double max;
};

struct quality_state {
	struct quality_conf cf;
	int ntop, ndup, min_dup_n;
	struct ngram_rule top[MAX_NGRAM_RULES], dup[MAX_NGRAM_RULES];
};

struct word {
	uint64_t h;
	uint32_t nchars;
};

/* 12 bytes, so the table of a typical document stays in L1/L2: the key
 * is 32 bits of the hash that did not pick the slot (so ~43 bits in all
 * for tables of 2^11 slots: a false match needs two n-grams agreeing on
 * them), gen marks the slots of the current count, count saturates;
 * first is the word position of the key's first occurrence (n-gram
 * counts only: count_level() marks it when the key comes again). */
struct slot {
	uint32_t key;
	uint16_t gen, count;
	uint32_t first;
};

/* Per word position: does the n-gram of the shortest dup_ngrams rule
 * starting here occur more than once in the document? */

#define CLS_BITS 12
#define CLS_CACHE (1 << CLS_BITS)

struct qscratch {
	struct word *w;
	uint64_t *pre;		/* pre[i] = chars of words 0..i-1 */
	uint8_t *rep, *rep2;	/* see above; rep2: the other level */
	uint64_t *g;		/* see grams_to() */
	size_t *off;		/* byte offset of each word */
	size_t c4_words;	/* words of the lines C4 kept */
	size_t dup_cand;	/* positions set in rep for the dup rules */
	int gn;
	size_t nw, aw;
	struct slot *tab;
	size_t tabsize;		/* a power of two */
	size_t mask;		/* slots in use for this count, minus 1 */
	uint16_t gen;
	struct buf lower;	/* ASCII-lowercased copy of the text */
	uint32_t cls[CLS_CACHE];	/* see char_class() */
	struct buf c4;		/* the text after C4's line removal */
};

/* ---- options --------------------------------------------------------- */

static int parse_ngrams(const char *key, const char *s, struct ngram_rule *r,
			int *nr, struct sl_err *err)
{
	*nr = 0;
	while (*s) {
		char *end;
		long n = strtol(s, &end, 10);
		double v;

		if (end == s || *end != ':' || n < 1 || n > 50)
			goto bad;
		s = end + 1;
		v = strtod(s, &end);
		if (end == s || !(v >= 0 && v <= 1) || (*end && *end != ','))
			goto bad;
		if (*nr == MAX_NGRAM_RULES)
			return sl_error(err, "[filter.quality] %s: more than "
					"%d entries", key, MAX_NGRAM_RULES);
		r[*nr].n = (int)n;
		r[(*nr)++].max = v;
		s = *end ? end + 1 : end;
	}
	return 0;
bad:
	return sl_error(err, "[filter.quality] %s: '%s' is not a list of "
			"n:share (2:0.2,3:0.18)", key, s);
}

static int open_(void **state, const void *conf, struct sl_err *err)
{
	struct quality_state *s = calloc(1, sizeof(*s));

	if (!s)
		return sl_error(err, "out of memory");
	memcpy(&s->cf, conf, sizeof(s->cf));
	if (parse_ngrams("top_ngrams", s->cf.top_ngrams, s->top, &s->ntop,
			 err) ||
	    parse_ngrams("dup_ngrams", s->cf.dup_ngrams, s->dup, &s->ndup,
			 err)) {
		free(s);
		return -1;
	}
	s->min_dup_n = 1000;
	for (int i = 0; i < s->ndup; i++)
		if (s->dup[i].n < s->min_dup_n)
			s->min_dup_n = s->dup[i].n;
	*state = s;
	return 0;
}

static void close_(void *state)
{
	free(state);
}

static void *scratch_new(const void *state)
{
	struct qscratch *q = calloc(1, sizeof(*q));

	if (q) {
		buf_init(&q->lower, 0);
		buf_init(&q->c4, 0);
	}
	return q;
}

static void scratch_free(void *scratch)
{
	struct qscratch *q = scratch;

	if (!q)
		return;
	free(q->w);
	free(q->pre);
	free(q->rep);
	free(q->rep2);
	free(q->g);
	free(q->off);
	free(q->tab);
	buf_release(&q->lower);
	buf_release(&q->c4);
	free(q);
}

/* ---- counting table -------------------------------------------------- */

/* An empty table of at least 2n slots: a new generation, so no clearing. */
static int tab_begin(struct qscratch *q, size_t n)
{
	size_t want = 1024;

	while (want < 2 * n)
		want *= 2;
	if (want > q->tabsize) {
		free(q->tab);
		q->tab = calloc(want, sizeof(*q->tab));
		if (!q->tab) {
			q->tabsize = 0;
			return -1;
		}
		q->tabsize = want;
		q->gen = 0;
	}
	/* Use only what this document needs: after one huge document the
	 * table stays big, and spreading small documents over all of it
	 * would miss the cache on every probe. */
	q->mask = want - 1;
	if (++q->gen == 0) {	/* wrapped: really clear once in 65535 */
		memset(q->tab, 0, q->tabsize * sizeof(*q->tab));
		q->gen = 1;
	}
	return 0;
}

static uint64_t mix(uint64_t h)
{
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	return h;
}

/* Count one more key; returns its count after this one. */
static uint32_t tab_add(struct qscratch *q, uint64_t key)
{
	uint64_t h = mix(key);
	size_t mask = q->mask, i = h & mask;
	uint32_t k = (uint32_t)(h >> 32);

	for (;; i = (i + 1) & mask) {
		struct slot *s = &q->tab[i];

		if (s->gen != q->gen) {
			s->gen = q->gen;
			s->key = k;
			s->count = 1;
			return 1;
		}
		if (s->key == k) {
			if (s->count < UINT16_MAX)
				s->count++;
			return s->count;
		}
	}
}

/* tab_add() for an n-gram at word position pos: *first is the
 * position of the key's first occurrence (pos itself when new). */
static uint32_t tab_add_at(struct qscratch *q, uint64_t key, size_t pos,
			   size_t *first)
{
	uint64_t h = mix(key);
	size_t mask = q->mask, i = h & mask;
	uint32_t k = (uint32_t)(h >> 32);

	for (;; i = (i + 1) & mask) {
		struct slot *s = &q->tab[i];

		if (s->gen != q->gen) {
			s->gen = q->gen;
			s->key = k;
			s->count = 1;
			s->first = (uint32_t)pos;
			*first = pos;
			return 1;
		}
		if (s->key == k) {
			if (s->count < UINT16_MAX)
				s->count++;
			*first = s->first;
			return s->count;
		}
	}
}

/* ---- text pieces ----------------------------------------------------- */

static int lang_in(const char *lang, const char *list)
{
	size_t n = strlen(lang);

	while (*list) {
		size_t k = strcspn(list, ", ");

		if (k == n && !memcmp(list, lang, n))
			return 1;
		list += k;
		list += strspn(list, ", ");
	}
	return 0;
}

/* Code point count of p[0..n) (valid UTF-8: the bytes that are not
 * continuation bytes 10xxxxxx), eight bytes at a time. */
static size_t nchars(const char *p, size_t n)
{
	size_t c = n, i = 0;

	for (; i + 8 <= n; i += 8) {
		uint64_t x;

		memcpy(&x, p + i, 8);
		x = (x & ~(x << 1) & 0x8080808080808080ULL) >> 7;
		c -= (size_t)((x * 0x0101010101010101ULL) >> 56);
	}
	for (; i < n; i++)
		c -= ((unsigned char)p[i] & 0xC0) == 0x80;
	return c;
}

/* Whether line p[0..n) has at most max characters, without counting
 * when the byte length settles it. */
static int short_line(const char *p, size_t n, size_t max)
{
	if (n <= max)
		return 1;
	if (n > 4 * max)
		return 0;
	return nchars(p, n) <= max;
}

static int ends_with(const char *p, size_t n, const char *s)
{
	size_t k = strlen(s);

	return n >= k && !memcmp(p + n - k, s, k);
}

/* Terminal punctuation: FineWeb's and C4's sentence ends, with the CJK
 * ones; closing quotes count as C4 counts them. */
static int ends_terminal(const char *p, size_t n, int quotes)
{
	static const char *const cjk[] = {
		"。", "！", "？", "｡", "．", "؟", "।", "…", "‼", "⁉",
	};
	unsigned char c;

	if (!n)
		return 0;
	c = (unsigned char)p[n - 1];
	if (c == '.' || c == '!' || c == '?')
		return 1;
	if (quotes && (c == '"' || c == '\''))
		return 1;
	if (c < 0x80)
		return 0;
	for (size_t i = 0; i < sizeof(cjk) / sizeof(cjk[0]); i++)
		if (ends_with(p, n, cjk[i]))
			return 1;
	return 0;
}

/* Trim ASCII white space from both ends of [*p, *p+*n). */
static void trim(const char **p, size_t *n)
{
	while (*n && (**p == ' ' || **p == '\t' || **p == '\r')) {
		(*p)++;
		(*n)--;
	}
	while (*n && ((*p)[*n - 1] == ' ' || (*p)[*n - 1] == '\t' ||
		      (*p)[*n - 1] == '\r'))
		(*n)--;
}

/* ---- the words -------------------------------------------------------- */

struct wstats {
	size_t words, alpha, chars, stop;
};

static const char *const stop_en[] = {
	"the", "be", "to", "of", "and", "that", "have", "with", NULL,
};
static const char *const stop_zh[] = {
	"的", "了", "是", "在", "和", "有", "不", "这", NULL,
};
static const char *const stop_ja[] = {
	"の", "に", "は", "を", "が", "で", "た", "て", NULL,
};

static const char *const *stop_list(const char *lang)
{
	if (!strcmp(lang, "en"))
		return stop_en;
	if (!strcmp(lang, "zh"))
		return stop_zh;
	if (!strcmp(lang, "ja"))
		return stop_ja;
	return NULL;
}

/* A word of at most 7 bytes as one integer (its bytes and length), so
 * the stop-word test is a few integer compares. */
static uint64_t pack(const char *p, size_t n)
{
	const unsigned char *u = (const unsigned char *)p;
	uint64_t v = n;

	switch (n) {	/* n <= 4 here: unrolled, no loop */
	case 4: v |= (uint64_t)u[3] << 32;	/* fall through */
	case 3: v |= (uint64_t)u[2] << 24;	/* fall through */
	case 2: v |= (uint64_t)u[1] << 16;	/* fall through */
	case 1: v |= (uint64_t)u[0] << 8;	/* fall through */
	default: break;
	}
	for (size_t i = 4; i < n; i++)
		v |= (uint64_t)u[i] << (8 * (i + 1));
	return v;
}

static int is_stop(const uint64_t *packed, size_t np, const char *p,
		   size_t n)
{
	uint64_t v = pack(p, n);

	for (size_t i = 0; i < np; i++)
		if (packed[i] == v)
			return 1;
	return 0;
}

/* FNV-1a: words are short, and a call to XXH3 costs more than this. */
static uint64_t word_hash(const char *p, size_t n)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)p[i]) * 0x100000001b3ULL;
	return h;
}

/* textstats_class() of a BMP code point through a direct-mapped cache
 * (entry: code point << 8 | class + 1, 0 empty): Chinese text repeats a
 * few thousand characters, and the uncached class costs one or two
 * utf8proc table lookups behind a chain of range checks. */
static int char_class(struct qscratch *q, int32_t c)
{
	uint32_t *e = &q->cls[((uint32_t)c * 2654435761u) >> (32 - CLS_BITS)];

	if ((*e >> 8) != (uint32_t)c || !*e)
		*e = (uint32_t)c << 8 | (uint32_t)(textstats_class(c) + 1);
	return (int)(*e & 0xFF) - 1;
}

/* Bytes for split_words' fast path: 0 ASCII separator, 1 digit, 2 letter
 * (textstats' classes for these bytes), 4 any byte from 0x80 on. */
#define WB_MULTI 4
static const unsigned char ascii_word[256] = {
	['0'] = 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
#define L8 2, 2, 2, 2, 2, 2, 2, 2
	['A'] = L8, L8, L8, 2, 2,
	['a'] = L8, L8, L8, 2, 2,
#undef L8
#define M8 4, 4, 4, 4, 4, 4, 4, 4
#define M64 M8, M8, M8, M8, M8, M8, M8, M8
	[0x80] = M64, M64,
#undef M64
#undef M8
};

/* Fill q->w and q->pre with the words of the text; gather word stats.
 * Stops after limit + 1 words (0: no limit): a document that long is
 * dropped by the word-count rule, and its words would only cost memory
 * (a 50 MB one-line document has millions). */
/* The word count at which split_words() must look at its limit or grow
 * its arrays (nw + 1 >= aw), so that each word costs one compare. */
static size_t split_bound(const struct qscratch *q, size_t limit)
{
	size_t b = q->aw ? q->aw - 1 : 0;

	return limit && limit + 1 < b ? limit + 1 : b;
}

static int split_words(struct qscratch *q, const char *p, size_t n,
		       const char *const *stops, size_t limit,
		       struct wstats *ws)
{
	size_t pos = 0, np = 0, bound;
	struct tword w;
	uint64_t packed[16];

	uint64_t last[4] = { 0 };	/* last bytes of the stop words */

	for (; stops && stops[np] && np < 16; np++) {
		size_t k = strlen(stops[np]);
		unsigned char b = (unsigned char)stops[np][k - 1];

		packed[np] = pack(stops[np], k);
		last[b >> 6] |= 1ULL << (b & 63);
	}
	memset(ws, 0, sizeof(*ws));
	q->nw = 0;
	q->gn = 0;
	bound = split_bound(q, limit);
	for (;;) {
		const unsigned char *u = (const unsigned char *)p + pos;
		uint64_t h = 0;

		/* an ASCII word is cut and hashed in one pass over its bytes
		 * (word_hash() as it reads them); one that runs into a
		 * non-ASCII byte (a letter or mark may continue it) goes the
		 * general way from its start */
		if (pos < n && u[0] < 0x80) {
			size_t e;
			int k, alpha = 0;

			if (!ascii_word[u[0]]) {	/* a run of separators */
				while (++pos < n && !ascii_word[(unsigned char)p[pos]])
					;
				continue;
			}
			h = 0xcbf29ce484222325ULL;
			/* & 3: stops at separators (0) and non-ASCII (4) */
			for (e = pos; e < n &&
			     ((k = ascii_word[(unsigned char)p[e]]) & 3); e++) {
				h = (h ^ (unsigned char)p[e]) *
				    0x100000001b3ULL;
				alpha |= k;
			}
			if (e == n || (unsigned char)p[e] < 0x80) {
				w.off = pos;
				w.len = w.nchars = e - pos;
				w.alpha = alpha >> 1;
				w.cjk = 0;
				pos = e;
				goto got;
			}
			h = 0;
		}
		/* a 3-byte character (all of the BMP's CJK and its
		 * punctuation) whose class (cached by code point) makes it a
		 * separator or a word by itself is decided here, as
		 * textstats_next_word() would, without a call; letters that
		 * may start a longer word go the general way */
		if (pos + 2 < n && (u[0] & 0xF0) == 0xE0 &&
		    (u[1] & 0xC0) == 0x80 && (u[2] & 0xC0) == 0x80) {
			int32_t cp = (int32_t)(u[0] & 0x0F) << 12 |
				     (int32_t)(u[1] & 0x3F) << 6 | (u[2] & 0x3F);
			int cls = char_class(q, cp);

			if (cls == TC_SEP) {
				pos += 3;
				continue;
			}
			if (cls != TC_CJK)
				goto general;
			w.off = pos;
			w.len = 3;
			w.nchars = 1;
			w.alpha = w.cjk = 1;
			pos += 3;
			/* FNV-1a of the three bytes, as word_hash() */
			h = ((((0xcbf29ce484222325ULL ^ u[0]) *
			       0x100000001b3ULL) ^ u[1]) * 0x100000001b3ULL ^
			     u[2]) * 0x100000001b3ULL;
			goto got;
		}
general:
		if (!textstats_next_word(p, n, &pos, &w)) {
			break;
		}
		h = word_hash(p + w.off, w.len);
got:
		if (q->nw >= bound) {	/* one test for both, per word */
			if (limit && q->nw > limit)
				break;
		}
		if (q->nw + 1 >= q->aw) {
			size_t na = q->aw ? 2 * q->aw : 4096;
			struct word *nw = realloc(q->w, na * sizeof(*nw));
			uint64_t *npre;
			size_t *noff;
			uint8_t *nr;

			if (!nw)
				return -1;
			q->w = nw;
			npre = realloc(q->pre, (na + 1) * sizeof(*npre));
			if (!npre)
				return -1;
			q->pre = npre;
			npre = realloc(q->g, na * sizeof(*npre));
			if (!npre)
				return -1;
			q->g = npre;
			noff = realloc(q->off, na * sizeof(*noff));
			if (!noff)
				return -1;
			q->off = noff;
			nr = realloc(q->rep, na);
			if (!nr)
				return -1;
			q->rep = nr;
			nr = realloc(q->rep2, na);
			if (!nr)
				return -1;
			q->rep2 = nr;
			q->aw = na;
		}
		if (q->nw >= bound)
			bound = split_bound(q, limit);
		q->w[q->nw].h = h;
		q->off[q->nw] = w.off;
		q->w[q->nw].nchars = (uint32_t)w.nchars;
		q->nw++;
		ws->alpha += w.alpha;
		ws->chars += w.nchars;
		if (np && w.len <= 4 &&
		    (last[(unsigned char)p[w.off + w.len - 1] >> 6] >>
		     ((unsigned char)p[w.off + w.len - 1] & 63) & 1) &&
		    is_stop(packed, np, p + w.off, w.len))
			ws->stop++;
	}
	ws->words = q->nw;
	if (q->pre) {
		q->pre[0] = 0;
		for (size_t i = 0; i < q->nw; i++)
			q->pre[i + 1] = q->pre[i] + q->w[i].nchars;
	}
	return 0;
}

/* ---- Gopher repetition ------------------------------------------------ */

/* Lines of p[0..n): sizes the table for lines (not bytes: a 50 MB line
 * needs one slot). */
static size_t count_lines(const char *p, size_t n)
{
	size_t c = 1;
	const char *e = p + n;

	while ((p = memchr(p, '\n', (size_t)(e - p)))) {
		c++;
		p++;
	}
	return c;
}

/* Duplicate pieces among the pieces of p split at runs of >= minbreak
 * newlines: count of repeated pieces, and their characters. */
static int dup_pieces(struct qscratch *q, const char *p, size_t n,
		      int minbreak, size_t *npieces, size_t *ndup,
		      size_t *dupchars)
{
	size_t i = 0;

	*npieces = *ndup = *dupchars = 0;
	if (tab_begin(q, count_lines(p, n)))
		return -1;
	while (i <= n) {
		size_t start = i, end = i, run = 0;

		/* find the next break of >= minbreak newlines */
		for (;;) {
			const char *nl = memchr(p + end, '\n', n - end);

			if (!nl) {
				end = n;
				run = 0;
				break;
			}
			end = (size_t)(nl - p);
			run = 0;
			while (end + run < n && p[end + run] == '\n')
				run++;
			if ((int)run >= minbreak)
				break;
			end += run;
		}
		if (end > start) {
			(*npieces)++;
			if (tab_add(q, hash64(p + start, end - start)) > 1) {
				(*ndup)++;
				*dupchars += nchars(p + start, end - start);
			}
		}
		i = end + (run ? run : 1);
	}
	return 0;
}

/* q->g[i] = hash of the n words from i on, for every i <= nw - n: built
 * up one word at a time (g of n-grams from g of (n-1)-grams), so the
 * passes for n = 2, 3, 4, 5 ... cost one multiply-add per word each. */
static void grams_to(struct qscratch *q, int n)
{
	if (!q->gn || q->gn > n) {
		for (size_t i = 0; i < q->nw; i++)
			q->g[i] = q->w[i].h;
		q->gn = 1;
	}
	for (; q->gn < n; q->gn++)
		for (size_t i = 0; i + (size_t)q->gn < q->nw; i++)
			q->g[i] = q->g[i] * 0x9E3779B97F4A7C15ULL +
				  q->w[i + (size_t)q->gn].h;
}

/* The hash of the n-gram at i: from q->g after grams_to(q, n), or
 * computed on the spot (direct) when only a few positions need it. */
static uint64_t gram_hash(const struct qscratch *q, size_t i, int n,
			  int direct)
{
	uint64_t h;

	if (!direct)
		return q->g[i];
	h = q->w[i].h;
	for (int k = 1; k < n; k++)
		h = h * 0x9E3779B97F4A7C15ULL + q->w[i + (size_t)k].h;
	return h;
}

/* One level of the n-gram chain: count the n-grams that can repeat and
 * set rep[i] for those that do.  An n-gram repeats only if both its
 * (n-1)-grams repeat (prev, from the level below; NULL: every position
 * is a candidate), so each level touches the table only for the
 * candidates, and ordinary text has few beyond n = 3.  best/at: the top
 * count and where it was first reached (datatrove's find_top_duplicate
 * takes Counter.most_common's first inserted; the two differ only for
 * ties of n-grams of different lengths).  With no candidate the top
 * count is 1, at the first n-gram. */
/* The number of 1s in r[0..m), whose bytes are 0 or 1: eight at a time,
 * their sum landing in the top byte of the product. */
static size_t count01(const uint8_t *r, size_t m)
{
	size_t c = 0, i = 0;

	for (; i + 8 <= m; i += 8) {
		uint64_t x;

		memcpy(&x, r + i, 8);
		c += (size_t)((x * 0x0101010101010101ULL) >> 56);
	}
	for (; i < m; i++)
		c += r[i];
	return c;
}

static int count_level(struct qscratch *q, int n, const uint8_t *prev,
		       uint8_t *rep, uint32_t *best, size_t *at)
{
	size_t m, cand = 0, i = 0, first;
	int direct;

	*best = 0;
	*at = 0;
	if (q->nw < (size_t)n)
		return 0;
	m = q->nw - (size_t)n + 1;
	if (!prev) {
		memset(rep, 1, m);
		cand = m;
	} else {
		/* rep[i] = prev[i] & prev[i + 1], eight bytes at a time; the
		 * bytes are 0 or 1 */
		for (; i + 8 <= m; i += 8) {
			uint64_t a, b;

			memcpy(&a, prev + i, 8);
			memcpy(&b, prev + i + 1, 8);
			a &= b;
			memcpy(rep + i, &a, 8);
			/* the sum of the eight 0/1 bytes lands in the top
			 * byte (generic x86-64 has no popcnt instruction) */
			cand += (size_t)((a * 0x0101010101010101ULL) >> 56);
		}
		for (; i < m; i++) {
			rep[i] = prev[i] & prev[i + 1];
			cand += rep[i];
		}
	}
	*best = 1;
	if (!cand)
		return 0;
	direct = cand * (size_t)n < m;
	if (!direct)
		grams_to(q, n);
	if (tab_begin(q, cand))
		return -1;
	/* one pass: rep[i] becomes "repeats"; a key's first occurrence,
	 * already passed, is marked when the key comes the second time */
	for (i = 0; i < m; i++) {
		uint32_t c;

		if (!rep[i]) {
			/* skip eight non-candidates at once: beyond level
			 * 2 most positions are not candidates */
			uint64_t z;

			while (i + 8 <= m && (memcpy(&z, rep + i, 8), !z))
				i += 8;
			if (i >= m)
				break;
			if (!rep[i])
				continue;
		}
		c = tab_add_at(q, gram_hash(q, i, n, direct), i, &first);
		rep[i] = c > 1;
		if (c == 2)
			rep[first] = 1;
		if (c > *best) {
			*best = c;
			*at = i;
		}
	}
	return 0;
}

/* Characters in repeated n-grams, non-overlapping (datatrove's
 * find_all_duplicate), for n >= the dup rules' smallest n, whose level
 * of count_level() left q->rep: an n-gram can
 * only repeat where its prefix repeats, so the n-grams at other
 * positions are new and never seen again: they are stepped over without
 * touching the table, with the same result. */
static int dup_gram(struct qscratch *q, int n, double *chars)
{
	size_t m, i = 0, cand = 0;
	uint64_t rep = 0;
	int direct;

	*chars = 0;
	if (q->nw < (size_t)n)
		return 0;
	m = q->nw - (size_t)n + 1;
	cand = q->dup_cand;
	if (!cand)
		return 0;
	direct = cand * (size_t)n < m;
	if (!direct)
		grams_to(q, n);
	if (tab_begin(q, cand))
		return -1;
	while (i < m) {
		/* jump to the next candidate: the others are new n-grams */
		const uint8_t *r = memchr(q->rep + i, 1, m - i);

		if (!r)
			break;
		i = (size_t)(r - q->rep);
		if (tab_add(q, gram_hash(q, i, n, direct)) > 1) {
			rep += q->pre[i + n] - q->pre[i];
			i += (size_t)n;
		} else {
			i++;
		}
	}
	*chars = (double)rep;
	return 0;
}

#define FIRE(code, value) do { \
		stage_verdict(out, DECISION_DROP, "%s", code); \
		out->score = (value); \
		return 1; \
	} while (0)

/* Each rule returns 1 when it dropped the document, 0, or -1 (memory). */
static int gopher_repetition(const struct quality_state *s,
			     struct qscratch *q, const char *p, size_t n,
			     size_t tchars, struct stage_out *out)
{
	const struct quality_conf *c = &s->cf;
	size_t np, nd, dc;
	const char *t = p;
	size_t tn = n;
	char code[64];
	int lo, hi;

	while (tn && (*t == '\n' || *t == ' ')) {
		t++;
		tn--;
	}
	while (tn && (t[tn - 1] == '\n' || t[tn - 1] == ' '))
		tn--;
	if (dup_pieces(q, t, tn, 2, &np, &nd, &dc))
		return -1;
	if (np && c->dup_para_frac > 0 && (double)nd / np > c->dup_para_frac)
		FIRE("gopher_dup_para_frac", (double)nd / np);
	if (c->dup_para_char_frac > 0 &&
	    (double)dc / tchars > c->dup_para_char_frac)
		FIRE("gopher_dup_para_char_frac", (double)dc / tchars);
	if (dup_pieces(q, p, n, 1, &np, &nd, &dc))
		return -1;
	if (np && c->dup_line_frac > 0 && (double)nd / np > c->dup_line_frac)
		FIRE("gopher_dup_line_frac", (double)nd / np);
	if (c->dup_line_char_frac > 0 &&
	    (double)dc / tchars > c->dup_line_char_frac)
		FIRE("gopher_dup_line_char_frac", (double)dc / tchars);
	/* levels lo..hi of the n-gram chain: the top rules' n, up to the
	 * smallest n of the dup rules, whose rep the dup passes use */
	lo = 1000;
	hi = s->ndup ? s->min_dup_n : 0;
	for (int i = 0; i < s->ntop; i++) {
		lo = s->top[i].n < lo ? s->top[i].n : lo;
		hi = s->top[i].n > hi ? s->top[i].n : hi;
	}
	if (s->ndup && s->min_dup_n < lo)
		lo = s->min_dup_n;
	for (int g = lo; g <= hi; g++) {
		uint8_t *cur = g & 1 ? q->rep : q->rep2;
		uint32_t best;
		size_t at;

		if (count_level(q, g, g == lo ? NULL : (g & 1 ? q->rep2 : q->rep),
				cur, &best, &at))
			return -1;
		for (int i = 0; i < s->ntop; i++) {
			double ch;

			if (s->top[i].n != g || !best || s->top[i].max <= 0)
				continue;
			ch = (double)(q->pre[at + g] - q->pre[at] +
				      (uint64_t)(g - 1)) * best;
			if (ch / tchars > s->top[i].max) {
				snprintf(code, sizeof(code),
					 "gopher_top_%d_gram", g);
				FIRE(code, ch / tchars);
			}
		}
	}
	/* the dup passes read q->rep: the level of min_dup_n */
	q->dup_cand = 0;
	if (s->ndup && q->nw >= (size_t)s->min_dup_n) {
		size_t m = q->nw - (size_t)s->min_dup_n + 1;

		if (!(s->min_dup_n & 1))
			memcpy(q->rep, q->rep2, m);
		q->dup_cand = count01(q->rep, m);
	}
	for (int i = 0; i < s->ndup; i++) {
		double ch;

		if (dup_gram(q, s->dup[i].n, &ch))
			return -1;
		if (s->dup[i].max > 0 && ch / tchars > s->dup[i].max) {
			snprintf(code, sizeof(code), "gopher_dup_%d_gram",
				 s->dup[i].n);
			FIRE(code, ch / tchars);
		}
	}
	return 0;
}

/* ---- Gopher quality --------------------------------------------------- */

/* Non-overlapping occurrences of the 3-byte sequence pat in p[0..n)
 * (Python's str.count), found from its first byte with memchr, which
 * skips the text many bytes at a time. */
static size_t count3(const char *p, size_t n, const char *pat)
{
	const char *e = p + n, *q = p;
	size_t c = 0;

	while ((q = memchr(q, pat[0], (size_t)(e - q)))) {
		if (e - q >= 3 && q[1] == pat[1] && q[2] == pat[2]) {
			c++;
			q += 3;
		} else {
			q++;
		}
	}
	return c;
}

/* Gopher's symbols: text.count("#") and, as datatrove adds them,
 * text.count("...") + text.count("…") (non-overlapping; the two cannot
 * overlap each other: one is ASCII, the other not). */
static void count_symbols(const char *p, size_t n, size_t *hashes,
			  size_t *ellipses)
{
	const char *e = p + n, *q = p;

	*hashes = 0;
	while ((q = memchr(q, '#', (size_t)(e - q)))) {
		++*hashes;
		q++;
	}
	*ellipses = count3(p, n, "...") + count3(p, n, "\xE2\x80\xA6");
}

static int gopher_quality(const struct quality_state *s, const char *p,
			  size_t n, const char *lang, const struct wstats *ws,
			  struct stage_out *out)
{
	const struct quality_conf *c = &s->cf;
	double words = (double)ws->words, r;
	size_t lines = 0, bullets = 0, ell = 0, i = 0;

	/* long first: split_words() stops counting past max_words */
	if (c->max_words && ws->words > (size_t)c->max_words)
		FIRE("gopher_long_doc", words);
	if (c->min_words && ws->words < (size_t)c->min_words)
		FIRE("gopher_short_doc", words);
	if (!ws->words)
		return 0;
	r = (double)ws->chars / words;
	if (!lang_in(lang, c->no_word_length_langs)) {
		if (c->min_mean_word_length > 0 && r < c->min_mean_word_length)
			FIRE("gopher_mean_word_length", r);
		if (c->max_mean_word_length > 0 && r > c->max_mean_word_length)
			FIRE("gopher_mean_word_length", r);
	}
	if (c->max_symbol_ratio > 0) {
		size_t hashes, ellipses;

		count_symbols(p, n, &hashes, &ellipses);
		r = (double)hashes / words;
		if (r > c->max_symbol_ratio)
			FIRE("gopher_hash_ratio", r);
		r = (double)ellipses / words;
		if (r > c->max_symbol_ratio)
			FIRE("gopher_ellipsis_ratio", r);
	}
	while (i <= n) {	/* str.splitlines(): a final \n adds none */
		const char *l = p + i, *nl = memchr(l, '\n', n - i);
		size_t ln = nl ? (size_t)(nl - l) : n - i;
		const char *t = l;
		size_t tn = ln;

		if (!nl && ln == 0 && i > 0)
			break;
		lines++;
		trim(&t, &tn);
		bullets += tn && (*t == '-' || (tn >= 3 &&
						!memcmp(t, "•", 3)));
		ell += ends_with(t, tn, "...") || ends_with(t, tn, "…");
		i += ln + 1;
	}
	if (lines && c->max_bullet_lines > 0 &&
	    (double)bullets / lines > c->max_bullet_lines)
		FIRE("gopher_bullet_lines", (double)bullets / lines);
	if (lines && c->max_ellipsis_lines > 0 &&
	    (double)ell / lines > c->max_ellipsis_lines)
		FIRE("gopher_ellipsis_lines", (double)ell / lines);
	r = (double)ws->alpha / words;
	if (c->min_alpha_words > 0 && r < c->min_alpha_words)
		FIRE("gopher_alpha_words", r);
	if (c->min_stop_words && stop_list(lang) &&
	    ws->stop < (size_t)c->min_stop_words)
		FIRE("gopher_stop_words", (double)ws->stop);
	return 0;
}

/* ---- C4 ---------------------------------------------------------------- */

static const char *const policy[] = {
	"terms of use", "privacy policy", "cookie policy", "uses cookies",
	"use of cookies", "use cookies", NULL,
};

/* ASCII A-Z to a-z in place, eight bytes at a time: a byte is upper
 * case when its low seven bits are >= 'A' and <= 'Z' and its top bit is
 * clear; 0x20 is then added as the bit it sets. */
static void lower_ascii(char *p, size_t n)
{
	const uint64_t ones = 0x0101010101010101ULL, high = ones * 0x80;
	size_t i = 0;

	for (; i + 8 <= n; i += 8) {
		uint64_t x, low, ge, gt;

		memcpy(&x, p + i, 8);
		low = x & ~high;
		ge = low + ones * (0x80 - 'A');
		gt = low + ones * (0x80 - 'Z' - 1);
		x |= ((ge & ~gt & ~x & high) >> 2);
		memcpy(p + i, &x, 8);
	}
	for (; i < n; i++)
		if (p[i] >= 'A' && p[i] <= 'Z')
			p[i] += 32;
}

/* Sentences in a kept line: runs of terminal punctuation followed by
 * white space or the end (a stand-in for datatrove's sentence splitter,
 * which the line filter already made end in punctuation). */
static size_t sentences(const char *p, size_t n)
{
	static const unsigned char hot[256] = {
		['.'] = 1, ['!'] = 1, ['?'] = 1, [0xE3] = 1, [0xEF] = 1,
	};
	size_t c = 0;

	for (size_t i = 0; i < n; i++) {
		int end = 0;

		if (!hot[(unsigned char)p[i]])
			continue;
		if (p[i] == '.' || p[i] == '!' || p[i] == '?')
			end = i + 1 == n || p[i + 1] == ' ' ||
			      p[i + 1] == '"' || p[i + 1] == '\'';
		else if ((unsigned char)p[i] == 0xE3 && i + 2 < n &&
			 (unsigned char)p[i + 1] == 0x80 &&
			 (unsigned char)p[i + 2] == 0x82)
			end = 1;	/* 。 */
		else if ((unsigned char)p[i] == 0xEF && i + 2 < n &&
			 (unsigned char)p[i + 1] == 0xBC &&
			 ((unsigned char)p[i + 2] == 0x81 ||
			  (unsigned char)p[i + 2] == 0x9F))
			end = 1;	/* ！ ？ */
		c += end;
	}
	return c ? c : 1;
}

/* Append line t[0..tn) without citation marks [12], [edit],
 * [citation needed]. */
static int add_uncited(struct buf *b, const char *t, size_t tn, int strip)
{
	size_t i = 0;

	while (i < tn) {
		const char *o = strip ? memchr(t + i, '[', tn - i) : NULL;
		size_t j, k;

		if (!o)
			return buf_add(b, t + i, tn - i);
		j = (size_t)(o - t);
		if (buf_add(b, t + i, j - i))
			return -1;
		k = j + 1;
		while (k < tn && t[k] >= '0' && t[k] <= '9')
			k++;
		if (k < tn && t[k] == ']') {
			i = k + 1;
		} else if (tn - j >= 6 && !memcmp(t + j, "[edit]", 6)) {
			i = j + 6;
		} else if (tn - j >= 17 &&
			   !memcmp(t + j, "[citation needed]", 17)) {
			i = j + 17;
		} else {
			if (buf_addc(b, '['))
				return -1;
			i = j + 1;
		}
	}
	return 0;
}

/* The longest word of a line, by datatrove's whitespace split. */
static size_t longest_token(const char *p, size_t n)
{
	size_t best = 0, i = 0;

	while (i < n) {
		size_t j;

		while (i < n && p[i] == ' ')
			i++;
		j = i;
		while (j < n && p[j] != ' ')
			j++;
		if (j > i) {
			size_t c = j - i > best ? nchars(p + i, j - i) : 0;

			if (c > best)
				best = c;
		}
		i = j;
	}
	return best;
}

/* Index of the first word starting at or after byte off. */
static size_t word_at(const struct qscratch *q, size_t off)
{
	size_t lo = 0, hi = q->nw;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (q->off[mid] < off)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Words of the text's line [s, e): from the word offsets split_words
 * recorded, no second pass over the text. */
static size_t words_in(const struct qscratch *q, size_t s, size_t e)
{
	return word_at(q, e) - word_at(q, s);
}

/* Words of line p[0..n) for C4's minimum: datatrove's line.split() for
 * ASCII lines (its reference), textstats words (ls..le of the text) once
 * the line holds other characters, so a Chinese line is not one word. */
static size_t line_words(const struct qscratch *q, const char *p, size_t n,
			 size_t ls, size_t le)
{
	size_t c = 0, i;
	int in = 0;

	for (i = 0; i < n && (unsigned char)p[i] < 0x80; i++) {
		int sp = p[i] == ' ' || p[i] == '\t';

		c += !sp && !in;
		in = !sp;
	}
	return i == n ? c : words_in(q, ls, le);
}

static int contains(const struct buf *lower, const char *line,
		    const char *base, size_t ln, const char *s)
{
	return memmem(lower->data + (line - base), ln, s, strlen(s)) != NULL;
}

/* Whether pat[0..k) occurs in l[0..n): memchr (many bytes a step) for
 * its byte pat[r], chosen rare in English, then a compare around it;
 * glibc's memmem walks byte by byte here. */
static int has(const char *l, size_t n, const char *pat, size_t k, size_t r)
{
	const char *q = l + r, *e;

	if (n < k)
		return 0;
	e = l + n - k + r + 1;	/* pat[r] of the last place pat fits */
	while (q < e && (q = memchr(q, pat[r], (size_t)(e - q)))) {
		if (!memcmp(q - r, pat, k))
			return 1;
		q++;
	}
	return 0;
}

/* Which of C4's phrases occur in the lower-cased text.  Every policy
 * phrase holds "cookie", "privacy policy" or "terms of use". */
static void screen_c4(const char *l, size_t n, int *js, int *lorem, int *pol)
{
	*js = has(l, n, "javascript", 10, 0);
	*lorem = has(l, n, "lorem ipsum", 11, 7);
	*pol = has(l, n, "cookie", 6, 3) || has(l, n, "privacy policy", 14, 3) ||
	       has(l, n, "terms of use", 12, 7);
}

static int c4(const struct quality_state *s, struct qscratch *q,
	      const char *p, size_t n, struct stage_out *out)
{
	const struct quality_conf *c = &s->cf;
	size_t i = 0, nsent = 0, kept = 0;
	int any_js, any_lorem, any_pol = 0, changed = 0;

	buf_reset(&q->lower);
	buf_reset(&q->c4);
	q->c4_words = 0;
	if (buf_add(&q->lower, p, n))
		return -1;
	lower_ascii(q->lower.data, n);
	/* one whole-text screen, so that most lines need no search */
	screen_c4(q->lower.data, n, &any_js, &any_lorem, &any_pol);
	any_js &= c->c4_javascript;
	any_lorem &= c->c4_lorem_ipsum;
	any_pol &= c->c4_policy;
	while (i < n) {
		const char *l = p + i, *nl = memchr(l, '\n', n - i), *t = l;
		size_t ln = nl ? (size_t)(nl - l) : n - i, tn = ln, mark;
		int drop = 0;

		i += ln + 1;
		trim(&t, &tn);
		if (!tn) {
			changed = 1;
			continue;
		}
		/* a line of at most max bytes has no longer token */
		if (c->c4_max_word_length &&
		    tn > (size_t)c->c4_max_word_length &&
		    longest_token(t, tn) > (size_t)c->c4_max_word_length)
			drop = 1;
		mark = q->c4.len;
		if (!drop && add_uncited(&q->c4, t, tn, c->c4_citations))
			return -1;
		if (!drop) {
			const char *u = q->c4.data + mark;
			size_t un = q->c4.len - mark;

			trim(&u, &un);
			if (c->c4_terminal_punct &&
			    (!ends_terminal(u, un, 1) || ends_with(u, un, "...")))
				drop = 1;
			else if (line_words(q, u, un, (size_t)(t - p),
					    (size_t)(t - p) + tn) <
				 (size_t)c->c4_min_words_per_line)
				drop = 1;
		}
		if (!drop && any_lorem &&
		    contains(&q->lower, t, p, tn, "lorem ipsum"))
			FIRE("c4_lorem_ipsum", 1);
		if (!drop && any_js && contains(&q->lower, t, p, tn,
						 "javascript"))
			drop = 1;
		if (!drop && c->c4_curly_bracket && memchr(t, '{', tn))
			FIRE("c4_curly_bracket", 1);
		for (int k = 0; !drop && any_pol && policy[k]; k++)
			drop = contains(&q->lower, t, p, tn, policy[k]);
		if (drop) {
			q->c4.len = mark;
			changed = 1;
			continue;
		}
		changed |= q->c4.len - mark != ln;
		q->c4_words += words_in(q, (size_t)(t - p), (size_t)(t - p) + tn);
		nsent += sentences(q->c4.data + mark, q->c4.len - mark);
		kept++;
		if (buf_addc(&q->c4, '\n'))
			return -1;
	}
	if (q->c4.len && q->c4.data[q->c4.len - 1] == '\n')
		q->c4.data[--q->c4.len] = '\0';
	if (c->c4_min_sentences && nsent < (size_t)c->c4_min_sentences)
		FIRE("c4_too_few_sentences", (double)nsent);
	if (changed || q->c4.len != n) {
		out->rewrite = 1;
		buf_reset(&out->text);
		if (buf_add(&out->text, q->c4.data ? q->c4.data : "",
			    q->c4.len))
			return -1;
	}
	(void)kept;
	return 0;
}

/* ---- FineWeb ---------------------------------------------------------- */

static int fineweb(const struct quality_state *s, struct qscratch *q,
		   const char *p, size_t n, size_t words, struct stage_out *out)
{
	const struct quality_conf *c = &s->cf;
	size_t lines = 0, punct = 0, shortl = 0, dupc = 0, nl = 0, i = 0;
	size_t tchars;
	double r;

	if (tab_begin(q, count_lines(p, n)))
		return -1;
	while (i < n) {
		const char *l = p + i, *e = memchr(l, '\n', n - i), *t = l;
		size_t ln = e ? (size_t)(e - l) : n - i, tn = ln;

		i += ln + 1;
		nl += e != NULL;
		trim(&t, &tn);
		if (!tn)
			continue;
		lines++;
		punct += ends_terminal(l, ln, 0);
		shortl += short_line(l, ln, (size_t)c->fw_short_line_length);
		if (tab_add(q, hash64(l, ln)) > 1)
			dupc += nchars(l, ln);
	}
	if (!lines)
		FIRE("fineweb_empty", 0);
	r = (double)punct / lines;
	if (c->fw_line_punct > 0 && r < c->fw_line_punct &&
	    !(r == 0 && c->fw_line_punct_exclude_zero))
		FIRE("fineweb_line_punct_ratio", r);
	r = (double)shortl / lines;
	if (c->fw_short_line_ratio > 0 && r >= c->fw_short_line_ratio)
		FIRE("fineweb_short_line_ratio", r);
	tchars = nchars(p, n) - nl;
	r = tchars ? (double)dupc / tchars : 0;
	if (c->fw_char_dup_ratio > 0 && r >= c->fw_char_dup_ratio)
		FIRE("fineweb_char_dup_ratio", r);
	r = words ? (double)nl / words : (double)nl;
	if (c->fw_newline_ratio > 0 && r > c->fw_newline_ratio)
		FIRE("fineweb_list_ratio", r);
	return 0;
}

/* ---- the stage -------------------------------------------------------- */

static int apply(const void *state, void *scratch, const struct stage_doc *d,
		 struct stage_out *out, struct sl_err *err)
{
	const struct quality_state *s = state;
	const struct quality_conf *c = &s->cf;
	struct qscratch *q = scratch;
	const char *lang = d->lang && *d->lang && strcmp(d->lang, "und") ?
			   d->lang : c->default_lang;
	const char *p = d->text;
	size_t n = d->len, tchars;
	struct wstats ws;
	int rc = 0;

	if (!q)
		return sl_error(err, "out of memory");
	if (split_words(q, p, n, stop_list(lang), c->gopher_quality ?
			(size_t)c->max_words : 0, &ws))
		goto nomem;
	tchars = nchars(p, n);
	/* Cheap rules first; this also drops a document too long for
	 * Gopher before the n-gram tables would grow with it. */
	if (c->gopher_quality)
		rc = gopher_quality(s, p, n, lang, &ws, out);
	if (!rc && c->gopher_repetition && tchars)
		rc = gopher_repetition(s, q, p, n, tchars, out);
	if (!rc && c->c4)
		rc = c4(s, q, p, n, out);
	if (!rc && c->fineweb) {
		if (out->rewrite) {	/* judge what C4 left */
			p = out->text.data ? out->text.data : "";
			n = out->text.len;
			ws.words = q->c4_words;
		}
		rc = fineweb(s, q, p, n, ws.words, out);
	}
	if (rc < 0)
		goto nomem;
	return 0;
nomem:
	return sl_error(err, "document '%s': out of memory", d->id);
}

const struct stage_ops stage_quality = {
	.name = "quality",
	.summary = "Gopher quality and repetition, C4 and FineWeb rules "
		   "(datatrove's defaults), CJK-aware",
	.code_version = 1,
	.opts = opts,
	.conf_size = sizeof(struct quality_conf),
	.open = open_,
	.close = close_,
	.scratch_new = scratch_new,
	.scratch_free = scratch_free,
	.apply = apply,
};
