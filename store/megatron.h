/*
 * megatron.h: Megatron-LM's indexed dataset (the "mmap" binidx format),
 * which Megatron-LM, NeMo and GPT-NeoX read directly.
 *
 *   NAME.bin   the tokens of every document back to back (uint16 when the
 *              vocabulary is under 65500 tokens, as Megatron chooses, else
 *              int32), little-endian
 *   NAME.idx   "MMIDIDX\0\0"       9 bytes
 *              version             uint64 = 1
 *              dtype code          uint8 (8 = uint16, 4 = int32)
 *              sequence count      uint64 (one sequence per document)
 *              document count      uint64 = sequences + 1
 *              sizes               int32[sequences]  tokens per sequence
 *              pointers            int64[sequences]  byte offset in .bin
 *              document index      int64[sequences + 1]  0, 1, ..., n
 *
 * Memory stays bounded: sizes go straight to the .idx, pointers to a temp
 * file appended at the end, and the counts are patched in last.  Both
 * files are written atomically.
 *
 *   megatron_open(&m, "out/NAME", u16, &err);
 *   megatron_add(&m, ids, n, &err) ...      // one document
 *   megatron_close(&m, bin_sha, idx_sha, &err)  // or megatron_abort(&m)
 */
#ifndef SL_MEGATRON_H
#define SL_MEGATRON_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "../lib/atomicfile.h"

struct sl_err;

#define MEGATRON_MAGIC "MMIDIDX\0\0"
#define MEGATRON_U16 8
#define MEGATRON_I32 4

struct megatron {
	struct atomicfile bin, idx;
	FILE *ptrs;		/* pointers, appended to idx at close */
	int u16;
	uint64_t docs, offset;	/* documents, bytes written to bin */
	int open;
};

int megatron_open(struct megatron *m, const char *prefix, int u16,
		  struct sl_err *err);
int megatron_add(struct megatron *m, const uint32_t *ids, size_t n,
		 struct sl_err *err);
int megatron_close(struct megatron *m, char bin_sha[65], char idx_sha[65],
		   struct sl_err *err);
void megatron_abort(struct megatron *m);

#endif
