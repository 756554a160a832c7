/*
 * stagecase.h: run a filter stage over a table of cases, so a new case is
 * a new line in tests/data/<stage>/cases.tsv and needs no C.
 *
 * Columns (TAB-separated; see tsv.h for the \n escapes):
 *   text      the document's text
 *   options   "key=value;key=value" for the stage's option table, or "-"
 *   lang      the document's lang as earlier stages set it, or "-"
 *   url       the document's URL, or "-"
 *   decision  keep | drop | flag, or open_error / apply_error: open() or
 *             apply() must fail and its message must contain `reason`
 *   reason    the expected reason code exactly ("-": empty, "*": any)
 *   rewritten the expected new text ("-": no rewrite, "*": any)
 *   detail    a substring of out->detail or out->lang ("-": not checked)
 *
 * Each case opens the stage afresh from its defaults plus the options.
 */
#ifndef SL_STAGECASE_H
#define SL_STAGECASE_H

#include <stdio.h>
#include <string.h>

#include "check_main.h"
#include "tsv.h"
#include "../filter/options.h"
#include "../lib/err.h"

static int sc_set_options(const struct stage_ops *ops, void *conf,
			  char *spec, struct sl_err *err)
{
	char *save = NULL, *kv;

	if (!strcmp(spec, "-"))
		return 0;
	for (kv = strtok_r(spec, ";", &save); kv;
	     kv = strtok_r(NULL, ";", &save)) {
		char *eq = strchr(kv, '=');

		if (!eq)
			return sl_error(err, "bad option '%s'", kv);
		*eq = '\0';
		if (stage_conf_set(ops, conf, kv, eq + 1, err))
			return -1;
	}
	return 0;
}

static const char *sc_decision(enum decision d)
{
	return d == DECISION_KEEP ? "keep" : d == DECISION_DROP ? "drop" :
	       "flag";
}

/* One case; returns NULL when it passes, else what went wrong (static). */
static const char *sc_case(const struct stage_ops *ops, char **f)
{
	static char why[2048];
	char conf[16384];
	struct sl_err err = { "" };
	struct stage_out out;
	struct stage_doc doc = { 1, "case", NULL, 0, NULL, "test", NULL };
	void *state = NULL, *scratch = NULL;
	size_t len = tsv_unescape(f[0]);
	int rc;

	doc.text = f[0];
	doc.len = len;
	doc.lang = strcmp(f[2], "-") ? f[2] : NULL;
	doc.url = strcmp(f[3], "-") ? f[3] : NULL;
	why[0] = '\0';
	if (ops->conf_size > sizeof(conf) || stage_conf_defaults(ops, conf,
								  &err) ||
	    sc_set_options(ops, conf, f[1], &err)) {
		snprintf(why, sizeof(why), "options: %s", err.msg);
		return why;
	}
	rc = ops->open(&state, conf, &err);
	if (!strcmp(f[4], "open_error")) {
		if (rc == 0) {
			ops->close(state);
			return "open() succeeded";
		}
		if (!strstr(err.msg, f[5]))
			snprintf(why, sizeof(why), "open error '%s'", err.msg);
		return why[0] ? why : NULL;
	}
	if (rc) {
		snprintf(why, sizeof(why), "open: %s", err.msg);
		return why;
	}
	scratch = ops->scratch_new(state);
	stage_out_init(&out);
	stage_out_reset(&out);
	rc = ops->apply(state, scratch, &doc, &out, &err);
	if (!strcmp(f[4], "apply_error")) {
		if (rc == 0)
			snprintf(why, sizeof(why), "apply() succeeded");
		else if (!strstr(err.msg, f[5]))
			snprintf(why, sizeof(why), "apply error '%s'", err.msg);
	} else if (rc) {
		snprintf(why, sizeof(why), "apply: %s", err.msg);
	} else if (strcmp(sc_decision(out.decision), f[4]) ||
		   (strcmp(f[5], "*") &&
		    strcmp(out.reason, strcmp(f[5], "-") ? f[5] : ""))) {
		snprintf(why, sizeof(why), "got %s '%s' score %g detail %s",
			 sc_decision(out.decision), out.reason, out.score,
			 out.detail.data ? out.detail.data : "");
	} else if (!strcmp(f[6], "-") ? out.rewrite : strcmp(f[6], "*") &&
		   (tsv_unescape(f[6]), !out.rewrite ||
		    strcmp(out.text.data ? out.text.data : "", f[6]))) {
		snprintf(why, sizeof(why), "rewrite %d text '%.1500s'",
			 out.rewrite, out.text.data ? out.text.data : "");
	} else if (strcmp(f[7], "-") &&
		   !strstr(out.detail.data ? out.detail.data : "", f[7]) &&
		   !strstr(out.lang, f[7])) {
		snprintf(why, sizeof(why), "detail '%s' lang '%s'",
			 out.detail.data ? out.detail.data : "", out.lang);
	}
	stage_out_release(&out);
	ops->scratch_free(scratch);
	ops->close(state);
	return why[0] ? why : NULL;
}

