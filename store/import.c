/*
 * import.c: files into the store, as a two-stage pipeline.
 *
 *   reader thread                          writer (calling thread)
 *   lines -> UTF-8 repair -> JSON ->       BEGIN IMMEDIATE; compress each
 *   fields -> count, hash, id        ==>   text; INSERT ... ON CONFLICT DO
 *   into batch[i % 2]                      NOTHING; UPDATE imports; COMMIT
 *
 * The work is split so that the two threads take about as long each:
 * zstd on one side, reading and JSON on the other.
 *
 * Two batches alternate, so parsing the next batch overlaps writing this
 * one and memory stays bounded by two batches whatever the input size.
 * The reader stops at the first bad line (unless skip_bad): the batch it
 * was filling is still written, then the error is returned.
 */
#include "import.h"

#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "db.h"
#include "docs.h"
#include "../lib/buf.h"
#include "../lib/clock.h"
#include "../lib/jsonscan.h"
#include "../lib/jsonw.h"
#include "../lib/err.h"
#include "../lib/linereader.h"
#include "../lib/utf8.h"
#include "../lib/zreader.h"
#include "../lib/banned.h"

#define BATCH_DOCS 1024
#define BATCH_BYTES (16u << 20)
/* A slot buffer grown past this by one big document is freed after its
 * batch, so rare giants do not pin memory for the rest of the import. */
#define SLOT_KEEP (256u << 10)

/* The decoded fields of one document; the buffers are reused from batch
 * to batch, so steady-state import allocates nothing per document. */
enum { F_TEXT, F_ID, F_URL, F_SOURCE, F_CREATED, F_LANG, F_META, NFIELDS };

struct slot {
	struct buf f[NFIELDS];
	struct buf z;		/* compressed text */
	struct doc_in d;
};

struct batch {
	struct slot *slots;
	size_t n, alloc;
	uint64_t lines, bad, repaired, replacements, bytes;
	int last;		/* the source is finished (or failed) */
	int failed;		/* the reader stopped on err */
	struct sl_err err;
};

/* A source of documents: the lines of one JSONL file, or a list of .txt
 * files.  next() fills a slot: 1 filled, 0 end, -1 stop with b->err. */
struct source {
	const char *path;	/* what the imports row names */
	const struct import_opts *o;
	struct linereader lr;
	char **files;		/* .txt sources: paths, and the prefix */
	size_t nfiles, next_file, prefix_len;
	struct buf fixed;	/* a line after UTF-8 repair */
	struct jscan line;	/* members of the current line */
	struct jscan sub[2];	/* members of nested objects */
	ZSTD_CCtx *cctx;	/* the writer's */
	ZSTD_CCtx *rcctx;	/* the reader's */
	int (*next)(struct source *, struct slot *, struct batch *);
};

struct pipe {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct batch b[2];
	int full[2];
	int stop;		/* the writer failed: reader, give up */
	struct source *src;
};

static void slot_clear(struct slot *s)
{
	for (int i = 0; i < NFIELDS; i++) {
		if (s->f[i].alloc > SLOT_KEEP)
			buf_release(&s->f[i]);
		buf_reset(&s->f[i]);
	}
	if (s->z.alloc > SLOT_KEEP)
		buf_release(&s->z);
}

static void batch_clear(struct batch *b)
{
	for (size_t i = 0; i < b->n; i++)
		slot_clear(&b->slots[i]);
	b->n = 0;
	b->lines = b->bad = b->repaired = b->replacements = b->bytes = 0;
	b->last = b->failed = 0;
}

static void batch_release(struct batch *b)
{
	batch_clear(b);
	for (size_t i = 0; i < b->alloc; i++) {
		buf_release(&b->slots[i].z);
		for (int j = 0; j < NFIELDS; j++)
			buf_release(&b->slots[i].f[j]);
	}
	free(b->slots);
	b->slots = NULL;
	b->alloc = 0;
}

