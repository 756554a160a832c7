/*
 * dedup_truth.c: ground truth for bench/bench_dedup.sh (not part of sluice).
 *
 *   dedup_truth DOCS MIN_J
 *
 * DOCS holds records "ID\tLEN\n" followed by LEN bytes of text and "\n".
 * Every text is shingled exactly as the minhash stage does it
 * (filter/shingle.c, default options: word 5-grams, CJK character
 * 5-grams); then every pair of documents whose exact Jaccard of shingle
 * sets is >= MIN_J is printed as "ID_A\tID_B\tJ" (ID_A before ID_B in
 * file order).  Pairs not printed have a Jaccard below MIN_J.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../filter/minhash.h"
#include "../filter/shingle.h"

struct doc {
	char id[256];
	uint64_t *h;
	size_t n;
};

int main(int argc, char **argv)
{
	struct shingle_opts o = SHINGLE_OPTS_INIT;
	struct shingle_set s;
	struct doc *d = NULL;
	size_t nd = 0, alloc = 0;
	char line[512];
	double min_j;
	FILE *f;

	if (argc != 3) {
		fprintf(stderr, "usage: dedup_truth DOCS MIN_J\n");
		return 2;
	}
	min_j = strtod(argv[2], NULL);
	if (!(f = fopen(argv[1], "rb"))) {
		perror(argv[1]);
		return 1;
	}
	shingle_init(&s);
	while (fgets(line, sizeof(line), f)) {
		char *tab = strchr(line, '\t'), *text;
		size_t len;

		if (!tab || tab - line >= 255)
			return fprintf(stderr, "bad record: %s", line), 1;
		len = strtoul(tab + 1, NULL, 10);
		if (nd == alloc) {
			alloc = alloc ? 2 * alloc : 1024;
			d = realloc(d, alloc * sizeof(*d));
		}
		memcpy(d[nd].id, line, (size_t)(tab - line));
		d[nd].id[tab - line] = '\0';
		text = malloc(len + 2);
		if (fread(text, 1, len + 1, f) != len + 1)
			return fprintf(stderr, "short record %s\n", d[nd].id), 1;
		text[len] = '\0';
		if (shingle_text(&s, &o, text, len, NULL) < 0)
			return 1;
		d[nd].n = s.n;
		d[nd].h = malloc((s.n + 1) * sizeof(uint64_t));
		memcpy(d[nd].h, s.h, s.n * sizeof(uint64_t));
		free(text);
		nd++;
	}
	fclose(f);
	for (size_t i = 0; i < nd; i++)
		for (size_t j = i + 1; j < nd; j++) {
			double jac;
			size_t a = d[i].n, b = d[j].n;

			/* J <= min/max: skip pairs whose sizes rule it out */
			if ((a < b ? a : b) < min_j * (double)(a > b ? a : b))
				continue;
			jac = minhash_jaccard(d[i].h, a, d[j].h, b);
			if (jac >= min_j)
				printf("%s\t%s\t%.4f\n", d[i].id, d[j].id, jac);
		}
	return 0;
}
