/*
 * bench_encoder.c: driver for bench/bench_encoder.sh (not part of sluice).
 *
 *   bench_encoder speed [THREADS] [SECONDS] [blas]
 *       sequences/s of the encoder's forward pass (model/encoder_fwd.c
 *       through enc_score_ids(), as encoder_score() runs it after
 *       tokenizing) at 128 tokens per sequence, dim 256, 4 layers, 4 heads,
 *       ffn 1024, vocab 8000, random weights; beside the FLOP-bound
 *       ceiling: the same matrix products (the four linear layers over a
 *       sub-batch of 4096 tokens and the per-head attention products) as
 *       plain cblas_sgemm calls, timed in the same run on as many
 *       threads.  Wall time, best of several rounds (the machine is
 *       shared).  Prints "key value" lines.  With "blas": one worker of
 *       ours running OpenBLAS on THREADS threads instead (the ceiling is
 *       still THREADS single-threaded sgemm streams).
 *   bench_encoder quality TRAIN.tsv TEST.tsv [key=value...]
 *       train on TRAIN (label in column 2, text in the last column; 1 is
 *       the positive class), log each epoch to stderr, then score TEST and
 *       print P/R/F1 of label 1, macro-F1, AUC and timings.  Options:
 *       dim layers heads ffn max_len vocab epochs batch lr dropout
 *       threads patience warmup wd class_weight seed, dev (fraction of
 *       TRAIN held out, default 0.1), model (the file to write, default
 *       bench/out/encoder_quality.safetensors).
 */
#include <cblas.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../lib/err.h"
#include "../model/dataset.h"
#include "../model/encoder.h"
#include "../model/encoder_int.h"

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* ------------------------------------------------------------------ */
/* speed                                                              */

enum { SEQ = 128, SUB = 32 };	/* tokens per sequence, sequences per sgemm */

static const struct enc_config speed_cfg = {
	.vocab = 8000, .dim = 256, .layers = 4, .heads = 4, .ffn = 1024,
	.max_len = SEQ, .nlabels = 2, .pool = ENC_POOL_MAX
};

struct gemm_job {
	float *a, *b, *c;	/* per thread */
	double flops;
	int rounds;
};

/* The forward pass's products for one sub-batch of SUB sequences. */
static double gemms(float *A, float *W, float *C)
{
	const struct enc_config *c = &speed_cfg;
	int N = SUB * SEQ, d = c->dim, f = c->ffn, hd = d / c->heads;
	double fl = 0;

	for (int l = 0; l < c->layers; l++) {
		cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, N, 3 * d, d,
			    1, A, d, W, d, 0, C, 3 * d);
		cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, N, d, d,
			    1, A, d, W, d, 0, C, d);
		cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, N, f, d,
			    1, A, d, W, d, 0, C, f);
		cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, N, d, f,
			    1, C, f, W, f, 0, A, d);
		fl += 2.0 * N * d * (3.0 * d + d + 2.0 * f);
		for (int s = 0; s < SUB; s++)
			for (int h = 0; h < c->heads; h++) {
				cblas_sgemm(CblasRowMajor, CblasNoTrans,
					    CblasTrans, SEQ, SEQ, hd, 1,
					    A + (size_t)s * SEQ * d, 3 * d,
					    W, 3 * d, 0, C, SEQ);
				cblas_sgemm(CblasRowMajor, CblasNoTrans,
					    CblasNoTrans, SEQ, hd, SEQ, 1, C,
					    SEQ, W, 3 * d, 0,
					    A + (size_t)s * SEQ * d, d);
				fl += 4.0 * SEQ * SEQ * hd;
			}
	}
	return fl;
}

struct gemm_ctx {
	float *buf[64][3];
	int rounds;
	double flops;
};

static void gemm_worker(void *p, int i)
{
	struct gemm_ctx *g = p;
	double fl = 0;

	for (int r = 0; r < g->rounds; r++)
		fl += gemms(g->buf[i][0], g->buf[i][1], g->buf[i][2]);
	if (i == 0)
		g->flops = fl;
}

/* blas: one worker of ours and OpenBLAS's own threads (the other way
 * round), to compare. */
