#include "err.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "banned.h"

int sl_error(struct sl_err *err, const char *fmt, ...)
{
	int saved = errno;
	va_list ap;
	size_t n;

	if (!err)
		return -1;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	n = strlen(fmt);
	if (n && fmt[n - 1] == ':') {
		size_t len = strlen(err->msg);
		snprintf(err->msg + len, sizeof(err->msg) - len, " %s",
			 strerror(saved));
	}
	errno = saved;
	return -1;
}

int sl_error_prefix(struct sl_err *err, const char *fmt, ...)
{
	char old[SL_ERR_MAX];
	va_list ap;
	size_t len;

	if (!err)
		return -1;
	memcpy(old, err->msg, sizeof(old));
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	len = strlen(err->msg);
	snprintf(err->msg + len, sizeof(err->msg) - len, "%s", old);
	return -1;
}

void sl_err_clear(struct sl_err *err)
{
	if (err)
		err->msg[0] = '\0';
}
