/*
 * queue.h: which document an annotator sees next, and recording what they
 * decided (issue #6).  The UI (label/tui.c, cli/cmd_label.c) drives it;
 * nothing here prints.
 *
 *   struct queue *q;
 *   struct queue_opts o = QUEUE_OPTS_INIT;      // sequential, 10 min leases
 *   queue_open(&q, st, task, "alice", &o, &err);
 *   while ((rc = queue_next(q, &item, &err)) == 1) {
 *           ... show item ...      (queue_renew() every ~lease/3 seconds)
 *           queue_decide(q, item->doc, &d, &err);   // committed on return
 *      or   queue_skip(q, item->doc, &err);
 *      or   queue_undo(q, &doc, &err);  // the next queue_next() returns doc
 *   }
 *   queue_close(q);                     // frees this session's leases
 *
 * Sessions.  queue_open starts a session (a random id stored with every
 * decision).  Undo walks back this session's decisions only, newest first;
 * each undone document goes on a stack that queue_next() pops before it
 * picks new ones (undo 3, undo 2: next is 2, then 3), with the undone
 * answer in item->prev_answer / prev_labels.
 *
 * Leases.  queue_next leases the document it returns to this session until
 * now + lease_seconds (renewable with queue_renew); a session holds at most
 * one lease, the document on screen.  A lease that expired is free again,
 * so a killed session frees its document after at most lease_seconds.
 * Nobody is handed a document another session holds.
 *
 * Overlap.  A document gets at most K = task->overlap annotations, never two
 * from the same annotator (any session).  With K > 1, documents that some
 * other annotator has started come first, so they complete.
 *
 * Strategies (the order fresh documents come in):
 *   QUEUE_SEQUENTIAL  store order (docs.rowid)
 *   QUEUE_RANDOM      a pseudo-random permutation of the store, fixed by
 *                     seed: the same seed gives the same order every time
 *   QUEUE_UNCERTAIN   documents with a classify verdict, |score - threshold|
 *                     ascending (threshold from the verdict's detail JSON,
 *                     0.5 when absent): active learning
 *   QUEUE_FLAGGED     documents some filter stage flagged
 *   QUEUE_DISAGREE    review (same as review = 1): documents whose
 *                     annotations disagree or that an annotator flagged,
 *                     not yet reviewed; item->answers lists every answer.
 *                     The reviewer's decision becomes the final label
 *                     (source 'review', overriding any other); it is not an
 *                     annotation and does not count towards K.
 * Documents any filter stage dropped are left out unless include_dropped.
 *
 * Decisions (struct decision), checked against the task:
 *   binary: answer "accept", "reject" or "ignore"; labels ignored
 *   single: answer "accept" (or NULL), exactly one label of the task
 *   multi:  answer "accept" (or NULL), zero or more distinct labels
 *   any:    answer "ignore" records that the annotator passed on it
 * queue_decide commits the annotation (annotator, UTC time, seconds, note,
 * flagged, session) in its own transaction before it returns, releases the
 * lease and updates final_labels: when a document's annotations reach K and
 * all agree (not "ignore", none flagged), final_labels gets them with source
 * 'single' (K = 1) or 'agree'.  Labels are stored in the task's order.
 *
 * Concurrency.  Any number of processes may share a store (WAL).  Every
 * write is one BEGIN IMMEDIATE transaction; SQLITE_BUSY is waited out (the
 * store's busy timeout, then retries), never returned to the caller.
 *
 * Speed.  queue_next and queue_decide use indexes only (schema.sql version
 * 5): no full-table scan per document.  The totals of queue_progress are
 * counted once at queue_open.
 */
#ifndef SL_QUEUE_H
#define SL_QUEUE_H

#include <stddef.h>
#include <stdint.h>

struct store;
struct task;
struct sl_err;
struct queue;

#define QUEUE_LEASE_DEFAULT 600.0	/* seconds: 10 minutes */

