/*
 * cmd_import.c: `sluice import FILE|DIR...`
 */
#include <getopt.h>
#include <string.h>

#include "cmd.h"
#include "../store/db.h"
#include "../store/docs.h"
#include "../store/import.h"
#include "../lib/clock.h"
#include "../lib/err.h"
#include "../lib/banned.h"

#define MAX_BAD_SHOWN 20

struct state {
	const struct ctx *ctx;
	unsigned long long bad_shown;
};

static void on_bad(void *arg, const char *msg)
{
	struct state *s = arg;

	if (s->bad_shown++ < MAX_BAD_SHOWN)
		fprintf(stderr, "sluice: skipped %s\n", msg);
	else if (s->bad_shown == MAX_BAD_SHOWN + 1)
		fprintf(stderr, "sluice: (more bad lines skipped; "
			"the total is printed at the end)\n");
}

static void summary(const struct ctx *ctx, const struct import_stats *t,
		    double secs)
{
	note(ctx, "imported %llu files: %llu documents added, %llu already "
	     "stored, %llu bad lines skipped, %llu repaired (%llu invalid "
	     "UTF-8 sequences replaced); %.1f MB in %.2fs (%.1f MB/s)",
	     (unsigned long long)t->files, (unsigned long long)t->added,
	     (unsigned long long)t->existing, (unsigned long long)t->bad,
	     (unsigned long long)t->repaired,
	     (unsigned long long)t->replacements, (double)t->bytes / 1e6, secs,
	     secs > 0 ? (double)t->bytes / 1e6 / secs : 0.0);
}

static int run(int argc, char **argv, struct ctx *ctx)
{
	static const struct option longopts[] = {
		{ "text-field", required_argument, NULL, 't' },
		{ "id-field", required_argument, NULL, 'i' },
		{ "url-field", required_argument, NULL, 'u' },
		{ "source", required_argument, NULL, 's' },
		{ "skip-bad", no_argument, NULL, 'k' },
		{ "max-line", required_argument, NULL, 'm' },
		{ NULL, 0, NULL, 0 },
	};
	struct import_opts o = { 0 };
	struct import_stats t = { 0 };
	struct state s = { ctx, 0 };
	struct sl_err err;
	unsigned long long v;
	double t0 = clock_mono();
	int c;

	optind = 0;
	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (c) {
		case 't': o.text_field = optarg; break;
		case 'i': o.id_field = optarg; break;
		case 'u': o.url_field = optarg; break;
		case 's': o.source = optarg; break;
		case 'k': o.skip_bad = 1; break;
		case 'm':
			if (parse_size(optarg, &v) || v == 0 || v > (1ull << 32))
				return usage_error(ctx, "bad --max-line '%s'",
						   optarg);
			o.max_line = (size_t)v;
			break;
		default:
			return usage_error(ctx, "bad option");
		}
	}
	if (optind >= argc)
		return usage_error(ctx, "nothing to import");
	o.on_bad = on_bad;
	o.arg = &s;
	for (int i = optind; i < argc; i++) {
		if (import_path(ctx->st, argv[i], &o, &t, &err)) {
			summary(ctx, &t, clock_mono() - t0);
			die_msg("%s", err.msg);
			fprintf(stderr, "sluice: import stopped; the documents "
				"before the error are stored. Fix the input and "
				"run the same command again (stored documents are "
				"skipped), or pass --skip-bad to skip bad lines.\n");
			return EXIT_FAIL;
		}
	}
	summary(ctx, &t, clock_mono() - t0);
	return EXIT_OK;
}

const struct cmd cmd_import = {
	.name = "import",
	.run = run,
	.usage = "sluice import [options] FILE|DIR...",
	.summary = "add documents from JSONL(.gz|.zst) files and directories "
		   "of .txt files",
	.help =
	"  --text-field NAME  field holding the text (default: text); dotted\n"
	"                     paths reach into objects (meta.body)\n"
	"  --id-field NAME    field holding the document id (default: id);\n"
	"                     without one the id is the hash of the url, or\n"
	"                     else of the text\n"
	"  --url-field NAME   field holding the url (default: url, then\n"
	"                     metadata.url)\n"
	"  --source NAME      source of documents that name none (default:\n"
	"                     jsonl for JSONL lines, txt for .txt files)\n"
	"  --skip-bad         skip and count bad lines instead of stopping\n"
	"  --max-line SIZE    longest line or .txt file accepted (default: 64M)\n"
	"\n"
	"  Compression (gzip, zstd) is detected from the bytes. Directories\n"
	"  are walked recursively: *.txt files are one document each;\n"
	"  *.jsonl, *.jsonl.gz, *.jsonl.zst, *.json.gz, *.json.zst, *.ndjson\n"
	"  are read as JSONL. A file given as - is read from standard input.\n"
	"  Documents whose id is already stored are skipped, so an import can\n"
	"  be run again after a failure or a kill. Invalid UTF-8 is replaced\n"
	"  with U+FFFD and counted. Other top-level fields are kept in the\n"
	"  document's metadata.\n",
	.flags = CMD_STORE | CMD_CREATE,
};
