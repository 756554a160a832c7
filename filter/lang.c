/*
 * lang.c: the language of a document, with a confidence, and an optional
 * keep-list.
 *
 * Two passes over the first max_bytes of the text (cut at a character
 * boundary):
 *
 *  1. Scripts.  Letters are counted per script (textstats_script).  When
 *     Han, kana and Hangul together are the majority of the letters, the
 *     script alone decides, which is far more reliable than n-gram
 *     profiles on short CJK text: any real share of kana (>= 10% of the
 *     Han+kana letters) is Japanese, Hangul outnumbering Han+kana is
 *     Korean, otherwise Chinese.  Greek, Hebrew and Thai majorities are
 *     decided the same way (one main language each).
 *  2. Otherwise English is recognised by its function words (by default at
 *     least 25% of the words among 52 of the most common English words:
 *     English prose sits at 30-50%, German, French and Spanish below 13%),
 *     which spares most documents of a web crawl the slow n-gram
 *     classifier.  The rest goes to libexttextcat (Cavnar-Trenkle
 *     n-gram profiles, the models in /usr/share/libexttextcat).
 *
 * The answer is an ISO 639-1 code where there is one ("en", "zh", "ja",
 * "ko"; textcat's "zh-CN-utf8" becomes "zh"), or "und" (undetermined) when
 * there are no letters, textcat says SHORT or UNKNOWN, or the confidence is
 * below min_score.  The confidence (the verdict's score, 0..1) is the share
 * of the deciding script among the letters, times textcat's own certainty
 * (1 for a single candidate, 1/k for k candidates within its 3% margin).
 *
 * Verdict: keep with reason = the code; with a non-empty keep list, a
 * language not on it is dropped with reason "lang_<code>" ("und" can be
 * listed to keep undetermined documents).
 *
 * Threads: a textcat handle is not thread-safe (it classifies into buffers
 * of its own), so each worker's scratch loads its own handle (~15 ms, a
 * few MB).
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <textcat.h>

#include "stage.h"
#include "textstats.h"
#include "../lib/err.h"
#include "../lib/utf8.h"
#include "../lib/banned.h"

#define LANG_KEEP_MAX 64

struct lang_conf {
	char keep[OPT_STRING_MAX];
	double min_score;
	long max_bytes;
	double en_fast;
	char textcat_conf[OPT_STRING_MAX];
};

struct lang_state {
	struct lang_conf cf;
	char prefix[OPT_STRING_MAX];	/* directory of the .lm files */
	int nkeep;
	char keep[LANG_KEEP_MAX][16];
};

static const struct stage_opt opts[] = {
	{ "keep", OPT_STRING, offsetof(struct lang_conf, keep), "",
	  "comma list of language codes to keep (en,zh,ja,...; und = "
	  "undetermined); others are dropped as lang_<code>; empty keeps all",
	  1, 0 },
	{ "min_score", OPT_DOUBLE, offsetof(struct lang_conf, min_score),
	  "0.5", "confidence (0..1) below which the language is 'und' "
	  "(ours; FineWeb keeps fastText en >= 0.65, another scale)", 0, 1 },
	{ "max_bytes", OPT_INT, offsetof(struct lang_conf, max_bytes), "1024",
	  "bytes of the text examined (textcat's cost grows with it; a few "
	  "hundred bytes suffice, per its documentation)", 64, 1 << 20 },
	{ "en_fast", OPT_DOUBLE, offsetof(struct lang_conf, en_fast), "0.25",
	  "recognise English without textcat when at least this share of the "
	  "words are common English function words; 0: off (ours: English "
	  "prose has 0.3-0.5, German, French, Spanish below 0.13)", 0, 1 },
	{ "textcat_conf", OPT_STRING, offsetof(struct lang_conf, textcat_conf),
	  "/usr/share/libexttextcat/fpdb.conf",
	  "libexttextcat's model list; the .lm files are in its directory",
	  1, 0 },
	{ 0 },
};

