/*
 * crawler.c: the crawl loop (see crawler.h for the rules it obeys).
 *
 * One loop thread owns the network and the store; one worker thread
 * (pagejob.h) does the CPU work of each 2xx page.  Each turn of the loop:
 *
 *   fill:    for each origin with queued work, in turn: fetch its
 *            robots.txt first; then, when it has a free slot and its
 *            next-allowed time has come, pick URLs from the frontier,
 *            check robots, start the requests;
 *   wait:    let curl move bytes for up to 50 ms (the worker's wakeup
 *            ends the wait early);
 *   handle:  each finished request: a fetches row, then a 2xx page goes
 *            to the worker; a redirect target into the frontier, a retry,
 *            or a failure;
 *   apply:   each page the worker finished: outlinks into the frontier,
 *            the document into the store, the frontier row done;
 *   commit:  every COMMIT_SECONDS or COMMIT_OPS writes.
 *
 * Origins live in a hash table (struct host), created when a URL of theirs
 * enters the frontier or, at start, for every origin with queued rows.
 */
#include "crawler.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <math.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <zstd.h>

#include "charset.h"
#include "extract.h"
#include "fetch.h"
#include "frontier.h"
#include "netguard.h"
#include "pagejob.h"
#include "robots.h"
#include "sitemap.h"
#include "../store/db.h"
#include "../store/docs.h"
#include "../lib/buf.h"
#include "../lib/clock.h"
#include "../lib/err.h"
#include "../lib/hash.h"
#include "../lib/jsonw.h"
#include "../lib/banned.h"

/* A batch ends after COMMIT_SECONDS or COMMIT_OPS writes (about 4 per
 * page).  On loopback 512 ops made ~80 commits of ~128 pages each, every
 * one rewriting the index pages its random keys (url, id, hash) touched;
 * 4096 leaves the 0.25 s bound in charge: a third fewer WAL writes. */
#define COMMIT_SECONDS 0.25
#define COMMIT_OPS 4096
#define ROBOTS_TTL (24 * 3600.0)
#define ROBOTS_FAIL_TTL 600.0
#define ROBOTS_HOPS 5
#define MAX_HOPS 10
#define MAX_SITEMAPS 100
#define RETRY_AFTER_CAP 3600.0
#define PICK_MAX 64
/* URLs already put to the frontier by this run, as 64-bit hashes in a
 * two-way set-associative table: a link seen again (most links are) costs
 * no SQLite upsert.  Lossy, fixed size (2 MiB), so memory stays flat in
 * site size; a miss only means one more (harmless) upsert.  (Direct-mapped,
 * two URLs sharing a slot evicted each other: 3,000 needless upserts on a
 * 10,000-page site.) */
#define SEEN_BITS 18

enum { KIND_PAGE, KIND_ROBOTS, KIND_SITEMAP };
enum { ROBOTS_UNKNOWN, ROBOTS_FETCHING, ROBOTS_READY };

struct host {
	char *origin;
	struct host *next;		/* hash chain */
	struct robots *robots;
	int robots_state, robots_hops;
	double delay, next_allowed, wake;
	int inflight, has_work, sitemaps_done;
	int active;			/* in c->act */
	char robots_why[96];		/* set when robots.txt failed */
};

struct robots_req {
	struct host *h;
	char *url;
};

struct crawler {
	struct store *st;
	const struct crawl_opts *o;
	char agent[64];			/* robots.txt product token */
	struct netguard guard;
	struct fetcher *fe;
	struct frontier fr;
	struct docs_writer dw;
	struct pageworker *pw;
	struct url *seeds;
	size_t nseeds;
	pcre2_code **inc, **exc;
	pcre2_match_data *md;
	sqlite3_stmt *ins_fetch, *host_get, *host_put, *doc_update, *verdicts_del;
	struct host **tab;		/* hash table */
	size_t tabsz;
	struct host **hosts;		/* every host, for round robin */
	size_t nhosts, hosts_alloc;
	struct host **act;		/* hosts that may have work: the loop
					   visits only these, so hosts done
					   with cost nothing per turn */
	size_t nact, act_alloc, rr;
	struct strlist sitemap_queue;
	size_t sitemap_next, sitemaps_started;
	long page_inflight;
	uint64_t *seen;
	double tx_started;
	int tx_ops;
	volatile sig_atomic_t stop;
	struct crawl_stats s;
	double t0;
};

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* ---- transactions ---------------------------------------------------- */

static int tx(struct crawler *c, struct sl_err *err)
{
	if (c->st->in_tx) {
		c->tx_ops++;
		return 0;
	}
	if (store_begin(c->st, err))
		return -1;
	c->tx_started = clock_mono();
	c->tx_ops = 1;
	return 0;
}

static int commit(struct crawler *c, int force, struct sl_err *err)
{
	if (!c->st->in_tx)
		return 0;
	if (!force && c->tx_ops < COMMIT_OPS &&
	    clock_mono() - c->tx_started < COMMIT_SECONDS)
		return 0;
	return store_commit(c->st, err);
}

/* ---- hosts ----------------------------------------------------------- */

static struct host *host_find(struct crawler *c, const char *origin)
{
	size_t i = hash64(origin, strlen(origin)) & (c->tabsz - 1);

	for (struct host *h = c->tab[i]; h; h = h->next)
		if (!strcmp(h->origin, origin))
			return h;
	return NULL;
}

static int grow_table(struct crawler *c)
{
	size_t sz = c->tabsz ? c->tabsz * 2 : 1024;
	struct host **t = calloc(sz, sizeof(*t));

	if (!t)
		return -1;
	for (size_t i = 0; i < c->nhosts; i++) {
		struct host *h = c->hosts[i];
		size_t j = hash64(h->origin, strlen(h->origin)) & (sz - 1);

		h->next = t[j];
		t[j] = h;
	}
	free(c->tab);
	c->tab = t;
	c->tabsz = sz;
	return 0;
}

static void queue_sitemaps(struct crawler *c, struct host *h);

