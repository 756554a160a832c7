/*
 * export.h: write the kept documents out as Dolma-style JSONL.zst.
 *
 * Layout (Dolma's):   OUTDIR/documents/0000.jsonl.zst, 0001.jsonl.zst, ...
 * One JSON object a line:
 *   {"id", "text", "source", "added", "created"?, "lang"?,
 *    "metadata": {... as imported, plus "url" when known},
 *    "attributes": {"<stage>": {"decision", "reason", "score", "version"}}}
 * A document is exported unless some filter stage dropped it (and, with
 * label_rules, when its final labels pass them: store/labelsel.h), with its
 * text as the filter stages last rewrote it (normalized, redacted, ...).
 *
 * Each file is written under a temp name, fsync'd and renamed, so a reader
 * (or a crash) never sees a partial file under a final name.  Files are
 * rolled when the JSONL written to them (before compression) reaches
 * opts->shard_size, a boundary that does not depend on zstd's buffering.  The export
 * reads one snapshot of the store, in rowid order, so running it twice on
 * the same store gives byte-identical files; files left by an earlier,
 * larger export are removed after the new ones are in place.
 */
#ifndef SL_EXPORT_H
#define SL_EXPORT_H

#include <stddef.h>
#include <stdint.h>

struct buf;
struct doc_row;
struct sl_err;
struct store;

struct export_opts {
	uint64_t shard_size;	/* JSONL bytes a file (default 1 GiB) */
	int level;		/* zstd level (default 3) */
	void (*on_file)(void *arg, const char *path, uint64_t docs);
	void *arg;
	const char *label_rules;	/* store/labelsel.h JSON, or NULL */
};

struct export_stats {
	uint64_t docs, files, text_bytes, out_bytes;
};

int export_jsonl(struct store *st, const char *outdir,
		 const struct export_opts *opts, struct export_stats *stats,
		 struct sl_err *err);

/* The Dolma JSON line of one document (no newline); attrs is the JSON
 * object text of its verdicts, or NULL. */
int export_doc_json(struct buf *out, const struct doc_row *d,
		    const char *attrs);

/* SQL selecting the columns of DOCS_COLUMNS (with the text after the
 * filter stages' rewrites, or the original one) plus the verdicts object
 * as column 12 */
extern const char export_select_kept[];
extern const char export_select_by_id[];
extern const char export_select_original_by_id[];

#endif