static int parse_keep(struct lang_state *s, struct sl_err *err)
{
	const char *p = s->cf.keep;

	while (*p) {
		size_t n = strcspn(p, ", ");

		if (n >= sizeof(s->keep[0]))
			return sl_error(err, "[filter.lang] keep: '%.*s' is "
					"not a language code", (int)n, p);
		if (n) {
			if (s->nkeep == LANG_KEEP_MAX)
				return sl_error(err, "[filter.lang] keep: more "
						"than %d languages",
						LANG_KEEP_MAX);
			memcpy(s->keep[s->nkeep], p, n);
			s->keep[s->nkeep++][n] = '\0';
		}
		p += n;
		p += strspn(p, ", ");
	}
	return 0;
}

static int open_(void **state, const void *conf, struct sl_err *err)
{
	struct lang_state *s = calloc(1, sizeof(*s));
	const char *slash;
	FILE *f;

	if (!s)
		return sl_error(err, "out of memory");
	memcpy(&s->cf, conf, sizeof(s->cf));
	slash = strrchr(s->cf.textcat_conf, '/');
	snprintf(s->prefix, sizeof(s->prefix), "%.*s",
		 slash ? (int)(slash - s->cf.textcat_conf + 1) : 0,
		 s->cf.textcat_conf);
	if (parse_keep(s, err))
		goto fail;
	/* Fail here, on the main thread, rather than in every worker. */
	f = fopen(s->cf.textcat_conf, "r");
	if (!f) {
		sl_error(err, "[filter.lang] cannot open '%s':",
			 s->cf.textcat_conf);
		goto fail;
	}
	fclose(f);
	*state = s;
	return 0;
fail:
	free(s);
	return -1;
}

static void close_(void *state)
{
	free(state);
}

static void *scratch_new(const void *state)
{
	const struct lang_state *s = state;

	return special_textcat_Init(s->cf.textcat_conf, s->prefix);
}

static void scratch_free(void *scratch)
{
	if (scratch)
		textcat_Done(scratch);
}

/* Common English words; see the header for the 30% rule. */
static const char *const en_words[] = {
	"the", "of", "and", "to", "a", "in", "is", "that", "for", "it",
	"as", "was", "with", "be", "by", "on", "not", "he", "this", "are",
	"or", "his", "from", "at", "which", "but", "have", "an", "had",
	"they", "you", "were", "their", "one", "all", "we", "can", "her",
	"has", "there", "been", "if", "will", "would", "so", "what", "do",
	"no", "my", "more", "i", "your",
};

static int is_en_word(const char *p, size_t n)
{
	char low[8];

	if (n > 5 || (unsigned char)p[0] >= 0x80)
		return 0;
	for (size_t i = 0; i < n; i++)
		low[i] = (char)(p[i] | 0x20);
	low[n] = '\0';
	for (size_t i = 0; i < sizeof(en_words) / sizeof(en_words[0]); i++)
		if (en_words[i][0] == low[0] && !strcmp(low, en_words[i]))
			return 1;
	return 0;
}

struct scripts {
	size_t n[SCRIPT_N];
	size_t letters;
	size_t words, en;
};

static void count(const char *p, size_t n, struct scripts *sc)
{
	size_t i = 0, len;
	struct tword w;

	memset(sc, 0, sizeof(*sc));
	while (i < n) {
		unsigned char b = (unsigned char)p[i];
		int32_t c = b < 0x80 ? (int32_t)b : utf8_decode(p + i, n - i,
								&len);
		enum script s;

		if (b < 0x80)
			len = 1;
		i += len;
		s = c < 0 ? SCRIPT_OTHER : textstats_script(c);
		if (s != SCRIPT_OTHER) {
			sc->n[s]++;
			sc->letters++;
		}
	}
	i = 0;
	while (textstats_next_word(p, n, &i, &w)) {
		sc->words++;
		sc->en += is_en_word(p + w.off, w.len);
	}
}

/* textcat's name ("en--utf8", "zh-CN-utf8", "sr-Latn--utf8") -> "en". */
static void code_of(const char *name, char out[16])
{
	size_t n = strcspn(name, "-");

	snprintf(out, 16, "%.*s", (int)(n < 15 ? n : 15), name);
}

