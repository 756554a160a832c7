/*
 * bench_minhash.c: driver for bench/bench_minhash.sh (not part of sluice).
 *
 *   bench_minhash speed para|line FILE...
 *       split each FILE into documents (blank-line paragraphs or lines),
 *       then time text -> shingles -> signature -> band keys on one core,
 *       repeating passes for at least 4 s of CPU time (this thread's, as
 *       the machine is shared) and keeping the fastest; prints one
 *       "key value" per line.
 *   bench_minhash pairs DIR
 *       DIR is the Clough-Stevenson set (file_information.csv, texts/);
 *       prints "file category exact estimate candidate containment" for
 *       each answer against the source of its task.
 *
 * Default setup throughout: 5-gram words / 5-gram chars, 112 = 14 x 8, seed 1.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../filter/minhash.h"
#include "../filter/shingle.h"
#include "../lib/buf.h"
#include "../lib/err.h"

struct doc {
	const char *p;
	size_t n;
};

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);	/* CPU time: the machine is shared */
	return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static int slurp(const char *path, struct buf *b)
{
	FILE *f = fopen(path, "rb");
	char chunk[65536];
	size_t n;

	if (!f) {
		perror(path);
		return -1;
	}
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		buf_add(b, chunk, n);
	fclose(f);
	return 0;
}

/* Cut text into documents at "\n\n" (para) or "\n" (line); empty ones
 * are skipped. */
static size_t split(char *t, size_t len, int para, struct doc *d, size_t max)
{
	size_t nd = 0, i = 0, start = 0;

	for (i = 0; i <= len && nd < max; i++) {
		int cut = i == len ||
			  (t[i] == '\n' && (!para || (i + 1 < len &&
						      t[i + 1] == '\n')));
		if (!cut)
			continue;
		if (i > start) {
			d[nd].p = t + start;
			d[nd].n = i - start;
			nd++;
		}
		start = i + 1;
	}
	return nd;
}

static int speed(int para, int nfiles, char **files)
{
	struct shingle_opts o = SHINGLE_OPTS_INIT;
	struct shingle_set s;
	struct minhash mh;
	struct buf text;
	struct doc *d;
	uint64_t sig[MINHASH_PERMS], keys[MINHASH_BANDS], sink = 0;
	size_t nd = 0, i, shingles = 0, bytes = 0;
	double t0, tsh = 0, tsig, tall = 0, t1;
	int f, passes = 0;

	buf_init(&text, 0);
	for (f = 0; f < nfiles; f++) {
		if (slurp(files[f], &text))
			return 1;
		buf_addc(&text, '\n');
		buf_addc(&text, '\n');
	}
	d = malloc((text.len / 2 + 1) * sizeof(*d));
	nd = split(text.data, text.len, para, d, text.len / 2 + 1);
	for (i = 0; i < nd; i++)
		bytes += d[i].n;
	shingle_init(&s);
	minhash_init(&mh, MINHASH_PERMS, MINHASH_BANDS, MINHASH_ROWS,
		     MINHASH_SEED, NULL);
	/* Whole passes are timed (a CPU clock read per document would cost
	 * more than a short document); shingling alone is timed in its own
	 * passes and the signature time is the difference.  The fastest pass
	 * of each kind counts: the others lost time to the machine's other
	 * users. */
	t0 = now();
	do {
		t1 = now();
		shingles = 0;
		for (i = 0; i < nd; i++) {
			shingle_text(&s, &o, d[i].p, d[i].n, NULL);
			if (s.n) {
				minhash_signature(&mh, s.h, s.n, sig);
				minhash_bands(&mh, sig, keys);
				sink ^= keys[0];
			}
			shingles += s.n;
		}
		t1 = now() - t1;
		tall = passes == 0 || t1 < tall ? t1 : tall;
		t1 = now();
		for (i = 0; i < nd; i++) {
			shingle_text(&s, &o, d[i].p, d[i].n, NULL);
			sink ^= s.n;
		}
		t1 = now() - t1;
		tsh = passes == 0 || t1 < tsh ? t1 : tsh;
		passes++;
	} while (now() - t0 < 4.0);
	tsig = tall - tsh;
	printf("docs %zu\nbytes %zu\nshingles %zu\npasses %d\n", nd, bytes,
	       shingles, passes);
	printf("shingle_s %.4f\nsignature_s %.4f\n", tsh, tsig);
	printf("mb_per_s %.2f\nshingle_mb_per_s %.2f\nsig_mshingles_per_s %.3f\n",
	       bytes / 1e6 / tall, bytes / 1e6 / tsh, shingles / 1e6 / tsig);
	printf("sink %llu\n", (unsigned long long)(sink & 1));
	free(d);
	buf_release(&text);
	shingle_release(&s);
	minhash_release(&mh);
	return 0;
}