static struct slot *batch_slot(struct batch *b)
{
	if (b->n == b->alloc) {
		size_t na = b->alloc ? b->alloc * 2 : 256;
		struct slot *p = realloc(b->slots, na * sizeof(*p));

		if (!p)
			return NULL;
		memset(p + b->alloc, 0, (na - b->alloc) * sizeof(*p));
		for (size_t i = b->alloc; i < na; i++) {
			buf_init(&p[i].z, 0);
			for (int j = 0; j < NFIELDS; j++)
				buf_init(&p[i].f[j], 0);
		}
		b->slots = p;
		b->alloc = na;
	}
	return &b->slots[b->n];
}

/* ---- JSONL ---------------------------------------------------------- */

/* The member at a dotted path ("metadata.url"), copied into *out: a key
 * that contains the dots itself wins over the walk into objects.
 * 1 found, 0 not. */
static int field(struct source *src, const char *path, struct jmember *out)
{
	const struct jscan *js = &src->line;
	const struct jmember *m;
	const char *dot;
	char key[256];
	int k = 0;

	for (;;) {
		if ((m = jscan_get(js, path))) {
			*out = *m;
			return 1;
		}
		dot = strchr(path, '.');
		if (!dot || (size_t)(dot - path) >= sizeof(key))
			return 0;
		memcpy(key, path, (size_t)(dot - path));
		key[dot - path] = '\0';
		m = jscan_get(js, key);
		if (!m || m->type != J_OBJ ||
		    jscan_object(&src->sub[k], m->val.p, m->val.n))
			return 0;
		js = &src->sub[k];
		k ^= 1;
		path = dot + 1;
	}
}

/* A field as text into b: strings decoded, numbers as written.
 * Returns b's text, or NULL when the field is absent or of another type. */
static const char *field_text(struct source *src, const char *path,
			      struct buf *b, size_t *nrepl)
{
	struct jmember m;
	int rc;

	if (!field(src, path, &m))
		return NULL;
	buf_reset(b);
	if (m.type == J_STR)
		rc = jscan_string(m.val, b, nrepl);
	else if (m.type == J_NUM)
		rc = buf_add(b, m.val.p, m.val.n);
	else
		return NULL;
	return rc ? NULL : b->data;
}

static int top_key_used(const struct import_opts *o, const struct jmember *m)
{
	static const char *const fixed[] = { "metadata", "source", "created",
					     "added", "lang" };

	for (size_t i = 0; i < sizeof(fixed) / sizeof(*fixed); i++)
		if (jscan_key_is(m->key, m->key_plain, fixed[i]))
			return 1;
	return jscan_key_is(m->key, m->key_plain, o->text_field) ||
	       jscan_key_is(m->key, m->key_plain, o->id_field) ||
	       jscan_key_is(m->key, m->key_plain,
			    o->url_field ? o->url_field : "url");
}

/* The stored metadata: the `metadata` object byte for byte when nothing
 * else is left over, else its members followed by the top-level fields
 * nobody mapped (those the metadata already has are not repeated). */
static int build_meta(struct source *src, struct buf *out)
{
	const struct jmember *md = jscan_get(&src->line, "metadata");
	struct jscan *mk = &src->sub[0];
	int extras = 0, rc = 0;

	mk->n = 0;
	if (md && md->type == J_OBJ && jscan_object(mk, md->val.p, md->val.n))
		return -1;
	for (size_t i = 0; i < src->line.n; i++) {
		const struct jmember *m = &src->line.m[i];

		if (top_key_used(src->o, m))
			continue;
		int dup = 0;

		for (size_t j = 0; j < mk->n && !dup; j++)
			dup = mk->m[j].key.n == m->key.n &&
			      !memcmp(mk->m[j].key.p, m->key.p, m->key.n);
		if (dup)
			continue;
		if (!extras++) {
			rc |= buf_addc(out, '{');
			for (size_t j = 0; j < mk->n; j++) {
				if (j)
					rc |= buf_addc(out, ',');
				rc |= buf_add(out, mk->m[j].key.p, mk->m[j].key.n);
				rc |= buf_addc(out, ':');
				rc |= buf_add(out, mk->m[j].val.p, mk->m[j].val.n);
			}
			if (mk->n)
				rc |= buf_addc(out, ',');
		} else {
			rc |= buf_addc(out, ',');
		}
		rc |= buf_add(out, m->key.p, m->key.n);
		rc |= buf_addc(out, ':');
		rc |= buf_add(out, m->val.p, m->val.n);
	}
	if (extras)
		rc |= buf_addc(out, '}');
	else if (md && md->type == J_OBJ)
		rc |= buf_add(out, md->val.p, md->val.n);
	return rc ? -1 : 0;
}

