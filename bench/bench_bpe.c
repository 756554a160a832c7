/*
 * bench_bpe.c ENCODING FILE [RUNS]: encode FILE with sluice's tokenizer and
 * print "tokens=N bytes=B seconds=S mbps=X load=L", the same line as
 * tiktoken_encode.mjs prints.  S is the best of RUNS (default 5) timed
 * bpe_encode() calls after one warm-up; L is bpe_open()'s time.
 * Built by bench_tokenize.sh against build/libsluice.a.
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "../lib/buf.h"
#include "../lib/err.h"
#include "../model/bpe.h"

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	struct bpe *t;
	struct bpe_scratch *s;
	struct sl_err err;
	struct buf text;
	struct ids v;
	char chunk[65536];
	size_t n;
	double best = 1e9, load;
	int runs = argc > 3 ? (int)strtol(argv[3], NULL, 10) : 5;
	FILE *f;

	if (argc < 3) {
		fprintf(stderr, "usage: bench_bpe ENCODING FILE [RUNS]\n");
		return 2;
	}
	load = now();
	if (bpe_open(&t, argv[1], &err)) {
		fprintf(stderr, "bench_bpe: %s\n", err.msg);
		return 1;
	}
	load = now() - load;
	f = fopen(argv[2], "rb");
	if (!f) {
		perror(argv[2]);
		return 1;
	}
	buf_init(&text, 0);
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		if (buf_add(&text, chunk, n))
			return 1;
	fclose(f);
	s = bpe_scratch_new();
	ids_init(&v);
	for (int i = 0; i <= runs; i++) {
		double t0 = now();

		ids_reset(&v);
		if (bpe_encode(t, s, text.data, text.len, 0, &v, &err)) {
			fprintf(stderr, "bench_bpe: %s\n", err.msg);
			return 1;
		}
		t0 = now() - t0;
		if (i && t0 < best)	/* run 0 is the warm-up */
			best = t0;
	}
	printf("tokens=%zu bytes=%zu seconds=%.4f mbps=%.2f load=%.3f\n",
	       v.len, text.len, best, text.len / 1e6 / best, load);
	ids_release(&v);
	bpe_scratch_free(s);
	buf_release(&text);
	bpe_close(t);
	return 0;
}
