#include "zreader.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>
#include <xxhash.h>
#include <zstd.h>

#include "err.h"
#include "banned.h"

#define INBUF (1 << 17)

struct zreader {
	int fd;
	char *path;
	enum zformat fmt;
	unsigned char *in;	/* compressed input window */
	size_t in_pos, in_len;
	uint64_t file_off;	/* file offset of in[0] */
	int eof;		/* read() returned 0 */
	z_stream z;
	ZSTD_DStream *zs;
	int frame_open;		/* inside a gzip member / zstd frame */
	XXH3_state_t *hash;	/* of the raw file bytes read */
};

static int fill(struct zreader *zr, struct sl_err *err)
{
	ssize_t n;

	if (zr->in_pos < zr->in_len || zr->eof)
		return 0;
	zr->file_off += zr->in_len;
	zr->in_pos = zr->in_len = 0;
	do
		n = read(zr->fd, zr->in, INBUF);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return sl_error(err, "cannot read '%s':", zr->path);
	if (n == 0)
		zr->eof = 1;
	zr->in_len = (size_t)n;
	XXH3_128bits_update(zr->hash, zr->in, (size_t)n);
	return 0;
}

void zreader_file_hash(const struct zreader *zr, uint8_t out[16])
{
	XXH128_canonical_t c;

	XXH128_canonicalFromHash(&c, XXH3_128bits_digest(zr->hash));
	memcpy(out, c.digest, 16);
}

uint64_t zreader_offset(const struct zreader *zr)
{
	return zr->file_off + zr->in_pos;
}

enum zformat zreader_format(const struct zreader *zr)
{
	return zr->fmt;
}

