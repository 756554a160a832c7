/*
 * fetch.c: libcurl multi driver (see fetch.h for the rules every request
 * follows).
 *
 * Each request runs on an easy handle from a free list: the options that
 * never change are set once when the handle is made, the URL and headers
 * per request.  Connections live in the multi handle's cache, not in the
 * easy handles, so keep-alive works whichever handle the next request to
 * a host gets.
 */
#include "fetch.h"

#include <curl/curl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "netguard.h"
#include "../lib/err.h"
#include "../lib/banned.h"

struct xfer {
	CURL *h;
	struct fetcher *fe;
	struct fetch_result *res;
	struct curl_slist *hdrs;
	struct xfer *next;	/* free list, or active list */
	int refused, toobig, type_refused, checked_type, kind;
	char why[128];
	char errbuf[CURL_ERROR_SIZE];
};

struct done {
	struct fetch_result *res;
	struct done *next;
};

struct fetcher {
	struct fetch_opts o;
	char *ua;
	CURLM *m;
	struct xfer *free;
	struct xfer *active;	/* attached to the multi handle */
	struct done *head, *tail;
	size_t pending;
};

static const char *const outcome_names[] = {
	"ok", "toobig", "refused", "timeout", "neterror", "type",
};

const char *fetch_outcome_name(enum fetch_outcome o)
{
	return (unsigned)o < 6 ? outcome_names[o] : "?";
}

void fetch_opts_init(struct fetch_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->user_agent = "sluice";
	o->connect_timeout_ms = 10000;
	o->timeout_ms = 30000;
	o->low_speed_bytes = 100;
	o->low_speed_secs = 10;
	o->max_bytes = 8u << 20;
	o->max_conns = 16;
	o->max_host_conns = 2;
}

int fetch_open(struct fetcher **out, const struct fetch_opts *o,
	       struct sl_err *err)
{
	struct fetcher *fe;
	static int curl_ready;

	*out = NULL;
	if (!o->guard)
		return sl_error(err, "fetch: no network guard given");
	/* curl_global_init is not thread-safe; the crawler calls us from
	 * one thread, once. */
	if (!curl_ready) {
		if (curl_global_init(CURL_GLOBAL_DEFAULT))
			return sl_error(err, "cannot initialise libcurl");
		curl_ready = 1;
	}
	if (!(fe = calloc(1, sizeof(*fe))) ||
	    !(fe->ua = strdup(o->user_agent ? o->user_agent : "sluice")) ||
	    !(fe->m = curl_multi_init())) {
		if (fe)
			free(fe->ua);
		free(fe);
		return sl_error(err, "cannot start the fetcher: out of memory");
	}
	fe->o = *o;
	fe->o.user_agent = fe->ua;
	curl_multi_setopt(fe->m, CURLMOPT_MAX_TOTAL_CONNECTIONS, o->max_conns);
	curl_multi_setopt(fe->m, CURLMOPT_MAX_HOST_CONNECTIONS,
			  o->max_host_conns);
	curl_multi_setopt(fe->m, CURLMOPT_MAXCONNECTS, o->max_conns * 2);
	curl_multi_setopt(fe->m, CURLMOPT_PIPELINING, (long)CURLPIPE_MULTIPLEX);
	*out = fe;
	return 0;
}

void fetch_result_free(struct fetch_result *r)
{
	if (!r)
		return;
	free(r->url);
	free(r->content_type);
	free(r->location);
	free(r->etag);
	free(r->last_modified);
	buf_release(&r->body);
	free(r);
}

