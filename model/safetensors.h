/*
 * safetensors.h: read and write model weights in the safetensors format
 * (Hugging Face), the file format of sluice's Transformer classifier.
 *
 * File layout:
 *
 *   [u64 little-endian N][N bytes of JSON header][data region]
 *
 * The header is a JSON object: tensor name -> {"dtype": "F32",
 * "shape": [3, 4], "data_offsets": [begin, end]} with offsets relative to
 * the data region, plus an optional "__metadata__": {string: string} (the
 * model architecture and tokenizer live there).  It may be padded with
 * trailing spaces.  Tensors are raw little-endian, row-major.
 *
 * READER.  safetensors_open() maps the file read-only and validates all of
 * it before any tensor pointer is made: header length within 100 MB and the
 * file, strict JSON (no duplicate keys, nothing but spaces after it), every
 * entry exactly {dtype, shape, data_offsets} with the right types, a known
 * dtype, non-negative dims whose product and byte size do not overflow and
 * equal end - begin, and tensors that tile the data region exactly (no gap,
 * no overlap, nothing after the last one).  Any violation is an sl_err
 * message naming the file and the tensor; nothing is ever trusted.
 * Stricter than the Rust reader in two ways, both never produced by
 * Python's writer: only ' ' may follow the JSON (Rust takes any JSON
 * whitespace) and tensor entries may not carry unknown keys.  Whitespace
 * before the '{' is accepted, as JSON allows.  Note that a hostile header
 * within the 100 MB cap can still make jansson allocate a few GB (e.g.
 * tens of millions of shape dims); the cap is the format's, as in Rust.
 *
 *   struct safetensors *st;
 *   if (safetensors_open(&st, "model.safetensors", &err)) ...
 *   const struct st_tensor *w = safetensors_find(st, "enc.0.wq");
 *   const char *arch = safetensors_meta(st, "arch");      // or NULL
 *   float *buf = malloc(w->nelem * sizeof(float));
 *   if (safetensors_to_f32(w, buf, w->nelem, &err)) ...  // any alignment
 *   safetensors_close(st);  // every st_tensor and string dies with it
 *
 * Tensor data points into the mapping (never copied) and may be unaligned
 * in a valid file: use safetensors_to_f32() (copies, converts F16/BF16/
 * integers), or safetensors_f32() which returns a direct float pointer only
 * when the tensor is F32 and suitably aligned.  If another process truncates
 * the file while it is mapped, touching the data raises SIGBUS: model files
 * are written atomically (see the writer) so this does not happen to ours.
 *
 * WRITER.  Collect tensors and metadata, then write the file atomically
 * (temp file, fsync, rename) with the bytes Python's safetensors writes:
 *
 *   struct st_writer w;
 *   safetensors_writer_init(&w);
 *   safetensors_writer_add(&w, "wq", ST_F32, shape, 2, data, nbytes, &err);
 *   safetensors_writer_add_f32(&w, "emb", ST_BF16, shape, 2, floats, &err);
 *   safetensors_writer_meta(&w, "arch", "encoder-v1", &err);
 *   if (safetensors_writer_write(&w, "m.safetensors", &err)) ...
 *   safetensors_writer_release(&w);
 *
 * Data given to safetensors_writer_add() is borrowed (raw little-endian
 * bytes of the dtype) and must stay valid until the write; names, shapes,
 * metadata and converted data are copied.  Layout (as safetensors' Rust
 * serialize() does): tensors sorted by dtype in descending order of the
 * enum below (8-byte types first, so every tensor is aligned when the data
 * region is), then by name bytewise; the header lists "__metadata__" first
 * (only when there is metadata; its keys sorted bytewise, where Python
 * emits a hash map in arbitrary order), then the tensors in layout order;
 * compact JSON escaped as serde_json does; padded with spaces to a multiple
 * of 8 bytes.
 */
#ifndef SL_SAFETENSORS_H
#define SL_SAFETENSORS_H

#include <stddef.h>
#include <stdint.h>

struct sl_err;
struct buf;

/* In safetensors' Dtype enum order, which the writer's layout sorts by. */
enum st_dtype {
	ST_BOOL, ST_U8, ST_I8, ST_F8_E5M2, ST_F8_E4M3, ST_I16, ST_U16,
	ST_F16, ST_BF16, ST_I32, ST_U32, ST_F32, ST_F64, ST_I64, ST_U64,
	ST_NDTYPES
};

