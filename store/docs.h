/*
 * docs.h: documents in the store.
 *
 * A document's text is stored as one zstd frame with its byte length, code
 * point count and XXH3-128 hash.  Its id is the one given, or else derived:
 * the hex XXH3-128 of its URL when it has one, of its text otherwise, so
 * importing the same input twice adds nothing.
 *
 * Writing, in steps so the CPU work can be spread over threads:
 *
 *   struct doc_in d = { .text = t, .nbytes = n, .source = "web", ... };
 *   docs_measure(&d);                        // any thread: count, hash, id
 *   docs_compress(&d, cctx, &zbuf, &err);    // any thread: zstd the text
 *   (docs_pack() does both)
 *   docs_writer_init(&w, st, &err);          // the writer thread
 *   store_begin(st, &err);
 *   rc = docs_insert(&w, &d, &err);          // 1 added, 0 id existed
 *   store_commit(st, &err);
 *   docs_writer_release(&w);
 *
 * Reading: a cursor over a query whose columns are DOCS_COLUMNS; each row's
 * strings and text stay valid until the next call.
 */
#ifndef SL_DOCS_H
#define SL_DOCS_H

#include <stddef.h>
#include <stdint.h>
#include <sqlite3.h>
#include <zstd.h>

#include "../lib/buf.h"
#include "../lib/hash.h"

struct sl_err;
struct store;

/* zstd level for stored text: level 1 compresses text ~3x at several
 * hundred MB/s, which keeps import fast; higher levels gain little. */
#define DOCS_ZSTD_LEVEL 1
/* Largest text a document may have (the import line cap's default). */
#define DOCS_MAX_TEXT (64u << 20)

struct doc_in {
	const char *id;		/* NULL: derive from url, else from text */
	const char *url;	/* NULL when unknown */
	const char *source;	/* never NULL */
	const char *lang;	/* NULL when unknown */
	const char *created;	/* NULL when unknown */
	const char *meta;	/* JSON object text, or NULL */
	const char *text;	/* valid UTF-8 */
	size_t nbytes;
	/* filled by docs_measure() and docs_compress() */
	size_t nchars;
	struct hash128 hash;
	char idbuf[33];		/* the derived id when id is NULL */
	const void *z;		/* the compressed text (points into docs_pack's z) */
	size_t zlen;
};

struct docs_writer {
	struct store *st;
	sqlite3_stmt *ins;
	char added[32];
};

void docs_measure(struct doc_in *d);
int docs_compress(struct doc_in *d, ZSTD_CCtx *cctx, struct buf *z,
		  struct sl_err *err);
int docs_pack(struct doc_in *d, ZSTD_CCtx *cctx, struct buf *z,
	      struct sl_err *err);

/* The id to store: the given one, or the derived one (not a pointer into
 * d itself, so a struct doc_in may be moved after docs_pack). */
static inline const char *doc_in_id(const struct doc_in *d)
{
	return d->id ? d->id : d->idbuf;
}

int docs_writer_init(struct docs_writer *w, struct store *st,
		     struct sl_err *err);
int docs_insert(struct docs_writer *w, const struct doc_in *d,
		struct sl_err *err);
void docs_writer_release(struct docs_writer *w);

#define DOCS_COLUMNS "docs.rowid, docs.id, docs.url, docs.source, docs.lang, " \
	"docs.created, docs.added, docs.nbytes, docs.nchars, docs.hash, "      \
	"docs.text, docs.meta"

struct doc_row {
	int64_t rowid;
	const char *id, *url, *source, *lang, *created, *added, *meta;
	const char *text;	/* NUL-terminated, nbytes long */
	size_t nbytes, nchars;
	struct hash128 hash;
};

struct docs_cursor {
	struct store *st;
	sqlite3_stmt *s;
	ZSTD_DCtx *dctx;
	struct buf text;
};

/* sql selects DOCS_COLUMNS (and may have parameters: bind them through
 * cur->s before the first next). */
int docs_cursor_open(struct docs_cursor *cur, struct store *st,
		     const char *sql, struct sl_err *err);
/* 1 with a row, 0 at the end, -1 on error. */
int docs_cursor_next(struct docs_cursor *cur, struct doc_row *row,
		     struct sl_err *err);
void docs_cursor_close(struct docs_cursor *cur);

/* Look a document up by id (through a cursor the caller closes).
 * 1 found, 0 not found, -1 error. */
int docs_get(struct docs_cursor *cur, struct store *st, const char *id,
	     struct doc_row *row, struct sl_err *err);

/* Decompress a stored text of nbytes into out (replacing its contents). */
int docs_unpack(ZSTD_DCtx *dctx, const void *z, size_t zlen, size_t nbytes,
		struct buf *out, struct sl_err *err);

#endif
