/*
 * cmd_label.c: `sluice label TASK`: the full-screen labelling UI.
 *
 * Parses the options, loads the task, opens the queue (label/queue.h) and
 * hands the terminal to tui_run() (label/tui.h).  Every decision is in the
 * store when its key is pressed; on the way out the session's lease is
 * released and one line says what the session did.
 */
#include <errno.h>
#include <getopt.h>
#include <locale.h>
#include <math.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "../label/queue.h"
#include "../label/task.h"
#include "../label/tui.h"
#include "../lib/err.h"
#include "../lib/banned.h"

struct label_args {
	const char *task;
	const char *annotator;
	struct queue_opts q;
};

/* $USER, else $LOGNAME, else the login name of the user id (cron, su). */
static const char *default_annotator(void)
{
	const char *u = getenv("USER");
	struct passwd *pw;

	if (!u || !*u)
		u = getenv("LOGNAME");
	if ((!u || !*u) && (pw = getpwuid(getuid())))
		u = pw->pw_name;
	return u;
}

static int parse(int argc, char **argv, struct ctx *ctx, struct label_args *a)
{
	static const struct option longopts[] = {
		{ "annotator", required_argument, NULL, 'a' },
		{ "queue", required_argument, NULL, 'q' },
		{ "seed", required_argument, NULL, 's' },
		{ "review", no_argument, NULL, 'r' },
		{ "include-dropped", no_argument, NULL, 'd' },
		{ "lease", required_argument, NULL, 'l' },
		{ NULL, 0, NULL, 0 },
	};
	struct queue_opts init = QUEUE_OPTS_INIT;
	struct sl_err err;
	char *end;
	int c;

	a->q = init;
	a->annotator = default_annotator();
	optind = 0;
	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (c) {
		case 'a':
			a->annotator = optarg;
			break;
		case 'q':
			if (queue_strategy_parse(optarg, &a->q.strategy, &err))
				return usage_error(ctx, "%s", err.msg);
			break;
		case 's':
			errno = 0;
			a->q.seed = strtoull(optarg, &end, 10);
			if (errno || end == optarg || *end || *optarg == '-')
				return usage_error(ctx, "bad --seed '%s'", optarg);
			break;
		case 'r':
			a->q.review = 1;
			break;
		case 'd':
			a->q.include_dropped = 1;
			break;
		case 'l':
			a->q.lease_seconds = strtod(optarg, &end);
			if (end == optarg || *end || !(a->q.lease_seconds >= 1) ||
			    a->q.lease_seconds > 86400 * 7)
				return usage_error(ctx, "bad --lease '%s' (seconds, "
						   "1 to 604800)", optarg);
			break;
		default:
			return usage_error(ctx, "bad option");
		}
	}
	if (optind != argc - 1)
		return usage_error(ctx, "give one task name");
	a->task = argv[optind];
	if (!a->annotator || !*a->annotator)
		return usage_error(ctx, "no annotator name: give --annotator "
				   "NAME (or set $USER)");
	if (a->q.review)
		a->q.strategy = QUEUE_DISAGREE;
	else if (a->q.strategy == QUEUE_DISAGREE)
		a->q.review = 1;
	return EXIT_OK;
}

static int run(int argc, char **argv, struct ctx *ctx)
{
	struct label_args a;
	struct tui_opts to = { 0 };
	struct task *t = NULL;
	struct queue *q = NULL;
	struct queue_progress p = { 0 };
	struct sl_err err;
	const char *nc = getenv("NO_COLOR");
	int rc;

	if ((rc = parse(argc, argv, ctx, &a)))
		return rc;
	rc = task_load(ctx->st, a.task, &t, &err);
	if (rc < 0)
		return die_msg("%s", err.msg);
	if (rc == 0)
		return die_msg("no task '%s' in '%s' (create it with 'sluice "
			       "task create')", a.task, ctx->db_path);
	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
		task_free(t);
		return die_msg("'sluice label' needs a terminal (run it in one, "
			       "or inside tmux or screen)");
	}
	setlocale(LC_ALL, "");
	if (queue_open(&q, ctx->st, t, a.annotator, &a.q, &err)) {
		task_free(t);
		return die_msg("%s", err.msg);
	}
	to.annotator = a.annotator;
	to.review = a.q.review;
	to.no_color = nc && *nc;
	to.lease_seconds = a.q.lease_seconds > 0 ? a.q.lease_seconds
						 : QUEUE_LEASE_DEFAULT;
	rc = tui_run(ctx->st, t, q, &to, &err);
	if (rc == 0 && queue_progress(q, &p, &err) == 0)
		note(ctx, "%s: %ld decisions this session, %ld/%ld documents "
		     "done", a.task, p.mine_session, p.done, p.total);
	queue_close(q);
	task_free(t);
	if (rc)
		return die_msg("%s", err.msg);
	return EXIT_OK;
}

const struct cmd cmd_label = {
	.name = "label",
	.run = run,
	.usage = "sluice label [--annotator NAME] [--queue STRATEGY] [--seed N] "
		 "[--review] [--include-dropped] [--lease SECONDS] TASK",
	.summary = "label documents of a task in a full-screen terminal UI",
	.help =
	"  --annotator NAME   who is labelling (default: $USER, else\n"
	"                     $LOGNAME, else the login name)\n"
	"  --queue STRATEGY   the order documents come in: sequential\n"
	"                     (default), random, uncertain (classifier score\n"
	"                     nearest its threshold first), flagged (a filter\n"
	"                     flagged them), disagree (= --review)\n"
	"  --seed N           the order of --queue random (default: 0)\n"
	"  --review           documents whose annotations disagree or were\n"
	"                     flagged, every answer shown; your decision is\n"
	"                     the final label\n"
	"  --include-dropped  also documents a filter stage dropped\n"
	"  --lease SECONDS    how long the document on screen stays yours if\n"
	"                     the session dies (default: 600; renewed every\n"
	"                     third of it while it is on screen)\n"
	"Keys: 1-9 label (toggle in multi-label tasks, Enter saves), a accept,\n"
	"x reject, space ignore (binary tasks), u or Backspace undo, s skip,\n"
	"n note, f flag, j/k/arrows/PgUp/PgDn scroll (space too, except in\n"
	"binary tasks), g/G top/bottom, / search (then n/N, Esc), h guidelines,\n"
	"? help, ^L redraw, q quit.  NO_COLOR is honoured.\n",
	.flags = CMD_STORE,
};
