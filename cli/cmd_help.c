/*
 * cmd_help.c: `sluice help [CMD]` and `sluice help --man`, from the strings
 * in the command table, so the help, the man page and the README (which
 * shows this output) cannot drift apart.
 */
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "../lib/banned.h"

static const char globals[] =
	"  --db PATH      the store (default: $SLUICE_DB, else ./sluice.db)\n"
	"  -q, --quiet    print errors only\n"
	"  -h, --help     help for sluice or a command\n"
	"  -V, --version  print the version\n";

static const char exits[] =
	"  0   success\n"
	"  1   failure (the message says what and where)\n"
	"  2   usage error: bad option or argument\n"
	"  75  the store is locked by another run (sluice run)\n";

static void list(void)
{
	printf("usage: sluice [--db PATH] [-q] COMMAND [ARGS...]\n\n"
	       "sluice turns raw web text into clean, labeled, tokenized "
	       "training data.\n\ncommands:\n");
	for (int i = 0; commands[i]; i++)
		printf("  %-10s %s\n", commands[i]->name, commands[i]->summary);
	printf("\nglobal options:\n%s\nexit status:\n%s\n"
	       "'sluice help COMMAND' shows a command's options.\n",
	       globals, exits);
}

static void one(const struct cmd *c)
{
	printf("usage: %s\n\n%s\n", c->usage, c->summary);
	if (c->help && *c->help)
		printf("\n%s", c->help);
	if (c->help_more)
		c->help_more(stdout);
}

/* Text for a troff .nf block: escape backslashes and hyphens, protect lines
 * starting with a control character. */
static void troff(const char *s)
{
	int bol = 1;

	for (; *s; s++) {
		if (bol && (*s == '.' || *s == '\''))
			fputs("\\&", stdout);
		bol = *s == '\n';
		if (*s == '\\')
			fputs("\\e", stdout);
		else if (*s == '-')
			fputs("\\-", stdout);
		else
			putchar(*s);
	}
}

static void man(void)
{
	printf(".TH SLUICE 1 \"\" \"sluice %s\" \"User Commands\"\n"
	       ".SH NAME\nsluice \\- turn raw web text into clean, labeled, "
	       "tokenized training data\n"
	       ".SH SYNOPSIS\n.B sluice\n[\\-\\-db PATH] [\\-q] COMMAND "
	       "[ARGS...]\n"
	       ".SH DESCRIPTION\nOne binary over one SQLite store: crawl or "
	       "import documents, filter them, label them, export them.\n"
	       ".SH GLOBAL OPTIONS\n.nf\n", SLUICE_VERSION);
	troff(globals);
	printf(".fi\n.SH COMMANDS\n");
	for (int i = 0; commands[i]; i++) {
		const struct cmd *c = commands[i];

		printf(".SS %s\n.nf\n", c->name);
		troff(c->usage);
		printf("\n.fi\n");
		troff(c->summary);
		printf("\n");
		if (c->help && *c->help) {
			printf(".PP\n.nf\n");
			troff(c->help);
			printf(".fi\n");
		}
		if (c->help_more) {
			char *more = NULL;
			size_t n = 0;
			FILE *m = open_memstream(&more, &n);

			if (m) {
				c->help_more(m);
				fclose(m);
				printf(".PP\n.nf\n");
				troff(more);
				printf(".fi\n");
			}
			free(more);
		}
	}
	printf(".SH EXIT STATUS\n.nf\n");
	troff(exits);
	printf(".fi\n.SH ENVIRONMENT\n.TP\n.B SLUICE_DB\nthe store when "
	       "\\-\\-db is not given\n.TP\n.B NO_COLOR\nno colour in any "
	       "output\n");
}

static int run(int argc, char **argv, struct ctx *ctx)
{
	const struct cmd *c;

	if (argc < 2) {
		list();
		return EXIT_OK;
	}
	if (!strcmp(argv[1], "--man")) {
		man();
		return EXIT_OK;
	}
	c = cmd_find(argv[1]);
	if (!c)
		return usage_error(ctx, "'%s' is not a sluice command", argv[1]);
	one(c);
	return EXIT_OK;
}

const struct cmd cmd_help = {
	.name = "help",
	.run = run,
	.usage = "sluice help [COMMAND | --man]",
	.summary = "show the commands, or one command's options",
	.help = "  --man          print the manual page (troff)\n",
};
