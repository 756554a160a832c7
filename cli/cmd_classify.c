/*
 * cmd_classify.c: `sluice classify --model M`: score texts from stdin with a
 * model file (any architecture, optionally behind a cheap model: the
 * cascade), write each line's predicted class and probabilities to stdout,
 * and with --eval compare against the gold labels the input carries.
 *
 * Input lines are read in batches; a batch is split between --threads
 * scoring threads and written back in input order.
 */
#include <getopt.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "../lib/buf.h"
#include "../lib/clock.h"
#include "../lib/err.h"
#include "../lib/jsonscan.h"
#include "../lib/jsonw.h"
#include "../lib/linereader.h"
#include "../lib/utf8.h"
#include "../model/cascade.h"
#include "../model/classifier.h"
#include "../model/dataset_load.h"
#include "../model/metrics.h"
#include "../lib/banned.h"

#define MAX_THREADS 64

struct classify_args {
	const char *model, *cheap, *label;
	int jsonl, eval;
	double low, high;
	long threads, batch;
};

/* One batch of input lines. */
struct batch {
	struct buf arena;	/* the texts, NUL-separated */
	size_t *off, *lens;
	const char **texts;
	int *gold;
	float *probs;
	unsigned char *by;
	size_t n, cap, k;
};

/* Everything seen, for --eval. */
struct tally {
	int *gold;
	float *probs;
	size_t n, alloc, k;
	size_t by_model;
};

struct worker {
	const struct cascade *cs;
	struct batch *b;
	size_t lo, hi;
	int rc;
	struct sl_err err;
};

static int batch_init(struct batch *b, size_t cap, size_t k)
{
	memset(b, 0, sizeof(*b));
	buf_init(&b->arena, 0);
	b->cap = cap;
	b->k = k;
	b->off = malloc(cap * sizeof(*b->off));
	b->lens = malloc(cap * sizeof(*b->lens));
	b->texts = malloc(cap * sizeof(*b->texts));
	b->gold = malloc(cap * sizeof(*b->gold));
	b->probs = malloc(cap * k * sizeof(*b->probs));
	b->by = malloc(cap);
	return b->off && b->lens && b->texts && b->gold && b->probs && b->by ?
	       0 : -1;
}

static void batch_release(struct batch *b)
{
	buf_release(&b->arena);
	free(b->off);
	free(b->lens);
	free(b->texts);
	free(b->gold);
	free(b->probs);
	free(b->by);
}

static void *work(void *arg)
{
	struct worker *w = arg;
	struct batch *b = w->b;

	w->rc = cascade_cheap(w->cs, b->texts + w->lo, b->lens + w->lo,
			      w->hi - w->lo, b->probs + w->lo * b->k,
			      b->by + w->lo, &w->err);
	return NULL;
}

static int score_batch(const struct cascade *cs, struct batch *b,
		       long threads, struct sl_err *err)
{
	pthread_t tid[MAX_THREADS];
	struct worker w[MAX_THREADS];
	size_t nt = (size_t)threads, per;

	for (size_t i = 0; i < b->n; i++)
		b->texts[i] = b->arena.data + b->off[i];
	if (nt > b->n)
		nt = b->n ? b->n : 1;
	per = (b->n + nt - 1) / nt;
	for (size_t t = 0; t < nt; t++) {
		w[t] = (struct worker){ cs, b, t * per, (t + 1) * per, 0,
					{ "" } };
		if (w[t].hi > b->n)
			w[t].hi = b->n;
		if (w[t].lo > w[t].hi)
			w[t].lo = w[t].hi;
		if (t && pthread_create(&tid[t], NULL, work, &w[t]))
			return sl_error(err, "cannot start a thread");
	}
	work(&w[0]);
	for (size_t t = 1; t < nt; t++)
		pthread_join(tid[t], NULL);
	for (size_t t = 0; t < nt; t++)
		if (w[t].rc) {
			*err = w[t].err;
			return -1;
		}
	/* one model call for the batch: the encoder splits it between its
	 * own threads */
	return cascade_escalate(cs, b->texts, b->lens, b->n, b->probs, b->by,
				err);
}