static int blank(const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] != ' ' && p[i] != '\t' && p[i] != '\r')
			return 0;
	return 1;
}

/* A bad line: stop (-1, b->err set) or, with skip_bad, count it (0).
 * col is the 1-based column, or 0 when the whole line is at fault. */
static int bad_line(struct source *src, struct batch *b, size_t col,
		    const char *msg)
{
	struct sl_err e;

	if (col)
		sl_error(&e, "%s:%llu:%zu: %s", src->path,
			 (unsigned long long)src->lr.lineno, col, msg);
	else
		sl_error(&e, "%s:%llu: %s", src->path,
			 (unsigned long long)src->lr.lineno, msg);
	if (!src->o->skip_bad) {
		b->err = e;
		return -1;
	}
	b->bad++;
	if (src->o->on_bad)
		src->o->on_bad(src->o->arg, e.msg);
	return 0;
}

/* 1 filled, 0 skipped (blank, or bad with skip_bad), -1 stop */
static int parse_line(struct source *src, const char *line, size_t len,
		      struct slot *s, struct batch *b)
{
	const struct import_opts *o = src->o;
	struct jmember t;
	size_t nrepl = 0;
	char msg[512];

	if (blank(line, len))
		return 0;
	b->lines++;
	if (!utf8_valid(line, len)) {
		buf_reset(&src->fixed);
		if (utf8_repair(line, len, &src->fixed, &nrepl))
			return sl_error(&b->err, "out of memory");
		line = src->fixed.data;
		len = src->fixed.len;
	}
	if (jscan_object(&src->line, line, len)) {
		snprintf(msg, sizeof(msg), "invalid JSON: %s", src->line.error);
		return bad_line(src, b, src->line.column, msg);
	}
	if (!field(src, o->text_field, &t) || t.type != J_STR || t.val.n == 2) {
		snprintf(msg, sizeof(msg), !field(src, o->text_field, &t) ?
			 "no field '%s'" : t.type != J_STR ?
			 "field '%s' is not a string" :
			 "empty text in field '%s'", o->text_field);
		return bad_line(src, b, 0, msg);
	}
	memset(&s->d, 0, sizeof(s->d));
	if (jscan_string(t.val, &s->f[F_TEXT], &nrepl))
		return sl_error(&b->err, "out of memory");
	s->d.text = s->f[F_TEXT].data;
	s->d.nbytes = s->f[F_TEXT].len;
	s->d.id = field_text(src, o->id_field, &s->f[F_ID], NULL);
	s->d.url = field_text(src, o->url_field ? o->url_field : "url",
			      &s->f[F_URL], NULL);
	if (!s->d.url && !o->url_field)
		s->d.url = field_text(src, "metadata.url", &s->f[F_URL], NULL);
	s->d.source = field_text(src, "source", &s->f[F_SOURCE], NULL);
	if (!s->d.source || !*s->d.source)
		s->d.source = o->source ? o->source : "jsonl";
	s->d.created = field_text(src, "created", &s->f[F_CREATED], NULL);
	s->d.lang = field_text(src, "lang", &s->f[F_LANG], NULL);
	if (build_meta(src, &s->f[F_META]))
		return sl_error(&b->err, "out of memory");
	s->d.meta = s->f[F_META].len ? s->f[F_META].data : NULL;
	if (nrepl) {
		b->repaired++;
		b->replacements += nrepl;
	}
	return 1;
}

