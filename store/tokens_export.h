/*
 * tokens_export.h: the kept documents as token shards for training.
 *
 * Selection: documents that no filter stage dropped (optionally only one
 * language or source, only those with at least min_tokens tokens, only
 * those whose final labels pass label_rules: store/labelsel.h), each
 * taken W times for its source's mix weight (W = 0.5 keeps half of them,
 * chosen by a hash; W = 2.5 takes each twice and half of them a third
 * time, as Dolma's mixer samples).  Order: a shuffle keyed by a hash of
 * (seed, id, copy), so the same store and seed give the same order.
 * Split: a document is in the validation set when a hash of its id falls
 * under val_fraction: it stays on the same side when the corpus grows.
 *
 * Output (OUTDIR): NAME_val_000000.bin ..., then NAME_train_00000K.bin ...
 * in llm.c's layout (store/shards.h), rolled every shard_tokens tokens, the
 * end-of-text token before each document (llm.c) or after it (nanoGPT);
 * or, with TOKENS_MEGATRON, NAME_val.{bin,idx} and NAME_train.{bin,idx}
 * (store/megatron.h, end-of-text after each document by default);
 * and manifest.json: tokenizer name, rank-file SHA-256, vocabulary size,
 * dtype, EOT id and placement, every shard's tokens, documents and SHA-256,
 * the selection, the store's filter summary, the sluice version.  Every
 * file is written atomically; shards of an earlier export that this one
 * does not rewrite are removed; the same store and options give
 * byte-identical files.  Tokenization runs on worker threads, written in
 * order; memory stays bounded by a batch.
 */
#ifndef SL_TOKENS_EXPORT_H
#define SL_TOKENS_EXPORT_H

#include <stddef.h>
#include <stdint.h>

struct sl_err;
struct store;

struct mix_weight {
	char source[128];
	double weight;
};

enum tokens_format {
	TOKENS_LLMC,		/* llm.c shards (store/shards.h) */
	TOKENS_MEGATRON,	/* Megatron indexed dataset (store/megatron.h) */
};

struct tokens_opts {
	enum tokens_format format;
	const char *tokenizer;		/* default cl100k_base */
	const char *name;		/* file prefix, default "sluice" */
	double val_fraction;		/* default 0.005 */
	uint64_t seed;			/* shuffle seed, default 1 */
	int eot_after;			/* 0: before each document (llm.c's
					 * way), 1: after (nanoGPT, Megatron's
					 * --append-eod), -1: the format's own */
	uint64_t shard_tokens;		/* default 100M */
	uint64_t min_tokens;		/* default 0 */
	const char *lang, *source;	/* only these, when set */
	const struct mix_weight *mix;
	size_t nmix;
	int threads;			/* 0: one per CPU */
	const char *version;		/* sluice version for the manifest */
	const char *label_rules;	/* store/labelsel.h JSON, or NULL */
};

struct tokens_stats {
	uint64_t docs, tokens, files, skipped_short;
	uint64_t val_docs, val_tokens;
};

int tokens_export(struct store *st, const char *outdir,
		  const struct tokens_opts *opts, struct tokens_stats *stats,
		  struct sl_err *err);

#endif