static int speed(int threads, double seconds, int blas)
{
	const struct enc_config *c = &speed_cfg;
	size_t np = enc_nparams(c), nseq = (size_t)threads * SUB * 4;
	float *p = malloc(np * sizeof(float)), *probs;
	struct enc_weights w;
	struct enc_acts acts[64];
	uint32_t *ids = malloc(nseq * SEQ * sizeof(uint32_t));
	const uint32_t **pid = malloc(nseq * sizeof(*pid));
	size_t *nid = malloc(nseq * sizeof(*nid));
	uint64_t r = 1;
	struct sl_err err;
	struct gemm_ctx g;
	double best = 0, best_ceiling = 0, t0, t, flops_seq;
	size_t big = (size_t)SUB * SEQ * (size_t)c->ffn * 4;

	probs = malloc(nseq * 2 * sizeof(float));
	if (!p || !ids || !pid || !nid || !probs || enc_weights_alloc(&w, c))
		return 1;
	openblas_set_num_threads(blas ? threads : 1);
	for (size_t i = 0; i < np; i++)
		p[i] = 0.05f * (enc_rng_unit(&r) - 0.5f);
	enc_weights_bind(&w, c, p);
	for (size_t i = 0; i < nseq * SEQ; i++)
		ids[i] = (uint32_t)(enc_rng(&r) % (uint64_t)c->vocab);
	for (size_t i = 0; i < nseq; i++) {
		pid[i] = ids + i * SEQ;
		nid[i] = SEQ;
	}
	for (int i = 0; i < threads; i++) {
		enc_acts_init(&acts[i], 0, 0);
		for (int k = 0; k < 3; k++) {
			g.buf[i][k] = malloc(big);
			for (size_t q = 0; q < big / sizeof(float); q++)
				g.buf[i][k][q] = 0.01f;
		}
	}
	for (t0 = now(); now() - t0 < seconds;) {
		double a;

		openblas_set_num_threads(blas ? threads : 1);
		a = now();
		if (enc_score_ids(c, &w, blas ? 1 : threads, acts, pid, nid,
				  nseq, probs, &err)) {
			fprintf(stderr, "%s\n", err.msg);
			return 1;
		}
		t = (double)nseq / (now() - a);
		best = t > best ? t : best;
		g.rounds = 4;
		openblas_set_num_threads(1);
		a = now();
		enc_parallel(threads, gemm_worker, &g);
		t = (double)threads * g.rounds * SUB / (now() - a);
		best_ceiling = t > best_ceiling ? t : best_ceiling;
	}
	flops_seq = g.flops / (g.rounds * SUB);
	printf("threads %d%s\n", threads, blas ? " (OpenBLAS's)" : "");
	printf("seq_per_s %.1f\n", best);
	printf("ceiling_seq_per_s %.1f\n", best_ceiling);
	printf("ratio %.3f\n", best / best_ceiling);
	printf("gflops %.2f\n", best * flops_seq * 1e-9);
	printf("ceiling_gflops %.2f\n", best_ceiling * flops_seq * 1e-9);
	for (int i = 0; i < threads; i++) {
		enc_acts_release(&acts[i]);
		for (int k = 0; k < 3; k++)
			free(g.buf[i][k]);
	}
	enc_weights_release(&w);
	free(p);
	free(ids);
	free(pid);
	free(nid);
	free(probs);
	return 0;
}

/* ------------------------------------------------------------------ */
/* quality                                                            */

/* label (column 2) and text (last column) of each line after the header */
static int load_tsv(const char *path, struct dataset *d, struct sl_err *err)
{
	FILE *f = fopen(path, "r");
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	int first = 1;

	if (!f)
		return sl_error(err, "cannot open '%s':", path);
	dataset_init(d);
	/* declare "0" then "1" so the label indices are the same in both
	 * files */
	if (dataset_label(d, "0", err) < 0 || dataset_label(d, "1", err) < 0)
		return -1;
	while ((n = getline(&line, &cap, f)) > 0) {
		char *tab1, *tab2, *text;

		if (line[n - 1] == '\n')
			line[--n] = 0;
		if (first) {
			first = 0;
			continue;
		}
		tab1 = strchr(line, '\t');
		tab2 = tab1 ? strchr(tab1 + 1, '\t') : NULL;
		text = strrchr(line, '\t');
		if (!tab1 || !tab2 || !text)
			continue;
		*tab2 = 0;
		text++;
		if (dataset_add(d, text, strlen(text), tab1 + 1, err))
			return -1;
	}
	free(line);
	fclose(f);
	return 0;
}

static int cmp_pair(const void *a, const void *b)
{
	const double *x = a, *y = b;

	return (x[0] > y[0]) - (x[0] < y[0]);
}

static double auc(const float *score, const int *pos, size_t n)
{
	double *s = malloc(n * 2 * sizeof(double)), np = 0, nn = 0, rs = 0;

	for (size_t i = 0; i < n; i++) {
		s[2 * i] = score[i];
		s[2 * i + 1] = pos[i];
	}
	qsort(s, n, 2 * sizeof(double), cmp_pair);
	for (size_t i = 0; i < n;) {
		size_t j = i;

		while (j < n && s[2 * j] == s[2 * i])
			j++;
		for (size_t k = i; k < j; k++) {
			if (s[2 * k + 1] > 0) {
				rs += (double)(i + j + 1) / 2;
				np++;
			} else {
				nn++;
			}
		}
		i = j;
	}
	free(s);
	return (rs - np * (np + 1) / 2) / (np * nn);
}