static int next_jsonl(struct source *src, struct slot *s, struct batch *b)
{
	for (;;) {
		const char *line;
		size_t len;
		int rc = linereader_next(&src->lr, &line, &len, &b->err);

		if (rc == 0)
			return 0;
		if (rc == LR_TOOLONG) {
			char msg[128];

			b->lines++;
			snprintf(msg, sizeof(msg), "line longer than the cap "
				 "of %zu bytes (--max-line)", src->o->max_line);
			if (bad_line(src, b, 0, msg) < 0)
				return -1;
			continue;
		}
		if (rc < 0)
			return -1;
		rc = parse_line(src, line, len, s, b);
		if (rc < 0)
			return -1;
		if (rc > 0)
			return 1;
		slot_clear(s);
	}
}

/* ---- .txt files ----------------------------------------------------- */

static int read_txt(const char *path, struct buf *out, struct sl_err *err)
{
	struct zreader *zr;
	char tmp[1 << 16];
	ssize_t n;
	int rc = 0;

	if (zreader_open(&zr, path, err))
		return -1;
	while ((n = zreader_read(zr, tmp, sizeof(tmp), err)) > 0)
		if (buf_add(out, tmp, (size_t)n)) {
			rc = sl_error(err, "'%s': larger than the cap of %zu "
				      "bytes (--max-line)", path, out->cap);
			break;
		}
	if (n < 0)
		rc = -1;
	zreader_close(zr);
	return rc;
}

/* A .txt file that cannot be a document: stop, or count and go on. */
static int bad_file(struct source *src, struct batch *b)
{
	if (!src->o->skip_bad)
		return -1;
	b->bad++;
	if (src->o->on_bad)
		src->o->on_bad(src->o->arg, b->err.msg);
	return 0;
}

static int next_txt(struct source *src, struct slot *s, struct batch *b)
{
	while (src->next_file < src->nfiles) {
		const char *path = src->files[src->next_file++];
		const char *rel = path + src->prefix_len;
		struct buf *meta = &s->f[F_META];
		size_t nrepl = 0;
		int rc;

		b->lines++;
		buf_reset(&src->fixed);
		src->fixed.cap = src->o->max_line;
		rc = read_txt(path, &src->fixed, &b->err);
		if (!rc && !src->fixed.len)
			rc = sl_error(&b->err, "'%s': empty file", path);
		if (rc) {
			if (bad_file(src, b))
				return -1;
			continue;
		}
		memset(&s->d, 0, sizeof(s->d));
		if (utf8_repair(src->fixed.data, src->fixed.len, &s->f[F_TEXT],
				&nrepl) ||
		    buf_adds(meta, "{\"path\":") ||
		    jsonw_str(meta, rel, strlen(rel)) || buf_addc(meta, '}'))
			return sl_error(&b->err, "out of memory");
		s->d.text = s->f[F_TEXT].data;
		s->d.nbytes = s->f[F_TEXT].len;
		s->d.source = src->o->source ? src->o->source : "txt";
		s->d.meta = meta->data;
		if (nrepl) {
			b->repaired++;
			b->replacements += nrepl;
		}
		return 1;
	}
	return 0;
}

/* ---- the pipeline --------------------------------------------------- */

static void fill_batch(struct source *src, struct batch *b)
{
	size_t bytes = 0;

	while (b->n < BATCH_DOCS && bytes < BATCH_BYTES) {
		struct slot *s = batch_slot(b);
		int rc;

		if (src->o->stop && *src->o->stop) {
			sl_error(&b->err, "'%s': interrupted", src->path);
			b->failed = b->last = 1;
			return;
		}
		if (!s) {
			sl_error(&b->err, "out of memory");
			b->failed = b->last = 1;
			return;
		}
		rc = src->next(src, s, b);
		if (rc <= 0) {
			slot_clear(s);
			b->last = 1;
			b->failed = rc < 0;
			return;
		}
		docs_measure(&s->d);
		/* zstd is the biggest cost and falls on the writer, which also
		 * has SQLite: the reader, lighter, compresses every third
		 * document itself (measured: 60/40 -> about even). */
		if (b->n % 3 == 0 &&
		    docs_compress(&s->d, src->rcctx, &s->z, &b->err)) {
			b->failed = b->last = 1;
			return;
		}		bytes += s->d.nbytes;
		b->bytes += s->d.nbytes;
		b->n++;
	}
}