/* Load the cached robots.txt of h when it is fresh. */
static void host_load_robots(struct crawler *c, struct host *h, double now)
{
	sqlite3_stmt *s = c->host_get;
	struct sl_err e;

	sqlite3_bind_text(s, 1, h->origin, -1, SQLITE_STATIC);
	if (sqlite3_step(s) == SQLITE_ROW &&
	    sqlite3_column_type(s, 2) != SQLITE_NULL) {
		int status = sqlite3_column_int(s, 1);
		double at = sqlite3_column_double(s, 2);
		enum robots_fetch how = robots_for_status(status);
		double ttl = how == ROBOTS_FETCH_DISALLOW_ALL ? ROBOTS_FAIL_TTL
							     : ROBOTS_TTL;
		int rc = -1;

		if (now - at < ttl) {
			if (how == ROBOTS_FETCH_PARSE)
				rc = robots_parse(&h->robots, (const char *)
					sqlite3_column_blob(s, 0),
					(size_t)sqlite3_column_bytes(s, 0),
					c->agent, &e);
			else
				rc = robots_fixed(&h->robots,
					how == ROBOTS_FETCH_ALLOW_ALL, &e);
			if (how == ROBOTS_FETCH_DISALLOW_ALL)
				snprintf(h->robots_why, sizeof(h->robots_why),
					 "robots.txt unavailable (cached, "
					 "status %d)", status);
		}
		if (!rc) {
			double d = robots_crawl_delay(h->robots);

			h->robots_state = ROBOTS_READY;
			if (d > h->delay)
				h->delay = d < c->o->max_delay ? d : c->o->max_delay;
		}
	}
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
}

static struct host *host_get(struct crawler *c, const char *origin)
{
	struct host *h = host_find(c, origin);
	size_t i;

	if (h)
		return h;
	if (c->nhosts * 2 >= c->tabsz && grow_table(c))
		return NULL;
	if (c->nhosts == c->hosts_alloc) {
		size_t n = c->hosts_alloc ? c->hosts_alloc * 2 : 64;
		struct host **v = realloc(c->hosts, n * sizeof(*v));

		if (!v)
			return NULL;
		c->hosts = v;
		c->hosts_alloc = n;
	}
	if (!(h = calloc(1, sizeof(*h))) || !(h->origin = strdup(origin))) {
		free(h);
		return NULL;
	}
	h->delay = c->o->delay;
	host_load_robots(c, h, now_s());
	i = hash64(origin, strlen(origin)) & (c->tabsz - 1);
	h->next = c->tab[i];
	c->tab[i] = h;
	c->hosts[c->nhosts++] = h;
	if (h->robots_state == ROBOTS_READY)
		queue_sitemaps(c, h);
	return h;
}

/* h may have queued URLs ready now: put it among the active hosts. */
static int host_wake(struct crawler *c, struct host *h)
{
	h->has_work = 1;
	h->wake = 0;
	if (h->active)
		return 0;
	if (c->nact == c->act_alloc) {
		size_t n = c->act_alloc ? c->act_alloc * 2 : 64;
		struct host **v = realloc(c->act, n * sizeof(*v));

		if (!v)
			return -1;
		c->act = v;
		c->act_alloc = n;
	}
	c->act[c->nact++] = h;
	h->active = 1;
	return 0;
}

static int add_origin(void *arg, const char *origin)
{
	struct crawler *c = arg;
	struct host *h = host_get(c, origin);

	return h && !host_wake(c, h) ? 0 : -1;
}

/* ---- rules for URLs -------------------------------------------------- */

/* 1 when re matches s, 0 when not; a match error (limit hit) counts as a
 * match so that an --exclude cannot be bypassed by a hostile URL. */
static int re_match(struct crawler *c, pcre2_code *re, const char *s)
{
	int rc = pcre2_match(re, (PCRE2_SPTR)s, PCRE2_ZERO_TERMINATED, 0, 0,
			     c->md, NULL);

	return rc != PCRE2_ERROR_NOMATCH;
}

/* NULL when u may enter the frontier, else why not. */
static const char *url_refusal(struct crawler *c, const struct url *u)
{
	size_t i;
	int in = 0;

	if (u->flags & URL_USERINFO)
		return "URL carries credentials";
	for (i = 0; i < c->nseeds && !in; i++)
		in = url_in_scope(u, &c->seeds[i], c->o->scope);
	if (!in)
		return "out of scope";
	if (c->o->include.n) {
		for (in = 0, i = 0; i < c->o->include.n && !in; i++)
			in = re_match(c, c->inc[i], url_str(u)) > 0;
		if (!in)
			return "not matched by --include";
	}
	for (i = 0; i < c->o->exclude.n; i++)
		if (re_match(c, c->exc[i], url_str(u)))
			return "matched by --exclude";
	return NULL;
}

/* Put u in the frontier: 1 added, 0 known, -1 error. */
static int enqueue(struct crawler *c, const struct url *u, int depth,
		   int hops, int64_t from, struct sl_err *err)
{
	struct frontier_add a = {
		.url = url_str(u), .origin = url_origin(u), .depth = depth,
		.hops = hops, .from = from,
		.priority = -depth,
		.recrawl_before = c->o->recrawl > 0 ? now_s() - c->o->recrawl : 0,
	};
	struct host *h;
	uint64_t hv = hash64(url_str(u), u->len) | 1;
	uint64_t *set = &c->seen[hv & ((1u << SEEN_BITS) - 2)];
	int rc;

	if (set[0] == hv || set[1] == hv)
		return 0;
	if (tx(c, err))
		return -1;
	rc = frontier_add(&c->fr, &a, err);
	if (rc >= 0) {
		set[1] = set[0];	/* the older one goes first */
		set[0] = hv;
	}
	if (rc > 0) {
		c->s.discovered++;
		if (!(h = host_get(c, url_origin(u))) || host_wake(c, h))
			return sl_error(err, "out of memory");
	}
	return rc;
}

/* ---- records --------------------------------------------------------- */

