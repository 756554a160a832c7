/*
 * cmd_task.c: `sluice task create|list|show`: labelling tasks (issue #6).
 */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cmd.h"
#include "../label/agreement.h"
#include "../label/task.h"
#include "../lib/err.h"
#include "../store/db.h"
#include "../lib/banned.h"

/* Guidelines are read whole; a page of prose, not a corpus. */
#define GUIDELINES_MAX (1u << 20)

static char *read_guidelines(const char *path, struct sl_err *err)
{
	FILE *f = fopen(path, "rb");
	char *s;
	size_t n;

	if (!f) {
		sl_error(err, "cannot open '%s':", path);
		return NULL;
	}
	s = malloc(GUIDELINES_MAX + 1);
	n = s ? fread(s, 1, GUIDELINES_MAX + 1, f) : 0;
	if (!s || ferror(f) || n > GUIDELINES_MAX) {
		sl_error(err, s && n > GUIDELINES_MAX ? "'%s' is larger than 1M" :
			 "cannot read '%s':", path);
		free(s);
		fclose(f);
		return NULL;
	}
	fclose(f);
	s[n] = '\0';
	if (strlen(s) != n) {
		sl_error(err, "'%s' holds NUL bytes", path);
		free(s);
		return NULL;
	}
	return s;
}

static int run_create(int argc, char **argv, struct ctx *ctx)
{
	static const struct option longopts[] = {
		{ "labels", required_argument, NULL, 'l' },
		{ "multi", no_argument, NULL, 'm' },
		{ "binary", required_argument, NULL, 'b' },
		{ "overlap", required_argument, NULL, 'k' },
		{ "guidelines", required_argument, NULL, 'g' },
		{ NULL, 0, NULL, 0 },
	};
	struct task spec = { .kind = TASK_SINGLE, .overlap = 1 };
	const char *labels = NULL, *binary = NULL, *guide = NULL;
	struct sl_err err;
	char *end;
	int c, rc;

	optind = 0;
	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (c) {
		case 'l': labels = optarg; break;
		case 'm': spec.kind = TASK_MULTI; break;
		case 'b': binary = optarg; break;
		case 'g': guide = optarg; break;
		case 'k':
			errno = 0;
			spec.overlap = (int)strtol(optarg, &end, 10);
			if (*end || !*optarg || spec.overlap < 1 ||
			    spec.overlap > TASK_MAX_OVERLAP)
				return usage_error(ctx, "bad --overlap '%s' (1 to "
						   "%d)", optarg, TASK_MAX_OVERLAP);
			break;
		default:
			return usage_error(ctx, "bad option");
		}
	}
	if (optind != argc - 1)
		return usage_error(ctx, "give one task name");
	if (!!labels + !!binary != 1)
		return usage_error(ctx, "give --labels a,b,c or --binary LABEL");
	if (binary && spec.kind == TASK_MULTI)
		return usage_error(ctx, "--multi and --binary exclude each other");
	spec.name = argv[optind];
	if (binary)
		spec.kind = TASK_BINARY;
	if (task_parse_labels(binary ? binary : labels, &spec.labels,
			      &spec.nlabels, &err))
		return die_msg("%s", err.msg);
	if (guide && !(spec.guidelines = read_guidelines(guide, &err))) {
		task_labels_free(spec.labels, spec.nlabels);
		return die_msg("%s", err.msg);
	}
	rc = task_create(ctx->st, &spec, &err);
	task_labels_free(spec.labels, spec.nlabels);
	free(spec.guidelines);
	if (rc)
		return die_msg("%s", err.msg);
	note(ctx, "task '%s' created (%s, overlap %d)", spec.name,
	     task_kind_name(spec.kind), spec.overlap);
	return EXIT_OK;
}

