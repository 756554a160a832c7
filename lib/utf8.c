#include "utf8.h"

#include <string.h>

#include "buf.h"
#include "banned.h"

/*
 * Length of the valid sequence starting at p, or 0 when invalid; *bad gets
 * the length of the maximal invalid subpart to replace in that case.
 * Table 3-7 of the Unicode standard: the allowed second byte depends on the
 * lead byte (E0: A0..BF, ED: 80..9F, F0: 90..BF, F4: 80..8F).
 */
static size_t seq_len(const unsigned char *p, size_t n, size_t *bad)
{
	unsigned char c = p[0], lo = 0x80, hi = 0xBF;
	size_t need, i;

	if (c < 0x80)
		return 1;
	if (c >= 0xC2 && c <= 0xDF)
		need = 2;
	else if (c >= 0xE0 && c <= 0xEF) {
		need = 3;
		if (c == 0xE0)
			lo = 0xA0;
		else if (c == 0xED)
			hi = 0x9F;
	} else if (c >= 0xF0 && c <= 0xF4) {
		need = 4;
		if (c == 0xF0)
			lo = 0x90;
		else if (c == 0xF4)
			hi = 0x8F;
	} else {
		*bad = 1;
		return 0;
	}
	for (i = 1; i < need; i++) {
		unsigned char b = i < n ? p[i] : 0;
		unsigned char l = i == 1 ? lo : 0x80, h = i == 1 ? hi : 0xBF;

		if (i >= n || b < l || b > h) {
			*bad = i;
			return 0;
		}
	}
	return need;
}

/* Skip a run of ASCII eight bytes at a time: most text is mostly ASCII. */
static size_t ascii_run(const unsigned char *p, size_t n)
{
	size_t i = 0;

	while (i + 8 <= n) {
		uint64_t w;

		memcpy(&w, p + i, 8);
		if (w & 0x8080808080808080ULL)
			break;
		i += 8;
	}
	while (i < n && p[i] < 0x80)
		i++;
	return i;
}

size_t utf8_valid_prefix(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, bad, len;

	while (i < n) {
		i += ascii_run(p + i, n - i);
		if (i >= n)
			break;
		len = seq_len(p + i, n - i, &bad);
		if (!len)
			return i;
		i += len;
	}
	return n;
}

int utf8_repair(const char *s, size_t n, struct buf *out, size_t *nrepl)
{
	static const char fffd[3] = { (char)0xEF, (char)0xBF, (char)0xBD };
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, start = 0, bad, len;
	int rc;

	while (i < n) {
		i += ascii_run(p + i, n - i);
		if (i >= n)
			break;
		len = seq_len(p + i, n - i, &bad);
		if (len) {
			i += len;
			continue;
		}
		if ((rc = buf_add(out, s + start, i - start)) ||
		    (rc = buf_add(out, fffd, 3)))
			return rc;
		if (nrepl)
			(*nrepl)++;
		i += bad;
		start = i;
	}
	return buf_add(out, s + start, n - start);
}

size_t utf8_count(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	const uint64_t hi = 0x8080808080808080ULL;
	size_t i = 0, cont = 0;

	/* Every byte that is not a continuation byte (10xxxxxx) starts a
	 * code point.  Eight bytes at a time: a byte's bit 7 set and bit 6
	 * (shifted up into bit 7) clear marks a continuation byte. */
	for (; i + 8 <= n; i += 8) {
		uint64_t w;

		memcpy(&w, p + i, 8);
		cont += (size_t)__builtin_popcountll(w & ~(w << 1) & hi);
	}
	for (; i < n; i++)
		cont += (p[i] & 0xC0) == 0x80;
	return n - cont;
}

int32_t utf8_decode(const char *s, size_t n, size_t *len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t bad, l = seq_len(p, n, &bad);
	int32_t cp;

	*len = l ? l : 1;
	switch (l) {
	case 1:
		return p[0];
	case 2:
		return ((p[0] & 0x1F) << 6) | (p[1] & 0x3F);
	case 3:
		cp = ((p[0] & 0x0F) << 12) | ((p[1] & 0x3F) << 6) | (p[2] & 0x3F);
		return cp;
	case 4:
		cp = ((p[0] & 0x07) << 18) | ((p[1] & 0x3F) << 12) |
		     ((p[2] & 0x3F) << 6) | (p[3] & 0x3F);
		return cp;
	}
	return -1;
}

size_t utf8_encode(uint32_t cp, char out[4])
{
	if (cp < 0x80) {
		out[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (char)(0xC0 | (cp >> 6));
		out[1] = (char)(0x80 | (cp & 0x3F));
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = (char)(0xE0 | (cp >> 12));
		out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
		out[2] = (char)(0x80 | (cp & 0x3F));
		return 3;
	}
	out[0] = (char)(0xF0 | (cp >> 18));
	out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
	out[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
	out[3] = (char)(0x80 | (cp & 0x3F));
	return 4;
}
