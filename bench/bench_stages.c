/*
 * bench_stages.c: time one filter stage's apply() over a file of
 * documents, on one thread, as the runner's workers call it.
 *
 *   bench_stages DOCS STAGE [+lang] [key=value ...]
 *
 * +lang runs the lang stage first (untimed) and gives each document its
 * language, as the default pipeline does before quality and rules.
 *
 * Time is the process CPU time (the machine is shared: wall time would
 * count other jobs), so MB/s is per core.
 *
 * DOCS holds document texts separated by the byte 0x1E (bench_stages.sh
 * writes it from a JSONL corpus).  Prints MB/s over the text bytes, and
 * how many documents were kept, dropped, flagged and rewritten, and the
 * most frequent reason codes.  With BENCH_DUMP=FILE set, also writes one
 * line per document (number, decision, reason, score, detail, rewritten
 * text's length and XXH64) to FILE, to check that a speed-up changed no
 * verdict (diff two dumps).  Built by bench/bench_stages.sh against
 * build/libsluice.a.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../filter/options.h"
#include "../filter/stage.h"
#include "../lib/err.h"
#include "../lib/hash.h"

#define NREASON 64

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static char *slurp(const char *path, size_t *n)
{
	FILE *f = fopen(path, "rb");
	char *p;
	long len;

	if (!f || fseek(f, 0, SEEK_END) || (len = ftell(f)) < 0 ||
	    fseek(f, 0, SEEK_SET))
		return NULL;
	p = malloc((size_t)len + 1);
	if (!p || fread(p, 1, (size_t)len, f) != (size_t)len)
		return NULL;
	fclose(f);
	p[len] = '\0';
	*n = (size_t)len;
	return p;
}

int main(int argc, char **argv)
{
	static char conf[65536];
	struct { char code[64]; long n; } reasons[NREASON];
	long nreason = 0, docs = 0, dec[3] = { 0 }, rewrites = 0;
	const struct stage_ops *ops, *lops = NULL;
	void *lstate = NULL, *lscratch = NULL;
	char lang[16];
	double t = 0;
	struct stage_out out;
	struct stage_doc d = { 0, "bench", NULL, 0, NULL, "bench", NULL };
	struct sl_err err;
	void *state, *scratch;
	size_t n, bytes = 0;
	char *all, *p;
	double t0;
	FILE *dump = getenv("BENCH_DUMP") ? fopen(getenv("BENCH_DUMP"), "w") :
		     NULL;

	if (argc < 3 || !(all = slurp(argv[1], &n)) ||
	    !(ops = stage_find(argv[2]))) {
		fprintf(stderr, "usage: bench_stages DOCS STAGE [key=value...]\n");
		return 2;
	}
	if (stage_conf_defaults(ops, conf, &err))
		goto fail;
	for (int i = 3; i < argc; i++) {
		char *eq = strchr(argv[i], '=');

		if (!strcmp(argv[i], "+lang")) {
			static char lconf[65536];

			lops = stage_find("lang");
			if (stage_conf_defaults(lops, lconf, &err) ||
			    lops->open(&lstate, lconf, &err))
				goto fail;
			lscratch = lops->scratch_new(lstate);
			continue;
		}
		if (!eq)
			return 2;
		*eq = '\0';
		if (stage_conf_set(ops, conf, argv[i], eq + 1, &err))
			goto fail;
	}
	if (ops->open(&state, conf, &err))
		goto fail;
	scratch = ops->scratch_new(state);
	stage_out_init(&out);
	for (p = all; p < all + n;) {
		char *e = memchr(p, 0x1E, (size_t)(all + n - p));

		if (!e)
			e = all + n;
		*e = '\0';
		d.text = p;
		d.len = (size_t)(e - p);
		d.rowid = docs;
		if (lops) {
			stage_out_reset(&out);
			if (lops->apply(lstate, lscratch, &d, &out, &err))
				goto fail;
			snprintf(lang, sizeof(lang), "%s", out.lang);
			d.lang = lang;
		}
		stage_out_reset(&out);
		t0 = now();
		if (ops->apply(state, scratch, &d, &out, &err))
			goto fail;
		t += now() - t0;
		if (dump)
			fprintf(dump, "%ld\t%d\t%s\t%.17g\t%.*s\t%zu\t%016llx\n",
				docs, (int)out.decision, out.reason, out.score,
				(int)out.detail.len, out.detail.len ?
				out.detail.data : "", out.rewrite ?
				out.text.len : 0, out.rewrite ? (unsigned long long)
				hash64(out.text.data, out.text.len) : 0ULL);
		dec[out.decision]++;
		rewrites += out.rewrite;
		if (out.reason[0] && out.decision != DECISION_KEEP) {
			long i;

			for (i = 0; i < nreason; i++)
				if (!strcmp(reasons[i].code, out.reason))
					break;
			if (i == nreason && nreason < NREASON) {
				snprintf(reasons[i].code, 64, "%s", out.reason);
				reasons[nreason++].n = 0;
			}
			if (i < NREASON)
				reasons[i].n++;
		}
		bytes += d.len;
		docs++;
		p = e + 1;
	}
	printf("%-8s %8.1f MB/s  %ld docs (%.0f/s), %.1f MB: keep %ld drop %ld "
	       "flag %ld rewritten %ld\n", ops->name, bytes / 1e6 / t, docs,
	       docs / t, bytes / 1e6, dec[0], dec[1], dec[2], rewrites);
	for (int k = 0; k < 6 && nreason; k++) {	/* top reasons */
		long best = 0;

		for (long i = 1; i < nreason; i++)
			if (reasons[i].n > reasons[best].n)
				best = i;
		if (!reasons[best].n)
			break;
		printf("         %-28s %ld\n", reasons[best].code,
		       reasons[best].n);
		reasons[best].n = 0;
	}
	if (dump && fclose(dump))
		perror("BENCH_DUMP");
	ops->scratch_free(scratch);
	ops->close(state);
	stage_out_release(&out);
	free(all);
	return 0;
fail:
	fprintf(stderr, "bench_stages: %s\n", err.msg);
	return 1;
}
