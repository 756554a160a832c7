/*
 * stage.c: what every stage shares: verdict helpers, the option tables
 * (defaults, parsing, help, the version string) and the registry.
 */
#include "stage.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "options.h"
#include "../lib/conf.h"
#include "../lib/err.h"
#include "../lib/hash.h"
#include "../lib/banned.h"

void stage_out_init(struct stage_out *o)
{
	memset(o, 0, sizeof(*o));
	buf_init(&o->text, 0);
	buf_init(&o->detail, 0);
	buf_init(&o->data, 0);
	o->score = NAN;
}

void stage_out_reset(struct stage_out *o)
{
	o->decision = DECISION_KEEP;
	o->reason[0] = '\0';
	o->score = NAN;
	o->rewrite = 0;
	o->lang[0] = '\0';
	o->demoted = 0;
	buf_reset(&o->text);
	buf_reset(&o->detail);
	buf_reset(&o->data);
}

void stage_out_release(struct stage_out *o)
{
	buf_release(&o->text);
	buf_release(&o->detail);
	buf_release(&o->data);
}

void stage_verdict(struct stage_out *o, enum decision d, const char *fmt, ...)
{
	va_list ap;

	o->decision = d;
	va_start(ap, fmt);
	vsnprintf(o->reason, sizeof(o->reason), fmt, ap);
	va_end(ap);
}

/* ---- options ------------------------------------------------------- */

static int set_one(const struct stage_ops *ops, const struct stage_opt *o,
		   void *conf, const char *v, struct sl_err *err)
{
	char *p = (char *)conf + o->offset, *end;
	double d;
	long l;

	switch (o->type) {
	case OPT_BOOL:
		if (conf_bool(v, (int *)p))
			return sl_error(err, "[filter.%s] %s: '%s' is not a "
					"boolean (true/false)", ops->name, o->key, v);
		return 0;
	case OPT_INT:
		errno = 0;
		l = strtol(v, &end, 10);
		if (errno || end == v || *end)
			return sl_error(err, "[filter.%s] %s: '%s' is not an "
					"integer", ops->name, o->key, v);
		d = (double)l;
		if (o->min <= o->max && (d < o->min || d > o->max))
			return sl_error(err, "[filter.%s] %s: %ld is out of "
					"range %g..%g", ops->name, o->key, l,
					o->min, o->max);
		*(long *)p = l;
		return 0;
	case OPT_DOUBLE:
		errno = 0;
		d = strtod(v, &end);
		if (errno || end == v || *end || !isfinite(d))
			return sl_error(err, "[filter.%s] %s: '%s' is not a "
					"number", ops->name, o->key, v);
		if (o->min <= o->max && (d < o->min || d > o->max))
			return sl_error(err, "[filter.%s] %s: %g is out of "
					"range %g..%g", ops->name, o->key, d,
					o->min, o->max);
		*(double *)p = d;
		return 0;
	case OPT_STRING:
		if (strlen(v) >= OPT_STRING_MAX)
			return sl_error(err, "[filter.%s] %s: value too long",
					ops->name, o->key);
		snprintf(p, OPT_STRING_MAX, "%s", v);
		return 0;
	}
	return sl_error(err, "[filter.%s] %s: bad option type", ops->name,
			o->key);
}

int stage_conf_set(const struct stage_ops *ops, void *conf, const char *key,
		   const char *value, struct sl_err *err)
{
	for (const struct stage_opt *o = ops->opts; o && o->key; o++)
		if (!strcmp(o->key, key))
			return set_one(ops, o, conf, value, err);
	return sl_error(err, "[filter.%s]: unknown option '%s' (see 'sluice "
			"help filter')", ops->name, key);
}

int stage_conf_defaults(const struct stage_ops *ops, void *conf,
			struct sl_err *err)
{
	memset(conf, 0, ops->conf_size);
	for (const struct stage_opt *o = ops->opts; o && o->key; o++)
		if (set_one(ops, o, conf, o->def, err))
			return sl_error_prefix(err, "bad built-in default: ");
	return 0;
}

/* The value of an option as canonical text. */
static void value_text(const struct stage_opt *o, const void *conf,
		       struct buf *out)
{
	const char *p = (const char *)conf + o->offset;

	switch (o->type) {
	case OPT_BOOL:
		buf_adds(out, *(const int *)p ? "true" : "false");
		break;
	case OPT_INT:
		buf_addf(out, "%ld", *(const long *)p);
		break;
	case OPT_DOUBLE:
		buf_addf(out, "%.17g", *(const double *)p);
		break;
	case OPT_STRING:
		buf_adds(out, p);
		break;
	}
}

void stage_conf_version(const struct stage_ops *ops, const void *conf,
			char out[STAGE_VERSION_LEN])
{
	struct buf b;

	buf_init(&b, 0);
	buf_addf(&b, "%s/%d\n", ops->name, ops->code_version);
	for (const struct stage_opt *o = ops->opts; o && o->key; o++) {
		buf_addf(&b, "%s=", o->key);
		value_text(o, conf, &b);
		buf_addc(&b, '\n');
	}
	if (ops->version_salt)
		ops->version_salt(conf, &b);
	snprintf(out, STAGE_VERSION_LEN, "%d-%08llx", ops->code_version,
		 (unsigned long long)(hash64(b.data, b.len) & 0xffffffffu));
	buf_release(&b);
}

void stage_conf_describe(const struct stage_ops *ops, const void *conf,
			 struct buf *out)
{
	for (const struct stage_opt *o = ops->opts; o && o->key; o++) {
		buf_addf(out, "%s%s=", o == ops->opts ? "" : " ", o->key);
		value_text(o, conf, out);
	}
}

void stage_help(const struct stage_ops *ops, struct buf *out)
{
	buf_addf(out, "  [filter.%s]  %s\n", ops->name, ops->summary);
	for (const struct stage_opt *o = ops->opts; o && o->key; o++)
		buf_addf(out, "    %-22s %s (default: %s)\n", o->key, o->help,
			 *o->def ? o->def : "none");
}

const struct stage_ops *stage_find(const char *name)
{
	for (size_t i = 0; stage_registry[i]; i++)
		if (!strcmp(stage_registry[i]->name, name))
			return stage_registry[i];
	return NULL;
}
