/*
 * cmd_show.c: `sluice show ID`: one document, its fields, its verdicts and
 * its text (or the JSON line export would write for it).
 */
#include <getopt.h>
#include <jansson.h>
#include <string.h>

#include "cmd.h"
#include "../store/db.h"
#include "../store/docs.h"
#include "../store/export.h"
#include "../lib/err.h"
#include "../lib/banned.h"

static void verdicts(const char *attrs)
{
	json_t *a = attrs ? json_loads(attrs, 0, NULL) : NULL;
	const char *stage;
	json_t *v;

	if (!json_object_size(a)) {
		printf("verdicts  none\n");
		json_decref(a);
		return;
	}
	printf("verdicts\n");
	json_object_foreach(a, stage, v) {
		const char *reason = json_string_value(json_object_get(v, "reason"));
		json_t *score = json_object_get(v, "score");

		printf("  %-12s %-5s %s", stage,
		       json_string_value(json_object_get(v, "decision")),
		       reason ? reason : "");
		if (json_is_number(score))
			printf(" (score %.4g)", json_number_value(score));
		printf("\n");
	}
	json_decref(a);
}

static int run(int argc, char **argv, struct ctx *ctx)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "no-text", no_argument, NULL, 'n' },
		{ "original", no_argument, NULL, 'o' },
		{ NULL, 0, NULL, 0 },
	};
	struct docs_cursor cur;
	struct doc_row d;
	struct sl_err err;
	int c, as_json = 0, no_text = 0, original = 0, rc;

	optind = 0;
	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		if (c == 'j')
			as_json = 1;
		else if (c == 'n')
			no_text = 1;
		else if (c == 'o')
			original = 1;
		else
			return usage_error(ctx, "bad option");
	}
	if (optind != argc - 1)
		return usage_error(ctx, "give one document id");
	if (docs_cursor_open(&cur, ctx->st, original ?
			     export_select_original_by_id : export_select_by_id,
			     &err))
		return die_msg("%s", err.msg);
	sqlite3_bind_text(cur.s, 1, argv[optind], -1, SQLITE_STATIC);
	rc = docs_cursor_next(&cur, &d, &err);
	if (rc <= 0) {
		docs_cursor_close(&cur);
		if (rc < 0)
			return die_msg("%s", err.msg);
		return die_msg("no document '%s' in '%s'", argv[optind],
			       ctx->db_path);
	}
	if (as_json) {
		struct buf b;

		buf_init(&b, 0);
		export_doc_json(&b, &d, (const char *)sqlite3_column_text(cur.s, 12));
		printf("%s\n", b.data);
		buf_release(&b);
	} else {
		printf("id        %s\nsource    %s\nurl       %s\nlang      %s\n"
		       "created   %s\nadded     %s\nlength    %zu bytes, %zu "
		       "characters\nmetadata  %s\n", d.id, d.source,
		       d.url ? d.url : "-", d.lang ? d.lang : "-",
		       d.created ? d.created : "-", d.added, d.nbytes,
		       d.nchars, d.meta ? d.meta : "-");
		verdicts((const char *)sqlite3_column_text(cur.s, 12));
		if (!no_text)
			printf("\n%s\n", d.text);
	}
	docs_cursor_close(&cur);
	return EXIT_OK;
}

const struct cmd cmd_show = {
	.name = "show",
	.run = run,
	.usage = "sluice show [--json] [--no-text] [--original] ID",
	.summary = "print one document: fields, filter verdicts and text",
	.help =
	"  --json     print the JSON line 'sluice export' writes for it\n"
	"  --no-text  fields and verdicts only\n"
	"  --original the text as imported, not as the filter stages\n"
	"             rewrote it (normalized, redacted)\n",
	.flags = CMD_STORE,
};
