/*
 * pagejob.h: a fetched 2xx body turned into a document ready to insert,
 * on a worker thread, so the crawl loop's thread keeps the network and
 * SQLite busy while another core does the CPU work.
 *
 * The work of a job (pagejob_process): charset detection and conversion
 * to UTF-8 (charset.h); for HTML, main text, title, lang, robots meta,
 * base href and outlinks (extract.h); the metadata JSON; the text's
 * count, hash, id and zstd frame (docs_measure, docs_compress).  What is
 * left for the loop's thread is what touches the store: outlinks into the
 * frontier, docs_insert, the frontier row's outcome.
 *
 *   struct pageworker *w;
 *   pageworker_start(&w, wake_fn, arg, &err);  // wake_fn: a job is done
 *   j = pagejob_new(result, item);             // takes both
 *   pageworker_push(w, j);
 *   ... while ((j = pageworker_pop(w))) { apply j; pagejob_free(j); }
 *       // pop until NULL: wake_fn is called only when the done queue
 *       // goes from empty to not empty
 *   pageworker_stop(w);      // joins; frees jobs not yet popped
 *
 * Jobs move one way: pushed by the loop, processed in order by one worker,
 * popped by the loop.  Everything a job points to is owned by the job.
 */
#ifndef SL_PAGEJOB_H
#define SL_PAGEJOB_H

#include <stddef.h>
#include <zstd.h>

#include "charset.h"
#include "extract.h"
#include "fetch.h"
#include "frontier.h"
#include "../lib/buf.h"
#include "../lib/err.h"
#include "../store/docs.h"

struct pagejob {
	struct fetch_result *r;		/* the response (owned) */
	struct frontier_item *it;	/* its frontier row (owned) */
	double fetched;			/* when the response ended */
	/* filled by pagejob_process */
	int failed;			/* err says why */
	struct sl_err err;
	int is_html, has_doc;
	const char *reason;		/* no document: "no text", "noindex" */
	char label[CHARSET_LABEL_MAX];	/* the charset decoded */
	size_t nrepl;			/* U+FFFD replacements */
	struct buf conv;		/* the body in UTF-8 */
	struct extract_result er;	/* HTML only */
	struct buf meta, z;
	struct doc_in d;		/* ready for docs_insert */
	struct pagejob *next;
};

/* A job for r (whose user pointer is it); NULL when out of memory (r and
 * it are then left to the caller). */
struct pagejob *pagejob_new(struct fetch_result *r, struct frontier_item *it,
			    double fetched);
/* Do the CPU work of j (any thread; cctx is that thread's). */
void pagejob_process(struct pagejob *j, ZSTD_CCtx *cctx);
void pagejob_free(struct pagejob *j);

/* The media type of a Content-Type value ("text/html"), lower-cased,
 * into out; "" when ct is NULL or empty. */
void pagejob_media_type(const char *ct, char *out, size_t size);

struct pageworker;

int pageworker_start(struct pageworker **out, void (*wake)(void *arg),
		     void *wake_arg, struct sl_err *err);
void pageworker_push(struct pageworker *w, struct pagejob *j);
/* A processed job, or NULL when none is ready. */
struct pagejob *pageworker_pop(struct pageworker *w);
/* Jobs pushed and not yet popped. */
size_t pageworker_pending(struct pageworker *w);
void pageworker_stop(struct pageworker *w);

#endif
