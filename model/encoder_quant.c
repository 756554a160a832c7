/*
 * encoder_quant.c: int8 weights for the encoder (see encoder.h,
 * encoder_quantize()).
 *
 * A matrix W [rows, cols] may be stored as I8 Q [rows, cols] beside an F32
 * (or F16/BF16) vector "<name>.scale" [rows], with W[r][c] = Q[r][c] *
 * scale[r].  Per-row scales keep one large row from crushing the
 * resolution of the others.  encoder_open() converts such matrices back
 * to F32 once, so scoring runs the same sgemm path: the file and the
 * page cache shrink about 4x; the arithmetic does not change.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "encoder_int.h"
#include "safetensors.h"
#include "../lib/err.h"
#include "../lib/banned.h"

int enc_dequant_rows(const struct safetensors *st, const char *name,
		     float *w, const uint64_t shape[2], struct sl_err *err)
{
	char sname[80];
	const struct st_tensor *s;
	float *sc;

	snprintf(sname, sizeof(sname), "%s.scale", name);
	s = safetensors_find(st, sname);
	if (!s || s->nelem != shape[0])
		return sl_error(err, "no scales '%s'", sname);
	sc = malloc((size_t)shape[0] * sizeof(float));
	if (!sc)
		return sl_error(err, "out of memory");
	if (safetensors_to_f32(s, sc, (size_t)shape[0], err)) {
		free(sc);
		return -1;
	}
	for (uint64_t r = 0; r < shape[0]; r++)
		for (uint64_t c = 0; c < shape[1]; c++)
			w[r * shape[1] + c] *= sc[r];
	free(sc);
	return 0;
}

/* Q and scales of one matrix; both arrays belong to the caller. */
static void quantize(const float *w, uint64_t rows, uint64_t cols,
		     int8_t *q, float *scale)
{
	for (uint64_t r = 0; r < rows; r++) {
		const float *x = w + r * cols;
		float mx = 0, inv;

		for (uint64_t c = 0; c < cols; c++)
			mx = fabsf(x[c]) > mx ? fabsf(x[c]) : mx;
		scale[r] = mx / 127.0f;
		inv = mx > 0 ? 127.0f / mx : 0.0f;
		for (uint64_t c = 0; c < cols; c++)
			q[r * cols + c] = (int8_t)lrintf(x[c] * inv);
	}
}

int encoder_quantize(const char *in_path, const char *out_path,
		     struct sl_err *err)
{
	struct encoder *m;
	struct st_writer wr;
	char name[64], sname[80];
	uint64_t shape[2];
	size_t ndim, nbuf = 0;
	float **slot;
	void *bufs[2 * (2 + 12 * ENC_MAX_LAYERS + 4)];
	int rc = -1;

	if (encoder_open(&m, in_path, 1, err))
		return -1;
	safetensors_writer_init(&wr);
	for (size_t i = 0; i < safetensors_meta_count(m->st); i++) {
		const char *k, *v;

		safetensors_meta_at(m->st, i, &k, &v);
		if (safetensors_writer_meta(&wr, k, v, err))
			goto out;
	}
	for (size_t i = 0; (slot = enc_tensor(&m->cfg, &m->w, i, name, shape,
					      &ndim)); i++) {
		int8_t *q;
		float *sc;

		if (ndim == 1) {
			if (safetensors_writer_add_f32(&wr, name, ST_F32, shape,
						       1, *slot, err))
				goto out;
			continue;
		}
		q = malloc((size_t)(shape[0] * shape[1]));
		sc = malloc((size_t)shape[0] * sizeof(float));
		bufs[nbuf++] = q;
		bufs[nbuf++] = sc;
		if (!q || !sc) {
			sl_error(err, "out of memory");
			goto out;
		}
		quantize(*slot, shape[0], shape[1], q, sc);
		snprintf(sname, sizeof(sname), "%s.scale", name);
		if (safetensors_writer_add(&wr, name, ST_I8, shape, 2, q,
					   (size_t)(shape[0] * shape[1]), err) ||
		    safetensors_writer_add_f32(&wr, sname, ST_F32, shape, 1, sc,
					       err))
			goto out;
	}
	rc = safetensors_writer_write(&wr, out_path, err);
out:
	while (nbuf)
		free(bufs[--nbuf]);
	safetensors_writer_release(&wr);
	encoder_close(m);
	return rc;
}
