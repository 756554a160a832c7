/*
 * rulefile_data.c: the built-in rule set (filter/rules/), compiled into
 * the binary with .incbin like store/schema.c, so the defaults work
 * wherever sluice is installed.  Each file is followed by a NUL.
 */
#include "rulefile.h"

#include <string.h>

#include "../lib/banned.h"

#define EMBED(sym, path) \
	".global " sym "\n.type " sym ", @object\n.balign 16\n" sym ":\n" \
	".incbin \"" path "\"\n" sym "_end:\n.byte 0\n"

__asm__(
	".section .rodata\n"
	EMBED("sl_rules_default", "filter/rules/default.rules")
	EMBED("sl_rules_en", "filter/rules/ldnoobw-en.txt")
	EMBED("sl_rules_zh", "filter/rules/ldnoobw-zh.txt")
	".previous\n");

extern const char sl_rules_default[], sl_rules_default_end[];
extern const char sl_rules_en[], sl_rules_en_end[];
extern const char sl_rules_zh[], sl_rules_zh_end[];

const char *rulefile_builtin(const char *name, size_t *len)
{
	static const struct {
		const char *name, *start, *end;
	} files[] = {
		{ "default.rules", sl_rules_default, sl_rules_default_end },
		{ "ldnoobw-en.txt", sl_rules_en, sl_rules_en_end },
		{ "ldnoobw-zh.txt", sl_rules_zh, sl_rules_zh_end },
	};

	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++)
		if (!strcmp(files[i].name, name)) {
			*len = (size_t)(files[i].end - files[i].start);
			return files[i].start;
		}
	return NULL;
}