static long count1(struct store *st, const char *sql, int64_t task,
		   long overlap)
{
	sqlite3_stmt *s;
	long n = -1;

	if (sqlite3_prepare_v2(st->db, sql, -1, &s, NULL))
		return -1;
	if (sqlite3_bind_parameter_count(s) >= 1)
		sqlite3_bind_int64(s, 1, task);
	if (sqlite3_bind_parameter_count(s) >= 2)
		sqlite3_bind_int64(s, 2, overlap);
	if (sqlite3_step(s) == SQLITE_ROW)
		n = (long)sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return n;
}

static void print_labels(const struct task *t)
{
	for (size_t i = 0; i < t->nlabels; i++)
		printf("%s%s", i ? "," : "", t->labels[i]);
}

static int run_list(int argc, char **argv, struct ctx *ctx)
{
	struct task **all;
	struct sl_err err;
	size_t n;

	if (argc > 1)
		return usage_error(ctx, "task list takes no arguments");
	if (task_list(ctx->st, &all, &n, &err))
		return die_msg("%s", err.msg);
	for (size_t i = 0; i < n; i++) {
		struct task *t = all[i];

		printf("%-20s %-6s overlap %d  annotations %ld  final %ld  "
		       "labels ", t->name, task_kind_name(t->kind), t->overlap,
		       count1(ctx->st, "SELECT count(*) FROM annotations WHERE "
			      "task = ?1", t->id, 0),
		       count1(ctx->st, "SELECT count(*) FROM final_labels WHERE "
			      "task = ?1", t->id, 0));
		print_labels(t);
		putchar('\n');
		task_free(t);
	}
	free(all);
	if (!n)
		note(ctx, "no tasks (create one with 'sluice task create')");
	return EXIT_OK;
}

static void print_stat(const char *name, double v)
{
	if (isnan(v))
		printf("  %-22s n/a\n", name);
	else
		printf("  %-22s %.4f\n", name, v);
}

static int show_agreement(struct ctx *ctx, const struct task *t)
{
	struct agree_data a;
	struct agree_result r;
	struct sl_err err;

	if (agree_load(ctx->st, t, &a, &err))
		return die_msg("%s", err.msg);
	if (agree_compute(&a, &r)) {
		agree_release(&a);
		return die_msg("out of memory");
	}
	printf("agreement (%ld documents with 2 or more answers):\n",
	       r.pairable);
	print_stat("percent", r.percent);
	print_stat("Krippendorff's alpha", r.alpha);
	print_stat("Fleiss' kappa", r.fleiss);
	agree_result_release(&r);
	agree_release(&a);
	return EXIT_OK;
}

static int show_annotators(struct ctx *ctx, const struct task *t)
{
	sqlite3_stmt *s;
	int rc;

	if (sqlite3_prepare_v2(ctx->st->db, "SELECT annotator, count(*), "
			       "sum(answer = 'ignore'), sum(flagged), "
			       "avg(seconds), max(at) FROM annotations WHERE "
			       "task = ?1 GROUP BY annotator ORDER BY annotator",
			       -1, &s, NULL))
		return die_msg("cannot read annotations: %s",
			       sqlite3_errmsg(ctx->st->db));
	sqlite3_bind_int64(s, 1, t->id);
	printf("annotators:\n");
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		printf("  %-20s %6lld annotations  %lld ignored  %lld flagged  "
		       "%.1fs each  last %s\n", sqlite3_column_text(s, 0),
		       sqlite3_column_int64(s, 1), sqlite3_column_int64(s, 2),
		       sqlite3_column_int64(s, 3), sqlite3_column_double(s, 4),
		       sqlite3_column_text(s, 5));
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? EXIT_OK :
	       die_msg("cannot read annotations: %s",
		       sqlite3_errmsg(ctx->st->db));
}

static int show_finals(struct ctx *ctx, const struct task *t)
{
	sqlite3_stmt *s;
	int rc;

	if (sqlite3_prepare_v2(ctx->st->db, "SELECT source, answer, labels, "
			       "count(*) FROM final_labels WHERE task = ?1 "
			       "GROUP BY 1, 2, 3 ORDER BY 1, 4 DESC, 3", -1, &s,
			       NULL))
		return die_msg("cannot read final labels: %s",
			       sqlite3_errmsg(ctx->st->db));
	sqlite3_bind_int64(s, 1, t->id);
	printf("final labels:\n");
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		printf("  %-7s %-7s %-30s %lld\n", sqlite3_column_text(s, 0),
		       sqlite3_column_text(s, 1), sqlite3_column_text(s, 2),
		       sqlite3_column_int64(s, 3));
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? EXIT_OK :
	       die_msg("cannot read final labels: %s",
		       sqlite3_errmsg(ctx->st->db));
}

