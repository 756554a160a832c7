/*
 * cmd.h: the command table (git's commands[], tmux's cmd_entry).
 *
 * Each cli/cmd_<name>.c defines one `const struct cmd cmd_<name>`; main.c
 * lists them, sorted, parses the global options, opens the store when the
 * command needs one, and turns the result into an exit code.  `sluice help`,
 * `sluice CMD --help` and the man page print the same strings.
 */
#ifndef SL_CMD_H
#define SL_CMD_H

#include <stdio.h>

struct store;

/* Exit codes: the README and `sluice help` document these. */
enum {
	EXIT_OK = 0,
	EXIT_FAIL = 1,
	EXIT_USAGE = 2,
	EXIT_LOCKED = 75,
};

enum {
	CMD_STORE = 1,		/* open the store before run() */
	CMD_CREATE = 2,		/* ... creating it when missing */
};

struct ctx {
	const char *db_path;	/* --db, $SLUICE_DB or ./sluice.db */
	struct store *st;	/* open when the command has CMD_STORE */
	const struct cmd *cmd;
	int quiet;
};

struct cmd {
	const char *name;
	int (*run)(int argc, char **argv, struct ctx *ctx);
	const char *usage;	/* "sluice import [options] FILE|DIR..." */
	const char *summary;	/* one line for the command list */
	const char *help;	/* the options, one per line, man style */
	unsigned flags;
	/* more help made at run time (the filter stages' options), or NULL */
	void (*help_more)(FILE *out);
};

/* Print "sluice: <msg>" on stderr; returns EXIT_FAIL. */
__attribute__((format(printf, 1, 2)))
int die_msg(const char *fmt, ...);
/* Print "usage: ..." for ctx->cmd and a hint; returns EXIT_USAGE. */
__attribute__((format(printf, 2, 3)))
int usage_error(const struct ctx *ctx, const char *fmt, ...);
/* Progress/info line on stderr unless --quiet. */
__attribute__((format(printf, 2, 3)))
void note(const struct ctx *ctx, const char *fmt, ...);

/* Flush stdout and report a failed write (full disk, closed pipe). */
int finish_stdout(void);

/* Parse a size with an optional k/M/G suffix (powers of 1024). */
int parse_size(const char *s, unsigned long long *out);

/* One [crawl] key of a pipeline file (the command's long option names,
 * '_' for '-'; seeds = URL) onto o: 0, or -1 with err (cmd_crawl.c). */
struct crawl_opts;
struct sl_err;
int crawl_config(struct crawl_opts *o, const char *key, const char *value,
		 struct sl_err *err);

extern const struct cmd cmd_agreement, cmd_labels, cmd_task;
extern const struct cmd cmd_crawl, cmd_export, cmd_extract, cmd_filter,
	cmd_help, cmd_import, cmd_init, cmd_report, cmd_run, cmd_runs, cmd_show,
	cmd_stats, cmd_tokenize, cmd_tokenizer, cmd_why;
extern const struct cmd cmd_label;
extern const struct cmd cmd_classify, cmd_train;

extern const struct cmd *const commands[];
const struct cmd *cmd_find(const char *name);

#endif
