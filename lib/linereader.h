/*
 * linereader.h: split a (possibly compressed) file into lines, with a cap.
 *
 *   struct linereader lr;
 *   if (linereader_open(&lr, path, 64 << 20, &err)) ...
 *   while ((rc = linereader_next(&lr, &line, &len, &err)) > 0) ...
 *   // rc == LR_TOOLONG: the line passed the cap; it is skipped, the next
 *   //                   call goes on with the line after it
 *   // rc == 0: end of file; rc == -1: read error (err says where)
 *   linereader_close(&lr);
 *
 * A line is returned without its '\n' and stays valid until the next call.
 * lr.lineno is the 1-based number of the line just returned.  The last line
 * need not end with '\n'.  Memory stays within about twice the cap.
 */
#ifndef SL_LINEREADER_H
#define SL_LINEREADER_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"

struct sl_err;
struct zreader;

enum { LR_TOOLONG = -2 };

struct linereader {
	struct zreader *zr;
	struct buf win;		/* bytes read, not yet returned */
	size_t pos;		/* start of the next line in win */
	size_t scanned;		/* bytes after pos known to hold no '\n' */
	size_t maxline;
	uint64_t lineno;
	int eof;
	int skipping;		/* inside an over-long line */
};

int linereader_open(struct linereader *lr, const char *path, size_t maxline,
		    struct sl_err *err);
int linereader_next(struct linereader *lr, const char **line, size_t *len,
		    struct sl_err *err);
void linereader_close(struct linereader *lr);

#endif