static int quality(int argc, char **argv)
{
	struct encoder_train_opts o;
	struct dataset all, train, dev, test;
	struct sl_err err;
	struct encoder *m;
	double devfrac = 0.1, t0, t1, t2;
	const char *model = "bench/out/encoder_quality.safetensors";
	const char **tx;
	size_t *len;
	float *probs, *score;
	int *pos;
	double tp = 0, fp = 0, fn = 0, tn = 0, p, r, f1, p0, r0, f0;

	encoder_train_defaults(&o);
	o.log = stderr;
	for (int i = 4; i < argc; i++) {
		char *eq = strchr(argv[i], '=');
		double v;

		if (!eq)
			return 2;
		if (!strncmp(argv[i], "model=", 6)) {
			model = eq + 1;
			continue;
		}
		v = atof(eq + 1);
		*eq = 0;
#define OPT(name, field) if (!strcmp(argv[i], name)) field = v; else
		OPT("dim", o.dim) OPT("layers", o.layers) OPT("heads", o.heads)
		OPT("ffn", o.ffn) OPT("max_len", o.max_len)
		OPT("vocab", o.vocab) OPT("epochs", o.epochs)
		OPT("batch", o.batch) OPT("lr", o.lr)
		OPT("dropout", o.dropout) OPT("threads", o.threads)
		OPT("patience", o.patience) OPT("dev", devfrac)
		OPT("warmup", o.warmup_frac) OPT("wd", o.weight_decay)
		OPT("class_weight", o.class_weight)
		OPT("seed", o.seed) {
			fprintf(stderr, "unknown option '%s'\n", argv[i]);
			return 2;
		}
#undef OPT
	}
	if (load_tsv(argv[2], &all, &err) || load_tsv(argv[3], &test, &err) ||
	    dataset_split(&all, devfrac, 1, &train, &dev, &err)) {
		fprintf(stderr, "%s\n", err.msg);
		return 1;
	}
	t0 = now();
	if (encoder_train(&train, &dev, &o, model, &err) ||
	    encoder_open(&m, model, o.threads, &err)) {
		fprintf(stderr, "%s\n", err.msg);
		return 1;
	}
	t1 = now();
	tx = malloc(test.n * sizeof(*tx));
	len = malloc(test.n * sizeof(*len));
	probs = malloc(test.n * 2 * sizeof(float));
	score = malloc(test.n * sizeof(float));
	pos = malloc(test.n * sizeof(int));
	for (size_t i = 0; i < test.n; i++) {
		tx[i] = test.ex[i].text;
		len[i] = test.ex[i].len;
	}
	if (encoder_score(m, tx, len, test.n, probs, &err)) {
		fprintf(stderr, "%s\n", err.msg);
		return 1;
	}
	t2 = now();
	/* the model's label order is train's: "0", "1" */
	for (size_t i = 0; i < test.n; i++) {
		int y = test.ex[i].label == 1, yhat = probs[2 * i + 1] > 0.5f;

		score[i] = probs[2 * i + 1];
		pos[i] = y;
		tp += y && yhat;
		fp += !y && yhat;
		fn += y && !yhat;
		tn += !y && !yhat;
	}
	p = tp / (tp + fp);
	r = tp / (tp + fn);
	f1 = 2 * p * r / (p + r);
	p0 = tn / (tn + fn);
	r0 = tn / (tn + fp);
	f0 = 2 * p0 * r0 / (p0 + r0);
	printf("test %zu texts: P %.4f R %.4f F1 %.4f macro-F1 %.4f AUC %.4f\n",
	       test.n, p, r, f1, (f1 + f0) / 2, auc(score, pos, test.n));
	printf("train %.1f s (%zu texts), score %.2f s (%.0f texts/s)\n",
	       t1 - t0, train.n, t2 - t1, (double)test.n / (t2 - t1));
	encoder_close(m);
	free(tx);
	free(len);
	free(probs);
	free(score);
	free(pos);
	dataset_release(&train);
	dataset_release(&dev);
	dataset_release(&all);
	dataset_release(&test);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc >= 2 && !strcmp(argv[1], "speed"))
		return speed(argc > 2 ? atoi(argv[2]) : 1,
			     argc > 3 ? atof(argv[3]) : 5.0,
			     argc > 4 && !strcmp(argv[4], "blas"));
	if (argc >= 4 && !strcmp(argv[1], "quality"))
		return quality(argc, argv);
	fprintf(stderr, "usage: bench_encoder speed [THREADS] [SECONDS] [blas]\n"
		"       bench_encoder quality TRAIN.tsv TEST.tsv [key=value...]\n");
	return 2;
}
