/*
 * cmd_labels.c: `sluice labels export|import`: a task's labels as JSONL
 * (label/labels_io.h describes the lines).
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "../label/labels_io.h"
#include "../label/task.h"
#include "../lib/atomicfile.h"
#include "../lib/err.h"
#include "../lib/banned.h"

static int load(struct ctx *ctx, const char *name, struct task **t)
{
	struct sl_err err;
	int rc = task_load(ctx->st, name, t, &err);

	if (rc < 0)
		return die_msg("%s", err.msg);
	if (rc == 0)
		return die_msg("no task '%s'", name);
	return EXIT_OK;
}

static int run_export(int argc, char **argv, struct ctx *ctx)
{
	static const struct option longopts[] = {
		{ "format", required_argument, NULL, 'f' },
		{ "output", required_argument, NULL, 'o' },
		{ NULL, 0, NULL, 0 },
	};
	struct labels_stats s;
	struct atomicfile af;
	struct sl_err err;
	const char *out = NULL;
	struct task *t;
	int c, rc;

	optind = 0;
	while ((c = getopt_long(argc, argv, "o:", longopts, NULL)) != -1) {
		if (c == 'o')
			out = optarg;
		else if (c == 'f' && strcmp(optarg, "jsonl"))
			return usage_error(ctx, "unknown --format '%s' (known: "
					   "jsonl)", optarg);
		else if (c != 'f')
			return usage_error(ctx, "bad option");
	}
	if (optind != argc - 1)
		return usage_error(ctx, "give one task name");
	if ((rc = load(ctx, argv[optind], &t)))
		return rc;
	if (!out) {
		rc = labels_export(ctx->st, t, stdout, &s, &err);
	} else if (!(rc = atomicfile_open(&af, out, &err))) {
		rc = labels_export(ctx->st, t, af.fp, &s, &err);
		if (rc)
			atomicfile_abort(&af);
		else
			rc = atomicfile_commit(&af, &err);
	}
	task_free(t);
	if (rc)
		return die_msg("%s", err.msg);
	note(ctx, "exported %ld lines (%ld with a final label)", s.lines,
	     s.finals);
	return EXIT_OK;
}

static int run_import(int argc, char **argv, struct ctx *ctx)
{
	struct labels_stats s;
	struct sl_err err;
	struct task *t;
	int rc;

	if (argc != 3)
		return usage_error(ctx, "give a task name and one file");
	if ((rc = load(ctx, argv[1], &t)))
		return rc;
	rc = labels_import(ctx->st, t, argv[2], &s, &err);
	task_free(t);
	if (rc)
		return die_msg("%s", err.msg);
	note(ctx, "imported %ld lines, %ld final labels", s.lines, s.finals);
	return EXIT_OK;
}

static int run(int argc, char **argv, struct ctx *ctx)
{
	if (argc < 2)
		return usage_error(ctx, "give export or import");
	if (!strcmp(argv[1], "export"))
		return run_export(argc - 1, argv + 1, ctx);
	if (!strcmp(argv[1], "import"))
		return run_import(argc - 1, argv + 1, ctx);
	return usage_error(ctx, "unknown 'labels %s' (export, import)", argv[1]);
}

const struct cmd cmd_labels = {
	.name = "labels",
	.run = run,
	.usage = "sluice labels export [--format jsonl] [-o FILE] TASK\n"
		 "       sluice labels import TASK FILE.jsonl",
	.summary = "a task's labels out as JSONL (Prodigy-like), or labels "
		   "made elsewhere in",
	.help =
	"  export TASK        one line per annotation: id, text, label or\n"
	"                     labels, answer, annotator, timestamp, seconds,\n"
	"                     note, flagged, and the document's final label\n"
	"    --format jsonl   the only format (default)\n"
	"    -o, --output FILE  write FILE atomically (default: stdout)\n"
	"  import TASK FILE   the same lines (JSONL, .gz or .zst): each becomes\n"
	"                     its annotator's annotation (default annotator:\n"
	"                     import) and the document's final label (source\n"
	"                     import) unless the line has \"final\": null;\n"
	"                     all or nothing, a bad line is named FILE line N\n",
	.flags = CMD_STORE,
};