/* One text's shingles, signature and band keys. */
struct item {
	uint64_t *h;
	size_t n;
	uint64_t sig[MINHASH_PERMS], keys[MINHASH_BANDS];
};

static int load_item(const char *dir, const char *file, struct shingle_set *s,
		     const struct minhash *mh, struct item *it)
{
	struct shingle_opts o = SHINGLE_OPTS_INIT;
	struct buf path, text;
	int rc;

	buf_init(&path, 0);
	buf_init(&text, 0);
	buf_addf(&path, "%s/texts/%s", dir, file);
	rc = slurp(path.data, &text);
	if (!rc) {
		shingle_text(s, &o, text.data, text.len, NULL);
		it->n = s->n;
		it->h = malloc((s->n + 1) * sizeof(*it->h));
		memcpy(it->h, s->h, s->n * sizeof(*it->h));
		minhash_signature(mh, s->h, s->n, it->sig);
		minhash_bands(mh, it->sig, it->keys);
	}
	buf_release(&path);
	buf_release(&text);
	return rc;
}

static int pairs(const char *dir)
{
	struct shingle_set s;
	struct minhash mh;
	struct item orig[5], ans;
	struct buf path;
	char line[512], file[256], task, cat[32];
	FILE *f;
	int t, j, cand;

	shingle_init(&s);
	minhash_init(&mh, MINHASH_PERMS, MINHASH_BANDS, MINHASH_ROWS,
		     MINHASH_SEED, NULL);
	for (t = 0; t < 5; t++) {
		char name[32];

		snprintf(name, sizeof(name), "orig_task%c.txt", 'a' + t);
		if (load_item(dir, name, &s, &mh, &orig[t]))
			return 1;
	}
	buf_init(&path, 0);
	buf_addf(&path, "%s/file_information.csv", dir);
	if (!(f = fopen(path.data, "r"))) {
		perror(path.data);
		return 1;
	}
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%255[^,],%c,%31[a-z]", file, &task, cat) != 3 ||
		    !strcmp(cat, "orig") || task < 'a' || task > 'e')
			continue;
		if (load_item(dir, file, &s, &mh, &ans))
			return 1;
		t = task - 'a';
		for (cand = 0, j = 0; j < MINHASH_BANDS; j++)
			cand |= ans.keys[j] == orig[t].keys[j];
		printf("%s\t%s\t%.4f\t%.4f\t%d\t%.4f\n", file, cat,
		       minhash_jaccard(ans.h, ans.n, orig[t].h, orig[t].n),
		       minhash_estimate(ans.sig, orig[t].sig, MINHASH_PERMS),
		       cand, minhash_containment(ans.h, ans.n, orig[t].h,
						 orig[t].n));
		free(ans.h);
	}
	fclose(f);
	for (t = 0; t < 5; t++)
		free(orig[t].h);
	buf_release(&path);
	shingle_release(&s);
	minhash_release(&mh);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc >= 4 && !strcmp(argv[1], "speed"))
		return speed(!strcmp(argv[2], "para"), argc - 3, argv + 3);
	if (argc == 3 && !strcmp(argv[1], "pairs"))
		return pairs(argv[2]);
	fprintf(stderr, "usage: bench_minhash speed para|line FILE...\n"
			"       bench_minhash pairs DIR\n");
	return 2;
}