static void bind_opt(sqlite3_stmt *s, int i, const char *v)
{
	if (v)
		sqlite3_bind_text(s, i, v, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(s, i);
}

static void count_status(struct crawler *c, int status)
{
	int i;

	for (i = 0; i < c->s.nstatus; i++)
		if (c->s.by_status[i].status == status) {
			c->s.by_status[i].n++;
			return;
		}
	if (i < CRAWL_MAX_STATUS) {
		c->s.by_status[i].status = status;
		c->s.by_status[i].n = 1;
		c->s.nstatus++;
	}
}

static int record_fetch(struct crawler *c, const struct fetch_result *r,
			const char *kind, const char *outcome,
			struct sl_err *err)
{
	sqlite3_stmt *s = c->ins_fetch;
	char at[CLOCK_ISO_LEN];
	int rc;

	if (tx(c, err))
		return -1;
	sqlite3_bind_int64(s, 1, c->s.run);
	sqlite3_bind_text(s, 2, r->url, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, kind, -1, SQLITE_STATIC);
	sqlite3_bind_int(s, 4, r->status);
	sqlite3_bind_text(s, 5, outcome, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 6, (sqlite3_int64)r->body.len);
	bind_opt(s, 7, r->content_type);
	sqlite3_bind_double(s, 8, r->seconds);
	bind_opt(s, 9, r->outcome != FETCH_OK ? r->error : NULL);
	sqlite3_bind_text(s, 10, clock_iso_now(at), -1, SQLITE_TRANSIENT);
	bind_opt(s, 11, r->etag);
	bind_opt(s, 12, r->last_modified);
	rc = sqlite3_step(s);
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	if (rc != SQLITE_DONE)
		return store_fail(c->st, err, "cannot record a fetch");
	if (r->status > 0)
		count_status(c, r->status);
	return 0;
}

/* ---- robots.txt and sitemaps ------------------------------------------- */

static int start_robots(struct crawler *c, struct host *h, const char *url,
			struct sl_err *err)
{
	struct robots_req *rq = calloc(1, sizeof(*rq));
	struct fetch_req fr = { .kind = KIND_ROBOTS };
	struct buf b;

	buf_init(&b, 0);
	if (!rq || (url ? buf_adds(&b, url) :
		    buf_addf(&b, "%s/robots.txt", h->origin))) {
		free(rq);
		buf_release(&b);
		return sl_error(err, "out of memory");
	}
	rq->h = h;
	rq->url = buf_detach(&b, NULL);
	fr.url = rq->url;
	fr.user = rq;
	if (fetch_add(c->fe, &fr, err)) {
		free(rq->url);
		free(rq);
		return -1;
	}
	h->robots_state = ROBOTS_FETCHING;
	h->inflight++;
	return 0;
}

static int on_sitemap_loc(void *arg, const char *loc, int is_index);

static void queue_sitemaps(struct crawler *c, struct host *h)
{
	const char *const *urls;
	size_t n;
	struct sl_err e;

	if (!c->o->sitemaps || h->sitemaps_done || !h->robots)
		return;
	h->sitemaps_done = 1;
	n = robots_sitemaps(h->robots, &urls);
	for (size_t i = 0; i < n; i++)
		if (c->sitemap_queue.n < MAX_SITEMAPS)
			strlist_add(&c->sitemap_queue, urls[i], &e);
}

static int robots_done(struct crawler *c, struct fetch_result *r,
		       struct sl_err *err)
{
	struct robots_req *rq = r->user;
	struct host *h = rq->h;
	int status = r->status;
	enum robots_fetch how;
	const char *body = r->body.data ? r->body.data : "";
	size_t len = r->body.len;
	struct sl_err e;
	double d;
	int rc;

	h->inflight--;
	c->s.robots_fetched++;
	if (record_fetch(c, r, "robots", r->outcome == FETCH_OK ?
			 "ok" : fetch_outcome_name(r->outcome), err))
		goto fail;
	/* A robots.txt over the body cap is parsed as far as it was read. */
	if (r->outcome != FETCH_OK && r->outcome != FETCH_TOOBIG)
		status = 0;
	if (status >= 300 && status < 400 && r->location &&
	    rq->h->robots_hops < ROBOTS_HOPS) {
		struct url base = URL_INIT, to = URL_INIT;

		if (!url_parse(&base, r->url, &e) &&
		    !url_resolve(&to, &base, r->location, &e)) {
			h->robots_hops++;
			rc = start_robots(c, h, url_str(&to), err);
			url_release(&base);
			url_release(&to);
			free(rq->url);
			free(rq);
			return rc;
		}
		url_release(&base);
	}
	how = robots_for_status(status);
	if (how == ROBOTS_FETCH_DISALLOW_ALL) {
		if (status > 0)
			snprintf(h->robots_why, sizeof(h->robots_why),
				 "robots.txt unavailable (HTTP %d)", status);
		else
			snprintf(h->robots_why, sizeof(h->robots_why),
				 "robots.txt unavailable (%s)",
				 fetch_outcome_name(r->outcome));
	}
	if (how == ROBOTS_FETCH_PARSE)
		rc = robots_parse(&h->robots, body, len, c->agent, err);
	else
		rc = robots_fixed(&h->robots, how == ROBOTS_FETCH_ALLOW_ALL, err);
	if (rc)
		goto fail;
	h->robots_state = ROBOTS_READY;
	d = robots_crawl_delay(h->robots);
	if (d > h->delay)
		h->delay = d < c->o->max_delay ? d : c->o->max_delay;
	/* A refusal by the SSRF guard says nothing about the host (the next
	 * run may --allow-net it): not cached. */
	if (r->outcome == FETCH_REFUSED)
		goto done;
	if (tx(c, err))
		goto fail;
	sqlite3_bind_text(c->host_put, 1, h->origin, -1, SQLITE_STATIC);
	if (how == ROBOTS_FETCH_PARSE)
		sqlite3_bind_blob(c->host_put, 2, body, (int)len, SQLITE_STATIC);
	else
		sqlite3_bind_null(c->host_put, 2);
	sqlite3_bind_int(c->host_put, 3, status);
	sqlite3_bind_double(c->host_put, 4, now_s());
	if (d >= 0)
		sqlite3_bind_double(c->host_put, 5, d);
	else
		sqlite3_bind_null(c->host_put, 5);
	sqlite3_bind_double(c->host_put, 6, h->next_allowed);
	rc = sqlite3_step(c->host_put);
	sqlite3_reset(c->host_put);
	sqlite3_clear_bindings(c->host_put);
	if (rc != SQLITE_DONE) {
		store_fail(c->st, err, "cannot record robots.txt");
		goto fail;
	}
done:
	queue_sitemaps(c, h);
	free(rq->url);
	free(rq);
	return 0;
fail:
	free(rq->url);
	free(rq);
	return -1;
}

struct sitemap_ctx {
	struct crawler *c;
	struct sl_err *err;
	int failed;
};

static int on_sitemap_loc(void *arg, const char *loc, int is_index)
{
	struct sitemap_ctx *sc = arg;
	struct crawler *c = sc->c;
	struct url u = URL_INIT;
	struct sl_err e;
	int rc;

	if (is_index) {
		if (c->sitemap_queue.n < MAX_SITEMAPS &&
		    strlist_add(&c->sitemap_queue, loc, sc->err)) {
			sc->failed = 1;
			return 1;
		}
		return 0;
	}
	if (url_parse(&u, loc, &e))
		return 0;
	if (!url_refusal(c, &u)) {
		rc = enqueue(c, &u, 0, 0, 0, sc->err);
		if (rc < 0) {
			sc->failed = 1;
			url_release(&u);
			return 1;
		}
	}
	url_release(&u);
	return 0;
}

static int sitemap_done(struct crawler *c, struct fetch_result *r,
			struct sl_err *err)
{
	struct sitemap_ctx sc = { c, err, 0 };
	struct sl_err e;

	c->s.sitemaps_fetched++;
	if (record_fetch(c, r, "sitemap", r->outcome == FETCH_OK ? "ok" :
			 fetch_outcome_name(r->outcome), err))
		return -1;
	if (r->outcome != FETCH_OK || r->status < 200 || r->status >= 300)
		return 0;
	sitemap_parse(r->body.data ? r->body.data : "", r->body.len,
		      on_sitemap_loc, &sc, SITEMAP_MAX_LOCS, &e);
	return sc.failed ? -1 : 0;
}

/* ---- pages ----------------------------------------------------------- */

/* Is the media type mt in the comma-separated list (entries "type/sub"
 * or "type/ *" meaning any subtype)? */
static int type_listed(const char *list, const char *mt)
{
	const char *p = list;

	while (*p) {
		const char *e = strchr(p, ',');
		size_t n = e ? (size_t)(e - p) : strlen(p);

		while (n && *p == ' ')
			p++, n--;
		while (n && p[n - 1] == ' ')
			n--;
		if (n >= 2 && p[n - 1] == '*' && p[n - 2] == '/') {
			if (!strncasecmp(p, mt, n - 1))
				return 1;
		} else if (n == strlen(mt) && !strncasecmp(p, mt, n)) {
			return 1;
		}
		p = e ? e + 1 : p + n;
	}
	return 0;
}

static int accept_type(void *arg, int kind, const char *ct)
{
	struct crawler *c = arg;
	char mt[128];

	if (kind != KIND_PAGE)
		return 1;
	pagejob_media_type(ct, mt, sizeof(mt));
	/* No Content-Type: let the body decide (treated as HTML). */
	return !*mt || type_listed(c->o->accept, mt);
}

static int add_links(struct crawler *c, const struct frontier_item *it,
		     const struct url *page, const struct extract_result *er,
		     struct sl_err *err)
{
	struct url base = URL_INIT, link = URL_INIT;
	const struct url *from = page;	/* or <base href>, when it resolves */
	struct sl_err e;
	int rc = 0;

	if (it->depth + 1 > c->o->max_depth || er->nofollow)
		return 0;
	if (er->base_href && !url_resolve(&base, page, er->base_href, &e))
		from = &base;
	for (size_t i = 0; i < er->nlinks && !rc; i++) {
		const char *why;

		if (er->links[i].nofollow ||
		    url_resolve(&link, from, er->links[i].href, &e))
			continue;
		why = url_refusal(c, &link);
		if (why) {
			c->s.out_of_scope++;
			continue;
		}
		if (enqueue(c, &link, it->depth + 1, 0, it->id, err) < 0)
			rc = -1;
	}
	url_release(&link);
	url_release(&base);
	return rc;
}

/* Insert the job's document; when the URL's document exists (a recrawl
 * that found new text), replace its text and metadata. */
static int store_doc(struct crawler *c, const struct pagejob *j,
		     struct sl_err *err)
{
	const struct doc_in *d = &j->d;
	sqlite3_stmt *s = c->doc_update;
	int rc;

	if (tx(c, err))
		return -1;
	clock_iso_now(c->dw.added);
	rc = docs_insert(&c->dw, d, err);
	if (rc < 0)
		return -1;
	if (rc > 0) {
		c->s.docs_added++;
		return 0;
	}
	sqlite3_bind_text(s, 1, doc_in_id(d), -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, (sqlite3_int64)d->nbytes);
	sqlite3_bind_int64(s, 3, (sqlite3_int64)d->nchars);
	sqlite3_bind_blob(s, 4, d->hash.b, sizeof(d->hash.b), SQLITE_STATIC);
	sqlite3_bind_blob(s, 5, d->z, (int)d->zlen, SQLITE_STATIC);
	sqlite3_bind_text(s, 6, d->meta, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 7, c->dw.added, -1, SQLITE_STATIC);
	bind_opt(s, 8, d->lang);
	rc = sqlite3_step(s);
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	if (rc != SQLITE_DONE)
		return store_fail(c->st, err, "cannot update a document");
	if (sqlite3_changes(c->st->db) == 0)
		return 0;
	/* New text: the filter stages' verdicts on the old one are void. */
	c->s.docs_updated++;
	sqlite3_bind_text(c->verdicts_del, 1, doc_in_id(d), -1, SQLITE_STATIC);
	rc = sqlite3_step(c->verdicts_del);
	sqlite3_reset(c->verdicts_del);
	sqlite3_clear_bindings(c->verdicts_del);
	if (rc != SQLITE_DONE)
		return store_fail(c->st, err, "cannot reset verdicts");
	return 0;
}

/* A processed 2xx page: its links into the frontier, its document into
 * the store, its frontier row done. */
static int job_apply(struct crawler *c, struct pagejob *j,
		     struct sl_err *err)
{
	struct frontier_item *it = j->it;
	struct url page = URL_INIT;
	int rc = -1;

	c->page_inflight--;
	if (j->failed) {
		sl_error(err, "cannot process '%s': %s", it->url, j->err.msg);
		return -1;
	}
	if (j->is_html) {
		if (url_parse(&page, it->url, err) ||
		    add_links(c, it, &page, &j->er, err))
			goto out;
	}
	if (j->has_doc) {
		if (store_doc(c, j, err))
			goto out;
	} else {
		c->s.no_text++;
	}
	rc = tx(c, err) ? -1 : frontier_finish(&c->fr, it->id, FRONTIER_DONE,
		&(struct frontier_result){ .status = j->r->status,
		.reason = j->reason, .fetched = j->fetched,
		.etag = j->r->etag, .last_modified = j->r->last_modified }, err);
out:
	url_release(&page);
	return rc;
}

/* A redirect: the target enters the frontier like a link. */
static int page_redirect(struct crawler *c, const struct frontier_item *it,
			 const struct fetch_result *r, struct buf *why,
			 struct sl_err *err)
{
	struct url base = URL_INIT, to = URL_INIT;
	struct sl_err e;
	const char *refusal;
	int rc = 0;

	c->s.redirects++;
	if (!r->location) {
		buf_addf(why, "redirect without a Location");
		return 0;
	}
	if (it->hops + 1 > MAX_HOPS) {
		buf_addf(why, "more than %d redirects", MAX_HOPS);
		return 0;
	}
	if (url_parse(&base, it->url, err))
		return -1;
	if (url_resolve(&to, &base, r->location, &e)) {
		buf_addf(why, "bad redirect target: %s", e.msg);
	} else if ((refusal = url_refusal(c, &to))) {
		buf_addf(why, "redirect to %s: %s", url_str(&to), refusal);
		c->s.out_of_scope++;
	} else {
		rc = enqueue(c, &to, it->depth, it->hops + 1, it->id, err);
		if (rc >= 0)
			buf_addf(why, "redirect to %s%s", url_str(&to),
				 rc ? "" : " (already known)");
	}
	url_release(&base);
	url_release(&to);
	return rc < 0 ? -1 : 0;
}

static double backoff(struct crawler *c, int tries, double retry_after)
{
	double d = c->o->retry_base * pow(2, tries);

	d *= 0.5 + (double)rand() / RAND_MAX;	/* jitter: 0.5x .. 1.5x */
	if (retry_after >= 0)
		d = retry_after < RETRY_AFTER_CAP ? retry_after : RETRY_AFTER_CAP;
	return d;
}

static int page_done(struct crawler *c, struct fetch_result **rp,
		     struct sl_err *err)
{
	struct fetch_result *r = *rp;
	struct frontier_item *it = r->user;
	struct host *h = host_find(c, it->origin);
	struct frontier_result fres = { .status = r->status };
	enum frontier_state st = FRONTIER_DONE;
	const char *outcome = fetch_outcome_name(r->outcome), *reason = NULL;
	struct buf why;
	int retry = 0, rc = -1;
	double now = now_s();

	buf_init(&why, URL_MAX + 1024);	/* a reason names a URL at most */
	if (h)
		h->inflight--;
	c->page_inflight--;
	if (r->outcome == FETCH_OK)
		c->s.pages++;
	if (r->outcome == FETCH_OK && r->status >= 200 && r->status < 300) {
		struct pagejob *j;

		/* The worker turns it into a document; job_apply ends it. */
		c->s.ok++;
		if (record_fetch(c, r, "page", outcome, err))
			goto out;
		if (!(j = pagejob_new(r, it, now))) {
			sl_error(err, "out of memory");
			goto out;
		}
		*rp = NULL;
		c->page_inflight++;
		pageworker_push(c->pw, j);
		buf_release(&why);
		return 0;
	} else if (r->outcome == FETCH_OK && r->status == 304) {
		outcome = "notmodified";
		c->s.not_modified++;
		fres.fetched = now;
		reason = "not modified";
	} else if (r->outcome == FETCH_OK && r->status >= 300 &&
		   r->status < 400) {
		outcome = "redirect";
		fres.fetched = now;
		if (page_redirect(c, it, r, &why, err))
			goto out;
		reason = why.data;
	} else if (r->outcome == FETCH_OK && (r->status == 429 ||
					      r->status >= 500)) {
		outcome = "http";
		retry = 1;
		buf_addf(&why, "HTTP %d", r->status);
	} else if (r->outcome == FETCH_OK) {
		outcome = "http";
		st = FRONTIER_FAILED;
		buf_addf(&why, "HTTP %d", r->status);
		reason = why.data;
		c->s.http_errors++;
	} else if (r->outcome == FETCH_TIMEOUT ||
		   r->outcome == FETCH_NETERROR) {
		retry = 1;
		buf_adds(&why, r->error);
		if (r->outcome == FETCH_TIMEOUT)
			c->s.timeouts++;
		else
			c->s.neterrors++;
	} else {
		st = r->outcome == FETCH_TYPE ? FRONTIER_SKIPPED : FRONTIER_FAILED;
		reason = r->error;
		if (r->outcome == FETCH_REFUSED)
			c->s.refused++;
		else if (r->outcome == FETCH_TOOBIG)
			c->s.toobig++;
		else
			c->s.wrong_type++;
	}
	if (record_fetch(c, r, "page", outcome, err))
		goto out;
	if (retry && it->tries + 1 < c->o->max_tries) {
		c->s.retries++;
		rc = frontier_retry(&c->fr, it->id,
				    now + backoff(c, it->tries, r->retry_after),
				    why.data, err);
		if (h && host_wake(c, h) && !rc)
			rc = sl_error(err, "out of memory");
		goto out;
	}
	if (retry) {
		st = FRONTIER_FAILED;
		buf_addf(&why, " (gave up after %d tries)", it->tries + 1);
		reason = why.data;
		if (r->outcome == FETCH_OK)
			c->s.http_errors++;
	}
	if (st == FRONTIER_FAILED)
		c->s.failed++;
	rc = frontier_finish(&c->fr, it->id, st, &(struct frontier_result){
		.status = fres.status, .reason = reason,
		.fetched = fres.fetched, .etag = fres.etag,
		.last_modified = fres.last_modified }, err);
out:
	buf_release(&why);
	frontier_item_release(it);
	free(it);
	return rc;
}

/* ---- the loop -------------------------------------------------------- */

static int start_page(struct crawler *c, struct host *h,
		      struct frontier_item *it, struct sl_err *err)
{
	struct frontier_item *heap;
	struct fetch_req fr = { .kind = KIND_PAGE };
	struct url u = URL_INIT;
	struct sl_err e;

	if (url_parse(&u, it->url, &e)) {
		int rc = tx(c, err) ? -1 : frontier_finish(&c->fr, it->id,
			FRONTIER_FAILED, &(struct frontier_result){
				.reason = e.msg }, err);
		frontier_item_release(it);
		return rc;
	}
	if (!robots_allowed(h->robots, url_path_query(&u))) {
		url_release(&u);
		c->s.robots_denied++;
		if (tx(c, err) || frontier_finish(&c->fr, it->id,
				FRONTIER_SKIPPED, &(struct frontier_result){
				.reason = h->robots_why[0] ? h->robots_why :
				"disallowed by robots.txt" }, err)) {
			frontier_item_release(it);
			return -1;
		}
		frontier_item_release(it);
		return 0;
	}
	url_release(&u);
	if (!(heap = malloc(sizeof(*heap)))) {
		frontier_item_release(it);
		return sl_error(err, "out of memory");
	}
	*heap = *it;
	fr.url = heap->url;
	fr.user = heap;
	if (c->o->recrawl > 0) {
		fr.etag = heap->etag;
		fr.last_modified = heap->last_modified;
	}
	if (fetch_add(c->fe, &fr, err)) {
		frontier_item_release(heap);
		free(heap);
		return -1;
	}
	h->inflight++;
	c->page_inflight++;
	h->next_allowed = now_s() + h->delay;
	return 0;
}

static int pages_left(struct crawler *c)
{
	long left;

	if (c->o->max_pages <= 0)
		return PICK_MAX;
	left = c->o->max_pages - c->s.ok - c->page_inflight;
	return left <= 0 ? 0 : left < PICK_MAX ? (int)left : PICK_MAX;
}

static int fill_host(struct crawler *c, struct host *h, double now,
		     struct sl_err *err)
{
	struct frontier_item items[PICK_MAX];
	int want, n;
	double when;

	if (h->robots_state == ROBOTS_UNKNOWN)
		return start_robots(c, h, NULL, err);
	if (h->robots_state != ROBOTS_READY || h->inflight >= c->o->per_host ||
	    now < h->next_allowed || now < h->wake)
		return 0;
	want = c->o->per_host - h->inflight;
	if (want > c->o->concurrency - (int)fetch_pending(c->fe))
		want = c->o->concurrency - (int)fetch_pending(c->fe);
	if (h->delay > 0)
		want = 1;
	if (want > pages_left(c))
		want = pages_left(c);	/* also caps want at PICK_MAX */
	if (want <= 0)
		return 0;
	if (tx(c, err) ||
	    (n = frontier_pick(&c->fr, h->origin, now, want, items, err)) < 0)
		return -1;
	if (n == 0) {
		int rc = frontier_next_time(&c->fr, h->origin, &when, err);

		if (rc < 0)
			return -1;
		h->has_work = rc;
		h->wake = rc ? when : 0;
		return 0;
	}
	for (int i = 0; i < n; i++)
		if (start_page(c, h, &items[i], err)) {
			while (++i < n)
				frontier_item_release(&items[i]);
			return -1;
		}
	return 0;
}

static int fill(struct crawler *c, struct sl_err *err)
{
	double now = now_s();

	/* Bodies waiting for the worker are bounded: memory stays flat when
	 * the network outruns the CPU. */
	if ((long)pageworker_pending(c->pw) >= 2L * c->o->concurrency)
		return 0;
	for (size_t k = 0; k < c->nact; k++) {
		struct host *h = c->act[(c->rr + k) % c->nact];

		if ((long)fetch_pending(c->fe) >= c->o->concurrency)
			break;
		if (h->has_work && fill_host(c, h, now, err))
			return -1;
	}
	/* Hosts found without work leave the active list (they come back
	 * through host_wake when a URL of theirs is queued). */
	for (size_t i = 0; i < c->nact;) {
		struct host *h = c->act[i];

		if (h->has_work) {
			i++;
			continue;
		}
		h->active = 0;
		c->act[i] = c->act[--c->nact];
	}
	if (c->nact)
		c->rr = (c->rr + 1) % c->nact;
	while (c->sitemap_next < c->sitemap_queue.n &&
	       (long)fetch_pending(c->fe) < c->o->concurrency) {
		struct fetch_req fr = { .kind = KIND_SITEMAP,
			.url = c->sitemap_queue.v[c->sitemap_next++] };

		if (fetch_add(c->fe, &fr, err))
			return -1;
	}
	return 0;
}

/* When nothing is in flight: the earliest time a host has work, 0 when
 * one is ready now, -1 when there is no work at all. */
static double next_wake(struct crawler *c)
{
	double best = -1;

	if (!pages_left(c))
		return -1;
	for (size_t i = 0; i < c->nact; i++) {
		struct host *h = c->act[i];
		double t;

		if (!h->has_work)
			continue;
		t = h->next_allowed > h->wake ? h->next_allowed : h->wake;
		if (best < 0 || t < best)
			best = t;
	}
	return best;
}

/* A finished request; *rp is set to NULL when its ownership moved on. */
static int handle(struct crawler *c, struct fetch_result **rp,
		  struct sl_err *err)
{
	switch ((*rp)->kind) {
	case KIND_ROBOTS:
		return robots_done(c, *rp, err);
	case KIND_SITEMAP:
		return sitemap_done(c, *rp, err);
	default:
		return page_done(c, rp, err);
	}
}

static long count_queued(struct crawler *c)
{
	sqlite3_stmt *s;
	long n = 0;

	if (sqlite3_prepare_v2(c->st->db, "SELECT count(*) FROM frontier "
			       "WHERE state = 'queued'", -1, &s, NULL))
		return -1;
	if (sqlite3_step(s) == SQLITE_ROW)
		n = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return n;
}

static int add_seeds(struct crawler *c, struct sl_err *err)
{
	for (size_t i = 0; i < c->nseeds; i++)
		if (enqueue(c, &c->seeds[i], 0, 0, 0, err) < 0)
			return -1;
	return 0;
}

static int end_run(struct crawler *c, const char *status, const char *error)
{
	sqlite3_stmt *s;
	char at[CLOCK_ISO_LEN];
	struct sl_err e;
	int rc;

	if (c->st->in_tx)
		store_rollback(c->st);
	if (store_prepare(c->st, &s, "UPDATE crawl_runs SET status = ?2, "
			  "finished = ?3, fetched = ?4, added = ?5, error = ?6 "
			  "WHERE rowid = ?1", &e))
		return -1;
	sqlite3_bind_int64(s, 1, c->s.run);
	sqlite3_bind_text(s, 2, status, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, clock_iso_now(at), -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(s, 4, c->s.pages);
	sqlite3_bind_int64(s, 5, c->s.docs_added);
	bind_opt(s, 6, error);
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? 0 : -1;
}

int crawl_run(struct crawler *c,
	      void (*progress)(void *arg, const struct crawl_stats *s),
	      void *arg, struct sl_err *err)
{
	double last = clock_mono(), every = 1;
	int rc = -1;

	c->t0 = clock_mono();
	if (add_seeds(c, err) || (tx(c, err)) ||
	    frontier_origins(&c->fr, add_origin, c, err) < 0)
		goto out;
	while (!c->stop) {
		double wake;

		if (fill(c, err))
			goto out;
		if (!fetch_pending(c->fe) && !pageworker_pending(c->pw)) {
			if (commit(c, 1, err))
				goto out;
			wake = next_wake(c);
			if (wake < 0)
				break;
			wake -= now_s();
			if (wake > 0) {
				struct timespec ts = { 0, 0 };

				if (wake > 0.5)
					wake = 0.5;
				ts.tv_nsec = (long)(wake * 1e9);
				nanosleep(&ts, NULL);
			}
			continue;
		}
		if (fetch_wait(c->fe, 50, err))
			goto out;
		for (struct fetch_result *r; (r = fetch_next(c->fe));) {
			int hr = handle(c, &r, err);

			fetch_result_free(r);
			if (hr)
				goto out;
		}
		for (struct pagejob *j; (j = pageworker_pop(c->pw));) {
			int hr = job_apply(c, j, err);

			pagejob_free(j);
			if (hr)
				goto out;
		}
		if (commit(c, 0, err))
			goto out;
		if (progress && clock_mono() - last >= every) {
			double t = clock_mono();

			crawl_get_stats(c, &c->s);
			c->s.queued = count_queued(c);
			progress(arg, &c->s);
			last = clock_mono();
			/* counting a queue of millions takes a while: keep it
			 * under a twentieth of the crawl's time */
			every = 20 * (last - t) > 1 ? 20 * (last - t) : 1;
		}
	}
	rc = 0;
out:
	if (rc) {
		char msg[SL_ERR_MAX];

		snprintf(msg, sizeof(msg), "%s", err ? err->msg : "error");
		store_rollback(c->st);
		end_run(c, "failed", msg);
		return -1;
	}
	if (commit(c, 1, err))
		return -1;
	/* Requests still in flight (a stop) go back to the queue. */
	if (store_begin(c->st, err) || frontier_recover(&c->fr, c->s.run, err) < 0 ||
	    store_commit(c->st, err))
		return -1;
	c->s.queued = count_queued(c);
	return end_run(c, c->stop ? "stopped" : "done", NULL);
}

void crawl_get_stats(const struct crawler *c, struct crawl_stats *s)
{
	if (s != &c->s)
		*s = c->s;
	s->inflight = c->fe ? (long)fetch_pending(c->fe) : 0;
	s->elapsed = clock_mono() - c->t0;
}

void crawl_request_stop(struct crawler *c)
{
	c->stop = 1;
}

/* ---- setup ----------------------------------------------------------- */

/* Runs left 'running' by dead processes: mark them killed and put their
 * half-fetched URLs back.  A live one means two crawls on one store. */
static int recover_dead(struct crawler *c, struct sl_err *err)
{
	sqlite3_stmt *s, *u;
	int rc;

	if (store_prepare(c->st, &s, "SELECT rowid, pid FROM crawl_runs "
			  "WHERE status = 'running'", err))
		return -1;
	if (store_prepare(c->st, &u, "UPDATE crawl_runs SET status = 'killed' "
			  "WHERE rowid = ?1", err)) {
		sqlite3_finalize(s);
		return -1;
	}
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		int64_t run = sqlite3_column_int64(s, 0);
		pid_t pid = (pid_t)sqlite3_column_int(s, 1);
		int n;

		if (pid > 0 && pid != getpid() &&
		    (kill(pid, 0) == 0 || errno == EPERM)) {
			rc = sl_error(err, "another crawl (run %lld, pid %d) is "
				      "running on this store", (long long)run,
				      (int)pid);
			break;
		}
		if ((n = frontier_recover(&c->fr, run, err)) < 0) {
			rc = -1;
			break;
		}
		c->s.recovered += n;
		sqlite3_bind_int64(u, 1, run);
		if (sqlite3_step(u) != SQLITE_DONE) {
			rc = store_fail(c->st, err, "cannot update crawl runs");
			break;
		}
		sqlite3_reset(u);
	}
	sqlite3_finalize(s);
	sqlite3_finalize(u);
	return rc == SQLITE_DONE ? 0 : -1;
}

static int start_run(struct crawler *c, struct sl_err *err)
{
	sqlite3_stmt *s;
	char at[CLOCK_ISO_LEN];
	char *json = crawl_opts_to_json(c->o);
	int rc;

	if (!json)
		return sl_error(err, "out of memory");
	if (store_prepare(c->st, &s, "INSERT INTO crawl_runs(started, status, "
			  "pid, opts) VALUES (?1, 'running', ?2, ?3)", err)) {
		free(json);
		return -1;
	}
	sqlite3_bind_text(s, 1, clock_iso_now(at), -1, SQLITE_TRANSIENT);
	sqlite3_bind_int(s, 2, (int)getpid());
	sqlite3_bind_text(s, 3, json, -1, SQLITE_TRANSIENT);
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	free(json);
	if (rc != SQLITE_DONE)
		return store_fail(c->st, err, "cannot start a crawl run");
	c->s.run = sqlite3_last_insert_rowid(c->st->db);
	c->fr.run = c->s.run;
	return 0;
}

static int compile(struct crawler *c, const struct strlist *l,
		   pcre2_code ***out, struct sl_err *err)
{
	if (!l->n)
		return 0;
	if (!(*out = calloc(l->n, sizeof(**out))))
		return sl_error(err, "out of memory");
	for (size_t i = 0; i < l->n; i++) {
		int ec;
		PCRE2_SIZE off;
		PCRE2_UCHAR msg[256];

		(*out)[i] = pcre2_compile((PCRE2_SPTR)l->v[i],
					  PCRE2_ZERO_TERMINATED, 0, &ec, &off,
					  NULL);
		if (!(*out)[i]) {
			pcre2_get_error_message(ec, msg, sizeof(msg));
			return sl_error(err, "bad regular expression '%s' at "
					"offset %zu: %s", l->v[i], (size_t)off,
					(char *)msg);
		}
	}
	return 0;
}

/* The worker finished a job: make the loop's poll return. */
static void wake_loop(void *arg)
{
	struct crawler *c = arg;

	fetch_wakeup(c->fe);
}

static int check_opts(struct crawler *c, const struct crawl_opts *o,
		      struct sl_err *err)
{
	size_t n;

	if (o->concurrency < 1 || o->per_host < 1)
		return sl_error(err, "--concurrency and --per-host must be at "
				"least 1");
	if (o->max_tries < 1)
		return sl_error(err, "--max-tries must be at least 1");
	if (o->delay < 0 || o->timeout <= 0 || o->max_depth < 0)
		return sl_error(err, "--delay, --timeout and --max-depth must "
				"not be negative");
	if (!o->max_bytes)
		return sl_error(err, "--max-bytes must be more than 0");
	if (!o->seeds.n)
		return sl_error(err, "no seed URL given");
	n = strcspn(o->user_agent, "/ ");
	if (n == 0 || n >= sizeof(c->agent))
		return sl_error(err, "bad user agent '%s'", o->user_agent);
	memcpy(c->agent, o->user_agent, n);
	c->agent[n] = 0;
	if (!robots_agent_valid(c->agent))
		return sl_error(err, "bad user agent '%s': its product token "
				"'%s' may only hold letters, '-' and '_'",
				o->user_agent, c->agent);
	return 0;
}

int crawl_open(struct crawler **out, struct store *st,
	       const struct crawl_opts *o, struct sl_err *err)
{
	struct crawler *c = calloc(1, sizeof(*c));
	struct fetch_opts fo;

	*out = NULL;
	if (!c)
		return sl_error(err, "out of memory");
	c->st = st;
	c->o = o;
	netguard_init(&c->guard);
	if (check_opts(c, o, err))
		goto fail;
	for (size_t i = 0; i < o->allow_net.n; i++)
		if (netguard_allow(&c->guard, o->allow_net.v[i], err))
			goto fail;
	if (!(c->seeds = calloc(o->seeds.n, sizeof(*c->seeds))))
		goto nomem;
	for (size_t i = 0; i < o->seeds.n; i++, c->nseeds++)
		if (url_parse(&c->seeds[i], o->seeds.v[i], err)) {
			sl_error_prefix(err, "bad seed '%s': ", o->seeds.v[i]);
			goto fail;
		}
	if (compile(c, &o->include, &c->inc, err) ||
	    compile(c, &o->exclude, &c->exc, err))
		goto fail;
	if (!(c->seen = calloc((size_t)1 << SEEN_BITS, sizeof(*c->seen))) ||
	    !(c->md = pcre2_match_data_create(4, NULL)) || grow_table(c))
		goto nomem;
	fetch_opts_init(&fo);
	fo.user_agent = o->user_agent;
	fo.guard = &c->guard;
	fo.timeout_ms = (long)(o->timeout * 1000);
	fo.connect_timeout_ms = (long)(o->connect_timeout * 1000);
	if (fo.connect_timeout_ms > fo.timeout_ms)
		fo.connect_timeout_ms = fo.timeout_ms;
	if (fo.low_speed_secs > (long)o->timeout)
		fo.low_speed_secs = o->timeout >= 1 ? (long)o->timeout : 1;
	fo.max_bytes = o->max_bytes;
	fo.max_conns = o->concurrency;
	fo.max_host_conns = o->per_host;
	fo.accept = accept_type;
	fo.accept_arg = c;
	if (fetch_open(&c->fe, &fo, err) ||
	    pageworker_start(&c->pw, wake_loop, c, err) ||
	    frontier_open(&c->fr, st, 0, err) ||
	    docs_writer_init(&c->dw, st, err) ||
	    store_prepare(st, &c->ins_fetch, "INSERT INTO fetches(run, url, "
		"kind, status, outcome, bytes, content_type, seconds, error, "
		"at, etag, last_modified) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, "
		"?8, ?9, ?10, ?11, ?12)", err) ||
	    store_prepare(st, &c->host_get, "SELECT robots, robots_status, "
		"robots_fetched FROM hosts WHERE origin = ?1", err) ||
	    store_prepare(st, &c->host_put, "INSERT OR REPLACE INTO hosts("
		"origin, robots, robots_status, robots_fetched, crawl_delay, "
		"next_allowed) VALUES (?1, ?2, ?3, ?4, ?5, ?6)", err) ||
	    store_prepare(st, &c->doc_update, "UPDATE docs SET nbytes = ?2, "
		"nchars = ?3, hash = ?4, text = ?5, meta = ?6, added = ?7, "
		"lang = ?8 WHERE id = ?1 AND hash != ?4", err) ||
	    store_prepare(st, &c->verdicts_del, "DELETE FROM verdicts WHERE "
		"doc = (SELECT rowid FROM docs WHERE id = ?1)", err))
		goto fail;
	/* The crawl's working set is the frontier index and the pages being
	 * written: a small page cache keeps memory flat as the store grows. */
	if (store_exec(st, "PRAGMA cache_size = -8192", err) ||
	    store_begin(st, err))
		goto fail;
	/* URLs skipped because their robots.txt could not be had are tried
	 * again by a later run (a cached failure is kept 10 minutes). */
	if (recover_dead(c, err) || start_run(c, err) ||
	    store_exec(st, "UPDATE frontier SET state = 'queued', reason = NULL "
		       "WHERE state = 'skipped' AND reason LIKE "
		       "'robots.txt unavailable%'", err)) {
		store_rollback(st);
		goto fail;
	}
	if (store_commit(st, err))
		goto fail;
	srand((unsigned)(time(NULL) ^ getpid()));
	*out = c;
	return 0;
nomem:
	sl_error(err, "out of memory");
fail:
	crawl_close(c);
	return -1;
}

static void free_user(void *user, int kind)
{
	if (kind == KIND_PAGE) {
		frontier_item_release(user);
		free(user);
	} else if (kind == KIND_ROBOTS) {
		struct robots_req *rq = user;

		free(rq->url);
		free(rq);
	}
}

void crawl_close(struct crawler *c)
{
	if (!c)
		return;
	if (c->st && c->st->in_tx)
		store_rollback(c->st);
	pageworker_stop(c->pw);	/* frees the jobs it still holds */
	fetch_close(c->fe, free_user);
	frontier_close(&c->fr);
	docs_writer_release(&c->dw);
	sqlite3_finalize(c->ins_fetch);
	sqlite3_finalize(c->host_get);
	sqlite3_finalize(c->host_put);
	sqlite3_finalize(c->doc_update);
	sqlite3_finalize(c->verdicts_del);
	for (size_t i = 0; i < c->nhosts; i++) {
		robots_free(c->hosts[i]->robots);
		free(c->hosts[i]->origin);
		free(c->hosts[i]);
	}
	free(c->hosts);
	free(c->act);
	free(c->tab);
	for (size_t i = 0; i < c->nseeds; i++)
		url_release(&c->seeds[i]);
	free(c->seeds);
	for (size_t i = 0; c->inc && i < c->o->include.n; i++)
		pcre2_code_free(c->inc[i]);
	for (size_t i = 0; c->exc && i < c->o->exclude.n; i++)
		pcre2_code_free(c->exc[i]);
	free(c->inc);
	free(c->exc);
	pcre2_match_data_free(c->md);
	free(c->seen);
	strlist_release(&c->sitemap_queue);
	netguard_release(&c->guard);
	free(c);
}
