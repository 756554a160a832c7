/*
 * extract_speed.c: in-process throughput of charset detection + conversion
 * + extraction, to compare with peers timed inside one long-running process
 * (bench_extract.sh builds it against build/libsluice.a).
 *
 *   extract_speed IDS HTML_DIR [REPEAT]
 *
 * Reads every HTML_DIR/<id>.html.gz into memory first, then times REPEAT
 * (default 5) passes over all pages and prints "pages/s MB/s".
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zlib.h>

#include "../crawl/charset.h"
#include "../crawl/extract.h"
#include "../lib/buf.h"
#include "../lib/err.h"

#define MAX_PAGES 4096

static int load(const char *path, struct buf *b)
{
	gzFile f = gzopen(path, "rb");
	char chunk[65536];
	int k;

	if (!f)
		return -1;
	while ((k = gzread(f, chunk, sizeof(chunk))) > 0)
		if (buf_add(b, chunk, (size_t)k))
			break;
	gzclose(f);
	return k < 0 ? -1 : 0;
}

int main(int argc, char **argv)
{
	static struct buf raw[MAX_PAGES];
	char line[512], path[1024];
	int n = 0, reps = argc > 3 ? (int)strtol(argv[3], NULL, 10) : 5;
	size_t bytes = 0;
	struct timespec t0, t1;
	FILE *ids;

	if (argc < 3 || !(ids = fopen(argv[1], "r"))) {
		fprintf(stderr, "usage: extract_speed IDS HTML_DIR [REPEAT]\n");
		return 2;
	}
	while (n < MAX_PAGES && fgets(line, sizeof(line), ids)) {
		line[strcspn(line, "\r\n")] = '\0';
		if (!*line)
			continue;
		snprintf(path, sizeof(path), "%s/%s.html.gz", argv[2], line);
		buf_init(&raw[n], 64 << 20);
		if (load(path, &raw[n])) {
			fprintf(stderr, "extract_speed: cannot read %s\n", path);
			return 1;
		}
		n++;
	}
	fclose(ids);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (int r = 0; r < reps; r++)
		for (int i = 0; i < n; i++) {
			char label[CHARSET_LABEL_MAX];
			struct buf u;
			struct extract_result res;
			struct sl_err err;
			const char *p = raw[i].data ? raw[i].data : "";

			charset_detect(p, raw[i].len, NULL, label, sizeof(label));
			buf_init(&u, 64 << 20);
			extract_result_init(&res);
			if (charset_to_utf8(p, raw[i].len, label, &u, NULL,
					    &err) < 0 ||
			    extract_html(u.data ? u.data : "", u.len, NULL,
					 &res, &err)) {
				fprintf(stderr, "extract_speed: %s\n", err.msg);
				return 1;
			}
			bytes += raw[i].len;
			extract_result_release(&res);
			buf_release(&u);
		}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	double s = (double)(t1.tv_sec - t0.tv_sec) +
		   (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	printf("%.1f %.1f\n", n * reps / s, (double)bytes / s / 1e6);
	for (int i = 0; i < n; i++)
		buf_release(&raw[i]);
	return 0;
}
