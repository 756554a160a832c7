/*
 * cmd_export.c: `sluice export [--format jsonl.zst] OUTDIR`
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "../store/export.h"
#include "../store/labelsel.h"
#include "../store/tokens_export.h"
#include "../lib/clock.h"
#include "../lib/err.h"
#include "../lib/banned.h"

static void on_file(void *arg, const char *path, uint64_t docs)
{
	note(arg, "wrote %s (%llu documents)", path, (unsigned long long)docs);
}

#define MAX_MIX 64
#define MAX_LABEL_RULES 64

static int parse_mix(const char *s, struct mix_weight *m)
{
	const char *eq = strrchr(s, '=');
	char *end;

	if (!eq || eq == s || (size_t)(eq - s) >= sizeof(m->source))
		return -1;
	memcpy(m->source, s, (size_t)(eq - s));
	m->source[eq - s] = '\0';
	m->weight = strtod(eq + 1, &end);
	return *end || end == eq + 1 || !(m->weight >= 0 && m->weight <= 100) ?
	       -1 : 0;
}

static int run_tokens(struct ctx *ctx, const char *outdir,
		      struct tokens_opts *to)
{
	struct tokens_stats t;
	struct sl_err err;
	double t0 = clock_mono(), secs;

	to->version = SLUICE_VERSION;
	if (tokens_export(ctx->st, outdir, to, &t, &err))
		return die_msg("%s", err.msg);
	secs = clock_mono() - t0;
	note(ctx, "exported %llu documents, %llu tokens (validation: %llu "
	     "documents, %llu tokens) to %llu shards in %s, %llu documents "
	     "under --min-tokens skipped; %.2fs, %.0f tokens/s",
	     (unsigned long long)t.docs, (unsigned long long)t.tokens,
	     (unsigned long long)t.val_docs, (unsigned long long)t.val_tokens,
	     (unsigned long long)t.files, outdir,
	     (unsigned long long)t.skipped_short, secs,
	     secs > 0 ? (double)t.tokens / secs : 0.0);
	return EXIT_OK;
}

static int run(int argc, char **argv, struct ctx *ctx)
{
	static const struct option longopts[] = {
		{ "format", required_argument, NULL, 'f' },
		{ "shard-size", required_argument, NULL, 's' },
		{ "level", required_argument, NULL, 'l' },
		{ "tokenizer", required_argument, NULL, 'T' },
		{ "name", required_argument, NULL, 'N' },
		{ "val-fraction", required_argument, NULL, 'V' },
		{ "seed", required_argument, NULL, 'S' },
		{ "eot", required_argument, NULL, 'E' },
		{ "shard-tokens", required_argument, NULL, 'K' },
		{ "min-tokens", required_argument, NULL, 'M' },
		{ "lang", required_argument, NULL, 'L' },
		{ "source", required_argument, NULL, 'R' },
		{ "mix", required_argument, NULL, 'X' },
		{ "threads", required_argument, NULL, 'J' },
		{ "require-label", required_argument, NULL, 'q' },
		{ "exclude-label", required_argument, NULL, 'x' },
		{ NULL, 0, NULL, 0 },
	};
	struct export_opts o = { .on_file = on_file, .arg = ctx };
	struct export_stats t = { 0 };
	struct tokens_opts to = { .val_fraction = 0.005, .seed = 1,
				  .eot_after = -1 };
	struct mix_weight mix[MAX_MIX];
	const char *rules[MAX_LABEL_RULES];
	int excl[MAX_LABEL_RULES];
	size_t nrules = 0;
	char *rules_json = NULL;
	const char *format = "jsonl.zst";
	struct sl_err err;
	unsigned long long v;
	double t0 = clock_mono();
	char *end;
	int c;

	to.mix = mix;
	optind = 0;
	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (c) {
		case 'T': to.tokenizer = optarg; break;
		case 'N':
			if (!*optarg || strchr(optarg, '/'))
				return usage_error(ctx, "bad --name '%s'", optarg);
			to.name = optarg;
			break;
		case 'V':
			to.val_fraction = strtod(optarg, &end);
			if (*end || !(to.val_fraction >= 0 && to.val_fraction <= 1))
				return usage_error(ctx, "bad --val-fraction '%s' "
						   "(0 to 1)", optarg);
			break;
		case 'S':
			to.seed = strtoull(optarg, &end, 10);
			if (*end || !*optarg)
				return usage_error(ctx, "bad --seed '%s'", optarg);
			break;
		case 'E':
			if (strcmp(optarg, "before") && strcmp(optarg, "after"))
				return usage_error(ctx, "--eot takes before or after");
			to.eot_after = !strcmp(optarg, "after");
			break;
		case 'K':
			if (parse_size(optarg, &v) || v < 1)
				return usage_error(ctx, "bad --shard-tokens '%s'", optarg);
			to.shard_tokens = v;
			break;
		case 'M':
			if (parse_size(optarg, &v))
				return usage_error(ctx, "bad --min-tokens '%s'", optarg);
			to.min_tokens = v;
			break;
		case 'L': to.lang = optarg; break;
		case 'R': to.source = optarg; break;
		case 'X':
			if (to.nmix == MAX_MIX || parse_mix(optarg, &mix[to.nmix]))
				return usage_error(ctx, "bad --mix '%s' (SOURCE=W, "
						   "0 <= W <= 100)", optarg);
			to.nmix++;
			break;
		case 'J':
			to.threads = (int)strtol(optarg, &end, 10);
			if (*end || to.threads < 1 || to.threads > 64)
				return usage_error(ctx, "bad --threads '%s'", optarg);
			break;
		case 'q':
		case 'x':
			if (nrules == MAX_LABEL_RULES)
				return usage_error(ctx, "too many label rules");
			excl[nrules] = c == 'x';
			rules[nrules++] = optarg;
			break;
		case 'f':
			format = optarg;
			break;
		case 's':
			if (parse_size(optarg, &v) || v < 1024)
				return usage_error(ctx, "bad --shard-size '%s' "
						   "(at least 1k)", optarg);
			o.shard_size = v;
			break;
		case 'l':
			if (parse_size(optarg, &v) || v < 1 || v > 19)
				return usage_error(ctx, "bad --level '%s' "
						   "(1 to 19)", optarg);
			o.level = (int)v;
			break;
		default:
			return usage_error(ctx, "bad option");
		}
	}
	if (strcmp(format, "jsonl.zst") && strcmp(format, "tokens") &&
	    strcmp(format, "megatron"))
		return usage_error(ctx, "unknown --format '%s' (known: "
				   "jsonl.zst, tokens, megatron)", format);
	if (optind != argc - 1)
		return usage_error(ctx, "give one output directory");
	if (!strcmp(format, "megatron"))
		to.format = TOKENS_MEGATRON;
	if (labelsel_build(ctx->st, rules, excl, nrules, &rules_json, &err))
		return die_msg("%s", err.msg);
	to.label_rules = o.label_rules = rules_json;
	if (strcmp(format, "jsonl.zst")) {
		c = run_tokens(ctx, argv[optind], &to);
		free(rules_json);
		return c;
	}
	c = export_jsonl(ctx->st, argv[optind], &o, &t, &err);
	free(rules_json);
	if (c)
		return die_msg("%s", err.msg);
	note(ctx, "exported %llu documents (%.1f MB of text) to %llu files, "
	     "%.1f MB compressed, in %.2fs",
	     (unsigned long long)t.docs, (double)t.text_bytes / 1e6,
	     (unsigned long long)t.files, (double)t.out_bytes / 1e6,
	     clock_mono() - t0);
	return EXIT_OK;
}

const struct cmd cmd_export = {
	.name = "export",
	.run = run,
	.usage = "sluice export [--format jsonl.zst|tokens|megatron] [options] "
		 "OUTDIR",
	.summary = "write the documents no filter dropped, for training",
	.help =
	"  --format FMT       jsonl.zst: Dolma layout, OUTDIR/documents/\n"
	"                     NNNN.jsonl.zst, one document a line with its\n"
	"                     filter verdicts as attributes (default)\n"
	"  --shard-size SIZE  start a new file after SIZE bytes of JSONL,\n"
	"                     before compression (default: 1G, about 300M\n"
	"                     compressed)\n"
	"  --level N          zstd level, 1 to 19 (default: 3)\n"
	"  --require-label TASK=LABEL  only documents whose final label in\n"
	"                     TASK includes LABEL (repeatable: all must hold;\n"
	"                     every format; default: no label rule)\n"
	"  --exclude-label TASK=LABEL  leave out documents whose final label\n"
	"                     in TASK includes LABEL (repeatable)\n"
	"\n"
	"  --format tokens: token shards in llm.c's layout (256 x int32\n"
	"  header, then uint16 tokens, or uint32 when the vocabulary needs\n"
	"  it), OUTDIR/NAME_val_000000.bin, NAME_train_000001.bin, ... and\n"
	"  OUTDIR/manifest.json (tokenizer and its sha256, every shard's\n"
	"  tokens, documents and sha256, the selection, the filter summary):\n"
	"  --tokenizer T      cl100k_base (default), o200k_base, r50k_base,\n"
	"                     gpt2, or a .tiktoken file with its .json\n"
	"  --name NAME        shard file prefix (default: sluice)\n"
	"  --val-fraction F   share of documents in the validation split,\n"
	"                     by a hash of the id, stable as the corpus\n"
	"                     grows (default: 0.005)\n"
	"  --seed N           shuffle seed (default: 1)\n"
	"  --eot before|after end-of-text token before each document, as\n"
	"                     llm.c (default), or after it, as nanoGPT\n"
	"                     and Megatron (megatron's default)\n"
	"  --shard-tokens N   start a new shard after N tokens (default:\n"
	"                     100M; a shard never passes 2 GiB)\n"
	"  --min-tokens N     leave out documents with fewer tokens (default: 0)\n"
	"  --lang L           only documents in language L\n"
	"  --source S         only documents from source S\n"
	"  --mix SOURCE=W     take SOURCE's documents W times: 0.5 keeps half,\n"
	"                     2.5 takes each twice and half a third time, by a\n"
	"                     hash (repeatable; default weight 1)\n"
	"  --threads N        tokenizer threads (default: one per CPU)\n"
	"\n"
	"  --format megatron: the same selection, split and options as\n"
	"  tokens, written as Megatron-LM's indexed dataset (NAME_val.bin and\n"
	"  .idx, NAME_train.bin and .idx; uint16 below 65500 tokens, else\n"
	"  int32), which Megatron-LM, NeMo and GPT-NeoX read directly.\n"
	"\n"
	"  Files are written under a temporary name, synced and renamed;\n"
	"  the same store exports byte-identical files. Files of an earlier\n"
	"  export into OUTDIR that this one does not rewrite are removed.\n",
	.flags = CMD_STORE,
};
