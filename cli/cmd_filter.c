/*
 * cmd_filter.c: `sluice filter`: run the pipeline's stages over the
 * documents that need them.
 */
#include <getopt.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "../filter/pipeline.h"
#include "../filter/runner.h"
#include "../lib/buf.h"
#include "../lib/err.h"
#include "../lib/banned.h"

#define MAX_REDO 32
#define MAX_ERRORS_SHOWN 20

static volatile sig_atomic_t stop_sig;

static void on_signal(int sig)
{
	stop_sig = sig;
}

struct state {
	struct ctx *ctx;
	unsigned long errors_shown;
	int tty;
};

static void on_error(void *arg, const char *msg)
{
	struct state *s = arg;

	if (s->errors_shown++ < MAX_ERRORS_SHOWN)
		fprintf(stderr, "sluice: %s\n", msg);
}

static void on_progress(void *arg, const struct pipeline_stage *ps,
			const struct stage_counts *c)
{
	struct state *s = arg;

	if (s->ctx->quiet || !s->tty)
		return;
	fprintf(stderr, "\r%-10s %llu/%llu documents, %.0f/s   ", ps->ops->name,
		(unsigned long long)c->in, (unsigned long long)c->todo,
		c->seconds > 0 ? (double)c->in / c->seconds : 0.0);
}

static void report(struct state *s, const struct pipeline *p,
		   const struct stage_counts *c, int dry)
{
	if (s->ctx->quiet)
		return;
	if (s->tty)
		fprintf(stderr, "\r%60s\r", "");
	fprintf(stderr, "%-10s %10s %10s %10s %10s %8s %8s\n", "stage", "in",
		"kept", "dropped", "flagged", "errors", "seconds");
	for (size_t i = 0; i < p->n; i++)
		fprintf(stderr, "%-10s %10llu %10llu %10llu %10llu %8llu %8.2f\n",
			p->v[i].ops->name, (unsigned long long)c[i].in,
			(unsigned long long)c[i].kept,
			(unsigned long long)c[i].dropped,
			(unsigned long long)c[i].flagged,
			(unsigned long long)c[i].errors, c[i].seconds);
	if (dry)
		fprintf(stderr, "(dry run: nothing was written)\n");
}

static int parse_shard(const char *s, unsigned *i, unsigned *n)
{
	char *end;
	unsigned long a, b;

	a = strtoul(s, &end, 10);
	if (end == s || *end != '/')
		return -1;
	b = strtoul(end + 1, &end, 10);
	if (*end || b < 1 || b > 1 << 20 || a >= b)
		return -1;
	*i = (unsigned)a;
	*n = (unsigned)b;
	return 0;
}

static int in_pipeline(const struct pipeline *p, const char *name)
{
	for (size_t i = 0; i < p->n; i++)
		if (!strcmp(p->v[i].ops->name, name))
			return 1;
	return 0;
}

