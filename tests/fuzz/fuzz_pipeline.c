/*
 * fuzz_pipeline.c: the pipeline file reader (INI via inih, the section
 * pre-scan, every stage's option table) on arbitrary bytes.
 * Properties: no crash or sanitizer report; a refused file leaves a
 * message; an accepted one has at least one stage, each with a version and
 * a configuration, and the same bytes read twice give the same versions.
 * Rule files named by the input are opened like any path (reading is
 * capped and only regular files are read).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../filter/pipeline.h"
#include "../../filter/stage.h"
#include "../../lib/err.h"

static int load(struct pipeline *p, const uint8_t *data, size_t size,
		struct sl_err *err)
{
	/* fmemopen needs a non-empty buffer; an empty file is "" */
	FILE *f = fmemopen(size ? (void *)data : (void *)"", size ? size : 1,
			   "r");
	int rc;

	if (!f)
		abort();
	rc = pipeline_read(p, f, "fuzz.ini", err);
	fclose(f);
	return rc;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pipeline p, q;
	struct sl_err err = { "" };

	if (size > 65536)
		return 0;
	if (load(&p, data, size, &err)) {
		if (!err.msg[0])
			abort();
		return 0;
	}
	if (!p.n)
		abort();
	if (load(&q, data, size, &err) || q.n != p.n)
		abort();
	for (size_t i = 0; i < p.n; i++)
		if (!p.v[i].ops || !p.v[i].conf || !p.v[i].version[0] ||
		    strcmp(p.v[i].version, q.v[i].version))
			abort();
	pipeline_release(&p);
	pipeline_release(&q);
	return 0;
}
