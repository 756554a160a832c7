/*
 * registry.c: the built-in stages, in the order of the default pipeline
 * (what `sluice filter` runs without a pipeline file).
 */
#include "stage.h"
#include "../lib/banned.h"

extern const struct stage_ops stage_normalize, stage_lang, stage_exact,
	stage_minhash, stage_lines, stage_quality, stage_rules, stage_pii;
extern const struct stage_ops stage_classify;

const struct stage_ops *const stage_registry[] = {
	&stage_normalize,
	&stage_lang,
	&stage_exact,
	&stage_minhash,
	&stage_lines,
	&stage_quality,
	&stage_rules,
	&stage_pii,
	&stage_classify,	/* opt-in: needs a model file */
	NULL,
};
