/*
 * bpe_data.c: the tokenizer files of model/data/, compiled into the binary.
 *
 * As store/schema.c does for schema.sql: the assembler's .incbin copies each
 * file's bytes into .rodata at build time (the Makefile makes this object
 * depend on the files), with a start and an end symbol so the size needs no
 * generator.  bpe.c finds them through bpe_data_find().
 */
#include <string.h>

#include "bpe_int.h"
#include "../lib/banned.h"

#define SL_INCBIN(sym, file)                                          \
	__asm__(".section .rodata\n"                                  \
		".global " #sym "\n"                                  \
		".global " #sym "_end\n"                              \
		".balign 16\n"                                        \
		#sym ":\n"                                            \
		".incbin \"" file "\"\n"                              \
		#sym "_end:\n"                                        \
		".byte 0\n"                                           \
		".previous\n");                                       \
	extern const char sym[], sym##_end[]

SL_INCBIN(sl_bpe_r50k_ranks, "model/data/r50k_base.tiktoken");
SL_INCBIN(sl_bpe_r50k_json, "model/data/r50k_base.json");
SL_INCBIN(sl_bpe_cl100k_ranks, "model/data/cl100k_base.tiktoken");
SL_INCBIN(sl_bpe_cl100k_json, "model/data/cl100k_base.json");
SL_INCBIN(sl_bpe_o200k_ranks, "model/data/o200k_base.tiktoken");
SL_INCBIN(sl_bpe_o200k_json, "model/data/o200k_base.json");

#define ENTRY(name, r, j) { name, r, r##_end, j, j##_end }

static const struct {
	const char *name;
	const char *ranks, *ranks_end, *json, *json_end;
} builtin[] = {
	ENTRY("cl100k_base", sl_bpe_cl100k_ranks, sl_bpe_cl100k_json),
	ENTRY("gpt2", sl_bpe_r50k_ranks, sl_bpe_r50k_json),
	ENTRY("o200k_base", sl_bpe_o200k_ranks, sl_bpe_o200k_json),
	ENTRY("r50k_base", sl_bpe_r50k_ranks, sl_bpe_r50k_json),
};

int bpe_data_find(const char *name, struct bpe_data *out)
{
	for (size_t i = 0; i < sizeof(builtin) / sizeof(builtin[0]); i++) {
		if (strcmp(builtin[i].name, name))
			continue;
		out->ranks = builtin[i].ranks;
		out->ranks_len = (size_t)(builtin[i].ranks_end - builtin[i].ranks);
		out->json = builtin[i].json;
		out->json_len = (size_t)(builtin[i].json_end - builtin[i].json);
		return 0;
	}
	return -1;
}

const char *bpe_data_names(void)
{
	return "cl100k_base, gpt2, o200k_base, r50k_base";
}
