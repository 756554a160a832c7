/*
 * conf.h: what every reader of a pipeline file shares.
 *
 * conf_bool() reads the boolean words the file accepts (true/false,
 * yes/no, on/off, 1/0, any case).  conf_sections() calls fn for each
 * "[section]" header in file order with its line number, then rewinds f:
 * Debian's inih calls no handler for a section without keys, so readers
 * that must see empty sections ([filter.exact]) find them this way.
 */
#ifndef SL_CONF_H
#define SL_CONF_H

#include <stdio.h>

/* 0 with *out set, or -1 when v is not a boolean word. */
int conf_bool(const char *v, int *out);

/* fn returns 0 to go on, nonzero to stop; conf_sections returns that value
 * (0 after the whole file) and leaves *lineno at the header's line. */
int conf_sections(FILE *f, int (*fn)(void *arg, const char *section),
		  void *arg, int *lineno);

#endif
