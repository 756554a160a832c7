/*
 * buf.h: growable byte buffers with a size cap (curl's dynbuf, git's strbuf).
 *
 * A buffer fed from outside (a file, the network) is created with a cap and
 * refuses to grow past it: buf_add() then returns BUF_TOOBIG and leaves the
 * contents unchanged, so a hostile input cannot make us allocate without
 * bound.  The data is always NUL-terminated (the NUL is not counted in len),
 * so text can be handed to C string functions.
 *
 *   struct buf b;
 *   buf_init(&b, 1 << 20);      // no allocation yet
 *   if (buf_add(&b, p, n)) ...   // BUF_TOOBIG or BUF_NOMEM
 *   use(b.data, b.len);
 *   buf_reset(&b);              // len = 0, memory kept for reuse
 *   buf_release(&b);            // frees the memory
 */
#ifndef SL_BUF_H
#define SL_BUF_H

#include <stddef.h>

enum { BUF_OK = 0, BUF_NOMEM = -1, BUF_TOOBIG = -2 };

struct buf {
	char *data;	/* NULL until the first add */
	size_t len;	/* bytes in use, not counting the trailing NUL */
	size_t alloc;	/* bytes allocated */
	size_t cap;	/* most bytes len may reach; 0 means no cap */
};

void buf_init(struct buf *b, size_t cap);
void buf_release(struct buf *b);
void buf_reset(struct buf *b);

/* Make room for n more bytes; the contents are unchanged. */
int buf_grow(struct buf *b, size_t n);
int buf_add(struct buf *b, const void *p, size_t n);
int buf_addc(struct buf *b, char c);
int buf_adds(struct buf *b, const char *s);
__attribute__((format(printf, 2, 3)))
int buf_addf(struct buf *b, const char *fmt, ...);

/* Drop the first n bytes, moving the rest to the front. */
void buf_consume(struct buf *b, size_t n);

/* Take the memory out of the buffer; the caller frees it.  Never NULL
 * unless out of memory. */
char *buf_detach(struct buf *b, size_t *len);

#endif
