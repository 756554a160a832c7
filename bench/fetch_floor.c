/*
 * fetch_floor.c: the least any libcurl crawler can spend per page.
 *
 *   fetch_floor URLS [CONCURRENCY]
 *
 * Fetches every URL of the file URLS (one a line) with the libcurl multi
 * interface, CONCURRENCY transfers in flight (default 16), easy handles
 * reused (keep-alive), bodies counted and dropped: no parsing, no link
 * discovery, no storage.  Prints "pages bytes seconds".  bench_crawl.sh runs
 * it on the same site as the crawlers; on loopback, where everything is
 * CPU-bound, its CPU per page is a floor under any crawler built on libcurl,
 * sluice included.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <curl/curl.h>

struct list {
	char **url;
	size_t n, next;
};

static size_t sink(char *p, size_t size, size_t n, void *bytes)
{
	(void)p;
	*(size_t *)bytes += size * n;
	return size * n;
}

static int read_list(const char *path, struct list *l)
{
	FILE *f = fopen(path, "r");
	char line[4096];
	size_t cap = 0;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\r\n")] = '\0';
		if (!*line)
			continue;
		if (l->n == cap) {
			cap = cap ? 2 * cap : 1024;
			l->url = realloc(l->url, cap * sizeof(*l->url));
			if (!l->url)
				return -1;
		}
		if (!(l->url[l->n++] = strdup(line)))
			return -1;
	}
	fclose(f);
	return 0;
}

/* Give h the next URL; 0 when the list is done. */
static int start(CURLM *m, CURL *h, struct list *l)
{
	if (l->next == l->n)
		return 0;
	curl_easy_setopt(h, CURLOPT_URL, l->url[l->next++]);
	curl_multi_add_handle(m, h);
	return 1;
}

int main(int argc, char **argv)
{
	struct list l = { 0 };
	int conc = argc > 2 ? atoi(argv[2]) : 16, running = 0, pages = 0;
	size_t bytes = 0;
	struct timespec t0, t1;
	CURLM *m;

	if (argc < 2 || conc < 1 || read_list(argv[1], &l)) {
		fprintf(stderr, "usage: fetch_floor URLS [CONCURRENCY]\n");
		return 2;
	}
	curl_global_init(CURL_GLOBAL_DEFAULT);
	m = curl_multi_init();
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (int i = 0; i < conc; i++) {
		CURL *h = curl_easy_init();

		curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, sink);
		curl_easy_setopt(h, CURLOPT_WRITEDATA, &bytes);
		curl_easy_setopt(h, CURLOPT_ACCEPT_ENCODING, "");
		running += start(m, h, &l);
	}
	while (running) {
		struct CURLMsg *msg;
		int left, still;

		curl_multi_perform(m, &still);
		while ((msg = curl_multi_info_read(m, &left))) {
			long code = 0;

			if (msg->msg != CURLMSG_DONE)
				continue;
			curl_easy_getinfo(msg->easy_handle, CURLINFO_RESPONSE_CODE,
					  &code);
			pages += msg->data.result == CURLE_OK && code == 200;
			curl_multi_remove_handle(m, msg->easy_handle);
			if (!start(m, msg->easy_handle, &l))
				running--;
		}
		if (running)
			curl_multi_poll(m, NULL, 0, 1000, NULL);
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	printf("%d %zu %.3f\n", pages, bytes,
	       (double)(t1.tv_sec - t0.tv_sec) +
	       (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
	return pages == (int)l.n ? 0 : 1;
}