static void *reader_main(void *arg)
{
	struct pipe *p = arg;

	for (int i = 0;; i ^= 1) {
		pthread_mutex_lock(&p->mu);
		while (p->full[i] && !p->stop)
			pthread_cond_wait(&p->cv, &p->mu);
		pthread_mutex_unlock(&p->mu);
		if (p->stop)
			break;
		fill_batch(p->src, &p->b[i]);
		pthread_mutex_lock(&p->mu);
		p->full[i] = 1;
		pthread_cond_broadcast(&p->cv);
		pthread_mutex_unlock(&p->mu);
		if (p->b[i].last)
			break;
	}
	return NULL;
}

static int write_batch(struct store *st, struct docs_writer *w,
		       ZSTD_CCtx *cctx, sqlite3_stmt *upd, struct batch *b,
		       struct import_stats *tot, struct sl_err *err)
{
	uint64_t added = 0, existing = 0;

	if (store_begin(st, err))
		return -1;
	for (size_t i = 0; i < b->n; i++) {
		struct slot *s = &b->slots[i];
		int rc = s->d.z ? 0 : docs_compress(&s->d, cctx, &s->z, err);

		if (rc < 0)
			goto fail;
		rc = docs_insert(w, &s->d, err);

		if (rc < 0)
			goto fail;
		if (rc)
			added++;
		else
			existing++;
	}
	sqlite3_bind_int64(upd, 1, (sqlite3_int64)b->lines);
	sqlite3_bind_int64(upd, 2, (sqlite3_int64)added);
	sqlite3_bind_int64(upd, 3, (sqlite3_int64)existing);
	sqlite3_bind_int64(upd, 4, (sqlite3_int64)b->bad);
	sqlite3_bind_int64(upd, 5, (sqlite3_int64)b->repaired);
	if (sqlite3_step(upd) != SQLITE_DONE) {
		store_fail(st, err, "cannot record the import");
		sqlite3_reset(upd);
		goto fail;
	}
	sqlite3_reset(upd);
	if (store_commit(st, err))
		return -1;
	tot->lines += b->lines;
	tot->added += added;
	tot->existing += existing;
	tot->bad += b->bad;
	tot->repaired += b->repaired;
	tot->replacements += b->replacements;
	tot->bytes += b->bytes;
	return 0;
fail:
	store_rollback(st);
	return -1;
}

static int64_t imports_begin(struct store *st, const char *path,
			     struct sl_err *err)
{
	sqlite3_stmt *s;
	struct stat sb;
	char now[CLOCK_ISO_LEN];
	int rc;

	if (stat(path, &sb))
		memset(&sb, 0, sizeof(sb));
	if (store_prepare(st, &s, "INSERT INTO imports(path, size, mtime, "
			  "started, status) VALUES (?1, ?2, ?3, ?4, 'running')",
			  err))
		return -1;
	sqlite3_bind_text(s, 1, path, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, (sqlite3_int64)sb.st_size);
	sqlite3_bind_int64(s, 3, (sqlite3_int64)sb.st_mtime);
	sqlite3_bind_text(s, 4, clock_iso_now(now), -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE)
		return store_fail(st, err, "cannot record the import");
	return sqlite3_last_insert_rowid(st->db);
}

