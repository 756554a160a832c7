/*
 * cmd_crawl.c: `sluice crawl [options] URL...` and `sluice crawl --resume`:
 * options into a struct crawl_opts, progress lines and the summary.
 */
#include <getopt.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "../crawl/crawler.h"
#include "../lib/clock.h"
#include "../lib/conf.h"
#include "../lib/err.h"
#include "../lib/banned.h"

enum {
	O_SCOPE = 256, O_MAX_PAGES, O_MAX_DEPTH, O_INCLUDE, O_EXCLUDE,
	O_CONCURRENCY, O_PER_HOST, O_DELAY, O_MAX_DELAY, O_USER_AGENT,
	O_TIMEOUT, O_MAX_BYTES, O_ACCEPT, O_RECRAWL, O_ALLOW_NET, O_SITEMAPS,
	O_MAX_TRIES, O_RESUME,
};

static const struct option longopts[] = {
	{ "scope", required_argument, NULL, O_SCOPE },
	{ "max-pages", required_argument, NULL, O_MAX_PAGES },
	{ "max-depth", required_argument, NULL, O_MAX_DEPTH },
	{ "include", required_argument, NULL, O_INCLUDE },
	{ "exclude", required_argument, NULL, O_EXCLUDE },
	{ "concurrency", required_argument, NULL, O_CONCURRENCY },
	{ "per-host", required_argument, NULL, O_PER_HOST },
	{ "delay", required_argument, NULL, O_DELAY },
	{ "max-delay", required_argument, NULL, O_MAX_DELAY },
	{ "user-agent", required_argument, NULL, O_USER_AGENT },
	{ "timeout", required_argument, NULL, O_TIMEOUT },
	{ "max-bytes", required_argument, NULL, O_MAX_BYTES },
	{ "accept", required_argument, NULL, O_ACCEPT },
	{ "recrawl", required_argument, NULL, O_RECRAWL },
	{ "allow-net", required_argument, NULL, O_ALLOW_NET },
	{ "sitemaps", no_argument, NULL, O_SITEMAPS },
	{ "max-tries", required_argument, NULL, O_MAX_TRIES },
	{ "resume", no_argument, NULL, O_RESUME },
	{ NULL, 0, NULL, 0 },
};

static struct crawler *running;

static void on_signal(int sig)
{
	if (running)
		crawl_request_stop(running);
}

static int parse_long(const char *s, long lo, long *out)
{
	char *end;
	long v;

	v = strtol(s, &end, 10);
	if (end == s || *end || v < lo)
		return -1;
	*out = v;
	return 0;
}

static int parse_secs(const char *s, double *out)
{
	char *end;
	double v = strtod(s, &end);

	if (end == s || *end || !(v >= 0) || v > 1e9)
		return -1;
	*out = v;
	return 0;
}

/* An age: seconds, or a number with s, m, h or d. */
static int parse_age(const char *s, double *out)
{
	char *end;
	double v = strtod(s, &end), mul = 1;

	if (end == s || !(v >= 0))
		return -1;
	switch (*end) {
	case 0: case 's': break;
	case 'm': mul = 60; break;
	case 'h': mul = 3600; break;
	case 'd': mul = 86400; break;
	default: return -1;
	}
	if (*end && end[1])
		return -1;
	*out = v * mul;
	return 0;
}

static int replace(char **dst, const char *s)
{
	char *d = strdup(s);

	if (!d)
		return -1;
	free(*dst);
	*dst = d;
	return 0;
}

/* Apply one option to o: 0, or -1 with the reason in err (the command line
 * and the pipeline file's [crawl] section both come here). */
static int apply_opt(struct crawl_opts *o, int c, const char *a,
		     struct sl_err *err)
{
	long v;
	unsigned long long sz;

