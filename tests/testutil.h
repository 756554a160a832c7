/*
 * testutil.h: small helpers shared by the Check suites: scratch
 * directories and files written from memory, plain or compressed.
 */
#ifndef SL_TESTUTIL_H
#define SL_TESTUTIL_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>
#include <zstd.h>

/* A fresh directory under /tmp; the name lives in a static buffer. */
static inline const char *tu_tmpdir(void)
{
	static char dir[64];

	snprintf(dir, sizeof(dir), "/tmp/sluice-test-XXXXXX");
	return mkdtemp(dir);
}

static inline void tu_write(const char *path, const void *p, size_t n)
{
	FILE *f = fopen(path, "wb");

	if (!f || fwrite(p, 1, n, f) != n || fclose(f))
		abort();
}

static inline void tu_write_gz(const char *path, const void *p, size_t n)
{
	gzFile g = gzopen(path, "wb");

	if (!g || gzwrite(g, p, (unsigned)n) != (int)n || gzclose(g) != Z_OK)
		abort();
}

/* zstd of p (with a content checksum, as the zstd tool writes) into a
 * malloc'd buffer; *zn gets its size. */
static inline void *tu_zstd(const void *p, size_t n, size_t *zn)
{
	size_t cap = ZSTD_compressBound(n);
	void *z = malloc(cap);
	ZSTD_CCtx *c = ZSTD_createCCtx();

	ZSTD_CCtx_setParameter(c, ZSTD_c_checksumFlag, 1);
	*zn = ZSTD_compress2(c, z, cap, p, n);
	ZSTD_freeCCtx(c);
	if (ZSTD_isError(*zn))
		abort();
	return z;
}

static inline void tu_write_zst(const char *path, const void *p, size_t n)
{
	size_t zn;
	void *z = tu_zstd(p, n, &zn);

	tu_write(path, z, zn);
	free(z);
}

static inline void tu_rm_rf(const char *dir)
{
	char cmd[256];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		abort();
}

#endif
