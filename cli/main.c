/*
 * main.c: the sluice binary: global options, the command table, the store.
 *
 *   sluice [--db PATH] [-q] COMMAND [ARGS...]
 *
 * --db and --quiet are accepted before or after the command name, so
 * `sluice import --db x.db f.jsonl` works as users type it.
 */
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "../store/db.h"
#include "../lib/err.h"
#include "../lib/banned.h"

/* Sorted by name: `sluice help` lists them in this order. */
const struct cmd *const commands[] = {
	&cmd_agreement,
	&cmd_classify,
	&cmd_crawl,
	&cmd_export,
	&cmd_extract,
	&cmd_filter,
	&cmd_help,
	&cmd_import,
	&cmd_init,
	&cmd_label,
	&cmd_labels,
	&cmd_report,
	&cmd_run,
	&cmd_runs,
	&cmd_show,
	&cmd_stats,
	&cmd_task,
	&cmd_tokenize,
	&cmd_tokenizer,
	&cmd_train,
	&cmd_why,
	NULL,
};

const struct cmd *cmd_find(const char *name)
{
	for (int i = 0; commands[i]; i++)
		if (!strcmp(commands[i]->name, name))
			return commands[i];
	return NULL;
}

int die_msg(const char *fmt, ...)
{
	va_list ap;

	fputs("sluice: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return EXIT_FAIL;
}

int usage_error(const struct ctx *ctx, const char *fmt, ...)
{
	va_list ap;

	fputs("sluice: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	if (ctx && ctx->cmd)
		fprintf(stderr, "usage: %s\n(see 'sluice help %s')\n",
			ctx->cmd->usage, ctx->cmd->name);
	else
		fputs("usage: sluice [--db PATH] COMMAND [ARGS...] "
		      "(see 'sluice help')\n", stderr);
	return EXIT_USAGE;
}

void note(const struct ctx *ctx, const char *fmt, ...)
{
	va_list ap;

	if (ctx->quiet)
		return;
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

int finish_stdout(void)
{
	if (fflush(stdout) || ferror(stdout))
		return die_msg("cannot write to standard output: %s",
			       strerror(errno ? errno : EIO));
	return EXIT_OK;
}

int parse_size(const char *s, unsigned long long *out)
{
	char *end;
	unsigned long long v, mul = 1;

	errno = 0;
	if (!s || !*s || *s == '-')
		return -1;
	v = strtoull(s, &end, 10);
	if (errno || end == s)
		return -1;
	switch (*end) {
	case 'k': case 'K': mul = 1ULL << 10; end++; break;
	case 'm': case 'M': mul = 1ULL << 20; end++; break;
	case 'g': case 'G': mul = 1ULL << 30; end++; break;
	}
	if (*end == 'B' || *end == 'b')
		end++;
	if (*end || (v && mul > ~0ULL / v))
		return -1;
	*out = v * mul;
	return 0;
}

/* Take --db/--quiet out of argv (up to a "--"); returns the new argc, or -1
 * with a message when --db lacks its argument. */
static int take_globals(int argc, char **argv, struct ctx *ctx)
{
	int i, n = 0, rest = 0;

	for (i = 0; i < argc; i++) {
		char *a = argv[i];

		if (rest || !strcmp(a, "--")) {
			rest = 1;
			argv[n++] = a;
		} else if (!strcmp(a, "--db")) {
			if (i + 1 >= argc)
				return -1;
			ctx->db_path = argv[++i];
		} else if (!strncmp(a, "--db=", 5)) {
			ctx->db_path = a + 5;
		} else if (!strcmp(a, "-q") || !strcmp(a, "--quiet")) {
			ctx->quiet = 1;
		} else {
			argv[n++] = a;
		}
	}
	argv[n] = NULL;
	return n;
}

static int run_cmd(const struct cmd *c, int argc, char **argv, struct ctx *ctx)
{
	struct sl_err err;
	int rc;

	ctx->cmd = c;
	if (c->flags & CMD_STORE) {
		unsigned f = (c->flags & CMD_CREATE) ? STORE_CREATE : 0;

		if (store_open(&ctx->st, ctx->db_path, f, &err)) {
			if (!(f & STORE_CREATE) && errno == ENOENT)
				return die_msg("%s (create it with 'sluice init' "
					       "or 'sluice import', or pass --db)",
					       err.msg);
			return die_msg("%s", err.msg);
		}
	}
	rc = c->run(argc, argv, ctx);
	store_close(ctx->st);
	ctx->st = NULL;
	if (rc == EXIT_OK)
		rc = finish_stdout();
	return rc;
}

int main(int argc, char **argv)
{
	struct ctx ctx = { 0 };
	const struct cmd *c;
	const char *env = getenv("SLUICE_DB");

	/* A full disk or a file size limit must be an error we report, not
	 * a signal that kills us mid-write. */
	signal(SIGXFSZ, SIG_IGN);
	signal(SIGPIPE, SIG_IGN);

	ctx.db_path = env && *env ? env : "sluice.db";
	argc = take_globals(argc - 1, argv + 1, &ctx);
	argv++;
	if (argc < 0)
		return usage_error(NULL, "option '--db' needs a path");
	if (argc == 0)
		return usage_error(NULL, "no command given");
	if (!strcmp(argv[0], "--version") || !strcmp(argv[0], "-V")) {
		printf("sluice %s\n", SLUICE_VERSION);
		return finish_stdout();
	}
	if (!strcmp(argv[0], "--help") || !strcmp(argv[0], "-h"))
		return run_cmd(&cmd_help, 1, argv, &ctx);
	c = cmd_find(argv[0]);
	if (!c)
		return usage_error(NULL, "'%s' is not a sluice command", argv[0]);
	for (int i = 1; i < argc && strcmp(argv[i], "--"); i++)
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			char *hargv[] = { "help", argv[0], NULL };
			return run_cmd(&cmd_help, 2, hargv, &ctx);
		}
	return run_cmd(c, argc, argv, &ctx);
}
