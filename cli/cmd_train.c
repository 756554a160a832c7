/*
 * cmd_train.c: `sluice train`: train a classifier from labelled files
 * and/or a labelling task's final labels, print the loss and the dev
 * set's quality after each epoch, and write the model file atomically.
 *
 * The dev set is --dev FILE when given, else a hash-stable fraction of the
 * examples (model/dataset.h: the same text always lands on the same side).
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "../lib/clock.h"
#include "../lib/err.h"
#include "../model/classifier.h"
#include "../model/dataset.h"
#include "../model/dataset_load.h"
#include "../model/linear.h"
#include "../model/metrics.h"
#include "../store/db.h"
#include "../model/encoder.h"
#include "../lib/banned.h"

#define MAX_FILES 64

struct train_args {
	const char *task, *files[MAX_FILES], *dev_file, *arch, *out;
	const char *positive;
	size_t nfiles;
	double dev_fraction;
	struct linear_opts lo;
	/* for the encoder: -1 / NAN = its default */
	long epochs, threads;
	double lr;
	int class_weight;
	unsigned long long seed;
};

struct epoch_ctx {
	const struct ctx *ctx;
	const struct dataset *dev;
	int positive;
	double t0;
};

static int eval_linear(const struct linear *m, const struct dataset *dev,
		       int positive, struct metrics *mt, struct sl_err *err)
{
	size_t k = linear_nlabels(m);
	int *gold = malloc((dev->n ? dev->n : 1) * sizeof(*gold));
	float *p = malloc((dev->n ? dev->n : 1) * k * sizeof(*p));
	int rc;

	if (!gold || !p) {
		free(gold);
		free(p);
		return sl_error(err, "out of memory");
	}
	for (size_t i = 0; i < dev->n; i++) {
		gold[i] = dev->ex[i].label;
		linear_score(m, dev->ex[i].text, dev->ex[i].len, p + i * k);
	}
	rc = metrics_compute(gold, p, dev->n, k, positive, mt, err);
	free(gold);
	free(p);
	return rc;
}

static void on_epoch(void *arg, int epoch, double loss,
		     const struct linear *m)
{
	struct epoch_ctx *e = arg;
	struct metrics mt;
	struct sl_err err;
	char line[256] = "";

	if (e->ctx->quiet)
		return;
	if (e->dev->n && !eval_linear(m, e->dev, e->positive, &mt, &err))
		metrics_format(&mt, line, sizeof(line));
	note(e->ctx, "epoch %d loss %.4f%s%s (%.1fs)", epoch, loss,
	     *line ? " dev " : "", line, clock_mono() - e->t0);
}

static int load(struct ctx *ctx, const struct train_args *a,
		struct dataset *all, struct dataset *devset)
{
	struct sl_err err;

	for (size_t i = 0; i < a->nfiles; i++)
		if (dataset_load_file(all, a->files[i], &err))
			return die_msg("%s", err.msg);
	if (a->task) {
		struct store *st;
		size_t skipped;
		int rc;

		if (store_open(&st, ctx->db_path, 0, &err))
			return die_msg("%s", err.msg);
		rc = dataset_load_task(all, st, a->task, &skipped, &err);
		store_close(st);
		if (rc)
			return die_msg("%s", err.msg);
		if (skipped)
			note(ctx, "task '%s': %zu labels skipped (ignored, or "
			     "not exactly one class)", a->task, skipped);
	}
	if (a->dev_file) {
		/* the dev set's classes must be the training set's */
		for (size_t k = 0; k < all->nlabels; k++)
			if (dataset_label(devset, all->labels[k], &err) < 0)
				return die_msg("%s", err.msg);
		if (dataset_load_file(devset, a->dev_file, &err))
			return die_msg("%s", err.msg);
		if (devset->nlabels != all->nlabels)
			return die_msg("'%s' has class '%s', which the training "
				       "data lacks", a->dev_file,
				       devset->labels[all->nlabels]);
	}
	return EXIT_OK;
}

static void report_counts(struct ctx *ctx, const char *what,
			  const struct dataset *d)
{
	size_t *c = calloc(d->nlabels ? d->nlabels : 1, sizeof(*c));
	char line[512];
	size_t off = 0;

	if (!c)
		return;
	dataset_counts(d, c);
	line[0] = '\0';
	for (size_t k = 0; k < d->nlabels && off < sizeof(line); k++)
		off += (size_t)snprintf(line + off, sizeof(line) - off,
					" %s %zu", d->labels[k], c[k]);
	note(ctx, "%s: %zu examples:%s", what, d->n, line);
	free(c);
}