static int run(int argc, char **argv, struct ctx *ctx)
{
	static const struct option longopts[] = {
		{ "pipeline", required_argument, NULL, 'p' },
		{ "stage", required_argument, NULL, 's' },
		{ "dry-run", no_argument, NULL, 'n' },
		{ "shard", required_argument, NULL, 'S' },
		{ "threads", required_argument, NULL, 't' },
		{ "redo", required_argument, NULL, 'r' },
		{ NULL, 0, NULL, 0 },
	};
	const char *path = NULL, *only = NULL, *redo[MAX_REDO];
	struct filter_opts o = { 0 };
	struct state s = { ctx, 0, isatty(2) };
	struct stage_counts *counts;
	struct pipeline p;
	struct sl_err err;
	int c, rc;

	optind = 0;
	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (c) {
		case 'p': path = optarg; break;
		case 's': only = optarg; break;
		case 'n': o.dry_run = 1; break;
		case 'S':
			if (parse_shard(optarg, &o.shard_i, &o.shard_n))
				return usage_error(ctx, "bad --shard '%s' (I/N, "
						   "0 <= I < N)", optarg);
			break;
		case 't':
			o.threads = (int)strtol(optarg, NULL, 10);
			if (o.threads < 1 || o.threads > 64)
				return usage_error(ctx, "bad --threads '%s' "
						   "(1 to 64)", optarg);
			break;
		case 'r':
			if (o.nredo == MAX_REDO)
				return usage_error(ctx, "too many --redo");
			redo[o.nredo++] = optarg;
			break;
		default:
			return usage_error(ctx, "bad option");
		}
	}
	if (optind < argc)
		return usage_error(ctx, "unexpected argument '%s'", argv[optind]);
	if (pipeline_load(&p, path, &err))
		return path ? (die_msg("%s", err.msg), EXIT_USAGE) :
			      die_msg("%s", err.msg);
	for (size_t i = 0; i < o.nredo; i++)
		if (!in_pipeline(&p, redo[i])) {
			pipeline_release(&p);
			return usage_error(ctx, "--redo: stage '%s' is not in "
					   "the pipeline", redo[i]);
		}
	if (only && pipeline_only(&p, only, &err)) {
		pipeline_release(&p);
		return usage_error(ctx, "--stage: %s", err.msg);
	}
	o.redo = redo;
	o.on_error = on_error;
	o.on_progress = on_progress;
	o.arg = &s;
	o.stop = &stop_sig;
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	counts = calloc(p.n, sizeof(*counts));
	if (!counts) {
		pipeline_release(&p);
		return die_msg("out of memory");
	}
	rc = filter_run(ctx->st, &p, &o, counts, &err);
	if (rc >= 0)
		report(&s, &p, counts, o.dry_run);
	free(counts);
	pipeline_release(&p);
	if (rc < 0)
		return die_msg("%s", err.msg);
	if (stop_sig) {
		fprintf(stderr, "sluice: interrupted; the batches done are "
			"saved, run again to go on\n");
		return 128 + stop_sig;
	}
	if (rc > 0) {
		fprintf(stderr, "sluice: %lu documents failed a stage (see the "
			"messages above); they have no verdict from it\n",
			s.errors_shown);
		return EXIT_FAIL;
	}
	return EXIT_OK;
}

static void help_more(FILE *out)
{
	struct buf b;

	buf_init(&b, 0);
	buf_adds(&b, "\n  Stages, in the default order, and their options "
		 "(pipeline file keys):\n\n");
	for (size_t i = 0; stage_registry[i]; i++) {
		stage_help(stage_registry[i], &b);
		buf_addc(&b, '\n');
	}
	fputs(b.data, out);
	buf_release(&b);
}

const struct cmd cmd_filter = {
	.name = "filter",
	.run = run,
	.usage = "sluice filter [--pipeline FILE] [--stage NAME] [--redo NAME] "
		 "[--dry-run] [--shard I/N] [--threads N]",
	.summary = "run the filter stages over the documents that need them",
	.help =
	"  --pipeline FILE  INI file: one [filter.NAME] section a stage, in\n"
	"                   the order to run them, keys = the stage's options\n"
	"                   (default: every stage below with its defaults)\n"
	"  --stage NAME     run only this stage of the pipeline\n"
	"  --redo NAME      start this stage over: forget its verdicts and its\n"
	"                   tables, then run it on every document (repeatable)\n"
	"  --dry-run        decide and count, write nothing\n"
	"  --shard I/N      only the documents whose id hashes to shard I of N,\n"
	"                   so N processes can share the work (default: 0/1)\n"
	"  --threads N      worker threads (default: one per CPU)\n"
	"\n"
	"  Each stage looks only at documents it has no verdict for at its\n"
	"  current version, and that no earlier stage dropped: a second run\n"
	"  with nothing new does nothing. Changing a stage's options changes\n"
	"  its version, so it runs again. Nothing is deleted: see the verdicts\n"
	"  with 'sluice why ID' and 'sluice stats'. Exit status 1 when some\n"
	"  documents failed a stage; 130/143 when interrupted (the finished\n"
	"  batches are kept).\n",
	.flags = CMD_STORE,
	.help_more = help_more,
};
