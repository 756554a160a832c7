/*
 * options.h: a stage's option table at work: defaults, values from the
 * pipeline file, the version string that makes a changed stage run again,
 * and the help text.  (The table itself is declared in stage.h.)
 */
#ifndef SL_OPTIONS_H
#define SL_OPTIONS_H

#include "stage.h"

#define STAGE_VERSION_LEN 32

/* conf (ops->conf_size bytes) set to every option's default. */
int stage_conf_defaults(const struct stage_ops *ops, void *conf,
			struct sl_err *err);
/* One key = value from the pipeline file; unknown keys and bad values are
 * errors naming the section and key. */
int stage_conf_set(const struct stage_ops *ops, void *conf, const char *key,
		   const char *value, struct sl_err *err);
/* "CODE-HASH": changes when the code version or any option value does. */
void stage_conf_version(const struct stage_ops *ops, const void *conf,
			char out[STAGE_VERSION_LEN]);
/* "key=value key=value" of every option, for logs and `sluice stats`. */
void stage_conf_describe(const struct stage_ops *ops, const void *conf,
			 struct buf *out);
/* The stage's section of `sluice help filter`. */
void stage_help(const struct stage_ops *ops, struct buf *out);

#endif
