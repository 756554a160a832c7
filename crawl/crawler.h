/*
 * crawler.h: a polite, resumable crawl into the store.
 *
 * Seeds go into the frontier (frontier.h); the crawler picks ready URLs
 * per origin, fetches them (fetch.h), and turns each 2xx text/html or
 * text/plain body into a document (source "crawl"; charset.h, extract.h);
 * outlinks go back into the frontier.  What it obeys:
 * - robots.txt (robots.h, RFC 9309): fetched once per origin before any
 *   page of it, cached in the hosts table for 24 h (a failed fetch only
 *   10 minutes, and a refusal by the SSRF guard not at all);
 *   robots_for_status() decides 4xx = allow all, 5xx / 429 / unreachable
 *   = disallow all (URLs skipped so are queued again by the next run); up
 *   to 5 redirects followed; crawl-delay raises the per-origin delay up to
 *   max_delay;
 * - politeness: per origin, at most per_host requests in flight and, when
 *   delay > 0, one request start per delay seconds;
 * - scope, include/exclude (PCRE2 on the normalized URL), max_depth, for
 *   links and redirect targets alike (seeds are exempt from the regexes);
 * - redirects are never followed by curl: the target becomes a frontier
 *   URL (same depth, hops + 1, at most 10 hops), so it passes the same
 *   scheme, scope, robots and SSRF checks as any link, and a loop ends
 *   when it reaches a URL already known;
 * - retries (timeouts, connection errors, 429, 5xx) with exponential
 *   backoff and jitter, Retry-After honoured (capped at an hour), at most
 *   max_tries attempts, then 'failed' with the reason.
 *
 * Durability: frontier moves, fetch rows and documents are written in
 * batched transactions (every COMMIT_SECONDS or COMMIT_OPS).  A run killed
 * with -9 loses at most the uncommitted batch; the next run puts the dead
 * run's 'fetching' URLs back in the queue (frontier_recover), so nothing
 * committed is fetched again and nothing is lost.
 *
 *   struct crawl_opts o;
 *   crawl_opts_init(&o);                  // documented defaults
 *   strlist_add(&o.seeds, "https://example.com/", &err); ...
 *   // or, to resume: crawl_opts_load_last(&o, st, &err);
 *   struct crawler *c;
 *   crawl_open(&c, st, &o, &err);         // validates o, starts a run
 *   crawl_run(c, progress_fn, arg, &err); // until done, max_pages, stop
 *   crawl_get_stats(c, &stats);
 *   crawl_close(c);
 *   crawl_opts_release(&o);
 *
 * crawl_request_stop() may be called from a signal handler: in-flight
 * requests are dropped (their URLs go back to the queue) and the run is
 * committed and marked 'stopped'.
 */
#ifndef SL_CRAWLER_H
#define SL_CRAWLER_H

#include <stddef.h>

#include "url.h"

struct store;
struct sl_err;

struct strlist {
	char **v;
	size_t n;
};
int strlist_add(struct strlist *l, const char *s, struct sl_err *err);
void strlist_release(struct strlist *l);

/* Every option with its default (crawl_opts_init); the pipeline file's
 * [crawl] section uses the same names with '_' for '-'. */
struct crawl_opts {
	struct strlist seeds;		/* start URLs */
	enum url_scope scope;		/* host */
	long max_pages;			/* 2xx pages per run; 0 = no limit (0) */
	int max_depth;			/* links from a seed (5) */
	struct strlist include;		/* PCRE2; when given, URLs must match one */
	struct strlist exclude;		/* PCRE2; URLs matching one are dropped */
	int concurrency;		/* requests in flight in total (16) */
	int per_host;			/* requests in flight per origin (2) */
	double delay;			/* seconds between requests per origin (1) */
	double max_delay;		/* cap for robots.txt crawl-delay (30) */
	char *user_agent;		/* "sluice/VERSION"; the robots.txt
					   token is its part before '/' */
	double timeout;			/* seconds per request (30) */
	double connect_timeout;		/* seconds (10) */
	size_t max_bytes;		/* body cap after decompression (8 MiB) */
	char *accept;			/* content types ("text/html,
					   application/xhtml+xml,text/plain") */
	double recrawl;			/* seconds; fetch known URLs older than
					   this again, conditionally (0 = never) */
	struct strlist allow_net;	/* CIDRs the SSRF guard lets through */
	int sitemaps;			/* seed from robots.txt sitemaps (0) */
	int max_tries;			/* attempts per URL (3) */
	double retry_base;		/* first backoff, seconds (1) */
};

void crawl_opts_init(struct crawl_opts *o);
void crawl_opts_release(struct crawl_opts *o);
/* The options as JSON (malloc'd; the caller frees) and back. */
char *crawl_opts_to_json(const struct crawl_opts *o);
int crawl_opts_from_json(struct crawl_opts *o, const char *json,
			 struct sl_err *err);
/* The options of the last run in the store, for --resume. */
int crawl_opts_load_last(struct crawl_opts *o, struct store *st,
			 struct sl_err *err);
int crawl_scope_parse(const char *s, enum url_scope *out);
const char *crawl_scope_name(enum url_scope s);

#define CRAWL_MAX_STATUS 32

struct crawl_stats {
	long pages;		/* page fetches that got a response */
	long ok;		/* ... with a 2xx status */
	long docs_added, docs_updated, not_modified, no_text;
	long redirects, refused, timeouts, neterrors, toobig, wrong_type;
	long http_errors;	/* 4xx/5xx given up on */
	long retries, robots_denied, out_of_scope, failed;
	long robots_fetched, sitemaps_fetched;
	long discovered;	/* URLs added to the frontier */
	long queued;		/* URLs waiting, at the last check */
	long inflight;
	double elapsed;		/* seconds since crawl_run started */
	struct { int status; long n; } by_status[CRAWL_MAX_STATUS];
	int nstatus;
	long long run;		/* crawl_runs rowid */
	long recovered;		/* URLs a dead run left half-fetched */
};

struct crawler;

int crawl_open(struct crawler **out, struct store *st,
	       const struct crawl_opts *o, struct sl_err *err);
/* progress (may be NULL) is called about once a second. */
int crawl_run(struct crawler *c,
	      void (*progress)(void *arg, const struct crawl_stats *s),
	      void *arg, struct sl_err *err);
void crawl_get_stats(const struct crawler *c, struct crawl_stats *s);
void crawl_request_stop(struct crawler *c);
void crawl_close(struct crawler *c);

#endif
