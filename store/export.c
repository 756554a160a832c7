#include "export.h"

#include <errno.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zstd.h>

#include "db.h"
#include "docs.h"
#include "labelsel.h"
#include "../lib/atomicfile.h"
#include "../lib/buf.h"
#include "../lib/err.h"
#include "../lib/jsonw.h"
#include "../lib/banned.h"

#define ATTRS_SQL ", (SELECT json_group_object(stage, json_object(" \
	"'decision', decision, 'reason', reason, 'score', score, " \
	"'version', version)) FROM (SELECT * FROM verdicts " \
	"WHERE verdicts.doc = docs.rowid ORDER BY stage))"

/* DOCS_COLUMNS, with the latest rewrite of the text (filter stages such
 * as normalize) in place of the original when there is one */
#define CURRENT_COLUMNS "docs.rowid, docs.id, docs.url, docs.source, " \
	"docs.lang, docs.created, docs.added, " \
	"coalesce(t.nbytes, docs.nbytes), coalesce(t.nchars, docs.nchars), " \
	"coalesce(t.hash, docs.hash), coalesce(t.text, docs.text), docs.meta"

const char export_select_kept[] =
	"SELECT " CURRENT_COLUMNS ATTRS_SQL " FROM docs LEFT JOIN texts t "
	"ON t.doc = docs.rowid WHERE NOT EXISTS (SELECT 1 FROM verdicts v "
	"WHERE v.doc = docs.rowid AND v.decision = 'drop') ORDER BY docs.rowid";

/* the same, for documents that pass the label rules bound to ?1 */
static const char select_labelled[] =
	"SELECT " CURRENT_COLUMNS ATTRS_SQL " FROM docs LEFT JOIN texts t "
	"ON t.doc = docs.rowid WHERE NOT EXISTS (SELECT 1 FROM verdicts v "
	"WHERE v.doc = docs.rowid AND v.decision = 'drop')" LABELSEL_SQL("?1")
	" ORDER BY docs.rowid";

const char export_select_by_id[] =
	"SELECT " CURRENT_COLUMNS ATTRS_SQL " FROM docs LEFT JOIN texts t "
	"ON t.doc = docs.rowid WHERE id = ?1";

const char export_select_original_by_id[] =
	"SELECT " DOCS_COLUMNS ATTRS_SQL " FROM docs WHERE id = ?1";

/* metadata as stored, with "url" added when the document has one that the
 * metadata does not carry */
static int add_meta(struct buf *out, const struct doc_row *d)
{
	json_t *m;
	char *s;
	int rc;

	if (!d->url)
		return buf_adds(out, d->meta ? d->meta : "{}");
	m = d->meta ? json_loads(d->meta, 0, NULL) : json_object();
	if (!json_is_object(m) || json_object_get(m, "url")) {
		json_decref(m);
		return buf_adds(out, d->meta ? d->meta : "{}");
	}
	json_object_set_new(m, "url", json_string(d->url));
	s = json_dumps(m, JSON_COMPACT);
	json_decref(m);
	if (!s)
		return BUF_NOMEM;
	rc = buf_adds(out, s);
	free(s);
	return rc;
}

int export_doc_json(struct buf *out, const struct doc_row *d,
		    const char *attrs)
{
	int rc = buf_addc(out, '{');

	rc = rc ? rc : jsonw_key(out, "id", 1);
	rc = rc ? rc : jsonw_str(out, d->id, strlen(d->id));
	rc = rc ? rc : jsonw_key(out, "text", 0);
	rc = rc ? rc : jsonw_str(out, d->text, d->nbytes);
	rc = rc ? rc : jsonw_key(out, "source", 0);
	rc = rc ? rc : jsonw_str(out, d->source, strlen(d->source));
	rc = rc ? rc : jsonw_key(out, "added", 0);
	rc = rc ? rc : jsonw_str(out, d->added, strlen(d->added));
	if (d->created) {
		rc = rc ? rc : jsonw_key(out, "created", 0);
		rc = rc ? rc : jsonw_str(out, d->created, strlen(d->created));
	}
	if (d->lang) {
		rc = rc ? rc : jsonw_key(out, "lang", 0);
		rc = rc ? rc : jsonw_str(out, d->lang, strlen(d->lang));
	}
	rc = rc ? rc : jsonw_key(out, "metadata", 0);
	rc = rc ? rc : add_meta(out, d);
	rc = rc ? rc : jsonw_key(out, "attributes", 0);
	rc = rc ? rc : buf_adds(out, attrs ? attrs : "{}");
	return rc ? rc : buf_addc(out, '}');
}

