/*
 * fetch.h: many HTTP(S) GETs in flight on one thread (libcurl multi).
 *
 * One fetcher holds a libcurl multi handle (its connection cache gives
 * keep-alive and HTTP/2 multiplexing across requests) and a pool of easy
 * handles.  Every request is locked down the same way:
 * - http and https only (CURLOPT_PROTOCOLS_STR), no proxy (the environment's
 *   http_proxy would otherwise route us, and the SSRF guard would judge the
 *   proxy's address instead of the target's);
 * - redirects are NOT followed: a 3xx comes back with its Location, and the
 *   caller checks the target (scheme, scope, robots) as a new URL;
 * - the SSRF guard (netguard.h) runs on every address curl opens a socket
 *   to; a refusal ends the request with FETCH_REFUSED;
 * - bodies are decompressed by curl (gzip, deflate, br: Accept-Encoding
 *   lists what this libcurl supports) and capped at max_bytes of
 *   *decompressed* data in the write callback, so a gzip bomb stops at the
 *   cap (FETCH_TOOBIG);
 * - connect, total and low-speed timeouts (FETCH_TIMEOUT), so a server
 *   dripping a byte a second cannot hold a slot;
 * - an accept() callback may refuse the body by its Content-Type before
 *   it is read (FETCH_TYPE).
 *
 *   struct fetcher *fe;
 *   fetch_open(&fe, &opts, &err);
 *   fetch_add(fe, &req, &err);           // any number; queued by curl
 *   while (fetch_pending(fe)) {
 *       fetch_wait(fe, 100, &err);       // runs transfers up to 100 ms
 *       while ((res = fetch_next(fe)))   // finished ones
 *           { use res; fetch_result_free(res); }
 *   }
 *   fetch_close(fe, free_user);
 */
#ifndef SL_FETCH_H
#define SL_FETCH_H

#include <stddef.h>

#include "../lib/buf.h"

struct netguard;
struct sl_err;

enum fetch_outcome {
	FETCH_OK,		/* a response (any HTTP status) */
	FETCH_TOOBIG,		/* body over max_bytes after decompression */
	FETCH_REFUSED,		/* the SSRF guard refused the address */
	FETCH_TIMEOUT,		/* connect, total or low-speed timeout */
	FETCH_NETERROR,		/* DNS, connect, TLS, protocol error */
	FETCH_TYPE,		/* accept() refused the content type */
};

struct fetch_opts {
	const char *user_agent;		/* the User-Agent header */
	const struct netguard *guard;	/* required */
	long connect_timeout_ms;	/* default 10000 */
	long timeout_ms;		/* whole transfer, default 30000 */
	long low_speed_bytes;		/* abort below this many bytes/s ... */
	long low_speed_secs;		/* ... for this long (default 100, 10) */
	size_t max_bytes;		/* decompressed body cap, default 8 MiB */
	long max_conns;			/* total connections, default 16 */
	long max_host_conns;		/* per host, default 2 */
	/* Called once per 2xx response when the body starts, with the request's
	 * kind: nonzero keeps it.
	 * NULL accepts everything. */
	int (*accept)(void *arg, int kind, const char *content_type);
	void *accept_arg;
};

void fetch_opts_init(struct fetch_opts *o);

struct fetch_req {
	const char *url;
	const char *etag, *last_modified;	/* conditional GET, or NULL */
	void *user;				/* handed back in the result */
	int kind;				/* caller's tag, handed back */
};

struct fetch_result {
	void *user;
	int kind;
	char *url;
	enum fetch_outcome outcome;
	int status;		/* HTTP status, 0 when there was no response */
	char error[256];	/* why, when outcome != FETCH_OK */
	struct buf body;	/* decompressed, capped at max_bytes */
	char *content_type, *location, *etag, *last_modified;
	double retry_after;	/* seconds from now, -1 when not given */
	double seconds;		/* total time */
	char ip[64];		/* the address connected to, "" when none */
};

struct fetcher;

int fetch_open(struct fetcher **out, const struct fetch_opts *o,
	       struct sl_err *err);
/* Drops unfinished requests, handing each one's user pointer and kind
 * to free_user (may be NULL). */
void fetch_close(struct fetcher *fe, void (*free_user)(void *user, int kind));

/* Start a request (it runs during fetch_wait). */
int fetch_add(struct fetcher *fe, const struct fetch_req *r,
	      struct sl_err *err);

/* Requests added and not yet returned by fetch_next. */
size_t fetch_pending(const struct fetcher *fe);

/* Drive the transfers, waiting at most timeout_ms for activity. */
int fetch_wait(struct fetcher *fe, int timeout_ms, struct sl_err *err);

/* Make a fetch_wait() in progress (or the next one) return at once; safe
 * from any thread. */
void fetch_wakeup(struct fetcher *fe);

/* A finished request (the caller frees it), or NULL. */
struct fetch_result *fetch_next(struct fetcher *fe);
void fetch_result_free(struct fetch_result *r);

const char *fetch_outcome_name(enum fetch_outcome o);

/* Parse a Retry-After value (delta seconds or an HTTP date) into seconds
 * from now (>= 0), or -1 when it is neither. */
double fetch_parse_retry_after(const char *v, double now);

#endif
