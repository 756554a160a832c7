/*
 * pagejob.c: fetched bodies into ready documents on a worker thread (see
 * pagejob.h).
 *
 *   loop thread                 worker thread
 *   push(job) --> [todo] -----> process: charset, extract, meta, zstd
 *   pop(job)  <-- [done] <----- wake(): curl_multi_wakeup, so the loop's
 *                               poll returns at once
 */
#include "pagejob.h"
#include "url.h"

#include <libxml/parser.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "../lib/clock.h"
#include "../lib/jsonw.h"
#include "../lib/banned.h"

struct queue {
	struct pagejob *head, *tail;
};

struct pageworker {
	pthread_t th;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct queue todo, done;
	size_t pending;
	int stop;
	void (*wake)(void *);
	void *wake_arg;
	ZSTD_CCtx *cctx;
};

static void q_put(struct queue *q, struct pagejob *j)
{
	j->next = NULL;
	if (q->tail)
		q->tail->next = j;
	else
		q->head = j;
	q->tail = j;
}

static struct pagejob *q_take(struct queue *q)
{
	struct pagejob *j = q->head;

	if (j) {
		q->head = j->next;
		if (!q->head)
			q->tail = NULL;
		j->next = NULL;
	}
	return j;
}

struct pagejob *pagejob_new(struct fetch_result *r, struct frontier_item *it,
			    double fetched)
{
	struct pagejob *j = calloc(1, sizeof(*j));

	if (!j)
		return NULL;
	j->r = r;
	j->it = it;
	j->fetched = fetched;
	buf_init(&j->conv, DOCS_MAX_TEXT);
	buf_init(&j->meta, 1 << 20);
	buf_init(&j->z, 0);
	extract_result_init(&j->er);
	return j;
}

void pagejob_free(struct pagejob *j)
{
	if (!j)
		return;
	fetch_result_free(j->r);
	if (j->it) {
		frontier_item_release(j->it);
		free(j->it);
	}
	buf_release(&j->conv);
	buf_release(&j->meta);
	buf_release(&j->z);
	extract_result_release(&j->er);
	free(j);
}

void pagejob_media_type(const char *ct, char *out, size_t size)
{
	size_t n = 0;

	while (ct && *ct == ' ')
		ct++;
	while (ct && *ct && *ct != ';' && *ct != ' ' && n + 1 < size) {
		char ch = *ct++;

		out[n++] = (ch >= 'A' && ch <= 'Z') ? ch + 32 : ch;
	}
	out[n] = 0;
}

static int add_str(struct buf *m, const char *key, const char *v)
{
	if (!v)
		return 0;
	return jsonw_key(m, key, 0) || jsonw_str(m, v, strlen(v));
}

/* <link rel=canonical> resolved against the page's URL (and <base>);
 * NULL when absent or not an http(s) URL. */
static char *canonical(const struct pagejob *j)
{
	struct url page = URL_INIT, base = URL_INIT, c = URL_INIT;
	struct sl_err err;
	char *res = NULL;

	if (!j->er.canonical || !j->it || !j->it->url ||
	    url_parse(&page, j->it->url, &err))
		goto out;
	if (j->er.base_href && !url_resolve(&base, &page, j->er.base_href, &err)) {
		url_release(&page);
		page = base;
		base = (struct url)URL_INIT;
	}
	if (!url_resolve(&c, &page, j->er.canonical, &err))
		res = strdup(url_str(&c));
out:
	url_release(&page);
	url_release(&base);
	url_release(&c);
	return res;
}

/* The document's metadata: what the response and the page said. */
static int make_meta(struct pagejob *j)
{
	const struct fetch_result *r = j->r;
	struct buf *m = &j->meta;
	char at[CLOCK_ISO_LEN];
	char *canon = canonical(j);
	int rc;

	buf_reset(m);
	clock_iso((time_t)j->fetched, at);
	if (buf_addf(m, "{\"http_status\":%d", r->status) ||
	    add_str(m, "content_type", r->content_type ? r->content_type : "") ||
	    add_str(m, "fetched", at) || add_str(m, "charset", j->label) ||
	    (j->nrepl && buf_addf(m, ",\"replacements\":%zu", j->nrepl)) ||
	    add_str(m, "title", j->er.title) || add_str(m, "canonical", canon) ||
	    add_str(m, "etag", r->etag) ||
	    add_str(m, "last_modified", r->last_modified) || buf_addc(m, '}'))
		rc = sl_error(&j->err, "out of memory");
	else
		rc = 0;
	free(canon);
	return rc;
}