	switch (c) {
	case O_SCOPE:
		if (crawl_scope_parse(a, &o->scope))
			return sl_error(err, "bad --scope '%s' (host, domain, "
					   "prefix or any)", a);
		break;
	case O_MAX_PAGES:
		if (parse_long(a, 0, &v))
			return sl_error(err, "bad --max-pages '%s'", a);
		o->max_pages = v;
		break;
	case O_MAX_DEPTH:
		if (parse_long(a, 0, &v) || v > 1000000)
			return sl_error(err, "bad --max-depth '%s'", a);
		o->max_depth = (int)v;
		break;
	case O_CONCURRENCY:
	case O_PER_HOST:
	case O_MAX_TRIES:
		if (parse_long(a, 1, &v) || v > 10000)
			return sl_error(err, "bad number '%s'", a);
		if (c == O_CONCURRENCY)
			o->concurrency = (int)v;
		else if (c == O_PER_HOST)
			o->per_host = (int)v;
		else
			o->max_tries = (int)v;
		break;
	case O_DELAY:
		if (parse_secs(a, &o->delay))
			return sl_error(err, "bad --delay '%s'", a);
		break;
	case O_MAX_DELAY:
		if (parse_secs(a, &o->max_delay))
			return sl_error(err, "bad --max-delay '%s'", a);
		break;
	case O_TIMEOUT:
		if (parse_secs(a, &o->timeout) || o->timeout <= 0)
			return sl_error(err, "bad --timeout '%s'", a);
		break;
	case O_MAX_BYTES:
		if (parse_size(a, &sz) || !sz || sz > (1ULL << 40))
			return sl_error(err, "bad --max-bytes '%s'", a);
		o->max_bytes = (size_t)sz;
		break;
	case O_RECRAWL:
		if (parse_age(a, &o->recrawl))
			return sl_error(err, "bad --recrawl '%s' (seconds, or "
					   "a number with s, m, h or d)", a);
		break;
	case O_USER_AGENT:
	case O_ACCEPT:
		if (replace(c == O_USER_AGENT ? &o->user_agent : &o->accept, a))
			return sl_error(err, "out of memory");
		break;
	case O_INCLUDE:
	case O_EXCLUDE:
	case O_ALLOW_NET:
		if (strlist_add(c == O_INCLUDE ? &o->include :
				c == O_EXCLUDE ? &o->exclude : &o->allow_net,
				a, err))
			return -1;
		break;
	case O_SITEMAPS:
		o->sitemaps = 1;
		break;
	case O_RESUME:
		break;
	default:
		return sl_error(err, "bad option");
	}
	return 0;
}

static int apply(struct ctx *ctx, struct crawl_opts *o, int c, const char *a)
{
	struct sl_err err;

	if (apply_opt(o, c, a, &err))
		return usage_error(ctx, "%s", err.msg);
	return EXIT_OK;
}

int crawl_config(struct crawl_opts *o, const char *key, const char *value,
		 struct sl_err *err)
{
	char name[64];
	size_t i;

	if (strlen(key) >= sizeof(name))
		return sl_error(err, "unknown key '%s'", key);
	for (i = 0; key[i]; i++)
		name[i] = key[i] == '_' ? '-' : key[i];
	name[i] = '\0';
	if (!strcmp(name, "seeds")) {	/* URLs separated by spaces or commas */
		char *copy = strdup(value), *u, *save = NULL;
		int rc = 0;

		if (!copy)
			return sl_error(err, "out of memory");
		for (u = strtok_r(copy, ", \t", &save); u && !rc;
		     u = strtok_r(NULL, ", \t", &save))
			rc = strlist_add(&o->seeds, u, err);
		free(copy);
		return rc;
	}
	for (const struct option *lo = longopts; lo->name; lo++) {
		if (strcmp(lo->name, name) || lo->val == O_RESUME)
			continue;
		if (lo->has_arg == no_argument) {
			int on;

			if (conf_bool(value, &on))
				return sl_error(err, "'%s' is not true or false",
						value);
			return on ? apply_opt(o, lo->val, NULL, err) : 0;
		}
		return apply_opt(o, lo->val, value, err);
	}
	return sl_error(err, "unknown key '%s' (see 'sluice help crawl')", key);
}

static void progress(void *arg, const struct crawl_stats *s)
{
	struct ctx *ctx = arg;
	char at[CLOCK_ISO_LEN];

	note(ctx, "%s crawl: %ld pages, %ld documents, %ld queued, %ld in "
	     "flight, %.1f pages/s", clock_iso_now(at), s->pages,
	     s->docs_added, s->queued, s->inflight,
	     s->elapsed > 0 ? s->pages / s->elapsed : 0.0);
}

static void summary(struct ctx *ctx, const struct crawl_stats *s)
{
	char line[512];
	size_t n = 0;

	note(ctx, "crawl run %lld: %ld pages fetched in %.1f s (%.1f pages/s); "
	     "%ld documents added, %ld updated, %ld unchanged (304), %ld "
	     "without text", s->run, s->pages, s->elapsed,
	     s->elapsed > 0 ? s->pages / s->elapsed : 0.0, s->docs_added,
	     s->docs_updated, s->not_modified, s->no_text);
	line[0] = 0;
	for (int i = 0; i < s->nstatus && n < sizeof(line) - 32; i++)
		n += (size_t)snprintf(line + n, sizeof(line) - n, " %d:%ld",
				      s->by_status[i].status,
				      s->by_status[i].n);
	note(ctx, "HTTP statuses:%s", n ? line : " none");
	note(ctx, "%ld redirects, %ld refused by the network guard, %ld "
	     "timeouts, %ld network errors, %ld over --max-bytes, %ld wrong "
	     "type, %ld retries, %ld failed", s->redirects, s->refused,
	     s->timeouts, s->neterrors, s->toobig, s->wrong_type, s->retries,
	     s->failed);
	note(ctx, "%ld disallowed by robots.txt, %ld links out of scope, %ld "
	     "URLs discovered, %ld still queued; robots.txt fetched %ld, "
	     "sitemaps %ld", s->robots_denied, s->out_of_scope, s->discovered,
	     s->queued, s->robots_fetched, s->sitemaps_fetched);
	if (s->recovered)
		note(ctx, "%ld URLs left half-fetched by a killed run were "
		     "queued again", s->recovered);
}

