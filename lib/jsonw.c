#include "jsonw.h"

#include <string.h>

#include "buf.h"
#include "banned.h"

/* Bytes that need an escape: '"', '\\' and C0 controls. */
static int needs_escape(unsigned char c)
{
	return c < 0x20 || c == '"' || c == '\\';
}

int jsonw_str(struct buf *b, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	size_t i = 0, start = 0;
	int rc;

	if ((rc = buf_grow(b, n + 2)) || (rc = buf_addc(b, '"')))
		return rc;
	while (i < n) {
		unsigned char c = (unsigned char)s[i];
		char esc[7];
		size_t el = 2;

		if (!needs_escape(c)) {
			i++;
			continue;
		}
		if ((rc = buf_add(b, s + start, i - start)))
			return rc;
		esc[0] = '\\';
		switch (c) {
		case '"': esc[1] = '"'; break;
		case '\\': esc[1] = '\\'; break;
		case '\n': esc[1] = 'n'; break;
		case '\r': esc[1] = 'r'; break;
		case '\t': esc[1] = 't'; break;
		case '\b': esc[1] = 'b'; break;
		case '\f': esc[1] = 'f'; break;
		default:
			memcpy(esc + 1, "u00", 3);
			esc[4] = hex[c >> 4];
			esc[5] = hex[c & 15];
			el = 6;
		}
		if ((rc = buf_add(b, esc, el)))
			return rc;
		start = ++i;
	}
	if ((rc = buf_add(b, s + start, n - start)))
		return rc;
	return buf_addc(b, '"');
}

int jsonw_key(struct buf *b, const char *key, int first)
{
	int rc;

	if (!first && (rc = buf_addc(b, ',')))
		return rc;
	if ((rc = jsonw_str(b, key, strlen(key))))
		return rc;
	return buf_addc(b, ':');
}