/* Every case of file; fails the test when one fails.  Returns the count. */
static int sc_run(const struct stage_ops *ops, const char *file)
{
	struct tsv t;
	int rows = 0, passed = 0;

	ck_assert_msg(tsv_open(&t, file) == 0, "cannot open %s", file);
	while (tsv_next(&t)) {
		const char *why;

		ck_assert_msg(t.nf >= 8, "%s:%d: %d columns, want 8", file,
			      t.lineno, t.nf);
		why = sc_case(ops, t.f);
		rows++;
		if (!why)
			passed++;
		else
			fprintf(stderr, "%s:%d: want %s '%s': %s\n", file,
				t.lineno, t.f[4], t.f[5], why);
	}
	tsv_close(&t);
	printf("%s %s: %d/%d cases pass\n", ops->name, file, passed, rows);
	ck_assert_int_eq(passed, rows);
	ck_assert_int_gt(rows, 0);
	return rows;
}

/* A document of one line of n bytes (words from a counter, no newline):
 * the bad-input case of the issue.  apply() must answer (any verdict)
 * without failing; returns the decision, with the reason in reason. */
static enum decision sc_huge_line(const struct stage_ops *ops, size_t n,
				  char reason[64])
{
	static char conf[16384];
	char *text = malloc(n + 1);
	struct sl_err err;
	struct stage_out out;
	struct stage_doc doc = { 1, "huge", text, n, "https://example.org/",
				 "test", NULL };
	void *state, *scratch;
	size_t i = 0;
	enum decision d;

	ck_assert_ptr_nonnull(text);
	for (unsigned long k = 0; i < n && i < (1u << 20); k++) {
		char w[16];
		int l = snprintf(w, sizeof(w), "%c%c%c%lu ", 'a' + (int)(k % 26),
				 'a' + (int)(k / 26 % 26), 'a' + (int)(k / 676 % 26),
				 k % 1000);

		for (int j = 0; j < l && i < n; j++)
			text[i++] = w[j];
	}
	for (; i < n; i++)	/* then the first MB over and over */
		text[i] = text[i % (1u << 20)];
	text[n] = '\0';
	ck_assert_int_eq(stage_conf_defaults(ops, conf, &err), 0);
	ck_assert_msg(ops->open(&state, conf, &err) == 0, "%s", err.msg);
	scratch = ops->scratch_new(state);
	stage_out_init(&out);
	stage_out_reset(&out);
	ck_assert_msg(ops->apply(state, scratch, &doc, &out, &err) == 0, "%s",
		      err.msg);
	d = out.decision;
	snprintf(reason, 64, "%s", out.reason);
	stage_out_release(&out);
	ops->scratch_free(scratch);
	ops->close(state);
	free(text);
	return d;
}

#endif