static int run(int argc, char **argv, struct ctx *ctx)
{
	struct crawl_opts o;
	struct crawl_stats s;
	struct crawler *c = NULL;
	struct sl_err err;
	int ch, resume = 0, rc = EXIT_OK;

	crawl_opts_init(&o);
	optind = 0;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, "", longopts, NULL)) != -1)
		if (ch == O_RESUME)
			resume = 1;
		else if (ch == '?')
			rc = usage_error(ctx, "unknown option '%s'",
					 argv[optind - 1]);
	if (rc)
		goto out;
	if (resume && crawl_opts_load_last(&o, ctx->st, &err)) {
		rc = die_msg("%s", err.msg);
		goto out;
	}
	optind = 0;
	while ((ch = getopt_long(argc, argv, "", longopts, NULL)) != -1)
		if ((rc = apply(ctx, &o, ch, optarg)))
			goto out;
	for (int i = optind; i < argc; i++)
		if (strlist_add(&o.seeds, argv[i], &err)) {
			rc = die_msg("%s", err.msg);
			goto out;
		}
	if (!o.seeds.n) {
		rc = usage_error(ctx, "no URL given (or --resume)");
		goto out;
	}
	if (crawl_open(&c, ctx->st, &o, &err)) {
		rc = die_msg("%s", err.msg);
		goto out;
	}
	running = c;
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	/* -q: no progress lines, and no count of the queue for them */
	if (crawl_run(c, ctx->quiet ? NULL : progress, ctx, &err))
		rc = die_msg("%s", err.msg);
	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	running = NULL;
	crawl_get_stats(c, &s);
	summary(ctx, &s);
out:
	crawl_close(c);
	crawl_opts_release(&o);
	return rc;
}

const struct cmd cmd_crawl = {
	.name = "crawl",
	.run = run,
	.usage = "sluice crawl [options] URL...\n"
		 "       sluice crawl --resume [options] [URL...]",
	.summary = "fetch web pages politely into the store as documents",
	.help =
	"  --scope host|domain|prefix|any\n"
	"                    which links to follow, relative to the seeds (host)\n"
	"  --max-pages N     stop after N pages with a 2xx answer; 0: no limit (0)\n"
	"  --max-depth N     links followed away from a seed (5)\n"
	"  --include RE      only URLs matching a PCRE2 RE (repeatable; none)\n"
	"  --exclude RE      drop URLs matching a PCRE2 RE (repeatable; none)\n"
	"  --concurrency N   requests in flight in total (16)\n"
	"  --per-host N      requests in flight per host (2)\n"
	"  --delay SECONDS   between requests to one host (1)\n"
	"  --max-delay SECONDS\n"
	"                    cap for a robots.txt Crawl-delay (30)\n"
	"  --user-agent UA   User-Agent header; its part before '/' is the\n"
	"                    robots.txt product token (sluice/VERSION)\n"
	"  --timeout SECONDS per request, whole transfer (30); a transfer\n"
	"                    below 100 B/s for 10 s ends too\n"
	"  --max-bytes SIZE  body cap after decompression, k/M/G suffixes (8M)\n"
	"  --accept TYPES    content types kept, comma-separated, type/* allowed\n"
	"                    (text/html,application/xhtml+xml,text/plain)\n"
	"  --recrawl AGE     fetch again, with a conditional GET, pages fetched\n"
	"                    longer ago than AGE: 3600, 30m, 12h, 7d (never)\n"
	"  --allow-net CIDR  let the SSRF guard connect to this range; loopback,\n"
	"                    private, link-local... are refused (repeatable; none)\n"
	"  --sitemaps        seed from the sitemaps robots.txt lists (off)\n"
	"  --max-tries N     attempts per URL on timeouts, connection errors, 429\n"
	"                    and 5xx, with exponential backoff (3)\n"
	"  --resume          go on with the last crawl's seeds and options;\n"
	"                    options given override them\n"
	"\n"
	"Pages become documents with source 'crawl'; every fetch is a row of\n"
	"table fetches, every URL one row of table frontier ('sluice stats').\n"
	"Ctrl-C stops cleanly; a killed crawl goes on with --resume.\n",
	.flags = CMD_STORE | CMD_CREATE,
};
