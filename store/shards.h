/*
 * shards.h: token shards in llm.c's layout, which llm.c's dataloader and
 * nanoGPT-style numpy memmap loaders read as they are.
 *
 *   offset 0     int32[256] header:
 *                  [0] magic    20240520 (uint16 tokens) | 20240801 (uint32)
 *                  [1] version  1                          | 7
 *                  [2] number of tokens in the file
 *                  [3..255] 0
 *   offset 1024  tokens, little-endian uint16 (or uint32)
 *
 * A file stays under 2 GiB (llm.c casts offsets to int): SHARD_MAX_BYTES.
 * Written under a temp name; the header's count is filled in at the end,
 * then the file is synced and renamed (lib/atomicfile.h).
 *
 *   struct shard_writer w;
 *   shard_open(&w, "out/x_train_000001.bin", u32, &err);
 *   shard_append(&w, ids, n, &err) ...
 *   shard_close(&w, sha256_hex, &err);   // or shard_abort(&w)
 */
#ifndef SL_SHARDS_H
#define SL_SHARDS_H

#include <stddef.h>
#include <stdint.h>

#include "../lib/atomicfile.h"

struct sl_err;

#define SHARD_HEADER_INTS 256
#define SHARD_MAGIC_U16 20240520
#define SHARD_VERSION_U16 1
#define SHARD_MAGIC_U32 20240801
#define SHARD_VERSION_U32 7
#define SHARD_MAX_BYTES ((uint64_t)2147483647 - 4096)

struct shard_writer {
	struct atomicfile af;
	int u32;		/* 4-byte tokens */
	uint64_t tokens, docs;
	int open;
};

int shard_open(struct shard_writer *w, const char *path, int u32,
	       struct sl_err *err);
/* Tokens that still fit under SHARD_MAX_BYTES. */
uint64_t shard_room(const struct shard_writer *w);
int shard_append(struct shard_writer *w, const uint32_t *ids, size_t n,
		 struct sl_err *err);
/* Finish: header, sync, rename; the file's SHA-256 into sha (hex). */
int shard_close(struct shard_writer *w, char sha[65], struct sl_err *err);
void shard_abort(struct shard_writer *w);

#endif
