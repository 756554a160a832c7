#include "linereader.h"

#include <string.h>

#include "err.h"
#include "zreader.h"
#include "banned.h"

#define CHUNK (1 << 20)

int linereader_open(struct linereader *lr, const char *path, size_t maxline,
		    struct sl_err *err)
{
	memset(lr, 0, sizeof(*lr));
	lr->maxline = maxline;
	buf_init(&lr->win, 0);
	if (buf_grow(&lr->win, CHUNK))	/* win.data is never NULL below */
		return sl_error(err, "out of memory");
	if (zreader_open(&lr->zr, path, err)) {
		buf_release(&lr->win);
		return -1;
	}
	return 0;
}

void linereader_close(struct linereader *lr)
{
	zreader_close(lr->zr);
	buf_release(&lr->win);
	lr->zr = NULL;
}

/* Read another chunk after the unreturned bytes; 0 at end of file. */
static int more(struct linereader *lr, struct sl_err *err)
{
	ssize_t n;

	if (lr->pos) {
		buf_consume(&lr->win, lr->pos);
		lr->pos = 0;
	}
	if (buf_grow(&lr->win, CHUNK))
		return sl_error(err, "out of memory");
	n = zreader_read(lr->zr, lr->win.data + lr->win.len, CHUNK, err);
	if (n < 0)
		return -1;
	lr->win.len += (size_t)n;
	lr->win.data[lr->win.len] = '\0';
	if (n == 0)
		lr->eof = 1;
	return n > 0;
}

int linereader_next(struct linereader *lr, const char **line, size_t *len,
		    struct sl_err *err)
{
	for (;;) {
		char *start = lr->win.data + lr->pos;
		size_t avail = lr->win.len - lr->pos;
		char *nl = avail > lr->scanned ?
			memchr(start + lr->scanned, '\n', avail - lr->scanned) :
			NULL;
		size_t l = nl ? (size_t)(nl - start) : avail;
		int rc;

		if (nl || (lr->eof && avail)) {
			lr->pos += nl ? l + 1 : l;
			lr->scanned = 0;
			if (lr->skipping) {
				lr->skipping = 0;
				continue;	/* the tail of a long line */
			}
			lr->lineno++;
			if (l > lr->maxline)
				return LR_TOOLONG;
			*line = start;
			*len = l;
			return 1;
		}
		if (lr->eof)
			return 0;
		lr->scanned = avail;
		if (avail > lr->maxline && !lr->skipping) {
			/* Drop what we have and skip to the next newline. */
			lr->skipping = 1;
			lr->pos = lr->win.len;
			lr->scanned = 0;
			lr->lineno++;
			return LR_TOOLONG;
		}
		if (lr->skipping) {
			lr->pos = lr->win.len;
			lr->scanned = 0;
		}
		rc = more(lr, err);
		if (rc < 0)
			return -1;
	}
}