static void imports_end(struct store *st, int64_t row, const char *error,
			const uint8_t *hash)
{
	sqlite3_stmt *s;
	char now[CLOCK_ISO_LEN];

	if (sqlite3_prepare_v2(st->db, "UPDATE imports SET finished = ?1, "
			       "status = ?2, error = ?3, hash = ?5 WHERE "
			       "rowid = ?4", -1, &s, NULL) != SQLITE_OK)
		return;
	if (hash)
		sqlite3_bind_blob(s, 5, hash, 16, SQLITE_STATIC);
	sqlite3_bind_text(s, 1, clock_iso_now(now), -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, error ? "failed" : "done", -1, SQLITE_STATIC);
	if (error)
		sqlite3_bind_text(s, 3, error, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 4, row);
	sqlite3_step(s);
	sqlite3_finalize(s);
}

/* Drive one source through the pipeline into the store. */
static int run_source(struct store *st, struct source *src,
		      struct import_stats *stats, struct sl_err *err)
{
	struct pipe p = { .src = src };
	struct docs_writer w = { 0 };
	sqlite3_stmt *upd = NULL;
	pthread_t th;
	int64_t row;
	int rc = -1, started = 0;

	pthread_mutex_init(&p.mu, NULL);
	pthread_cond_init(&p.cv, NULL);
	if ((row = imports_begin(st, src->path, err)) < 0 ||
	    docs_writer_init(&w, st, err) ||
	    store_prepare(st, &upd, "UPDATE imports SET lines = lines + ?1, "
			  "added = added + ?2, existing = existing + ?3, "
			  "bad = bad + ?4, repaired = repaired + ?5 "
			  "WHERE rowid = ?6", err))
		goto out;
	sqlite3_bind_int64(upd, 6, row);
	if (pthread_create(&th, NULL, reader_main, &p)) {
		sl_error(err, "cannot start the reader thread:");
		goto out;
	}
	started = 1;
	for (int i = 0;; i ^= 1) {
		struct batch *b = &p.b[i];
		int last, failed;

		pthread_mutex_lock(&p.mu);
		while (!p.full[i])
			pthread_cond_wait(&p.cv, &p.mu);
		pthread_mutex_unlock(&p.mu);
		if (write_batch(st, &w, src->cctx, upd, b, stats, err))
			break;
		if (src->o->on_batch)
			src->o->on_batch(src->o->arg, stats);
		last = b->last;
		failed = b->failed;
		if (failed)
			*err = b->err;
		batch_clear(b);
		pthread_mutex_lock(&p.mu);
		p.full[i] = 0;
		pthread_cond_broadcast(&p.cv);
		pthread_mutex_unlock(&p.mu);
		if (last) {
			rc = failed ? -1 : 0;
			break;
		}
	}
out:
	if (started) {
		pthread_mutex_lock(&p.mu);
		p.stop = 1;
		pthread_cond_broadcast(&p.cv);
		pthread_mutex_unlock(&p.mu);
		pthread_join(th, NULL);
	}
	if (row > 0) {
		uint8_t h[16];
		int whole = !rc && src->lr.zr;

		if (whole)
			zreader_file_hash(src->lr.zr, h);
		imports_end(st, row, rc ? err->msg : NULL, whole ? h : NULL);
	}
	sqlite3_finalize(upd);
	docs_writer_release(&w);
	batch_release(&p.b[0]);
	batch_release(&p.b[1]);
	pthread_cond_destroy(&p.cv);
	pthread_mutex_destroy(&p.mu);
	if (!rc)
		stats->files++;
	return rc;
}

/* ---- files and directories ------------------------------------------ */

static int has_suffix(const char *s, const char *suf)
{
	size_t a = strlen(s), b = strlen(suf);

	return a >= b && !strcmp(s + a - b, suf);
}

static int is_jsonl(const char *name)
{
	static const char *const sfx[] = { ".jsonl", ".jsonl.gz", ".jsonl.zst",
		".jsonl.zstd", ".json.gz", ".json.zst", ".ndjson" };

	for (size_t i = 0; i < sizeof(sfx) / sizeof(*sfx); i++)
		if (has_suffix(name, sfx[i]))
			return 1;
	return 0;
}

struct pathlist {
	char **v;
	size_t n, alloc;
};