static int write_batch(const struct cascade *cs, const struct batch *b,
		       int jsonl, struct buf *out)
{
	const struct classifier *m = cs->model;

	for (size_t i = 0; i < b->n; i++) {
		const float *p = b->probs + i * b->k;
		size_t best = 0;

		for (size_t j = 1; j < b->k; j++)
			if (p[j] > p[best])
				best = j;
		buf_reset(out);
		if (jsonl) {
			const char *l = classifier_label(m, best);

			buf_adds(out, "{\"label\":");
			jsonw_str(out, l, strlen(l));
			buf_adds(out, ",\"probs\":{");
			for (size_t j = 0; j < b->k; j++) {
				l = classifier_label(m, j);
				if (j)
					buf_addc(out, ',');
				jsonw_str(out, l, strlen(l));
				buf_addf(out, ":%.6g", p[j]);
			}
			buf_addf(out, "},\"by\":\"%s\"}\n",
				 classifier_arch(b->by[i] == BY_CHEAP ?
						 cs->cheap : cs->model));
		} else {
			buf_adds(out, classifier_label(m, best));
			for (size_t j = 0; j < b->k; j++)
				buf_addf(out, "\t%.6f", p[j]);
			buf_addc(out, '\n');
		}
		if (fwrite(out->data, 1, out->len, stdout) != out->len)
			return -1;
	}
	return 0;
}

static int tally_add(struct tally *t, const struct batch *b)
{
	if (t->n + b->n > t->alloc) {
		size_t na = 2 * (t->n + b->n);
		int *g = realloc(t->gold, na * sizeof(*g));

		if (g)
			t->gold = g;
		float *p = realloc(t->probs, na * t->k * sizeof(*p));
		if (!g || !p)
			return -1;
		t->probs = p;
		t->alloc = na;
	}
	memcpy(t->gold + t->n, b->gold, b->n * sizeof(*b->gold));
	memcpy(t->probs + t->n * t->k, b->probs, b->n * t->k * sizeof(float));
	t->n += b->n;
	return 0;
}

/* Parse one input line into the batch: 1 added, 0 skipped (blank). */
static int add_line(const struct classify_args *a,
		    const struct classifier *m, struct batch *b,
		    struct jscan *js, struct buf *text, struct buf *label,
		    const char *line, size_t len, const char **why)
{
	const char *t, *l = NULL;
	size_t tl, ll = 0;

	if (!len || (len == 1 && *line == '\r'))
		return 0;
	if (a->jsonl) {
		if (dataset_jsonl_fields(js, line, len, text, label, why) < 0)
			return -1;
		t = text->data, tl = text->len;
		l = label->len ? label->data : NULL, ll = label->len;
	} else {
		/* as in training files: after the last tab is a label */
		dataset_tsv_split(line, len, &t, &tl, &l, &ll);
	}
	if (!utf8_valid(t, tl))
		return *why = "text is not valid UTF-8", -1;
	b->gold[b->n] = -1;
	if (a->eval) {
		char name[256];

		if (!l || !ll || ll >= sizeof(name))
			return *why = "no gold label for --eval", -1;
		memcpy(name, l, ll);
		name[ll] = '\0';
		if ((b->gold[b->n] = classifier_find(m, name)) < 0)
			return *why = "the gold label is not a class of the "
			       "model", -1;
	}
	b->off[b->n] = b->arena.len;
	b->lens[b->n] = tl;
	if (buf_add(&b->arena, t, tl) || buf_addc(&b->arena, '\0'))
		return *why = "out of memory", -1;
	b->n++;
	return 1;
}

static int print_eval(struct ctx *ctx, const struct cascade *cs,
		      const struct tally *t)
{
	struct metrics mt;
	struct sl_err err;
	char line[256];
	char *names[CLASSIFIER_MAX_LABELS];
	int positive;

	for (size_t k = 0; k < t->k; k++)
		names[k] = (char *)classifier_label(cs->model, k);
	positive = cs->target >= 0 ? cs->target :
		   metrics_positive(names, t->k);
	if (metrics_compute(t->gold, t->probs, t->n, t->k, positive, &mt, &err))
		return die_msg("%s", err.msg);
	metrics_format(&mt, line, sizeof(line));
	fprintf(stderr, "eval%s%s: %s\n", positive >= 0 ? " " : "",
		positive >= 0 ? names[positive] : "", line);
	(void)ctx;
	return EXIT_OK;
}

