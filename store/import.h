/*
 * import.h: bring documents from files into the store.
 *
 * Inputs: JSONL, JSONL.gz, JSONL.zst (one JSON object a line; compression
 * detected from the bytes), and directories, walked recursively in name
 * order, whose *.txt files are one document each and whose *.jsonl[.gz|.zst]
 * / *.json.gz / *.json.zst files are read as JSONL.  Hidden entries are
 * skipped; symbolic links to directories are not followed.
 *
 * Field names default to Dolma's: id, text, source, url (or metadata.url),
 * created, lang, metadata; opts map them (dotted paths reach into objects:
 * "meta.url").  Top-level fields that are not mapped are kept in the
 * document's metadata beside the `metadata` object's own fields, so
 * FineWeb's `dump` or `language_score` survive.
 *
 * Work is committed in batches (one transaction each, with the file's row in
 * the imports table updated in the same transaction), so a killed import
 * keeps whole batches only, and running it again skips the documents already
 * stored (ids dedup).  Invalid UTF-8 is replaced with U+FFFD and counted.
 * A bad line (not JSON, no text, empty text, over the size cap) stops the
 * import after committing the lines before it, unless opts->skip_bad, which
 * skips and counts it (opts->on_bad hears about each).
 */
#ifndef SL_IMPORT_H
#define SL_IMPORT_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>

struct sl_err;
struct store;

struct import_stats {
	uint64_t files;
	uint64_t lines;		/* non-blank lines (or .txt files) read */
	uint64_t added;		/* new documents */
	uint64_t existing;	/* documents whose id was already stored */
	uint64_t bad;		/* lines skipped with skip_bad */
	uint64_t repaired;	/* documents with invalid UTF-8 replaced */
	uint64_t replacements;	/* U+FFFD inserted */
	uint64_t bytes;		/* text bytes of the documents read */
	uint64_t seen_files;	/* skipped: imported whole before */
};

struct import_opts {
	const char *text_field;	/* default "text" */
	const char *id_field;	/* default "id" */
	const char *url_field;	/* default "url", then "metadata.url" */
	const char *source;	/* source of documents without one */
	int skip_bad;
	int skip_seen;		/* skip JSONL files imported whole before
				 * (same path, size and content hash) */
	size_t max_line;	/* default DOCS_MAX_TEXT (64 MiB) */
	volatile sig_atomic_t *stop;	/* nonzero: stop after this batch,
					 * the import fails "interrupted" */
	void (*on_bad)(void *arg, const char *msg);
	void (*on_batch)(void *arg, const struct import_stats *total);
	void *arg;
};

/* 1 when path was imported whole before with the same size and the same
 * content hash, 0 when not, -1 on error. */
int import_already(struct store *st, const char *path, struct sl_err *err);

/* Import one file or directory; adds to *stats.  0 on success, -1 with
 * err set (the documents of committed batches stay stored). */
int import_path(struct store *st, const char *path,
		const struct import_opts *opts, struct import_stats *stats,
		struct sl_err *err);

#endif
