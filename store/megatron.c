#include "megatron.h"

#include <stdlib.h>
#include <string.h>

#include "../lib/buf.h"
#include "../lib/err.h"
#include "../lib/sha256.h"
#include "../lib/banned.h"

#define HEADER_LEN (9 + 8 + 1 + 8 + 8)

static void le(uint8_t *p, uint64_t v, int n)
{
	for (int i = 0; i < n; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static int header(struct megatron *m, struct sl_err *err)
{
	uint8_t h[HEADER_LEN];

	memcpy(h, MEGATRON_MAGIC, 9);
	le(h + 9, 1, 8);
	h[17] = m->u16 ? MEGATRON_U16 : MEGATRON_I32;
	le(h + 18, m->docs, 8);
	le(h + 26, m->docs + 1, 8);
	if (fseek(m->idx.fp, 0, SEEK_SET) ||
	    fwrite(h, 1, sizeof(h), m->idx.fp) != sizeof(h) ||
	    fseek(m->idx.fp, 0, SEEK_END))
		return sl_error(err, "cannot write '%s':", m->idx.path);
	return 0;
}

int megatron_open(struct megatron *m, const char *prefix, int u16,
		  struct sl_err *err)
{
	struct buf p;
	int rc;

	memset(m, 0, sizeof(*m));
	m->u16 = u16;
	buf_init(&p, 0);
	buf_addf(&p, "%s.bin", prefix);
	rc = atomicfile_open(&m->bin, p.data, err);
	buf_reset(&p);
	buf_addf(&p, "%s.idx", prefix);
	if (!rc && (rc = atomicfile_open(&m->idx, p.data, err)))
		atomicfile_abort(&m->bin);
	buf_release(&p);
	if (rc)
		return -1;
	m->open = 1;
	if (!(m->ptrs = tmpfile())) {
		megatron_abort(m);
		return sl_error(err, "cannot make a temporary file:");
	}
	if (header(m, err)) {
		megatron_abort(m);
		return -1;
	}
	return 0;
}

int megatron_add(struct megatron *m, const uint32_t *ids, size_t n,
		 struct sl_err *err)
{
	uint8_t buf[8192], v[8];
	size_t k = 0, per = m->u16 ? 2 : 4;

	if (n > INT32_MAX)
		return sl_error(err, "document of %zu tokens is too long for "
				"Megatron's int32 sizes", n);
	for (size_t i = 0; i < n; i++) {
		if (m->u16 && ids[i] > 0xFFFF)
			return sl_error(err, "token id %u does not fit in "
					"uint16", ids[i]);
		le(buf + k, ids[i], (int)per);
		k += per;
		if (k + per > sizeof(buf) || i + 1 == n) {
			if (fwrite(buf, 1, k, m->bin.fp) != k)
				return sl_error(err, "cannot write '%s':",
						m->bin.path);
			k = 0;
		}
	}
	le(v, (uint64_t)n, 4);
	if (fwrite(v, 1, 4, m->idx.fp) != 4)
		return sl_error(err, "cannot write '%s':", m->idx.path);
	le(v, m->offset, 8);
	if (fwrite(v, 1, 8, m->ptrs) != 8)
		return sl_error(err, "cannot write a temporary file:");
	m->offset += n * per;
	m->docs++;
	return 0;
}

int megatron_close(struct megatron *m, char bin_sha[65], char idx_sha[65],
		   struct sl_err *err)
{
	char tmp[1 << 15];
	uint8_t v[8];
	size_t n;
	char *bp = NULL, *ip = NULL;
	int rc = -1;

	rewind(m->ptrs);
	while ((n = fread(tmp, 1, sizeof(tmp), m->ptrs)) > 0)
		if (fwrite(tmp, 1, n, m->idx.fp) != n)
			goto fail;
	for (uint64_t i = 0; i <= m->docs; i++) {
		le(v, i, 8);
		if (fwrite(v, 1, 8, m->idx.fp) != 8)
			goto fail;
	}
	if (header(m, err))
		goto out;
	bp = strdup(m->bin.path);
	ip = strdup(m->idx.path);
	fclose(m->ptrs);
	m->ptrs = NULL;
	m->open = 0;
	if (atomicfile_commit(&m->bin, err)) {
		atomicfile_abort(&m->idx);
		goto out;
	}
	if (atomicfile_commit(&m->idx, err))
		goto out;
	if (!bp || !ip || sha256_file(bp, bin_sha) || sha256_file(ip, idx_sha))
		sl_error(err, "cannot read back '%s':", bp ? bp : "?");
	else
		rc = 0;
	goto out;
fail:
	sl_error(err, "cannot write '%s':", m->idx.path);
out:
	if (rc && m->open)
		megatron_abort(m);
	free(bp);
	free(ip);
	return rc;
}

void megatron_abort(struct megatron *m)
{
	if (!m->open)
		return;
	atomicfile_abort(&m->bin);
	atomicfile_abort(&m->idx);
	if (m->ptrs)
		fclose(m->ptrs);
	m->ptrs = NULL;
	m->open = 0;
}