/* Decide by script when one script settles it; 1 if decided. */
static int by_script(const struct scripts *sc, char code[16], double *score)
{
	size_t han = sc->n[SCRIPT_HAN], kana = sc->n[SCRIPT_KANA];
	size_t hangul = sc->n[SCRIPT_HANGUL], cjk = han + kana + hangul;
	double L = (double)sc->letters;
	static const struct { enum script s; const char *code; } one[] = {
		{ SCRIPT_GREEK, "el" }, { SCRIPT_HEBREW, "he" },
		{ SCRIPT_THAI, "th" },
	};

	/* A Han or kana character is about a word, a Latin word several
	 * letters: compare by words, so Chinese prose full of English terms
	 * ("Debian GNU/Linux 安装手册") is still Chinese. */
	if (2 * cjk > sc->letters || (cjk && 2 * cjk > sc->words)) {
		if (hangul >= han + kana)
			snprintf(code, 16, "ko");
		else if (kana * 10 >= han + kana)
			snprintf(code, 16, "ja");
		else
			snprintf(code, 16, "zh");
		*score = 2 * cjk > sc->letters ? (double)cjk / L :
			 (double)cjk / (double)sc->words;
		return 1;
	}
	for (size_t i = 0; i < sizeof(one) / sizeof(one[0]); i++)
		if (2 * sc->n[one[i].s] > sc->letters) {
			snprintf(code, 16, "%s", one[i].code);
			*score = (double)sc->n[one[i].s] / L;
			return 1;
		}
	return 0;
}

static int by_textcat(void *tc, const char *p, size_t n,
		      const struct scripts *sc, char code[16], double *score)
{
	candidate_t *cand = textcat_GetClassifyFullOutput(tc);
	size_t best = 0;
	int k;

	if (!cand)
		return -1;
	k = textcat_ClassifyFull(tc, p, n, cand);
	if (k <= 0) {
		textcat_ReleaseClassifyFullOutput(tc, cand);
		return 0;	/* SHORT or UNKNOWN */
	}
	code_of(cand[0].name, code);
	textcat_ReleaseClassifyFullOutput(tc, cand);
	for (int s = 1; s < SCRIPT_N; s++)
		if (sc->n[s] > best)
			best = sc->n[s];
	*score = (double)best / (double)sc->letters / k;
	return 0;
}

/* The first max bytes of the text, cut at a character boundary. */
static size_t head_len(const char *p, size_t n, size_t max)
{
	if (n <= max)
		return n;
	while (max > 0 && ((unsigned char)p[max] & 0xC0) == 0x80)
		max--;
	return max;
}

static int apply(const void *state, void *scratch, const struct stage_doc *d,
		 struct stage_out *out, struct sl_err *err)
{
	const struct lang_state *s = state;
	size_t n = head_len(d->text, d->len, (size_t)s->cf.max_bytes);
	struct scripts sc;
	char code[16] = "und";
	double score = 0;
	int keep;

	if (!scratch)
		return sl_error(err, "[filter.lang] textcat is not loaded");
	count(d->text, n, &sc);
	if (sc.letters && !by_script(&sc, code, &score)) {
		if (s->cf.en_fast > 0 && sc.words >= 10 &&
		    (double)sc.en >= s->cf.en_fast * (double)sc.words &&
		    2 * sc.n[SCRIPT_LATIN] > sc.letters) {
			snprintf(code, sizeof(code), "en");
			score = (double)sc.n[SCRIPT_LATIN] / (double)sc.letters;
		} else if (by_textcat(scratch, d->text, n, &sc, code, &score)) {
			return sl_error(err, "out of memory");
		}
	}
	if (score < s->cf.min_score)
		snprintf(code, sizeof(code), "und");
	snprintf(out->lang, sizeof(out->lang), "%s", code);
	out->score = score;
	keep = s->nkeep == 0;
	for (int i = 0; i < s->nkeep && !keep; i++)
		keep = !strcmp(s->keep[i], code);
	if (keep)
		stage_verdict(out, DECISION_KEEP, "%s", code);
	else
		stage_verdict(out, DECISION_DROP, "lang_%s", code);
	return 0;
}

const struct stage_ops stage_lang = {
	.name = "lang",
	.summary = "language identification (scripts for CJK, then "
		   "libexttextcat) with a confidence; optional keep list",
	.code_version = 1,
	.opts = opts,
	.conf_size = sizeof(struct lang_conf),
	.open = open_,
	.close = close_,
	.scratch_new = scratch_new,
	.scratch_free = scratch_free,
	.apply = apply,
};