static int classify(struct ctx *ctx, const struct classify_args *a,
		    const struct cascade *cs)
{
	struct linereader lr;
	struct batch b;
	struct tally t = { .k = cs->nlabels };
	struct jscan js;
	struct buf text, label, out;
	struct sl_err err;
	const char *line, *why = NULL;
	size_t len, total = 0;
	double t0 = clock_mono();
	int rc = EXIT_OK, r;

	if (linereader_open(&lr, "-", DATASET_MAX_LINE, &err))
		return die_msg("%s", err.msg);
	jscan_init(&js);
	buf_init(&text, 0);
	buf_init(&label, 0);
	buf_init(&out, 0);
	if (batch_init(&b, (size_t)a->batch, cs->nlabels)) {
		rc = die_msg("out of memory");
		goto out;
	}
	for (;;) {
		r = linereader_next(&lr, &line, &len, &err);
		if (r == LR_TOOLONG) {
			rc = die_msg("stdin line %llu: longer than %u bytes",
				     (unsigned long long)lr.lineno,
				     DATASET_MAX_LINE);
			goto out;
		}
		if (r < 0) {
			rc = die_msg("%s", err.msg);
			goto out;
		}
		if (r > 0 && add_line(a, cs->model, &b, &js, &text, &label,
				      line, len, &why) < 0) {
			rc = die_msg("stdin line %llu: %s",
				     (unsigned long long)lr.lineno, why);
			goto out;
		}
		if (b.n == b.cap || (r == 0 && b.n)) {
			if (score_batch(cs, &b, a->threads, &err)) {
				rc = die_msg("%s", err.msg);
				goto out;
			}
			if (write_batch(cs, &b, a->jsonl, &out) ||
			    (a->eval && tally_add(&t, &b))) {
				rc = die_msg("cannot write the results");
				goto out;
			}
			for (size_t i = 0; i < b.n; i++)
				t.by_model += b.by[i] == BY_MODEL;
			total += b.n;
			b.n = 0;
			buf_reset(&b.arena);
		}
		if (r == 0)
			break;
	}
	double dt = clock_mono() - t0;
	note(ctx, "scored %zu texts in %.3fs (%.0f/s, %ld threads)", total,
	     dt, dt > 0 ? (double)total / dt : 0.0, a->threads);
	if (cs->cheap)
		note(ctx, "cascade: %zu of %zu (%.1f%%) went to the model",
		     t.by_model, total,
		     total ? 100.0 * (double)t.by_model / (double)total : 0.0);
	if (a->eval)
		rc = print_eval(ctx, cs, &t);
out:
	linereader_close(&lr);
	jscan_release(&js);
	buf_release(&text);
	buf_release(&label);
	buf_release(&out);
	batch_release(&b);
	free(t.gold);
	free(t.probs);
	return rc ? rc : finish_stdout();
}

static int open_models(struct ctx *ctx, const struct classify_args *a)
{
	struct classifier *m, *cheap = NULL;
	struct cascade cs;
	struct sl_err err;
	const char *target = a->label;
	char *names[CLASSIFIER_MAX_LABELS];
	int rc;

	if (classifier_open(&m, a->model, (int)a->threads, &err))
		return die_msg("%s", err.msg);
	if (a->cheap && classifier_open(&cheap, a->cheap, 1, &err)) {
		classifier_close(m);
		return die_msg("%s", err.msg);
	}
	if (!target) {
		int pos;

		for (size_t k = 0; k < classifier_nlabels(m); k++)
			names[k] = (char *)classifier_label(m, k);
		pos = metrics_positive(names, classifier_nlabels(m));
		target = classifier_label(m, pos < 0 ? 0 : (size_t)pos);
		if (pos < 0 && a->cheap) {
			rc = die_msg("give --label: the model has %zu classes",
				     classifier_nlabels(m));
			goto out;
		}
	}
	if (cascade_init(&cs, m, cheap, target, a->low, a->high, &err)) {
		rc = die_msg("%s", err.msg);
		goto out;
	}
	if (!a->label && classifier_nlabels(m) != 2)
		cs.target = -1;	/* no single class to report */
	rc = classify(ctx, a, &cs);
	cascade_release(&cs);
out:
	classifier_close(cheap);
	classifier_close(m);
	return rc;
}

