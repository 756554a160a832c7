/*
 * cmd_export.c: `sluice export [--format jsonl.zst] OUTDIR`
 */
#include <getopt.h>
#include <string.h>

#include "cmd.h"
#include "../store/export.h"
#include "../lib/clock.h"
#include "../lib/err.h"
#include "../lib/banned.h"

static void on_file(void *arg, const char *path, uint64_t docs)
{
	note(arg, "wrote %s (%llu documents)", path, (unsigned long long)docs);
}

static int run(int argc, char **argv, struct ctx *ctx)
{
	static const struct option longopts[] = {
		{ "format", required_argument, NULL, 'f' },
		{ "shard-size", required_argument, NULL, 's' },
		{ "level", required_argument, NULL, 'l' },
		{ NULL, 0, NULL, 0 },
	};
	struct export_opts o = { .on_file = on_file, .arg = ctx };
	struct export_stats t = { 0 };
	const char *format = "jsonl.zst";
	struct sl_err err;
	unsigned long long v;
	double t0 = clock_mono();
	int c;

	optind = 0;
	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (c) {
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
	if (strcmp(format, "jsonl.zst"))
		return usage_error(ctx, "unknown --format '%s' (known: "
				   "jsonl.zst)", format);
	if (optind != argc - 1)
		return usage_error(ctx, "give one output directory");
	if (export_jsonl(ctx->st, argv[optind], &o, &t, &err))
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
	.usage = "sluice export [--format jsonl.zst] [options] OUTDIR",
	.summary = "write the documents no filter dropped, for training",
	.help =
	"  --format FMT       jsonl.zst: Dolma layout, OUTDIR/documents/\n"
	"                     NNNN.jsonl.zst, one document a line with its\n"
	"                     filter verdicts as attributes (default)\n"
	"  --shard-size SIZE  start a new file after SIZE bytes of JSONL,\n"
	"                     before compression (default: 1G, about 300M\n"
	"                     compressed)\n"
	"  --level N          zstd level, 1 to 19 (default: 3)\n"
	"\n"
	"  Files are written under a temporary name, synced and renamed;\n"
	"  the same store exports byte-identical files. Files of an earlier\n"
	"  export into OUTDIR that this one does not rewrite are removed.\n",
	.flags = CMD_STORE,
};