static int pathlist_add(struct pathlist *l, const char *dir, const char *name)
{
	struct buf b;

	if (l->n == l->alloc) {
		size_t na = l->alloc ? l->alloc * 2 : 64;
		char **p = realloc(l->v, na * sizeof(*p));

		if (!p)
			return -1;
		l->v = p;
		l->alloc = na;
	}
	buf_init(&b, 0);
	if (buf_addf(&b, "%s/%s", dir, name))
		return -1;
	l->v[l->n++] = buf_detach(&b, NULL);
	return 0;
}

static void pathlist_release(struct pathlist *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void pathlist_sort(struct pathlist *l)
{
	if (l->n)
		qsort(l->v, l->n, sizeof(*l->v), cmp_str);
}

static int walk(const char *dir, struct pathlist *txt, struct pathlist *jsonl,
		int depth, struct sl_err *err)
{
	DIR *d;
	struct dirent *de;
	struct pathlist sub = { 0 };
	int rc = 0;

	if (depth > 64)
		return sl_error(err, "'%s': directories nested too deep", dir);
	if (!(d = opendir(dir)))
		return sl_error(err, "cannot open directory '%s':", dir);
	while ((de = readdir(d))) {
		struct stat sb;
		struct buf p;

		if (de->d_name[0] == '.')
			continue;
		buf_init(&p, 0);
		buf_addf(&p, "%s/%s", dir, de->d_name);
		if (lstat(p.data, &sb) == 0) {
			if (S_ISDIR(sb.st_mode))
				rc = pathlist_add(&sub, dir, de->d_name);
			else if ((S_ISREG(sb.st_mode) || S_ISLNK(sb.st_mode)) &&
				 has_suffix(de->d_name, ".txt"))
				rc = pathlist_add(txt, dir, de->d_name);
			else if (S_ISREG(sb.st_mode) && is_jsonl(de->d_name))
				rc = pathlist_add(jsonl, dir, de->d_name);
		}
		buf_release(&p);
		if (rc) {
			rc = sl_error(err, "out of memory");
			break;
		}
	}
	closedir(d);
	pathlist_sort(&sub);
	for (size_t i = 0; !rc && i < sub.n; i++)
		rc = walk(sub.v[i], txt, jsonl, depth + 1, err);
	pathlist_release(&sub);
	return rc;
}

static int source_init(struct source *src, const char *path,
		       const struct import_opts *o, struct sl_err *err)
{
	memset(src, 0, sizeof(*src));
	src->path = path;
	src->o = o;
	buf_init(&src->fixed, 0);
	jscan_init(&src->line);
	jscan_init(&src->sub[0]);
	jscan_init(&src->sub[1]);
	if (!(src->cctx = ZSTD_createCCtx()) || !(src->rcctx = ZSTD_createCCtx()))
		return sl_error(err, "out of memory");
	return 0;
}

static void source_release(struct source *src)
{
	ZSTD_freeCCtx(src->cctx);
	ZSTD_freeCCtx(src->rcctx);
	buf_release(&src->fixed);
	jscan_release(&src->line);
	jscan_release(&src->sub[0]);
	jscan_release(&src->sub[1]);
	if (src->lr.zr)
		linereader_close(&src->lr);
}

/* Hash a whole file the way zreader_file_hash() does. */
static int file_hash(const char *path, uint8_t out[16], struct sl_err *err)
{
	struct zreader *zr;
	char tmp[1 << 16];
	ssize_t n;

	if (zreader_open(&zr, path, err))
		return -1;
	/* plain reads: the hash is over the file's bytes, not the text */
	while ((n = zreader_read(zr, tmp, sizeof(tmp), err)) > 0)
		;
	if (n == 0)
		zreader_file_hash(zr, out);
	zreader_close(zr);
	return n < 0 ? -1 : 0;
}

/* Rows of imports that match path, size and, when given, hash. */
static int count_done(struct store *st, const char *path, int64_t size,
		      const uint8_t *hash, struct sl_err *err)
{
	sqlite3_stmt *s;
	int rc, n = -1;

	if (store_prepare(st, &s, "SELECT count(*) FROM imports WHERE path = "
			  "?1 AND size = ?2 AND status = 'done' AND "
			  "(?3 IS NULL OR hash = ?3)", err))
		return -1;
	sqlite3_bind_text(s, 1, path, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, size);
	if (hash)
		sqlite3_bind_blob(s, 3, hash, 16, SQLITE_STATIC);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		n = sqlite3_column_int(s, 0);
	sqlite3_finalize(s);
	return n < 0 ? store_fail(st, err, "cannot read the import history") : n;
}

int import_already(struct store *st, const char *path, struct sl_err *err)
{
	struct stat sb;
	uint8_t h[16];
	int n;

	if (stat(path, &sb))
		return sl_error(err, "cannot open '%s':", path);
	/* hash the file only when its path and size match a finished import */
	n = count_done(st, path, (int64_t)sb.st_size, NULL, err);
	if (n <= 0)
		return n;
	if (file_hash(path, h, err))
		return -1;
	n = count_done(st, path, (int64_t)sb.st_size, h, err);
	return n < 0 ? -1 : n > 0;
}

static int import_jsonl(struct store *st, const char *path,
			const struct import_opts *o,
			struct import_stats *stats, struct sl_err *err)
{
	struct source src;
	int rc = -1;

	if (o->skip_seen && strcmp(path, "-")) {
		int seen = import_already(st, path, err);

		if (seen < 0)
			return -1;
		if (seen) {
			stats->seen_files++;
			return 0;
		}
	}
	if (source_init(&src, path, o, err))
		return -1;
	src.next = next_jsonl;
	if (!linereader_open(&src.lr, path, o->max_line, err))
		rc = run_source(st, &src, stats, err);
	source_release(&src);
	return rc;
}

static int import_dir(struct store *st, const char *dir,
		      const struct import_opts *o, struct import_stats *stats,
		      struct sl_err *err)
{
	struct pathlist txt = { 0 }, jsonl = { 0 };
	struct source src;
	int rc = walk(dir, &txt, &jsonl, 0, err);

	pathlist_sort(&txt);
	pathlist_sort(&jsonl);
	for (size_t i = 0; !rc && i < jsonl.n; i++)
		rc = import_jsonl(st, jsonl.v[i], o, stats, err);
	if (!rc && txt.n && !(rc = source_init(&src, dir, o, err))) {
		src.next = next_txt;
		src.files = txt.v;
		src.nfiles = txt.n;
		src.prefix_len = strlen(dir) + 1;
		rc = run_source(st, &src, stats, err);
		source_release(&src);
	}
	pathlist_release(&txt);
	pathlist_release(&jsonl);
	return rc;
}

int import_path(struct store *st, const char *path,
		const struct import_opts *opts, struct import_stats *stats,
		struct sl_err *err)
{
	struct import_opts o = *opts;
	struct stat sb;

	if (!o.text_field)
		o.text_field = "text";
	if (!o.id_field)
		o.id_field = "id";
	if (!o.max_line)
		o.max_line = DOCS_MAX_TEXT;
	if (strcmp(path, "-") && stat(path, &sb))
		return sl_error(err, "cannot open '%s':", path);
	if (strcmp(path, "-") && S_ISDIR(sb.st_mode))
		return import_dir(st, path, &o, stats, err);
	if (has_suffix(path, ".txt")) {
		char *one[1] = { (char *)path };
		struct source src;
		int rc;

		if (source_init(&src, path, &o, err))
			return -1;
		src.next = next_txt;
		src.files = one;
		src.nfiles = 1;
		src.prefix_len = strrchr(path, '/') ?
				 (size_t)(strrchr(path, '/') - path + 1) : 0;
		rc = run_source(st, &src, stats, err);
		src.files = NULL;
		source_release(&src);
		return rc;
	}
	return import_jsonl(st, path, &o, stats, err);
}