static int train_linear(struct ctx *ctx, struct train_args *a,
			const struct dataset *train, const struct dataset *dev)
{
	struct epoch_ctx e = { ctx, dev, 0, clock_mono() };
	struct linear *m;
	struct sl_err err;
	int positive = a->positive ? -2 : metrics_positive(train->labels,
							    train->nlabels);

	if (a->positive)
		for (size_t k = 0; k < train->nlabels; k++)
			if (!strcmp(train->labels[k], a->positive))
				positive = (int)k;
	if (positive == -2)
		return die_msg("no class '%s' in the data", a->positive);
	e.positive = positive;
	if (a->epochs > 0)
		a->lo.epochs = (int)a->epochs;
	if (a->lr > 0)
		a->lo.lr = a->lr;
	a->lo.class_weight = a->class_weight;
	a->lo.seed = a->seed;
	a->lo.on_epoch = on_epoch;
	a->lo.arg = &e;
	if (linear_train(&m, train, &a->lo, &err))
		return die_msg("cannot train: %s", err.msg);
	if (linear_save(m, a->out, &err)) {
		linear_free(m);
		return die_msg("%s", err.msg);
	}
	note(ctx, "wrote '%s' (linear, %zu rows x %d, %zu classes) in %.1fs",
	     a->out, linear_nrows(m), a->lo.dim, linear_nlabels(m),
	     clock_mono() - e.t0);
	linear_free(m);
	return EXIT_OK;
}

static int train_encoder(struct ctx *ctx, const struct train_args *a,
			 const struct dataset *train, const struct dataset *dev)
{
	struct encoder_train_opts o;
	struct sl_err err;
	double t0 = clock_mono();

	encoder_train_defaults(&o);
	if (a->epochs > 0)
		o.epochs = (int)a->epochs;
	if (a->lr > 0)
		o.lr = a->lr;
	if (a->threads > 0)
		o.threads = (int)a->threads;
	if (a->class_weight)
		o.class_weight = 1;
	o.seed = a->seed;
	o.log = ctx->quiet ? NULL : stderr;
	if (encoder_train(train, dev, &o, a->out, &err))
		return die_msg("cannot train: %s", err.msg);
	note(ctx, "wrote '%s' (encoder) in %.1fs", a->out, clock_mono() - t0);
	return EXIT_OK;
}

static int train(struct ctx *ctx, struct train_args *a)
{
	struct dataset all, devset, tr, dv;
	struct sl_err err;
	int rc, split = !a->dev_file;

	dataset_init(&all);
	dataset_init(&devset);
	dataset_init(&tr);
	dataset_init(&dv);
	if ((rc = load(ctx, a, &all, &devset)))
		goto out;
	if (split && dataset_split(&all, a->dev_fraction, a->seed, &tr, &dv,
				   &err)) {
		rc = die_msg("%s", err.msg);
		goto out;
	}
	const struct dataset *train_d = split ? &tr : &all;
	const struct dataset *dev_d = split ? &dv : &devset;

	report_counts(ctx, "train", train_d);
	report_counts(ctx, "dev", dev_d);
	if (train_d->nlabels < 2) {
		rc = die_msg("need examples of at least two classes");
		goto out;
	}
	rc = !strcmp(a->arch, "linear") ? train_linear(ctx, a, train_d, dev_d) :
					  train_encoder(ctx, a, train_d, dev_d);
out:
	dataset_release(&tr);
	dataset_release(&dv);
	dataset_release(&devset);
	dataset_release(&all);
	return rc;
}

static int number(struct ctx *ctx, const char *opt, const char *s,
		  double lo, double hi, double *v)
{
	char *end;

	*v = strtod(s, &end);
	if (end == s || *end || !(*v >= lo && *v <= hi))
		return usage_error(ctx, "bad %s '%s' (%g..%g)", opt, s, lo, hi);
	return 0;
}

