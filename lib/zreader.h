/*
 * zreader.h: read a file as a stream of bytes, decompressing gzip or zstd
 * when its first bytes say so (magic numbers, not the file name).
 *
 *   struct zreader *zr;
 *   if (zreader_open(&zr, "in.jsonl.zst", &err)) ...
 *   while ((n = zreader_read(zr, buf, sizeof(buf), &err)) > 0) ...
 *   if (n < 0) ... err names the file and the compressed byte offset
 *   zreader_close(zr);
 *
 * Concatenated gzip members and zstd frames are read as one stream.  A
 * stream that ends inside a frame is an error ("truncated"), as is any
 * corrupt block; the message carries the offset in the compressed file
 * where decoding failed.  "-" reads standard input.
 */
#ifndef SL_ZREADER_H
#define SL_ZREADER_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct sl_err;
struct zreader;

enum zformat { ZFORMAT_PLAIN, ZFORMAT_GZIP, ZFORMAT_ZSTD };

int zreader_open(struct zreader **out, const char *path, struct sl_err *err);
/* Bytes read (> 0), 0 at the end, or -1 on error. */
ssize_t zreader_read(struct zreader *zr, void *buf, size_t n, struct sl_err *err);
void zreader_close(struct zreader *zr);

enum zformat zreader_format(const struct zreader *zr);
/* Bytes of the (compressed) file consumed so far. */
uint64_t zreader_offset(const struct zreader *zr);
/* XXH3-128 of the file's bytes as read so far (all of them at the end):
 * lets import remember which files it has read whole. */
void zreader_file_hash(const struct zreader *zr, uint8_t out[16]);

#endif
