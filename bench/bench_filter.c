/*
 * bench_filter.c: per-stage driver for bench/bench_filter.sh (not part of
 * sluice).
 *
 *   bench_filter RAW STAGE...
 *
 * RAW holds document texts, each followed by a NUL byte (gen_corpus.py
 * --raw).  For each named stage (normalize, exact, minhash, lines, or any
 * registered one) with its default options: open it, make one scratch,
 * and call ops->apply() on every document, on this one thread, with no
 * store (decide() is not run: it is the store side, measured by the whole
 * `sluice filter` run).  Prints "STAGE docs N bytes B cpu_s S mb_per_s R"
 * per stage; times are this thread's CPU time (the machine is shared).
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "../filter/options.h"
#include "../filter/stage.h"
#include "../lib/err.h"

static double cpu_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int run_stage(const char *name, const char *base, size_t size)
{
	const struct stage_ops *ops = stage_find(name);
	struct sl_err err = { 0 };
	struct stage_out out;
	void *conf, *state, *scratch;
	const char *p = base, *end = base + size;
	size_t ndocs = 0, bytes = 0, failed = 0;
	double t0;

	if (!ops) {
		fprintf(stderr, "bench_filter: no stage '%s'\n", name);
		return 1;
	}
	conf = calloc(1, ops->conf_size);
	if (stage_conf_defaults(ops, conf, &err) ||
	    ops->open(&state, conf, &err)) {
		fprintf(stderr, "bench_filter: %s: %s\n", name, err.msg);
		return 1;
	}
	scratch = ops->scratch_new(state);
	stage_out_init(&out);
	t0 = cpu_now();
	while (p < end) {
		const char *nul = memchr(p, '\0', (size_t)(end - p));
		struct stage_doc d = { .rowid = (int64_t)ndocs + 1, .id = "doc",
				       .source = "bench" };

		if (!nul)
			break;
		d.text = p;
		d.len = (size_t)(nul - p);
		stage_out_reset(&out);
		if (ops->apply(state, scratch, &d, &out, &err))
			failed++;
		ndocs++;
		bytes += d.len;
		p = nul + 1;
	}
	t0 = cpu_now() - t0;
	printf("%s docs %zu bytes %zu failed %zu cpu_s %.3f mb_per_s %.1f\n",
	       name, ndocs, bytes, failed, t0, (double)bytes / 1e6 / t0);
	stage_out_release(&out);
	ops->scratch_free(scratch);
	ops->close(state);
	free(conf);
	return failed ? 1 : 0;
}

int main(int argc, char **argv)
{
	struct stat sb;
	const char *base;
	int fd, rc = 0;

	if (argc < 3) {
		fprintf(stderr, "usage: bench_filter RAW STAGE...\n");
		return 2;
	}
	if ((fd = open(argv[1], O_RDONLY)) < 0 || fstat(fd, &sb)) {
		perror(argv[1]);
		return 1;
	}
	base = mmap(NULL, (size_t)sb.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	if (base == MAP_FAILED) {
		perror("mmap");
		return 1;
	}
	/* touch every page first so no stage pays for the page faults */
	{
		volatile char sink = 0;

		for (off_t i = 0; i < sb.st_size; i += 4096)
			sink ^= base[i];
		(void)sink;
	}
	for (int i = 2; i < argc; i++)
		rc |= run_stage(argv[i], base, (size_t)sb.st_size);
	munmap((void *)base, (size_t)sb.st_size);
	close(fd);
	return rc;
}
