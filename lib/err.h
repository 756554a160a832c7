/*
 * err.h: the one error convention of the library.
 *
 * Library functions return 0 (or a count) on success and a negative value on
 * failure, after writing a message into a caller-provided struct sl_err.
 * Messages read as git writes them: lowercase, no full stop, subject quoted,
 * cause last ("cannot open 'x.jsonl': No such file or directory").
 *
 * A format ending in ':' appends ": strerror(errno)" (suckless eprintf), so
 * callers never format errno themselves.  sl_error() returns -1 so it can be
 * used as `return sl_error(err, "...")`.  The err pointer may be NULL when
 * the caller does not want the message.
 */
#ifndef SL_ERR_H
#define SL_ERR_H

#include <stddef.h>

#define SL_ERR_MAX 1024

struct sl_err {
	char msg[SL_ERR_MAX];
};

__attribute__((format(printf, 2, 3)))
int sl_error(struct sl_err *err, const char *fmt, ...);

/* Prefix an existing message with more context ("in 'f.jsonl': <old>"). */
__attribute__((format(printf, 2, 3)))
int sl_error_prefix(struct sl_err *err, const char *fmt, ...);

void sl_err_clear(struct sl_err *err);

#endif