static int run_show(int argc, char **argv, struct ctx *ctx)
{
	struct task *t;
	struct sl_err err;
	int rc;
	long docs, dropped;

	if (argc != 2)
		return usage_error(ctx, "task show takes one task name");
	rc = task_load(ctx->st, argv[1], &t, &err);
	if (rc <= 0)
		return die_msg(rc ? "%s" : "no task '%s'", rc ? err.msg : argv[1]);
	docs = count1(ctx->st, "SELECT count(*) FROM docs", 0, 0);
	dropped = count1(ctx->st, "SELECT count(DISTINCT doc) FROM verdicts "
			 "WHERE decision = 'drop'", 0, 0);
	printf("task %s: %s, overlap %d, created %s\nlabels: ", t->name,
	       task_kind_name(t->kind), t->overlap, t->created);
	print_labels(t);
	printf("\nguidelines: %s\n", t->guidelines ? "yes" : "none");
	printf("progress: %ld of %ld documents done (%d annotations each), "
	       "%ld started, %ld final labels, %ld waiting for review\n",
	       count1(ctx->st, "SELECT count(*) FROM label_docs WHERE task = ?1 "
		      "AND n >= ?2", t->id, t->overlap), docs - dropped,
	       t->overlap,
	       count1(ctx->st, "SELECT count(*) FROM label_docs WHERE task = ?1 "
		      "AND n > 0 AND n < ?2", t->id, t->overlap),
	       count1(ctx->st, "SELECT count(*) FROM final_labels WHERE task = "
		      "?1", t->id, 0),
	       count1(ctx->st, "SELECT count(*) FROM label_docs WHERE task = ?1 "
		      "AND review = 1", t->id, 0));
	rc = show_annotators(ctx, t);
	if (rc == EXIT_OK)
		rc = show_finals(ctx, t);
	if (rc == EXIT_OK)
		rc = show_agreement(ctx, t);
	task_free(t);
	return rc;
}

static int run(int argc, char **argv, struct ctx *ctx)
{
	if (argc < 2)
		return usage_error(ctx, "give create, list or show");
	if (!strcmp(argv[1], "create"))
		return run_create(argc - 1, argv + 1, ctx);
	if (!strcmp(argv[1], "list"))
		return run_list(argc - 1, argv + 1, ctx);
	if (!strcmp(argv[1], "show"))
		return run_show(argc - 1, argv + 1, ctx);
	return usage_error(ctx, "unknown 'task %s' (create, list, show)",
			   argv[1]);
}

const struct cmd cmd_task = {
	.name = "task",
	.run = run,
	.usage = "sluice task create NAME (--labels A,B,C [--multi] | --binary "
		 "LABEL) [--overlap K] [--guidelines FILE]\n"
		 "       sluice task list\n"
		 "       sluice task show NAME",
	.summary = "labelling tasks: create one, list them, show one's "
		   "progress and agreement",
	.help =
	"  create NAME          a new labelling task:\n"
	"    --labels A,B,C     its labels, at most 9 (keys 1-9 pick them);\n"
	"                       one label per document\n"
	"    --multi            any number of the labels per document\n"
	"    --binary LABEL     one label, accepted, rejected or ignored\n"
	"    --overlap K        annotations each document gets, from K\n"
	"                       different annotators (default: 1)\n"
	"    --guidelines FILE  text shown by the labelling UI's 'h' key\n"
	"                       (default: none)\n"
	"  list                 every task with its counts\n"
	"  show NAME            progress, annotators, final labels, agreement\n",
	.flags = CMD_STORE,
};
