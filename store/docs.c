#include "docs.h"

#include <string.h>

#include "db.h"
#include "../lib/clock.h"
#include "../lib/err.h"
#include "../lib/utf8.h"
#include "../lib/banned.h"

void docs_measure(struct doc_in *d)
{
	d->nchars = utf8_count(d->text, d->nbytes);
	hash128(d->text, d->nbytes, &d->hash);
	if (!d->id) {
		struct hash128 h;

		if (d->url)
			hash128(d->url, strlen(d->url), &h);
		else
			h = d->hash;
		hash_hex(h.b, sizeof(h.b), d->idbuf);
	}
}

int docs_compress(struct doc_in *d, ZSTD_CCtx *cctx, struct buf *z,
		  struct sl_err *err)
{
	size_t bound = ZSTD_compressBound(d->nbytes), n;

	buf_reset(z);
	if (buf_grow(z, bound))
		return sl_error(err, "out of memory");
	n = ZSTD_compressCCtx(cctx, z->data, bound, d->text, d->nbytes,
			      DOCS_ZSTD_LEVEL);
	if (ZSTD_isError(n))
		return sl_error(err, "cannot compress document '%s': %s",
				doc_in_id(d), ZSTD_getErrorName(n));
	z->len = n;
	d->z = z->data;
	d->zlen = z->len;
	return 0;
}

int docs_pack(struct doc_in *d, ZSTD_CCtx *cctx, struct buf *z,
	      struct sl_err *err)
{
	docs_measure(d);
	return docs_compress(d, cctx, z, err);
}

int docs_writer_init(struct docs_writer *w, struct store *st,
		     struct sl_err *err)
{
	w->st = st;
	clock_iso_now(w->added);
	return store_prepare(st, &w->ins,
		"INSERT INTO docs(id, url, source, lang, created, added, "
		"nbytes, nchars, hash, text, meta) VALUES "
		"(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11) "
		"ON CONFLICT(id) DO NOTHING", err);
}

static void bind_opt(sqlite3_stmt *s, int i, const char *v)
{
	if (v)
		sqlite3_bind_text(s, i, v, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(s, i);
}

int docs_insert(struct docs_writer *w, const struct doc_in *d,
		struct sl_err *err)
{
	sqlite3_stmt *s = w->ins;
	int rc;

	sqlite3_bind_text(s, 1, doc_in_id(d), -1, SQLITE_STATIC);
	bind_opt(s, 2, d->url);
	sqlite3_bind_text(s, 3, d->source, -1, SQLITE_STATIC);
	bind_opt(s, 4, d->lang);
	bind_opt(s, 5, d->created);
	sqlite3_bind_text(s, 6, w->added, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 7, (sqlite3_int64)d->nbytes);
	sqlite3_bind_int64(s, 8, (sqlite3_int64)d->nchars);
	sqlite3_bind_blob(s, 9, d->hash.b, sizeof(d->hash.b), SQLITE_STATIC);
	sqlite3_bind_blob(s, 10, d->z, (int)d->zlen, SQLITE_STATIC);
	bind_opt(s, 11, d->meta);
	rc = sqlite3_step(s);
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	if (rc != SQLITE_DONE)
		return sl_error(err, "cannot store document '%s': %s", doc_in_id(d),
				sqlite3_errmsg(w->st->db));
	return sqlite3_changes(w->st->db) > 0;
}

void docs_writer_release(struct docs_writer *w)
{
	sqlite3_finalize(w->ins);
	w->ins = NULL;
}

int docs_unpack(ZSTD_DCtx *dctx, const void *z, size_t zlen, size_t nbytes,
		struct buf *out, struct sl_err *err)
{
	size_t n;

	buf_reset(out);
	if (nbytes > DOCS_MAX_TEXT * 4ull || buf_grow(out, nbytes))
		return sl_error(err, "stored text too large (%zu bytes)", nbytes);
	n = ZSTD_decompressDCtx(dctx, out->data, nbytes + 1, z, zlen);
	if (ZSTD_isError(n) || n != nbytes)
		return sl_error(err, "stored text is corrupt (%s)",
				ZSTD_isError(n) ? ZSTD_getErrorName(n) :
				"length mismatch");
	out->len = n;
	out->data[n] = '\0';
	return 0;
}

int docs_cursor_open(struct docs_cursor *cur, struct store *st,
		     const char *sql, struct sl_err *err)
{
	memset(cur, 0, sizeof(*cur));
	cur->st = st;
	buf_init(&cur->text, 0);
	if (!(cur->dctx = ZSTD_createDCtx()))
		return sl_error(err, "out of memory");
	if (store_prepare(st, &cur->s, sql, err)) {
		docs_cursor_close(cur);
		return -1;
	}
	return 0;
}

static const char *col_text(sqlite3_stmt *s, int i)
{
	return (const char *)sqlite3_column_text(s, i);
}

int docs_cursor_next(struct docs_cursor *cur, struct doc_row *row,
		     struct sl_err *err)
{
	sqlite3_stmt *s = cur->s;
	int rc = sqlite3_step(s);
	const void *h;

	if (rc == SQLITE_DONE)
		return 0;
	if (rc != SQLITE_ROW)
		return store_fail(cur->st, err, "cannot read documents");
	row->rowid = sqlite3_column_int64(s, 0);
	row->id = col_text(s, 1);
	row->url = col_text(s, 2);
	row->source = col_text(s, 3);
	row->lang = col_text(s, 4);
	row->created = col_text(s, 5);
	row->added = col_text(s, 6);
	row->nbytes = (size_t)sqlite3_column_int64(s, 7);
	row->nchars = (size_t)sqlite3_column_int64(s, 8);
	h = sqlite3_column_blob(s, 9);
	memset(row->hash.b, 0, sizeof(row->hash.b));
	if (h && sqlite3_column_bytes(s, 9) == (int)sizeof(row->hash.b))
		memcpy(row->hash.b, h, sizeof(row->hash.b));
	row->meta = col_text(s, 11);
	if (docs_unpack(cur->dctx, sqlite3_column_blob(s, 10),
			(size_t)sqlite3_column_bytes(s, 10), row->nbytes,
			&cur->text, err))
		return sl_error_prefix(err, "document '%s': ", row->id);
	row->text = cur->text.data;
	return 1;
}

void docs_cursor_close(struct docs_cursor *cur)
{
	sqlite3_finalize(cur->s);
	ZSTD_freeDCtx(cur->dctx);
	buf_release(&cur->text);
	cur->s = NULL;
	cur->dctx = NULL;
}

int docs_get(struct docs_cursor *cur, struct store *st, const char *id,
	     struct doc_row *row, struct sl_err *err)
{
	if (docs_cursor_open(cur, st, "SELECT " DOCS_COLUMNS
			     " FROM docs WHERE id = ?1", err))
		return -1;
	sqlite3_bind_text(cur->s, 1, id, -1, SQLITE_TRANSIENT);
	return docs_cursor_next(cur, row, err);
}
