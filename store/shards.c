#include "shards.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../lib/err.h"
#include "../lib/sha256.h"
#include "../lib/banned.h"

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

static int write_header(struct shard_writer *w, struct sl_err *err)
{
	uint8_t h[SHARD_HEADER_INTS * 4] = { 0 };

	put32(h, w->u32 ? SHARD_MAGIC_U32 : SHARD_MAGIC_U16);
	put32(h + 4, w->u32 ? SHARD_VERSION_U32 : SHARD_VERSION_U16);
	put32(h + 8, (uint32_t)w->tokens);
	if (fseek(w->af.fp, 0, SEEK_SET) ||
	    fwrite(h, 1, sizeof(h), w->af.fp) != sizeof(h))
		return sl_error(err, "cannot write '%s':", w->af.path);
	return 0;
}

int shard_open(struct shard_writer *w, const char *path, int u32,
	       struct sl_err *err)
{
	memset(w, 0, sizeof(*w));
	w->u32 = u32;
	if (atomicfile_open(&w->af, path, err))
		return -1;
	w->open = 1;
	if (write_header(w, err)) {
		shard_abort(w);
		return -1;
	}
	return 0;
}

uint64_t shard_room(const struct shard_writer *w)
{
	uint64_t used = SHARD_HEADER_INTS * 4 + w->tokens * (w->u32 ? 4 : 2);

	return used >= SHARD_MAX_BYTES ? 0 :
	       (SHARD_MAX_BYTES - used) / (w->u32 ? 4 : 2);
}

int shard_append(struct shard_writer *w, const uint32_t *ids, size_t n,
		 struct sl_err *err)
{
	uint8_t buf[8192];
	size_t k = 0, per = w->u32 ? 4 : 2;

	if (n > shard_room(w))
		return sl_error(err, "'%s': shard would pass 2 GiB", w->af.path);
	for (size_t i = 0; i < n; i++) {
		uint32_t v = ids[i];

		if (!w->u32 && v > 0xFFFF)
			return sl_error(err, "token id %u does not fit in "
					"uint16", v);
		buf[k++] = (uint8_t)v;
		buf[k++] = (uint8_t)(v >> 8);
		if (per == 4) {
			buf[k++] = (uint8_t)(v >> 16);
			buf[k++] = (uint8_t)(v >> 24);
		}
		if (k + 4 > sizeof(buf) || i + 1 == n) {
			if (fwrite(buf, 1, k, w->af.fp) != k)
				return sl_error(err, "cannot write '%s':",
						w->af.path);
			k = 0;
		}
	}
	w->tokens += n;
	return 0;
}

int shard_close(struct shard_writer *w, char sha[65], struct sl_err *err)
{
	char *path;
	int rc;

	if (write_header(w, err)) {
		shard_abort(w);
		return -1;
	}
	path = strdup(w->af.path);
	w->open = 0;
	rc = atomicfile_commit(&w->af, err);
	if (!rc && (!path || sha256_file(path, sha)))
		rc = sl_error(err, "cannot read back '%s':", path ? path : "?");
	free(path);
	return rc;
}

void shard_abort(struct shard_writer *w)
{
	if (w->open)
		atomicfile_abort(&w->af);
	w->open = 0;
}