void fetch_close(struct fetcher *fe, void (*free_user)(void *, int))
{
	if (!fe)
		return;
	/* Requests still running are dropped with their results. */
	while (fe->head) {
		struct done *d = fe->head;

		fe->head = d->next;
		if (free_user)
			free_user(d->res->user, d->res->kind);
		fetch_result_free(d->res);
		free(d);
	}
	while (fe->free) {
		struct xfer *x = fe->free;

		fe->free = x->next;
		curl_easy_cleanup(x->h);
		free(x);
	}
	while (fe->active) {
		struct xfer *x = fe->active;

		fe->active = x->next;
		curl_multi_remove_handle(fe->m, x->h);
		curl_easy_cleanup(x->h);
		curl_slist_free_all(x->hdrs);
		if (free_user && x->res)
			free_user(x->res->user, x->res->kind);
		fetch_result_free(x->res);
		free(x);
	}
	curl_multi_cleanup(fe->m);
	free(fe->ua);
	free(fe);
}

/* CURLOPT_OPENSOCKETFUNCTION: the SSRF guard on the real address. */
static curl_socket_t on_open(void *arg, curlsocktype purpose,
			     struct curl_sockaddr *a)
{
	struct xfer *x = arg;

	if (netguard_check(x->fe->o.guard, &a->addr, x->why, sizeof(x->why))) {
		x->refused = 1;
		return CURL_SOCKET_BAD;
	}
	return socket(a->family, a->socktype, a->protocol);
}

/* The body, decompressed by curl; returning less than given aborts. */
static size_t on_write(char *p, size_t size, size_t n, void *arg)
{
	struct xfer *x = arg;
	struct buf *b = &x->res->body;
	size_t len = size * n, room;

	if (!x->checked_type) {
		long code = 0;
		char *ct = NULL;
		curl_off_t cl = -1;

		x->checked_type = 1;
		curl_easy_getinfo(x->h, CURLINFO_RESPONSE_CODE, &code);
		curl_easy_getinfo(x->h, CURLINFO_CONTENT_TYPE, &ct);
		if (code >= 200 && code < 300 && x->fe->o.accept &&
		    !x->fe->o.accept(x->fe->o.accept_arg, x->kind, ct)) {
			x->type_refused = 1;
			return 0;
		}
		/* One allocation for the announced length (a hint: bodies
		 * arrive decompressed) instead of a doubling series; never
		 * past the cap, whatever the server claims. */
		curl_easy_getinfo(x->h, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &cl);
		if (cl > 0 && (curl_off_t)len <= cl &&
		    (size_t)cl <= x->fe->o.max_bytes)
			buf_grow(b, (size_t)cl);
	}
	room = x->fe->o.max_bytes - b->len;
	if (len > room) {
		if (room && buf_add(b, p, room))
			return 0;
		x->toobig = 1;
		return 0;
	}
	if (len && buf_add(b, p, len))
		return 0;
	return len;
}

static struct xfer *xfer_new(struct fetcher *fe)
{
	struct xfer *x = fe->free;
	const struct fetch_opts *o = &fe->o;
	CURL *h;

	if (x) {
		fe->free = x->next;
		return x;
	}
	if (!(x = calloc(1, sizeof(*x))))
		return NULL;
	if (!(h = x->h = curl_easy_init())) {
		free(x);
		return NULL;
	}
	x->fe = fe;
	curl_easy_setopt(h, CURLOPT_PRIVATE, x);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(h, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(h, CURLOPT_PROXY, "");
	curl_easy_setopt(h, CURLOPT_ACCEPT_ENCODING, "");
	curl_easy_setopt(h, CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_2TLS);
	/* no PIPEWAIT: on HTTP/1.1 it holds new requests back while curl
	 * waits to learn whether a busy connection could multiplex. */
	curl_easy_setopt(h, CURLOPT_USERAGENT, o->user_agent);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, o->connect_timeout_ms);
	curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, o->timeout_ms);
	curl_easy_setopt(h, CURLOPT_LOW_SPEED_LIMIT, o->low_speed_bytes);
	curl_easy_setopt(h, CURLOPT_LOW_SPEED_TIME, o->low_speed_secs);
	curl_easy_setopt(h, CURLOPT_OPENSOCKETFUNCTION, on_open);
	curl_easy_setopt(h, CURLOPT_OPENSOCKETDATA, x);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_write);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, x);
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, x->errbuf);
	return x;
}

