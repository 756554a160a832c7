/*
 * cmd_why.c: `sluice why ID`: every verdict on one document, in the order
 * the stages ran, with reasons, scores and details.
 */
#include <string.h>

#include "cmd.h"
#include "../filter/stage.h"
#include "../store/db.h"
#include "../lib/buf.h"
#include "../lib/err.h"
#include "../lib/banned.h"

static int run(int argc, char **argv, struct ctx *ctx)
{
	sqlite3_stmt *s;
	struct buf order;
	int rc, n = 0, dropped = 0;

	if (argc != 2)
		return usage_error(ctx, "give one document id");
	if (sqlite3_prepare_v2(ctx->st->db,
			       "SELECT d.rowid, v.stage, v.decision, v.reason, "
			       "v.score, v.version, v.at, v.detail FROM docs d "
			       "LEFT JOIN verdicts v ON v.doc = d.rowid WHERE "
			       "d.id = ?1 ORDER BY instr(?2, ',' || v.stage || "
			       "','), v.stage", -1, &s,
			       NULL) != SQLITE_OK)
		return die_msg("cannot read '%s': %s", ctx->db_path,
			       sqlite3_errmsg(ctx->st->db));
	sqlite3_bind_text(s, 1, argv[1], -1, SQLITE_STATIC);
	/* verdicts in the default pipeline's order */
	buf_init(&order, 0);
	buf_addc(&order, ',');
	for (size_t i = 0; stage_registry[i]; i++)
		buf_addf(&order, "%s,", stage_registry[i]->name);
	sqlite3_bind_text(s, 2, order.data, -1, SQLITE_TRANSIENT);
	buf_release(&order);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		const char *stage = (const char *)sqlite3_column_text(s, 1);
		const char *dec = (const char *)sqlite3_column_text(s, 2);
		const char *reason = (const char *)sqlite3_column_text(s, 3);
		const char *detail = (const char *)sqlite3_column_text(s, 7);

		if (!n++)
			printf("%s\n", argv[1]);
		if (!stage)
			continue;
		dropped |= !strcmp(dec, "drop");
		printf("  %-10s %-5s %-28s", stage, dec, reason ? reason : "-");
		if (sqlite3_column_type(s, 4) != SQLITE_NULL)
			printf(" score %-10.4g", sqlite3_column_double(s, 4));
		else
			printf(" %-16s", "");
		printf(" v%s %s", (const char *)sqlite3_column_text(s, 5),
		       (const char *)sqlite3_column_text(s, 6));
		if (detail)
			printf(" %s", detail);
		printf("\n");
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE)
		return die_msg("cannot read '%s': %s", ctx->db_path,
			       sqlite3_errmsg(ctx->st->db));
	if (!n)
		return die_msg("no document '%s' in '%s'", argv[1], ctx->db_path);
	printf("  => %s\n", dropped ? "dropped (not exported)" : "kept");
	return EXIT_OK;
}

const struct cmd cmd_why = {
	.name = "why",
	.run = run,
	.usage = "sluice why ID",
	.summary = "show every filter verdict on one document, and the outcome",
	.help = "",
	.flags = CMD_STORE,
};