static int run(int argc, char **argv, struct ctx *ctx)
{
	static const struct option longopts[] = {
		{ "model", required_argument, NULL, 'm' },
		{ "cheap-model", required_argument, NULL, 'c' },
		{ "band", required_argument, NULL, 'b' },
		{ "label", required_argument, NULL, 'l' },
		{ "format", required_argument, NULL, 'f' },
		{ "eval", no_argument, NULL, 'e' },
		{ "threads", required_argument, NULL, 'j' },
		{ "batch", required_argument, NULL, 'B' },
		{ NULL, 0, NULL, 0 },
	};
	struct classify_args a = { .low = 0.3, .high = 0.7, .threads = 1,
				   .batch = 4096 };
	char *end;
	int c;

	optind = 0;
	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (c) {
		case 'm':
			a.model = optarg;
			break;
		case 'c':
			a.cheap = optarg;
			break;
		case 'b':
			a.low = strtod(optarg, &end);
			if (end == optarg || *end != ',')
				return usage_error(ctx, "bad --band '%s' (LOW,"
						   "HIGH)", optarg);
			a.high = strtod(end + 1, &end);
			if (*end || !(a.low >= 0 && a.low <= a.high &&
				      a.high <= 1))
				return usage_error(ctx, "bad --band '%s' (0 <= "
						   "LOW <= HIGH <= 1)", optarg);
			break;
		case 'l':
			a.label = optarg;
			break;
		case 'f':
			if (strcmp(optarg, "tsv") && strcmp(optarg, "jsonl"))
				return usage_error(ctx, "bad --format '%s' (tsv "
						   "or jsonl)", optarg);
			a.jsonl = !strcmp(optarg, "jsonl");
			break;
		case 'e':
			a.eval = 1;
			break;
		case 'j':
			a.threads = strtol(optarg, &end, 10);
			if (*end || a.threads < 1 || a.threads > MAX_THREADS)
				return usage_error(ctx, "bad --threads '%s' "
						   "(1..%d)", optarg,
						   MAX_THREADS);
			break;
		case 'B':
			a.batch = strtol(optarg, &end, 10);
			if (*end || a.batch < 1 || a.batch > 1000000)
				return usage_error(ctx, "bad --batch '%s'",
						   optarg);
			break;
		default:
			return usage_error(ctx, "unknown option");
		}
	}
	if (optind != argc)
		return usage_error(ctx, "unexpected argument '%s'", argv[optind]);
	if (!a.model)
		return usage_error(ctx, "give --model FILE");
	return open_models(ctx, &a);
}

const struct cmd cmd_classify = {
	.name = "classify",
	.run = run,
	.usage = "sluice classify --model FILE [options] < texts",
	.summary = "score texts from stdin with a model; --eval against gold "
		   "labels",
	.help =
	"--model FILE       the model (linear or encoder safetensors)\n"
	"--format F         tsv: lines text or text<TAB>label; jsonl: objects\n"
	"                   {\"text\"[,\"label\"]} (tsv). Output per line: tsv\n"
	"                   label<TAB>p0<TAB>p1... in the model's class order;\n"
	"                   jsonl {\"label\",\"probs\":{class:p},\"by\"}\n"
	"--eval             every line carries a gold label: print P/R/F1,\n"
	"                   macro-F1 and AUC on stderr\n"
	"--cheap-model FILE a cascade: FILE scores every text, the model only\n"
	"                   those whose probability of --label is in --band\n"
	"--band LOW,HIGH    the cheap model's band of doubt (0.3,0.7)\n"
	"--label L          the class of the band and of --eval's P/R/F1\n"
	"                   (binary: the one not named not_*, else the greater)\n"
	"--threads N        scoring threads (1)\n"
	"--batch N          lines read and scored at a time (4096)\n",
};
