/*
 * tsv.h: read the data tables of the data-driven suites.
 *
 * A table is a UTF-8 text file: a header line naming the columns, then one
 * case per line, fields separated by TAB.  Empty lines and lines starting
 * with '#' are skipped.  tsv_unescape() turns the escapes some tables use
 * (\n, \r, \t, \\, \xHH) into bytes.
 *
 *   struct tsv t;
 *   if (tsv_open(&t, "tests/data/x/cases.tsv")) fail;
 *   while (tsv_next(&t))  use(t.nf, t.f[0..nf-1], t.lineno);
 *   tsv_close(&t);
 */
#ifndef SL_TSV_H
#define SL_TSV_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TSV_MAX_FIELDS 16

struct tsv {
	FILE *fp;
	char *line;
	size_t alloc;
	int lineno;
	int nf;
	char *f[TSV_MAX_FIELDS];
};

static inline int tsv_open(struct tsv *t, const char *path)
{
	memset(t, 0, sizeof(*t));
	t->fp = fopen(path, "r");
	return t->fp ? 0 : -1;
}

/* The next case: 1, or 0 at the end of the file.  The header is skipped. */
static inline int tsv_next(struct tsv *t)
{
	ssize_t n;

	for (;;) {
		char *p;

		n = getline(&t->line, &t->alloc, t->fp);
		if (n < 0)
			return 0;
		t->lineno++;
		while (n && (t->line[n - 1] == '\n' || t->line[n - 1] == '\r'))
			t->line[--n] = '\0';
		if (t->lineno == 1 || n == 0 || t->line[0] == '#')
			continue;
		t->nf = 0;
		p = t->line;
		for (;;) {
			char *tab = strchr(p, '\t');

			if (t->nf < TSV_MAX_FIELDS)
				t->f[t->nf++] = p;
			if (!tab)
				break;
			*tab = '\0';
			p = tab + 1;
		}
		for (int i = t->nf; i < TSV_MAX_FIELDS; i++)
			t->f[i] = "";
		return 1;
	}
}

static inline void tsv_close(struct tsv *t)
{
	if (t->fp)
		fclose(t->fp);
	free(t->line);
}

static inline int tsv_hex(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Unescape s in place; returns the byte length (the result may hold NULs
 * and is NUL-terminated). */
static inline size_t tsv_unescape(char *s)
{
	size_t i = 0, j = 0;

	while (s[i]) {
		if (s[i] != '\\' || !s[i + 1]) {
			s[j++] = s[i++];
			continue;
		}
		switch (s[i + 1]) {
		case 'n': s[j++] = '\n'; i += 2; break;
		case 'r': s[j++] = '\r'; i += 2; break;
		case 't': s[j++] = '\t'; i += 2; break;
		case '\\': s[j++] = '\\'; i += 2; break;
		case 'x':
			if (tsv_hex(s[i + 2]) >= 0 && tsv_hex(s[i + 3]) >= 0) {
				s[j++] = (char)(tsv_hex(s[i + 2]) * 16 +
						tsv_hex(s[i + 3]));
				i += 4;
				break;
			}
			/* fall through */
		default:
			s[j++] = s[i++];
		}
	}
	s[j] = '\0';
	return j;
}

#endif