int fetch_add(struct fetcher *fe, const struct fetch_req *r,
	      struct sl_err *err)
{
	struct xfer *x = xfer_new(fe);
	struct fetch_result *res = calloc(1, sizeof(*res));
	struct buf line;

	if (!x || !res || !(res->url = strdup(r->url))) {
		if (x) {
			x->next = fe->free;
			fe->free = x;
		}
		fetch_result_free(res);
		return sl_error(err, "cannot fetch '%s': out of memory", r->url);
	}
	res->user = r->user;
	res->kind = r->kind;
	res->retry_after = -1;
	buf_init(&res->body, fe->o.max_bytes + 1);
	x->res = res;
	x->refused = x->toobig = x->type_refused = x->checked_type = 0;
	x->why[0] = x->errbuf[0] = 0;
	x->hdrs = NULL;
	x->kind = r->kind;
	buf_init(&line, 0);
	if (r->etag && *r->etag && !buf_addf(&line, "If-None-Match: %s",
					      r->etag))
		x->hdrs = curl_slist_append(x->hdrs, line.data);
	buf_reset(&line);
	if (r->last_modified && *r->last_modified &&
	    !buf_addf(&line, "If-Modified-Since: %s", r->last_modified))
		x->hdrs = curl_slist_append(x->hdrs, line.data);
	buf_release(&line);
	curl_easy_setopt(x->h, CURLOPT_HTTPHEADER, x->hdrs);
	curl_easy_setopt(x->h, CURLOPT_URL, r->url);
	if (curl_multi_add_handle(fe->m, x->h) != CURLM_OK) {
		curl_slist_free_all(x->hdrs);
		x->hdrs = NULL;
		x->res = NULL;
		x->next = fe->free;
		fe->free = x;
		fetch_result_free(res);
		return sl_error(err, "cannot fetch '%s': curl refused it", r->url);
	}
	x->next = fe->active;
	fe->active = x;
	fe->pending++;
	return 0;
}

size_t fetch_pending(const struct fetcher *fe)
{
	return fe->pending;
}

static char *header(CURL *h, const char *name)
{
	struct curl_header *hd;

	if (curl_easy_header(h, name, 0, CURLH_HEADER, -1, &hd) != CURLHE_OK)
		return NULL;
	return strdup(hd->value);
}

double fetch_parse_retry_after(const char *v, double now)
{
	char *end;
	double d;
	time_t t;

	if (!v)
		return -1;
	while (*v == ' ')
		v++;
	if (*v >= '0' && *v <= '9') {
		d = strtod(v, &end);
		while (*end == ' ')
			end++;
		return *end ? -1 : d;
	}
	t = curl_getdate(v, NULL);
	if (t == (time_t)-1)
		return -1;
	return t > now ? (double)t - now : 0;
}