static int detect(struct zreader *zr, struct sl_err *err)
{
	/* Fill until we have 4 bytes or the file ends (pipes give less). */
	while (zr->in_len < 4 && !zr->eof) {
		ssize_t n = read(zr->fd, zr->in + zr->in_len, INBUF - zr->in_len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return sl_error(err, "cannot read '%s':", zr->path);
		if (n == 0)
			zr->eof = 1;
		XXH3_128bits_update(zr->hash, zr->in + zr->in_len, (size_t)n);
		zr->in_len += (size_t)n;
	}
	if (zr->in_len >= 2 && zr->in[0] == 0x1f && zr->in[1] == 0x8b)
		zr->fmt = ZFORMAT_GZIP;
	else if (zr->in_len >= 4 && !memcmp(zr->in, "\x28\xb5\x2f\xfd", 4))
		zr->fmt = ZFORMAT_ZSTD;
	else
		zr->fmt = ZFORMAT_PLAIN;
	if (zr->fmt == ZFORMAT_GZIP &&
	    inflateInit2(&zr->z, 16 + MAX_WBITS) != Z_OK)
		return sl_error(err, "out of memory");
	if (zr->fmt == ZFORMAT_ZSTD && !(zr->zs = ZSTD_createDStream()))
		return sl_error(err, "out of memory");
	return 0;
}

int zreader_open(struct zreader **out, const char *path, struct sl_err *err)
{
	struct zreader *zr = calloc(1, sizeof(*zr));

	*out = NULL;
	if (!zr || !(zr->in = malloc(INBUF)) || !(zr->path = strdup(path)) ||
	    !(zr->hash = XXH3_createState())) {
		if (zr) {
			free(zr->in);
			free(zr->path);
		}
		free(zr);
		return sl_error(err, "out of memory");
	}
	XXH3_128bits_reset(zr->hash);
	zr->fd = strcmp(path, "-") ? open(path, O_RDONLY | O_CLOEXEC) : 0;
	if (zr->fd < 0) {
		sl_error(err, "cannot open '%s':", path);
		zr->fd = -1;
		zreader_close(zr);
		return -1;
	}
	if (detect(zr, err)) {
		zreader_close(zr);
		return -1;
	}
	*out = zr;
	return 0;
}

static ssize_t read_plain(struct zreader *zr, void *buf, size_t n,
			  struct sl_err *err)
{
	size_t k;

	if (fill(zr, err))
		return -1;
	k = zr->in_len - zr->in_pos;
	if (k > n)
		k = n;
	memcpy(buf, zr->in + zr->in_pos, k);
	zr->in_pos += k;
	return (ssize_t)k;
}

static int corrupt(struct zreader *zr, struct sl_err *err, const char *what,
		   const char *why)
{
	return sl_error(err, "'%s': corrupt %s data at byte %llu: %s", zr->path,
			what, (unsigned long long)zreader_offset(zr), why);
}

static int truncated(struct zreader *zr, struct sl_err *err, const char *what)
{
	return sl_error(err, "'%s': truncated %s data: the file ends at byte "
			"%llu inside a compressed block", zr->path, what,
			(unsigned long long)zreader_offset(zr));
}

static ssize_t read_gzip(struct zreader *zr, void *buf, size_t n,
			 struct sl_err *err)
{
	for (;;) {
		int rc;
		size_t got;

		if (fill(zr, err))
			return -1;
		if (zr->in_pos == zr->in_len) {
			if (zr->frame_open)
				return truncated(zr, err, "gzip");
			return 0;
		}
		zr->z.next_in = zr->in + zr->in_pos;
		zr->z.avail_in = (uInt)(zr->in_len - zr->in_pos);
		zr->z.next_out = buf;
		zr->z.avail_out = (uInt)(n > UINT32_MAX ? UINT32_MAX : n);
		zr->frame_open = 1;
		rc = inflate(&zr->z, Z_NO_FLUSH);
		zr->in_pos = zr->in_len - zr->z.avail_in;
		got = (size_t)(zr->z.next_out - (Bytef *)buf);
		if (rc == Z_STREAM_END) {
			/* another member may follow */
			zr->frame_open = 0;
			if (inflateReset(&zr->z) != Z_OK)
				return corrupt(zr, err, "gzip", "reset failed");
		} else if (rc != Z_OK && rc != Z_BUF_ERROR) {
			return corrupt(zr, err, "gzip",
				       zr->z.msg ? zr->z.msg : "inflate failed");
		}
		if (got)
			return (ssize_t)got;
	}
}

static ssize_t read_zstd(struct zreader *zr, void *buf, size_t n,
			 struct sl_err *err)
{
	for (;;) {
		ZSTD_inBuffer in;
		ZSTD_outBuffer out = { buf, n, 0 };
		size_t rc;

		if (fill(zr, err))
			return -1;
		if (zr->in_pos == zr->in_len) {
			if (zr->frame_open)
				return truncated(zr, err, "zstd");
			return 0;
		}
		in.src = zr->in;
		in.size = zr->in_len;
		in.pos = zr->in_pos;
		rc = ZSTD_decompressStream(zr->zs, &out, &in);
		zr->in_pos = in.pos;
		if (ZSTD_isError(rc))
			return corrupt(zr, err, "zstd", ZSTD_getErrorName(rc));
		zr->frame_open = rc != 0;
		if (out.pos)
			return (ssize_t)out.pos;
	}
}

ssize_t zreader_read(struct zreader *zr, void *buf, size_t n,
		     struct sl_err *err)
{
	if (!n)
		return 0;
	switch (zr->fmt) {
	case ZFORMAT_GZIP:
		return read_gzip(zr, buf, n, err);
	case ZFORMAT_ZSTD:
		return read_zstd(zr, buf, n, err);
	default:
		return read_plain(zr, buf, n, err);
	}
}

void zreader_close(struct zreader *zr)
{
	if (!zr)
		return;
	if (zr->fmt == ZFORMAT_GZIP)
		inflateEnd(&zr->z);
	ZSTD_freeDStream(zr->zs);
	if (zr->fd > 0)
		close(zr->fd);
	free(zr->in);
	free(zr->path);
	XXH3_freeState(zr->hash);
	free(zr);
}
