/*
 * cmd_init.c: `sluice init`: create the store (or bring an existing one up
 * to this binary's schema) and say where it is.
 */
#include "cmd.h"
#include "../store/db.h"
#include "../lib/banned.h"

static int run(int argc, char **argv, struct ctx *ctx)
{
	if (argc > 1)
		return usage_error(ctx, "unexpected argument '%s'", argv[1]);
	note(ctx, "store '%s' ready (schema version %d)", ctx->db_path,
	     store_schema_version());
	return EXIT_OK;
}

const struct cmd cmd_init = {
	.name = "init",
	.run = run,
	.usage = "sluice init",
	.summary = "create the store, or migrate it to this version's schema",
	.help = "",
	.flags = CMD_STORE | CMD_CREATE,
};
