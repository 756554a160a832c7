/*
 * fuzz_safetensors.c: libFuzzer target for the safetensors reader.
 *
 * Any input must be either refused with a message or accepted; when it is
 * accepted, every tensor must lie inside the input, convert to floats,
 * be found by name, and survive a round trip through the writer: the
 * rewritten file parses to the same names, dtypes, shapes, bytes and
 * metadata.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../lib/buf.h"
#include "../../lib/err.h"
#include "../../model/safetensors.h"

static void same(const struct safetensors *a, const struct safetensors *b)
{
	const char *k, *v;

	if (safetensors_count(a) != safetensors_count(b) ||
	    safetensors_meta_count(a) != safetensors_meta_count(b))
		abort();
	for (size_t i = 0; i < safetensors_count(a); i++) {
		const struct st_tensor *x = safetensors_tensor_at(a, i);
		const struct st_tensor *y = safetensors_find(b, x->name);

		if (!y || y->dtype != x->dtype || y->ndim != x->ndim ||
		    y->nbytes != x->nbytes ||
		    (x->ndim && memcmp(x->shape, y->shape,
				       x->ndim * sizeof(*x->shape))) ||
		    (x->nbytes && memcmp(x->data, y->data, x->nbytes)))
			abort();
	}
	for (size_t i = 0; i < safetensors_meta_count(a); i++) {
		const char *w;

		safetensors_meta_at(a, i, &k, &v);
		w = safetensors_meta(b, k);
		if (!w || strcmp(v, w))
			abort();
	}
}

static void roundtrip(const struct safetensors *st)
{
	struct st_writer w;
	struct safetensors *again;
	struct sl_err err;
	struct buf b;
	const char *k, *v;

	safetensors_writer_init(&w);
	buf_init(&b, 0);
	for (size_t i = 0; i < safetensors_count(st); i++) {
		const struct st_tensor *t = safetensors_tensor_at(st, i);

		if (safetensors_writer_add(&w, t->name, t->dtype, t->shape,
					   t->ndim, t->data, t->nbytes, &err))
			abort();
	}
	for (size_t i = 0; i < safetensors_meta_count(st); i++) {
		safetensors_meta_at(st, i, &k, &v);
		if (safetensors_writer_meta(&w, k, v, &err))
			abort();
	}
	if (safetensors_writer_serialize(&w, &b, &err))
		abort();
	if (safetensors_parse_mem(&again, b.data, b.len, "again", &err))
		abort();
	same(st, again);
	same(again, st);
	safetensors_close(again);
	buf_release(&b);
	safetensors_writer_release(&w);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct safetensors *st;
	struct sl_err err;

	if (safetensors_parse_mem(&st, data, size, "fuzz", &err))
		return 0;
	for (size_t i = 0; i < safetensors_count(st); i++) {
		const struct st_tensor *t = safetensors_tensor_at(st, i);
		const uint8_t *p = t->data;
		float *out;

		if (p < data || p + t->nbytes > data + size ||
		    safetensors_find(st, t->name) != t)
			abort();
		out = malloc(t->nelem * sizeof(float) + 1);
		if (!out)
			abort();
		if (safetensors_to_f32(t, out, t->nelem, &err) &&
		    t->dtype != ST_F8_E5M2 && t->dtype != ST_F8_E4M3)
			abort();
		free(out);
	}
	roundtrip(st);
	safetensors_close(st);
	return 0;
}