#define SAFETENSORS_MAX_HEADER 100000000	/* as the Rust reader */

/* "F32" for ST_F32; NULL when out of range. */
const char *st_dtype_name(enum st_dtype dt);
/* Bytes per element; 0 when out of range. */
size_t st_dtype_size(enum st_dtype dt);
/* The dtype named s, or -1. */
int st_dtype_parse(const char *s);

struct st_tensor {
	const char *name;
	enum st_dtype dtype;
	size_t ndim;
	const uint64_t *shape;	/* ndim dims; a scalar has ndim 0 */
	uint64_t nelem;		/* product of the dims (1 for a scalar) */
	const void *data;	/* into the file; NOT necessarily aligned */
	size_t nbytes;		/* nelem * st_dtype_size(dtype) */
	uint64_t offset;	/* data_offsets[0], within the data region */
};

struct safetensors;

/* Map and validate a file.  On success *out owns the mapping. */
int safetensors_open(struct safetensors **out, const char *path,
		     struct sl_err *err);

/* Validate a file image in memory; name is used in messages.  The buffer
 * is borrowed and must outlive *out. */
int safetensors_parse_mem(struct safetensors **out, const void *data,
			  size_t size, const char *name, struct sl_err *err);

void safetensors_close(struct safetensors *st);

/* Tensors in file order (by data offset). */
size_t safetensors_count(const struct safetensors *st);
const struct st_tensor *safetensors_tensor_at(const struct safetensors *st,
					      size_t i);
/* NULL when there is no tensor of that name. */
const struct st_tensor *safetensors_find(const struct safetensors *st,
					 const char *name);

/* The __metadata__ value of key, or NULL.  Keys are in file order. */
const char *safetensors_meta(const struct safetensors *st, const char *key);
size_t safetensors_meta_count(const struct safetensors *st);
int safetensors_meta_at(const struct safetensors *st, size_t i,
			const char **key, const char **value);

/* True when t->data is aligned to its element size (direct use is safe). */
int safetensors_aligned(const struct st_tensor *t);

/* A direct pointer when t is F32 and aligned, else NULL. */
const float *safetensors_f32(const struct st_tensor *t);

/* Copy t into out[n] as floats; n must equal t->nelem.  Converts F32, F16,
 * BF16, F64, I8, U8, BOOL, I16, U16, I32, U32, I64, U64 (wide integers
 * lose precision, as a cast does); F8 types are refused. */
int safetensors_to_f32(const struct st_tensor *t, float *out, size_t n,
		       struct sl_err *err);

struct st_wtensor;

struct st_writer {
	struct st_wtensor *t;
	size_t nt, alloc_t;
	char **meta;		/* key, value, key, value... */
	size_t nmeta, alloc_meta;
};

void safetensors_writer_init(struct st_writer *w);
void safetensors_writer_release(struct st_writer *w);

/* Add a tensor of raw little-endian data (borrowed until the write);
 * nbytes is checked against the shape.  Names must be valid UTF-8, unique,
 * and not "__metadata__". */
int safetensors_writer_add(struct st_writer *w, const char *name,
			   enum st_dtype dt, const uint64_t *shape,
			   size_t ndim, const void *data, size_t nbytes,
			   struct sl_err *err);

/* Add floats stored as dt (ST_F32, ST_F16 or ST_BF16, rounded to nearest
 * even); the converted copy belongs to the writer. */
int safetensors_writer_add_f32(struct st_writer *w, const char *name,
			       enum st_dtype dt, const uint64_t *shape,
			       size_t ndim, const float *src,
			       struct sl_err *err);

/* Set a __metadata__ entry (a repeated key replaces the value). */
int safetensors_writer_meta(struct st_writer *w, const char *key,
			    const char *value, struct sl_err *err);

/* The whole file image appended to out. */
int safetensors_writer_serialize(const struct st_writer *w, struct buf *out,
				 struct sl_err *err);

/* Write the file atomically (temp name, fsync, rename). */
int safetensors_writer_write(const struct st_writer *w, const char *path,
			     struct sl_err *err);

#endif
