/*
 * pipeline.h: which stages run, in which order, with which options.
 *
 * From a pipeline file (INI, read with inih): each [filter.NAME] section
 * adds stage NAME, in the order the sections appear; its keys are the
 * stage's options (anything not given keeps its documented default).
 * Sections not starting with "filter." belong to other commands ([crawl],
 * [import], [export], [run]) and are skipped here.  Without a file, every
 * built-in stage runs with its defaults, in the registry's order, except
 * the opt-in ones (STAGE_OPT_IN: classify, which needs a model file).
 *
 *   struct pipeline p;
 *   if (pipeline_load(&p, path_or_NULL, &err)) ...   // err: file:line
 *   ... p.v[i].ops, p.v[i].conf, p.v[i].version
 *   pipeline_release(&p);
 */
#ifndef SL_PIPELINE_H
#define SL_PIPELINE_H

#include <stddef.h>
#include <stdio.h>

#include "options.h"

struct pipeline_stage {
	const struct stage_ops *ops;
	void *conf;			/* ops->conf_size bytes, owned */
	char version[STAGE_VERSION_LEN];
};

struct pipeline {
	struct pipeline_stage *v;
	size_t n;
};

int pipeline_load(struct pipeline *p, const char *path, struct sl_err *err);
/* The same from an open stream (seekable: it is read twice); name is used
 * in messages. */
int pipeline_read(struct pipeline *p, FILE *f, const char *name,
		  struct sl_err *err);
/* Only the named stage (for --stage); -1 when it is not in p. */
int pipeline_only(struct pipeline *p, const char *name, struct sl_err *err);
void pipeline_release(struct pipeline *p);

#endif
