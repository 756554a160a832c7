/*
 * safetensors_open.c: time safetensors_open() + close on a ~100 MB file
 * (mmap + header validation; no tensor byte is read), and a full
 * safetensors_to_f32() pass for comparison.  Built and run by
 * bench/bench_safetensors.sh.
 *
 *   safetensors_open PATH NTENSORS    writes PATH (100 MB of F32 in
 *                                     NTENSORS tensors), then times it
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "../lib/err.h"
#include "../model/safetensors.h"

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	size_t total = 25u << 20, nt, per, reps = 200;
	struct safetensors *st;
	struct st_writer w;
	struct sl_err err;
	double t0, best = 1e9, sum = 0, conv;
	float *data, *out;

	if (argc != 3)
		return 2;
	nt = strtoul(argv[2], NULL, 10);
	per = total / nt;
	data = calloc(total, sizeof(float));
	out = malloc(per * sizeof(float));
	for (size_t i = 0; i < total; i++)
		data[i] = (float)i;
	safetensors_writer_init(&w);
	for (size_t i = 0; i < nt; i++) {
		char name[64];
		uint64_t shape[1] = {per};

		snprintf(name, sizeof(name), "layers.%zu.weight", i);
		if (safetensors_writer_add(&w, name, ST_F32, shape, 1,
					   data + i * per, per * 4, &err) ||
		    (i + 1 == nt &&
		     safetensors_writer_write(&w, argv[1], &err))) {
			fprintf(stderr, "%s\n", err.msg);
			return 1;
		}
	}
	safetensors_writer_release(&w);
	for (size_t r = 0; r < reps; r++) {
		t0 = now();
		if (safetensors_open(&st, argv[1], &err)) {
			fprintf(stderr, "%s\n", err.msg);
			return 1;
		}
		safetensors_close(st);
		t0 = now() - t0;
		sum += t0;
		if (t0 < best)
			best = t0;
	}
	safetensors_open(&st, argv[1], &err);
	t0 = now();
	for (size_t i = 0; i < nt; i++)
		safetensors_to_f32(safetensors_tensor_at(st, i), out, per,
				   &err);
	conv = now() - t0;
	safetensors_close(st);
	printf("%zu tensors, %zu MB: open+close best %.1f us, mean %.1f us "
	       "over %zu; to_f32 of all data %.1f ms\n", nt,
	       total * 4 >> 20, best * 1e6, sum / reps * 1e6, reps,
	       conv * 1e3);
	free(data);
	free(out);
	return 0;
}
