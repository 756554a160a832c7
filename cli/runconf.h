/*
 * runconf.h: the non-filter sections of a pipeline file, for `sluice run`.
 *
 *   [import]
 *   paths = data/part-?.jsonl.zst more/      ; globs, comma/space separated,
 *                                        ; continuation lines allowed
 *   text_field = text    id_field = id   url_field =   source =
 *   skip_bad = false     max_line = 64M
 *
 *   [export]
 *   dir = out            ; required
 *   formats = jsonl.zst, tokens          ; and/or megatron
 *   shard_size = 1G      level = 3       force = false
 *   tokenizer = cl100k_base  val_fraction = 0.005  seed = 1
 *   eot = before         shard_tokens = 100M  min_tokens = 0
 *   (jsonl.zst goes to DIR/documents, tokens to DIR/tokens, megatron to
 *   DIR/megatron)
 *
 *   [crawl]
 *   seeds = https://example.org/     ; and every option of 'sluice crawl'
 *   max_pages = 1000                 ; with '_' for '-': scope, max_depth,
 *   allow_net = 127.0.0.1/32         ; delay, include, exclude, ...
 *
 * [filter.NAME] sections are the filter pipeline's (filter/pipeline.h).
 * Any other section or key is an error naming the file, line, section and
 * key, so a typo never silently disables a step.
 */
#ifndef SL_RUNCONF_H
#define SL_RUNCONF_H

#include <stddef.h>
#include <stdint.h>

struct sl_err;

struct runconf_kv {
	char *key, *value;
};

struct runconf {
	int has_crawl, has_import, has_export, has_filter;
	/* [crawl]: checked when read, applied by the run */
	struct runconf_kv *crawl;
	size_t ncrawl;
	/* [import] */
	char **globs;
	size_t nglobs;
	char text_field[128], id_field[128], url_field[128], source[128];
	int skip_bad;
	uint64_t max_line;
	/* [export] */
	char dir[1024];
	int jsonl, tokens, megatron;
	char tokenizer[1024];
	double val_fraction;
	uint64_t seed, shard_tokens, min_tokens;
	int eot_after;			/* -1: the format's own */
	uint64_t shard_size;
	int level;
	int force;
};

int runconf_load(struct runconf *rc, const char *path, struct sl_err *err);
void runconf_release(struct runconf *rc);

#endif
