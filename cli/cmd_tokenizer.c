/*
 * cmd_tokenizer.c: `sluice tokenizer train`: learn a byte-level BPE
 * tokenizer from the store's kept documents (the text as the filter stages
 * left it, as `sluice export` writes it) and write it as a tiktoken rank
 * file with its .json, which --tokenizer then takes.
 *
 * Documents stream through one cursor in rowid order; only the counted
 * pieces are kept in memory (bounded by --max-words), so the store may be
 * any size and the result depends only on the store and the options.
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "../lib/clock.h"
#include "../lib/err.h"
#include "../model/bpe_train.h"
#include "../store/docs.h"
#include "../store/export.h"
#include "../lib/banned.h"

struct train_args {
	struct bpe_train_opts o;
	const char *lang, *source;
	unsigned long long max_docs;	/* 0: all */
};

static int feed(struct ctx *ctx, struct bpe_train *tr,
		const struct train_args *a)
{
	struct docs_cursor cur;
	struct doc_row row;
	struct sl_err err;
	unsigned long long n = 0;
	int rc;

	if (docs_cursor_open(&cur, ctx->st, export_select_kept, &err))
		return die_msg("%s", err.msg);
	while ((rc = docs_cursor_next(&cur, &row, &err)) == 1) {
		if (a->lang && (!row.lang || strcmp(row.lang, a->lang)))
			continue;
		if (a->source && strcmp(row.source, a->source))
			continue;
		if (bpe_train_add(tr, row.text, row.nbytes, &err)) {
			rc = -1;
			break;
		}
		if (++n == a->max_docs)
			break;
	}
	docs_cursor_close(&cur);
	if (rc < 0)
		return die_msg("cannot read documents: %s", err.msg);
	return EXIT_OK;
}

static int train(struct ctx *ctx, const struct train_args *a,
		 const char *out)
{
	struct bpe_train *tr;
	struct bpe_train_stats st;
	struct sl_err err;
	double t0 = clock_mono(), t1;
	int rc;

	if (bpe_train_new(&tr, &a->o, &err))
		return die_msg("%s", err.msg);
	rc = feed(ctx, tr, a);
	if (rc)
		goto out;
	bpe_train_stats(tr, &st);
	t1 = clock_mono();
	note(ctx, "counted %llu pieces (%llu distinct kept) in %llu documents, "
	     "%.1f MB, in %.2fs", (unsigned long long)st.pieces,
	     (unsigned long long)st.words, (unsigned long long)st.texts,
	     st.bytes / 1e6, t1 - t0);
	if (bpe_train_run(tr, &err) || bpe_train_write(tr, out, &err)) {
		rc = die_msg("%s", err.msg);
		goto out;
	}
	bpe_train_stats(tr, &st);
	note(ctx, "%u merges in %.2fs; wrote '%s' (%u ids incl. "
	     "<|endoftext|> = %u)%s", st.merges, clock_mono() - t1, out,
	     st.vocab, st.vocab - 1,
	     st.vocab < a->o.vocab ? " (fewer than asked: no pair left "
	     "with --min-frequency occurrences)" : "");
out:
	bpe_train_free(tr);
	return rc;
}

static int run_train(int argc, char **argv, struct ctx *ctx)
{
	static const struct option longopts[] = {
		{ "vocab", required_argument, NULL, 'v' },
		{ "regex", required_argument, NULL, 'r' },
		{ "min-frequency", required_argument, NULL, 'f' },
		{ "max-words", required_argument, NULL, 'w' },
		{ "max-piece", required_argument, NULL, 'p' },
		{ "max-docs", required_argument, NULL, 'd' },
		{ "lang", required_argument, NULL, 'L' },
		{ "source", required_argument, NULL, 'R' },
		{ NULL, 0, NULL, 0 },
	};
	struct train_args a = { 0 };
	unsigned long long v;
	int c;

	bpe_train_opts_default(&a.o);
	optind = 0;
	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (c) {
		case 'v':
			if (parse_size(optarg, &v) || v < 257 || v > (1u << 30))
				return usage_error(ctx, "bad --vocab '%s' (at "
						   "least 257)", optarg);
			a.o.vocab = (uint32_t)v;
			break;
		case 'r':
			if (!bpe_train_encoding(optarg))
				return usage_error(ctx, "unknown --regex '%s' "
						   "(cl100k, o200k or r50k)",
						   optarg);
			a.o.regex = optarg;
			break;
		case 'f':
			if (parse_size(optarg, &v) || v < 1)
				return usage_error(ctx, "bad --min-frequency "
						   "'%s' (at least 1)", optarg);
			a.o.min_frequency = v;
			break;
		case 'w':
			if (parse_size(optarg, &v) || v < 16 || v > (1u << 30))
				return usage_error(ctx, "bad --max-words '%s' "
						   "(16 to 1G)", optarg);
			a.o.max_words = v;
			break;
		case 'p':
			if (parse_size(optarg, &v) || v < 4 || v > 65536)
				return usage_error(ctx, "bad --max-piece '%s' "
						   "(4 to 65536)", optarg);
			a.o.max_piece = v;
			break;
		case 'd':
			if (parse_size(optarg, &v))
				return usage_error(ctx, "bad --max-docs '%s'",
						   optarg);
			a.max_docs = v;
			break;
		case 'L': a.lang = optarg; break;
		case 'R': a.source = optarg; break;
		default:
			return usage_error(ctx, "bad option");
		}
	}
	if (optind != argc - 1)
		return usage_error(ctx, "give one output file (NAME.tiktoken)");
	return train(ctx, &a, argv[optind]);
}

static int run(int argc, char **argv, struct ctx *ctx)
{
	if (argc < 2)
		return usage_error(ctx, "give a subcommand (train)");
	if (!strcmp(argv[1], "train"))
		return run_train(argc - 1, argv + 1, ctx);
	return usage_error(ctx, "unknown subcommand '%s' (known: train)",
			   argv[1]);
}

const struct cmd cmd_tokenizer = {
	.name = "tokenizer",
	.run = run,
	.usage = "sluice tokenizer train [--vocab N] [--regex cl100k|o200k|"
		 "r50k] [options] OUT.tiktoken",
	.summary = "train a byte-level BPE tokenizer on the kept documents",
	.help =
	"  train: learn a byte-level BPE (GPT-2/tiktoken style) from the\n"
	"  documents no filter dropped, with their text as the filter stages\n"
	"  left it, and write OUT.tiktoken (base64 token and rank a line; ranks\n"
	"  0-255 are the bytes) and OUT.json (the regex, <|endoftext|> as the\n"
	"  last id, the vocabulary size): give OUT.tiktoken to --tokenizer of\n"
	"  tokenize and export. The same store and options give byte-identical\n"
	"  files.\n"
	"  --vocab N          ids in all, with the 256 bytes and <|endoftext|>\n"
	"                     (default: 32000; at least 257)\n"
	"  --regex R          pre-tokenization regex of cl100k (default),\n"
	"                     o200k or r50k (GPT-2); merges never cross a piece\n"
	"  --min-frequency N  stop when no pair occurs N times (default: 2)\n"
	"  --max-words N      distinct pieces counted in memory; when full the\n"
	"                     rarest are dropped (default: 2M; 64 bytes of\n"
	"                     table a piece, plus the piece)\n"
	"  --max-piece N      longer pieces (runs of Chinese...) are counted in\n"
	"                     parts of at most N bytes (default: 64)\n"
	"  --max-docs N       train on the first N documents (default: all)\n"
	"  --lang L           only documents in language L\n"
	"  --source S         only documents from source S\n",
	.flags = CMD_STORE,
};