struct shard {
	struct atomicfile af;
	ZSTD_CStream *zs;
	struct buf zout;
	uint64_t bytes, docs;	/* compressed bytes written, documents */
	uint64_t in_bytes;	/* JSONL bytes fed to the compressor */
	int open;
};

static int shard_name(struct buf *b, const char *dir, uint64_t n)
{
	buf_reset(b);
	return buf_addf(b, "%s/%04llu.jsonl.zst", dir, (unsigned long long)n);
}

static int shard_drain(struct shard *sh, ZSTD_inBuffer *in,
		       ZSTD_EndDirective mode, struct sl_err *err)
{
	size_t left;

	do {
		ZSTD_outBuffer out = { sh->zout.data, sh->zout.alloc, 0 };

		left = ZSTD_compressStream2(sh->zs, &out, in, mode);
		if (ZSTD_isError(left))
			return sl_error(err, "cannot compress: %s",
					ZSTD_getErrorName(left));
		if (out.pos && fwrite(sh->zout.data, 1, out.pos,
				      sh->af.fp) != out.pos)
			return sl_error(err, "cannot write '%s':", sh->af.path);
		sh->bytes += out.pos;
	} while (mode == ZSTD_e_continue ? in->pos < in->size : left != 0);
	return 0;
}

static int shard_open(struct shard *sh, const char *path, int level,
		      struct sl_err *err)
{
	if (atomicfile_open(&sh->af, path, err))
		return -1;
	ZSTD_CCtx_reset(sh->zs, ZSTD_reset_session_and_parameters);
	ZSTD_CCtx_setParameter(sh->zs, ZSTD_c_compressionLevel, level);
	ZSTD_CCtx_setParameter(sh->zs, ZSTD_c_checksumFlag, 1);
	sh->bytes = sh->docs = sh->in_bytes = 0;
	sh->open = 1;
	return 0;
}

static int shard_close(struct shard *sh, struct sl_err *err)
{
	ZSTD_inBuffer in = { NULL, 0, 0 };

	sh->open = 0;
	if (shard_drain(sh, &in, ZSTD_e_end, err)) {
		atomicfile_abort(&sh->af);
		return -1;
	}
	return atomicfile_commit(&sh->af, err);
}

/* Remove NNNN.jsonl.zst files numbered `from` and up, left by an earlier
 * export that wrote more files. */
static int remove_stale(const char *dir, uint64_t from, struct sl_err *err)
{
	struct buf p;
	int rc = 0;

	buf_init(&p, 0);
	for (uint64_t n = from;; n++) {
		if (shard_name(&p, dir, n)) {
			rc = sl_error(err, "out of memory");
			break;
		}
		if (unlink(p.data)) {
			if (errno != ENOENT)
				rc = sl_error(err, "cannot remove '%s':", p.data);
			break;
		}
	}
	buf_release(&p);
	return rc;
}

static int make_dirs(const char *outdir, struct buf *dir, struct sl_err *err)
{
	if (mkdir(outdir, 0777) && errno != EEXIST)
		return sl_error(err, "cannot create '%s':", outdir);
	if (buf_addf(dir, "%s/documents", outdir))
		return sl_error(err, "out of memory");
	if (mkdir(dir->data, 0777) && errno != EEXIST)
		return sl_error(err, "cannot create '%s':", dir->data);
	return atomicfile_sweep(dir->data, err) < 0 ? -1 : 0;
}