static void finish(struct fetcher *fe, struct xfer *x, CURLcode cc)
{
	struct fetch_result *r = x->res;
	long code = 0;
	char *ct = NULL, *ip = NULL;
	double t = 0;
	struct done *d;

	curl_easy_getinfo(x->h, CURLINFO_RESPONSE_CODE, &code);
	curl_easy_getinfo(x->h, CURLINFO_CONTENT_TYPE, &ct);
	curl_easy_getinfo(x->h, CURLINFO_TOTAL_TIME, &t);
	curl_easy_getinfo(x->h, CURLINFO_PRIMARY_IP, &ip);
	r->status = (int)code;
	r->seconds = t;
	if (ip)
		snprintf(r->ip, sizeof(r->ip), "%s", ip);
	if (ct)
		r->content_type = strdup(ct);
	if (code > 0) {
		char *ra = header(x->h, "Retry-After");

		r->location = header(x->h, "Location");
		r->etag = header(x->h, "ETag");
		r->last_modified = header(x->h, "Last-Modified");
		r->retry_after = fetch_parse_retry_after(ra, (double)time(NULL));
		free(ra);
	}
	if (cc == CURLE_OK) {
		r->outcome = FETCH_OK;
	} else if (x->toobig) {
		r->outcome = FETCH_TOOBIG;
		snprintf(r->error, sizeof(r->error), "body over the cap of %zu "
			 "bytes", fe->o.max_bytes);
	} else if (x->type_refused) {
		r->outcome = FETCH_TYPE;
		snprintf(r->error, sizeof(r->error), "content type '%s' not "
			 "accepted", ct ? ct : "");
	} else if (x->refused && (cc == CURLE_COULDNT_CONNECT ||
				  cc == CURLE_COULDNT_RESOLVE_HOST)) {
		r->outcome = FETCH_REFUSED;
		snprintf(r->error, sizeof(r->error), "address refused: %s",
			 x->why);
	} else if (cc == CURLE_OPERATION_TIMEDOUT) {
		r->outcome = FETCH_TIMEOUT;
		snprintf(r->error, sizeof(r->error), "%s", x->errbuf[0] ?
			 x->errbuf : curl_easy_strerror(cc));
	} else {
		r->outcome = FETCH_NETERROR;
		snprintf(r->error, sizeof(r->error), "%s", x->errbuf[0] ?
			 x->errbuf : curl_easy_strerror(cc));
	}
	curl_multi_remove_handle(fe->m, x->h);
	for (struct xfer **pp = &fe->active; *pp; pp = &(*pp)->next)
		if (*pp == x) {
			*pp = x->next;
			break;
		}
	curl_slist_free_all(x->hdrs);
	x->hdrs = NULL;
	x->res = NULL;
	x->next = fe->free;
	fe->free = x;
	if (!(d = malloc(sizeof(*d)))) {
		/* Without a node the result is lost; count it as done so the
		 * caller's loop still ends. */
		fetch_result_free(r);
		fe->pending--;
		return;
	}
	d->res = r;
	d->next = NULL;
	if (fe->tail)
		fe->tail->next = d;
	else
		fe->head = d;
	fe->tail = d;
}

static void collect(struct fetcher *fe)
{
	CURLMsg *msg;
	int left;

	while ((msg = curl_multi_info_read(fe->m, &left))) {
		struct xfer *x = NULL;

		if (msg->msg != CURLMSG_DONE)
			continue;
		curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE,
				  (char **)&x);
		finish(fe, x, msg->data.result);
	}
}

int fetch_wait(struct fetcher *fe, int timeout_ms, struct sl_err *err)
{
	int running;
	CURLMcode mc;

	/* Poll even with nothing running: fetch_wakeup() ends the wait.  The
	 * poll returns at once when a transfer is due (one just added is),
	 * so one perform after it is enough: each perform polls every
	 * transfer's socket, and one before the poll cost 16 syscalls a turn
	 * while holding finished transfers back through the wait. */
	mc = fe->head ? CURLM_OK : curl_multi_poll(fe->m, NULL, 0, timeout_ms,
						   NULL);
	if (mc == CURLM_OK)
		mc = curl_multi_perform(fe->m, &running);
	if (mc != CURLM_OK)
		return sl_error(err, "fetch: %s", curl_multi_strerror(mc));
	collect(fe);
	return 0;
}

void fetch_wakeup(struct fetcher *fe)
{
	curl_multi_wakeup(fe->m);
}

struct fetch_result *fetch_next(struct fetcher *fe)
{
	struct done *d = fe->head;
	struct fetch_result *r;

	if (!d)
		return NULL;
	fe->head = d->next;
	if (!fe->head)
		fe->tail = NULL;
	r = d->res;
	free(d);
	fe->pending--;
	return r;
}