static int run(int argc, char **argv, struct ctx *ctx)
{
	static const struct option longopts[] = {
		{ "task", required_argument, NULL, 't' },
		{ "data", required_argument, NULL, 'd' },
		{ "dev", required_argument, NULL, 'D' },
		{ "arch", required_argument, NULL, 'a' },
		{ "out", required_argument, NULL, 'o' },
		{ "dev-fraction", required_argument, NULL, 'f' },
		{ "epochs", required_argument, NULL, 'e' },
		{ "seed", required_argument, NULL, 's' },
		{ "threads", required_argument, NULL, 'j' },
		{ "lr", required_argument, NULL, 'l' },
		{ "dim", required_argument, NULL, 'm' },
		{ "buckets", required_argument, NULL, 'b' },
		{ "ngrams", required_argument, NULL, 'n' },
		{ "char-ngrams", required_argument, NULL, 'c' },
		{ "class-weight", no_argument, NULL, 'w' },
		{ "positive", required_argument, NULL, 'p' },
		{ NULL, 0, NULL, 0 },
	};
	struct train_args a = { .arch = "linear", .out = "model.safetensors",
				.dev_fraction = 0.1, .epochs = -1,
				.threads = -1, .lr = -1, .seed = 1 };
	double v;
	int c;

	linear_opts_default(&a.lo);
	optind = 0;
	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (c) {
		case 't':
			a.task = optarg;
			break;
		case 'd':
			if (a.nfiles == MAX_FILES)
				return usage_error(ctx, "at most %d --data",
						   MAX_FILES);
			a.files[a.nfiles++] = optarg;
			break;
		case 'D':
			a.dev_file = optarg;
			break;
		case 'a':
			if (strcmp(optarg, "linear") && strcmp(optarg, "encoder"))
				return usage_error(ctx, "bad --arch '%s' (linear "
						   "or encoder)", optarg);
			a.arch = optarg;
			break;
		case 'o':
			a.out = optarg;
			break;
		case 'f':
			if (number(ctx, "--dev-fraction", optarg, 0, 0.9, &v))
				return EXIT_USAGE;
			a.dev_fraction = v;
			break;
		case 'e':
			if (number(ctx, "--epochs", optarg, 1, 10000, &v))
				return EXIT_USAGE;
			a.epochs = (long)v;
			break;
		case 's':
			if (number(ctx, "--seed", optarg, 0, 1e15, &v))
				return EXIT_USAGE;
			a.seed = (unsigned long long)v;
			break;
		case 'j':
			if (number(ctx, "--threads", optarg, 1, 256, &v))
				return EXIT_USAGE;
			a.threads = (long)v;
			break;
		case 'l':
			if (number(ctx, "--lr", optarg, 1e-9, 100, &v))
				return EXIT_USAGE;
			a.lr = v;
			break;
		case 'm':
			if (number(ctx, "--dim", optarg, 1, LINEAR_MAX_DIM, &v))
				return EXIT_USAGE;
			a.lo.dim = (int)v;
			break;
		case 'b':
			if (number(ctx, "--buckets", optarg, 1, 4294967295.0,
				   &v))
				return EXIT_USAGE;
			a.lo.buckets = (uint32_t)v;
			break;
		case 'n':
			if (number(ctx, "--ngrams", optarg, 1, 3, &v))
				return EXIT_USAGE;
			a.lo.ngrams = (int)v;
			break;
		case 'c':
			if (number(ctx, "--char-ngrams", optarg, 1, 3, &v))
				return EXIT_USAGE;
			a.lo.char_ngrams = (int)v;
			break;
		case 'w':
			a.class_weight = 1;
			break;
		case 'p':
			a.positive = optarg;
			break;
		default:
			return usage_error(ctx, "unknown option");
		}
	}
	if (optind != argc)
		return usage_error(ctx, "unexpected argument '%s'", argv[optind]);
	if (!a.task && !a.nfiles)
		return usage_error(ctx, "give --task NAME and/or --data FILE");
	return train(ctx, &a);
}

const struct cmd cmd_train = {
	.name = "train",
	.run = run,
	.usage = "sluice train (--task NAME | --data FILE...) [options]",
	.summary = "train a text classifier (linear or encoder) from labels",
	.help =
	"--task NAME        the final labels of labelling task NAME in the store\n"
	"--data FILE        labelled examples: TSV text<TAB>label, or JSONL\n"
	"                   {\"text\",\"label\"[,\"answer\"]} (.jsonl/.json); may repeat\n"
	"--dev FILE         evaluate on FILE instead of a split of the data\n"
	"--dev-fraction F   share of the examples held out for dev (0.1)\n"
	"--arch A           linear (hashed n-grams, fast) or encoder (linear)\n"
	"--out PATH         the model file (model.safetensors)\n"
	"--epochs N         passes over the data (linear 10; encoder: its own)\n"
	"--lr X             starting learning rate (linear 0.1; encoder: its own)\n"
	"--seed N           seeds the split, the init and the shuffles (1)\n"
	"--threads N        encoder training threads (its default); linear\n"
	"                   training is single-threaded\n"
	"--dim N            linear: embedding size (64)\n"
	"--buckets N        linear: feature hash buckets (2097152)\n"
	"--ngrams N         linear: longest word n-gram, 1..3 (2)\n"
	"--char-ngrams N    linear: longest n-gram ending at a Han, kana or\n"
	"                   other CJK character, 1..3 (3)\n"
	"--class-weight     weight examples inversely to their class's frequency\n"
	"--positive LABEL   the class P/R/F1 are reported for (binary: the one\n"
	"                   not named not_*, else the greater name)\n",
};