static int write_docs(struct store *st, struct shard *sh, const char *dir,
		      const struct export_opts *o, struct export_stats *stats,
		      struct sl_err *err)
{
	struct docs_cursor cur;
	struct doc_row row;
	struct buf line, name;
	int rc;

	buf_init(&line, 0);
	buf_init(&name, 0);
	if (docs_cursor_open(&cur, st, o->label_rules ? select_labelled :
			     export_select_kept, err))
		return -1;
	if (o->label_rules)
		sqlite3_bind_text(cur.s, 1, o->label_rules, -1, SQLITE_STATIC);
	while ((rc = docs_cursor_next(&cur, &row, err)) > 0) {
		ZSTD_inBuffer in;

		if (!sh->open) {
			if (shard_name(&name, dir, stats->files)) {
				rc = sl_error(err, "out of memory");
				break;
			}
			if ((rc = shard_open(sh, name.data, o->level, err)))
				break;
		}
		buf_reset(&line);
		if (export_doc_json(&line, &row,
			(const char *)sqlite3_column_text(cur.s, 12)) ||
		    buf_addc(&line, '\n')) {
			rc = sl_error(err, "out of memory");
			break;
		}
		in = (ZSTD_inBuffer){ line.data, line.len, 0 };
		if ((rc = shard_drain(sh, &in, ZSTD_e_continue, err)))
			break;
		sh->docs++;
		sh->in_bytes += line.len;
		stats->docs++;
		stats->text_bytes += row.nbytes;
		if (sh->in_bytes >= o->shard_size) {
			stats->out_bytes += sh->bytes;
			if ((rc = shard_close(sh, err)))
				break;
			if (o->on_file)
				o->on_file(o->arg, name.data, sh->docs);
			stats->files++;
		}
	}
	if (rc == 0 && sh->open) {
		stats->out_bytes += sh->bytes;
		rc = shard_close(sh, err);
		if (!rc && o->on_file)
			o->on_file(o->arg, name.data, sh->docs);
		stats->files++;
	}
	if (sh->open) {
		atomicfile_abort(&sh->af);
		sh->open = 0;
	}
	docs_cursor_close(&cur);
	buf_release(&line);
	buf_release(&name);
	return rc < 0 ? -1 : 0;
}

int export_jsonl(struct store *st, const char *outdir,
		 const struct export_opts *opts, struct export_stats *stats,
		 struct sl_err *err)
{
	struct export_opts o = *opts;
	struct export_stats run = { 0 };	/* numbers files from 0 */
	struct shard sh = { 0 };
	struct buf dir;
	int rc = -1;

	if (!o.shard_size)
		o.shard_size = 1ull << 30;
	if (!o.level)
		o.level = 3;
	buf_init(&dir, 0);
	buf_init(&sh.zout, 0);
	if (make_dirs(outdir, &dir, err))
		goto out;
	if (!(sh.zs = ZSTD_createCStream()) ||
	    buf_grow(&sh.zout, ZSTD_CStreamOutSize())) {
		sl_error(err, "out of memory");
		goto out;
	}
	/* one read transaction: a consistent snapshot while others write */
	if (store_exec(st, "BEGIN", err))
		goto out;
	rc = write_docs(st, &sh, dir.data, &o, &run, err);
	store_exec(st, "COMMIT", NULL);
	if (!rc)
		rc = remove_stale(dir.data, run.files, err);
	stats->docs += run.docs;
	stats->files += run.files;
	stats->text_bytes += run.text_bytes;
	stats->out_bytes += run.out_bytes;
out:
	ZSTD_freeCStream(sh.zs);
	buf_release(&sh.zout);
	buf_release(&dir);
	return rc;
}