void pagejob_process(struct pagejob *j, ZSTD_CCtx *cctx)
{
	const struct fetch_result *r = j->r;
	const char *body = r->body.data ? r->body.data : "";
	const char *text;
	size_t n;
	char mt[128];
	struct extract_opts eo;

	pagejob_media_type(r->content_type, mt, sizeof(mt));
	/* No Content-Type: the body is taken for HTML. */
	j->is_html = !*mt || !strcmp(mt, "text/html") ||
		     !strcmp(mt, "application/xhtml+xml");
	charset_detect(body, r->body.len, r->content_type, j->label,
		       sizeof(j->label));
	if (charset_to_utf8(body, r->body.len, j->label, &j->conv, &j->nrepl,
			    &j->err) < 0)
		goto fail;
	text = j->conv.data ? j->conv.data : "";
	n = j->conv.len;
	if (j->is_html) {
		extract_opts_init(&eo);
		if (extract_html(text, n, &eo, &j->er, &j->err))
			goto fail;
		text = j->er.text.data ? j->er.text.data : "";
		n = j->er.text.len;
		if (j->er.noindex) {
			j->reason = "noindex";
			return;
		}
	}
	if (!n) {
		j->reason = "no text";
		return;
	}
	if (make_meta(j))
		goto fail;
	j->d = (struct doc_in){ .url = j->it->url, .source = "crawl",
				.text = text, .nbytes = n,
				.lang = j->is_html ? j->er.lang : NULL,
				.meta = j->meta.data };
	docs_measure(&j->d);
	if (docs_compress(&j->d, cctx, &j->z, &j->err))
		goto fail;
	j->has_doc = 1;
	return;
fail:
	j->failed = 1;
}

static void *work(void *arg)
{
	struct pageworker *w = arg;
	struct pagejob *j;

	int was_empty;

	pthread_mutex_lock(&w->mu);
	for (;;) {
		while (!w->stop && !w->todo.head)
			pthread_cond_wait(&w->cv, &w->mu);
		if (w->stop)
			break;
		j = q_take(&w->todo);
		pthread_mutex_unlock(&w->mu);
		pagejob_process(j, w->cctx);
		pthread_mutex_lock(&w->mu);
		was_empty = !w->done.head;
		q_put(&w->done, j);
		pthread_mutex_unlock(&w->mu);
		/* The loop pops until the queue is empty, so a job put behind
		 * others is seen without a wakeup of its own: one per batch
		 * saves a syscall and a turn of the loop per page.  Woken after
		 * the unlock: the loop does not wait on the mutex through the
		 * wakeup's send(). */
		if (was_empty && w->wake)
			w->wake(w->wake_arg);
		pthread_mutex_lock(&w->mu);
	}
	pthread_mutex_unlock(&w->mu);
	return NULL;
}

int pageworker_start(struct pageworker **out, void (*wake)(void *arg),
		     void *wake_arg, struct sl_err *err)
{
	struct pageworker *w = calloc(1, sizeof(*w));

	*out = NULL;
	if (!w || !(w->cctx = ZSTD_createCCtx())) {
		free(w);
		return sl_error(err, "cannot start the page worker: out of "
				"memory");
	}
	ZSTD_CCtx_setParameter(w->cctx, ZSTD_c_compressionLevel,
			       DOCS_ZSTD_LEVEL);
	/* libxml2 must be initialised before a second thread parses. */
	xmlInitParser();
	w->wake = wake;
	w->wake_arg = wake_arg;
	pthread_mutex_init(&w->mu, NULL);
	pthread_cond_init(&w->cv, NULL);
	if (pthread_create(&w->th, NULL, work, w)) {
		ZSTD_freeCCtx(w->cctx);
		free(w);
		return sl_error(err, "cannot start the page worker:");
	}
	*out = w;
	return 0;
}

void pageworker_push(struct pageworker *w, struct pagejob *j)
{
	pthread_mutex_lock(&w->mu);
	q_put(&w->todo, j);
	w->pending++;
	pthread_cond_signal(&w->cv);
	pthread_mutex_unlock(&w->mu);
}

struct pagejob *pageworker_pop(struct pageworker *w)
{
	struct pagejob *j;

	pthread_mutex_lock(&w->mu);
	j = q_take(&w->done);
	if (j)
		w->pending--;
	pthread_mutex_unlock(&w->mu);
	return j;
}

size_t pageworker_pending(struct pageworker *w)
{
	size_t n;

	pthread_mutex_lock(&w->mu);
	n = w->pending;
	pthread_mutex_unlock(&w->mu);
	return n;
}

void pageworker_stop(struct pageworker *w)
{
	struct pagejob *j;

	if (!w)
		return;
	pthread_mutex_lock(&w->mu);
	w->stop = 1;
	pthread_cond_signal(&w->cv);
	pthread_mutex_unlock(&w->mu);
	pthread_join(w->th, NULL);
	while ((j = q_take(&w->todo)))
		pagejob_free(j);
	while ((j = q_take(&w->done)))
		pagejob_free(j);
	pthread_cond_destroy(&w->cv);
	pthread_mutex_destroy(&w->mu);
	ZSTD_freeCCtx(w->cctx);
	free(w);
}