enum queue_strategy {
	QUEUE_SEQUENTIAL,
	QUEUE_RANDOM,
	QUEUE_UNCERTAIN,
	QUEUE_FLAGGED,
	QUEUE_DISAGREE,
};

struct queue_opts {
	enum queue_strategy strategy;
	uint64_t seed;		/* QUEUE_RANDOM */
	double lease_seconds;	/* <= 0: QUEUE_LEASE_DEFAULT */
	int include_dropped;	/* also documents a filter dropped */
	int review;		/* review mode: implies QUEUE_DISAGREE */
};

#define QUEUE_OPTS_INIT { QUEUE_SEQUENTIAL, 0, QUEUE_LEASE_DEFAULT, 0, 0 }

/* Owned by the queue, valid until the next queue_next()/queue_close(). */
struct queue_item {
	int64_t doc;		/* docs.rowid */
	const char *id, *url, *source, *lang;	/* url, lang may be NULL */
	const char *text;	/* current text (texts table, else original) */
	size_t len;		/* bytes; text is also NUL-terminated */
	const char *verdicts;	/* "lang=keep quality=drop(c4_curly) ...", by stage */
	double score;		/* classify stage's score, NAN when none */
	const char *suggest;	/* classify stage's suggested label, or NULL */
	const char *const *answers;	/* review mode: "alice: toxic", ... */
	size_t nanswers;
	/* after queue_undo: the annotation that was undone, so the UI can
	 * preselect it; NULL / 0 otherwise */
	const char *prev_answer;
	const char *const *prev_labels;
	size_t nprev_labels;
};

struct decision {
	const char *answer;	/* "accept" "reject" "ignore"; NULL = "accept" */
	const char *const *labels;
	size_t nlabels;
	const char *note;	/* may be NULL */
	int flagged;		/* asks for review */
	double seconds;		/* time spent on the document */
};

struct queue_progress {
	long done;		/* documents with K annotations (review: reviewed) */
	long total;		/* documents the strategy can offer (at open) */
	long mine_session;	/* decisions of this session */
	long mine_total;	/* this annotator's annotations of the task */
};

const char *queue_strategy_name(enum queue_strategy s);
/* "sequential" ... "disagree" -> *out; -1 with err when unknown. */
int queue_strategy_parse(const char *s, enum queue_strategy *out,
			 struct sl_err *err);

/* t must outlive the queue. */
int queue_open(struct queue **out, struct store *st, const struct task *t,
	       const char *annotator, const struct queue_opts *o,
	       struct sl_err *err);
/* 1: *item is leased to this session; 0: nothing for this annotator now
 * (queue_waiting() says whether documents other sessions hold may still
 * come back to it); -1: error. */
int queue_next(struct queue *q, struct queue_item **item, struct sl_err *err);
/* Record d for doc (which this session should hold); committed on return. */
int queue_decide(struct queue *q, int64_t doc, const struct decision *d,
		 struct sl_err *err);
/* 1: removed this session's last decision; *doc is re-leased and is what
 * the next queue_next() returns (later ones: the other undone documents,
 * newest first).  0: nothing to undo.  -1: error. */
int queue_undo(struct queue *q, int64_t *doc, struct sl_err *err);
/* doc is not offered again this session; its lease is released. */
int queue_skip(struct queue *q, int64_t doc, struct sl_err *err);
int queue_progress(struct queue *q, struct queue_progress *p,
		   struct sl_err *err);
/* Extend the lease on the document on screen to now + lease_seconds. */
int queue_renew(struct queue *q, struct sl_err *err);
/* Releases this session's leases and frees q (NULL is fine). */
void queue_close(struct queue *q);

/* Documents this annotator could still get that other sessions hold now
 * (they come back when decided without reaching K, skipped, or expired):
 * when queue_next() returned 0 and *n > 0, ask again later. */
int queue_waiting(struct queue *q, long *n, struct sl_err *err);

/* This session's id (text), as stored in annotations.session. */
const char *queue_session(const struct queue *q);

#endif
