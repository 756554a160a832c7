/*
 * safetensors.c: the safetensors reader (validate, then point into the
 * mapping) and writer (Python's byte layout).  The format and the rules are
 * described in safetensors.h.
 *
 *   offset 0        8                 8+N                          size
 *          | u64 N | JSON header, pad | tensor bytes, tiled exactly |
 *                                     ^ data region: data_offsets are
 *                                       relative to here
 *
 * Validation order in the reader, so each check can rely on the previous:
 * file size >= 8; N <= 100 MB and N <= size - 8; the JSON (jansson, duplicate
 * keys rejected, only spaces after the object); each entry's keys and types;
 * dtype known; nelem = product of dims and nbytes = nelem * size without
 * overflow (u64); nbytes == end - begin; end <= data region size; sorted by
 * (begin, end) each tensor starts where the previous ended and the last one
 * ends at the end of the file.  Only then are data pointers made.
 */
#include "safetensors.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../lib/atomicfile.h"
#include "../lib/buf.h"
#include "../lib/err.h"
#include "../lib/utf8.h"
#include "half.h"
#include "../lib/banned.h"

#define META_KEY "__metadata__"

static const struct {
	const char *name;
	size_t size;
} dtypes[ST_NDTYPES] = {
	[ST_BOOL] = {"BOOL", 1},	[ST_U8] = {"U8", 1},
	[ST_I8] = {"I8", 1},		[ST_F8_E5M2] = {"F8_E5M2", 1},
	[ST_F8_E4M3] = {"F8_E4M3", 1},	[ST_I16] = {"I16", 2},
	[ST_U16] = {"U16", 2},		[ST_F16] = {"F16", 2},
	[ST_BF16] = {"BF16", 2},	[ST_I32] = {"I32", 4},
	[ST_U32] = {"U32", 4},		[ST_F32] = {"F32", 4},
	[ST_F64] = {"F64", 8},		[ST_I64] = {"I64", 8},
	[ST_U64] = {"U64", 8},
};

const char *st_dtype_name(enum st_dtype dt)
{
	return (unsigned)dt < ST_NDTYPES ? dtypes[dt].name : NULL;
}

size_t st_dtype_size(enum st_dtype dt)
{
	return (unsigned)dt < ST_NDTYPES ? dtypes[dt].size : 0;
}

int st_dtype_parse(const char *s)
{
	for (int i = 0; i < ST_NDTYPES; i++)
		if (!strcmp(s, dtypes[i].name))
			return i;
	return -1;
}

/* ------------------------------------------------------------------ */
/* reader */

struct safetensors {
	char *name;			/* the file, for messages */
	const unsigned char *base;	/* the whole image */
	size_t size;
	void *map;			/* our mapping, or NULL (borrowed) */
	json_t *root;			/* owns every name and meta string */
	struct st_tensor *t;		/* by data offset */
	size_t nt;
	size_t *by_name;		/* indices into t, sorted by name */
	const char **meta;		/* key, value pairs, file order */
	size_t nmeta;
};

/* A name fit for a message: control bytes as '?', long ones cut at a
 * UTF-8 boundary with "...". */
#define SHOWN 140
static const char *shown(const char *s, char out[SHOWN])
{
	size_t len = strlen(s), n = len, i;

	if (n > 128) {
		n = 128;
		while (n && ((unsigned char)s[n] & 0xC0) == 0x80)
			n--;
	}
	for (i = 0; i < n; i++)
		out[i] = ((unsigned char)s[i] < 0x20 || s[i] == 0x7f) ?
				 '?' : s[i];
	if (n < len) {
		memcpy(out + i, "...", 3);
		i += 3;
	}
	out[i] = '\0';
	return out;
}

/* "[3,4]", cut with "..." if long. */
static const char *shape_str(const uint64_t *dims, size_t nd, char out[80])
{
	size_t len = 0;

	out[len++] = '[';
	for (size_t i = 0; i < nd; i++) {
		if (len > 40) {	/* a dim adds <= 21 chars: no overflow */
			len += (size_t)snprintf(out + len, 80 - len, "...");
			break;
		}
		len += (size_t)snprintf(out + len, 80 - len, "%s%llu",
					i ? "," : "",
					(unsigned long long)dims[i]);
	}
	snprintf(out + len, 80 - len, "]");
	return out;
}

static int tensor_error(const struct safetensors *st, const char *tname,
			struct sl_err *err, const char *what)
{
	char nb[SHOWN], fb[SHOWN];

	return sl_error(err, "'%s': tensor '%s': %s", shown(st->name, fb),
			shown(tname, nb), what);
}

/* A JSON integer that is >= 0. */
static int get_u64(json_t *v, uint64_t *out)
{
	if (!json_is_integer(v) || json_integer_value(v) < 0)
		return -1;
	*out = (uint64_t)json_integer_value(v);
	return 0;
}

static int check_keys(const struct safetensors *st, const char *tname,
		      json_t *ent, struct sl_err *err)
{
	static const char *const want[] = {"dtype", "shape", "data_offsets"};
	const char *k;
	json_t *v;
	char msg[200], kb[SHOWN];

	json_object_foreach(ent, k, v) {
		if (strcmp(k, want[0]) && strcmp(k, want[1]) &&
		    strcmp(k, want[2])) {
			snprintf(msg, sizeof(msg), "unexpected key '%s'",
				 shown(k, kb));
			return tensor_error(st, tname, err, msg);
		}
	}
	for (int i = 0; i < 3; i++) {
		if (!json_object_get(ent, want[i])) {
			snprintf(msg, sizeof(msg), "missing '%s'", want[i]);
			return tensor_error(st, tname, err, msg);
		}
	}
	return 0;
}

static int check_dtype(const struct safetensors *st, struct st_tensor *t,
		       json_t *dt, struct sl_err *err)
{
	char msg[200], db[SHOWN];
	int d;

	if (!json_is_string(dt))
		return tensor_error(st, t->name, err, "dtype is not a string");
	d = st_dtype_parse(json_string_value(dt));
	if (d < 0) {
		snprintf(msg, sizeof(msg), "unknown dtype '%s'",
			 shown(json_string_value(dt), db));
		return tensor_error(st, t->name, err, msg);
	}
	t->dtype = (enum st_dtype)d;
	return 0;
}

/* Dims, element count and byte size (all overflow-checked) into t; the
 * dims array is t's even on failure, for close() to free. */
static int check_shape(const struct safetensors *st, struct st_tensor *t,
		       json_t *shape, struct sl_err *err)
{
	uint64_t *dims, nelem = 1, nbytes;
	char msg[200], sb[80];

	if (!json_is_array(shape))
		return tensor_error(st, t->name, err, "shape is not an array");
	t->ndim = json_array_size(shape);
	dims = calloc(t->ndim ? t->ndim : 1, sizeof(*dims));
	if (!dims)
		return sl_error(err, "out of memory");
	t->shape = dims;
	for (size_t i = 0; i < t->ndim; i++) {
		if (get_u64(json_array_get(shape, i), &dims[i])) {
			snprintf(msg, sizeof(msg), "shape dim %zu is not a "
				 "non-negative integer", i);
			return tensor_error(st, t->name, err, msg);
		}
	}
	for (size_t i = 0; i < t->ndim; i++) {
		if (__builtin_mul_overflow(nelem, dims[i], &nelem)) {
			snprintf(msg, sizeof(msg), "shape %s: element count "
				 "overflows 64 bits", shape_str(dims, t->ndim, sb));
			return tensor_error(st, t->name, err, msg);
		}
	}
	if (__builtin_mul_overflow(nelem, (uint64_t)dtypes[t->dtype].size,
				   &nbytes) || nbytes > SIZE_MAX) {
		snprintf(msg, sizeof(msg), "shape %s %s: byte size overflows "
			 "64 bits", shape_str(dims, t->ndim, sb),
			 dtypes[t->dtype].name);
		return tensor_error(st, t->name, err, msg);
	}
	t->nelem = nelem;
	t->nbytes = (size_t)nbytes;
	return 0;
}

/* data_offsets: two integers, in order, spanning exactly t->nbytes, inside
 * the data region. */
static int check_offsets(const struct safetensors *st, struct st_tensor *t,
			 json_t *offs, uint64_t data_size, struct sl_err *err)
{
	uint64_t begin, end;
	char msg[400], sb[80];

	if (!json_is_array(offs) || json_array_size(offs) != 2 ||
	    get_u64(json_array_get(offs, 0), &begin) ||
	    get_u64(json_array_get(offs, 1), &end))
		return tensor_error(st, t->name, err, "data_offsets is not an "
				    "array of two non-negative integers");
	if (begin > end) {
		snprintf(msg, sizeof(msg), "data_offsets [%llu,%llu] are "
			 "reversed", (unsigned long long)begin,
			 (unsigned long long)end);
		return tensor_error(st, t->name, err, msg);
	}
	if (t->nbytes != end - begin) {
		snprintf(msg, sizeof(msg), "shape %s %s needs %zu bytes, "
			 "data_offsets span %llu",
			 shape_str(t->shape, t->ndim, sb),
			 dtypes[t->dtype].name, t->nbytes,
			 (unsigned long long)(end - begin));
		return tensor_error(st, t->name, err, msg);
	}
	if (end > data_size) {
		snprintf(msg, sizeof(msg), "data_offsets [%llu,%llu] end "
			 "beyond the data region (%llu bytes): file too short",
			 (unsigned long long)begin, (unsigned long long)end,
			 (unsigned long long)data_size);
		return tensor_error(st, t->name, err, msg);
	}
	t->offset = begin;
	return 0;
}

/* Fill t from one header entry, checking everything about it alone. */
static int check_entry(struct safetensors *st, const char *tname,
		       json_t *ent, uint64_t data_size, struct st_tensor *t,
		       struct sl_err *err)
{
	t->name = tname;
	if (!json_is_object(ent))
		return tensor_error(st, tname, err, "entry is not an object");
	if (check_keys(st, tname, ent, err) ||
	    check_dtype(st, t, json_object_get(ent, "dtype"), err) ||
	    check_shape(st, t, json_object_get(ent, "shape"), err) ||
	    check_offsets(st, t, json_object_get(ent, "data_offsets"),
			  data_size, err))
		return -1;
	return 0;
}

static int check_meta(struct safetensors *st, json_t *m, struct sl_err *err)
{
	const char *k;
	json_t *v;
	size_t i = 0;
	char fb[SHOWN], kb[SHOWN];

	if (!json_is_object(m))
		return sl_error(err, "'%s': " META_KEY " is not an object",
				shown(st->name, fb));
	st->meta = calloc(2 * json_object_size(m) + 1, sizeof(*st->meta));
	if (!st->meta)
		return sl_error(err, "out of memory");
	json_object_foreach(m, k, v) {
		if (!json_is_string(v))
			return sl_error(err, "'%s': " META_KEY " value of '%s' "
					"is not a string", shown(st->name, fb),
					shown(k, kb));
		st->meta[i++] = k;
		st->meta[i++] = json_string_value(v);
	}
	st->nmeta = i / 2;
	return 0;
}

static int cmp_offset(const void *a, const void *b)
{
	const struct st_tensor *x = a, *y = b;

	if (x->offset != y->offset)
		return x->offset < y->offset ? -1 : 1;
	if (x->nbytes != y->nbytes)
		return x->nbytes < y->nbytes ? -1 : 1;
	return strcmp(x->name, y->name);
}

/* Sorted by offset, each tensor must start where the previous one ended,
 * the first at 0, and the last must end at the end of the data region. */
static int check_tiling(struct safetensors *st, uint64_t data_size,
			struct sl_err *err)
{
	uint64_t at = 0;
	char msg[400], pb[SHOWN], fb[SHOWN];

	qsort(st->t, st->nt, sizeof(*st->t), cmp_offset);
	for (size_t i = 0; i < st->nt; i++) {
		const struct st_tensor *t = &st->t[i];
		const char *prev = i ? shown(st->t[i - 1].name, pb) : NULL;

		if (t->offset > at && !prev) {
			snprintf(msg, sizeof(msg), "gap of %llu bytes before "
				 "it: data_offsets start at %llu, not 0",
				 (unsigned long long)t->offset,
				 (unsigned long long)t->offset);
			return tensor_error(st, t->name, err, msg);
		}
		if (t->offset > at) {
			snprintf(msg, sizeof(msg), "gap of %llu bytes before "
				 "it: data_offsets start at %llu, tensor '%s' "
				 "ends at %llu",
				 (unsigned long long)(t->offset - at),
				 (unsigned long long)t->offset, prev,
				 (unsigned long long)at);
			return tensor_error(st, t->name, err, msg);
		}
		if (t->offset < at) {
			snprintf(msg, sizeof(msg), "data_offsets [%llu,%llu] "
				 "overlap tensor '%s' which ends at %llu",
				 (unsigned long long)t->offset,
				 (unsigned long long)(t->offset + t->nbytes),
				 prev, (unsigned long long)at);
			return tensor_error(st, t->name, err, msg);
		}
		at = t->offset + t->nbytes;
	}
	if (at != data_size)
		return sl_error(err, "'%s': %llu trailing bytes after the last "
				"tensor (data region of %llu bytes, tensors end "
				"at %llu)", shown(st->name, fb),
				(unsigned long long)(data_size - at),
				(unsigned long long)data_size,
				(unsigned long long)at);
	return 0;
}

static int cmp_name(const void *a, const void *b, void *arg)
{
	const struct st_tensor *t = arg;

	return strcmp(t[*(const size_t *)a].name, t[*(const size_t *)b].name);
}

static int parse_header(struct safetensors *st, uint64_t n,
			struct sl_err *err)
{
	const char *hdr = (const char *)st->base + 8, *k;
	uint64_t data_size = st->size - 8 - n;
	json_error_t jerr;
	json_t *v;
	size_t i = 0;
	char fb[SHOWN];

	st->root = json_loadb(hdr, (size_t)n, JSON_REJECT_DUPLICATES |
			      JSON_DISABLE_EOF_CHECK, &jerr);
	if (!st->root)
		return sl_error(err, "'%s': header is not valid JSON: %s at "
				"byte %d", shown(st->name, fb), jerr.text,
				jerr.position);
	if (!json_is_object(st->root))
		return sl_error(err, "'%s': header is not a JSON object",
				shown(st->name, fb));
	for (size_t p = (size_t)jerr.position; p < n; p++)
		if (hdr[p] != ' ')
			return sl_error(err, "'%s': header has bytes other "
					"than spaces after the JSON object, at "
					"byte %zu", shown(st->name, fb), p);
	st->t = calloc(json_object_size(st->root) + 1, sizeof(*st->t));
	if (!st->t)
		return sl_error(err, "out of memory");
	json_object_foreach(st->root, k, v) {
		if (!strcmp(k, META_KEY)) {
			if (check_meta(st, v, err))
				return -1;
			continue;
		}
		st->nt = i + 1;		/* so close() frees its shape */
		if (check_entry(st, k, v, data_size, &st->t[i], err))
			return -1;
		i++;
	}
	st->nt = i;
	if (check_tiling(st, data_size, err))
		return -1;
	/* validated: now, and only now, point into the data */
	for (i = 0; i < st->nt; i++)
		st->t[i].data = st->base + 8 + n + st->t[i].offset;
	st->by_name = calloc(st->nt + 1, sizeof(*st->by_name));
	if (!st->by_name)
		return sl_error(err, "out of memory");
	for (i = 0; i < st->nt; i++)
		st->by_name[i] = i;
	qsort_r(st->by_name, st->nt, sizeof(*st->by_name), cmp_name, st->t);
	return 0;
}

static int parse_image(struct safetensors *st, struct sl_err *err)
{
	uint64_t n = 0;
	char fb[SHOWN];

	if (st->size < 8)
		return sl_error(err, "'%s': file is %zu bytes, too short for "
				"the 8-byte header length", shown(st->name, fb),
				st->size);
	for (int i = 7; i >= 0; i--)
		n = (n << 8) | st->base[i];
	if (n > SAFETENSORS_MAX_HEADER)
		return sl_error(err, "'%s': header length %llu is over the "
				"limit of %d bytes", shown(st->name, fb),
				(unsigned long long)n, SAFETENSORS_MAX_HEADER);
	if (n > st->size - 8)
		return sl_error(err, "'%s': header length %llu goes beyond the "
				"end of the file (%zu bytes)",
				shown(st->name, fb), (unsigned long long)n,
				st->size);
	return parse_header(st, n, err);
}

static struct safetensors *st_new(const char *name, struct sl_err *err)
{
	struct safetensors *st = calloc(1, sizeof(*st));

	if (st)
		st->name = strdup(name ? name : "(memory)");
	if (!st || !st->name) {
		free(st);
		sl_error(err, "out of memory");
		return NULL;
	}
	return st;
}

int safetensors_parse_mem(struct safetensors **out, const void *data,
			  size_t size, const char *name, struct sl_err *err)
{
	struct safetensors *st = st_new(name, err);

	*out = NULL;
	if (!st)
		return -1;
	st->base = size ? data : (const unsigned char *)"";
	st->size = size;
	if (parse_image(st, err)) {
		safetensors_close(st);
		return -1;
	}
	*out = st;
	return 0;
}

int safetensors_open(struct safetensors **out, const char *path,
		     struct sl_err *err)
{
	struct safetensors *st;
	struct stat sb;
	int fd, rc = -1;

	*out = NULL;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return sl_error(err, "cannot open '%s':", path);
	st = st_new(path, err);
	if (!st)
		goto out;
	if (fstat(fd, &sb)) {
		sl_error(err, "cannot stat '%s':", path);
		goto out;
	}
	if (!S_ISREG(sb.st_mode)) {
		sl_error(err, "'%s': not a regular file", path);
		goto out;
	}
	st->size = (size_t)sb.st_size;
	st->base = (const unsigned char *)"";
	if (st->size) {
		st->map = mmap(NULL, st->size, PROT_READ, MAP_PRIVATE, fd, 0);
		if (st->map == MAP_FAILED) {
			st->map = NULL;
			sl_error(err, "cannot map '%s':", path);
			goto out;
		}
		st->base = st->map;
	}
	rc = parse_image(st, err);
out:
	close(fd);
	if (rc) {
		safetensors_close(st);
		return rc;
	}
	*out = st;
	return 0;
}

void safetensors_close(struct safetensors *st)
{
	if (!st)
		return;
	for (size_t i = 0; i < st->nt; i++)
		free((void *)st->t[i].shape);
	free(st->t);
	free(st->by_name);
	free(st->meta);
	json_decref(st->root);
	if (st->map)
		munmap(st->map, st->size);
	free(st->name);
	free(st);
}

size_t safetensors_count(const struct safetensors *st)
{
	return st->nt;
}

const struct st_tensor *safetensors_tensor_at(const struct safetensors *st,
					      size_t i)
{
	return i < st->nt ? &st->t[i] : NULL;
}

const struct st_tensor *safetensors_find(const struct safetensors *st,
					 const char *name)
{
	size_t lo = 0, hi = st->nt;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct st_tensor *t = &st->t[st->by_name[mid]];
		int c = strcmp(name, t->name);

		if (!c)
			return t;
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}

const char *safetensors_meta(const struct safetensors *st, const char *key)
{
	for (size_t i = 0; i < st->nmeta; i++)
		if (!strcmp(st->meta[2 * i], key))
			return st->meta[2 * i + 1];
	return NULL;
}

size_t safetensors_meta_count(const struct safetensors *st)
{
	return st->nmeta;
}

int safetensors_meta_at(const struct safetensors *st, size_t i,
			const char **key, const char **value)
{
	if (i >= st->nmeta)
		return -1;
	*key = st->meta[2 * i];
	*value = st->meta[2 * i + 1];
	return 0;
}

int safetensors_aligned(const struct st_tensor *t)
{
	return (uintptr_t)t->data % dtypes[t->dtype].size == 0;
}

const float *safetensors_f32(const struct st_tensor *t)
{
	if (t->dtype != ST_F32 || !safetensors_aligned(t))
		return NULL;
	return t->data;
}

/* Little-endian loads from any address. */
static uint16_t le16(const unsigned char *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t le32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static uint64_t le64(const unsigned char *p)
{
	return (uint64_t)le32(p) | (uint64_t)le32(p + 4) << 32;
}

static float bits_f32(uint32_t x)
{
	float f;

	memcpy(&f, &x, sizeof(f));
	return f;
}

static double bits_f64(uint64_t x)
{
	double d;

	memcpy(&d, &x, sizeof(d));
	return d;
}

/* Element i of p as a float; dt is not an F8 type. */
static float load_f32(enum st_dtype dt, const unsigned char *p, size_t i)
{
	switch (dt) {
	case ST_BOOL: return p[i] ? 1.0f : 0.0f;
	case ST_U8: return (float)p[i];
	case ST_I8: return (float)(int8_t)p[i];
	case ST_I16: return (float)(int16_t)le16(p + 2 * i);
	case ST_U16: return (float)le16(p + 2 * i);
	case ST_F16: return half_to_f32(le16(p + 2 * i));
	case ST_BF16: return bf16_to_f32(le16(p + 2 * i));
	case ST_I32: return (float)(int32_t)le32(p + 4 * i);
	case ST_U32: return (float)le32(p + 4 * i);
	case ST_F32: return bits_f32(le32(p + 4 * i));
	case ST_F64: return (float)bits_f64(le64(p + 8 * i));
	case ST_I64: return (float)(int64_t)le64(p + 8 * i);
	case ST_U64: return (float)le64(p + 8 * i);
	default: return 0.0f;
	}
}

int safetensors_to_f32(const struct st_tensor *t, float *out, size_t n,
		       struct sl_err *err)
{
	char nb[SHOWN];

	if (n != t->nelem)
		return sl_error(err, "tensor '%s' has %llu elements, not %zu",
				shown(t->name, nb),
				(unsigned long long)t->nelem, n);
	if (t->dtype == ST_F8_E5M2 || t->dtype == ST_F8_E4M3)
		return sl_error(err, "tensor '%s': cannot convert %s to F32",
				shown(t->name, nb), dtypes[t->dtype].name);
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	if (t->dtype == ST_F32) {
		if (n)
			memcpy(out, t->data, t->nbytes);
		return 0;
	}
#endif
	for (size_t i = 0; i < n; i++)
		out[i] = load_f32(t->dtype, t->data, i);
	return 0;
}

/* ------------------------------------------------------------------ */
/* writer */

struct st_wtensor {
	char *name;
	enum st_dtype dtype;
	uint64_t *shape;
	size_t ndim;
	const void *data;	/* borrowed, or == owned */
	size_t nbytes;
	void *owned;		/* converted copy made by add_f32 */
};

void safetensors_writer_init(struct st_writer *w)
{
	memset(w, 0, sizeof(*w));
}

void safetensors_writer_release(struct st_writer *w)
{
	for (size_t i = 0; i < w->nt; i++) {
		free(w->t[i].name);
		free(w->t[i].shape);
		free(w->t[i].owned);
	}
	for (size_t i = 0; i < 2 * w->nmeta; i++)
		free(w->meta[i]);
	free(w->t);
	free(w->meta);
	safetensors_writer_init(w);
}

static int shape_nelem(const uint64_t *shape, size_t ndim, enum st_dtype dt,
		       uint64_t *nelem, size_t *nbytes)
{
	uint64_t n = 1, b;

	for (size_t i = 0; i < ndim; i++)
		if (__builtin_mul_overflow(n, shape[i], &n))
			return -1;
	if (__builtin_mul_overflow(n, (uint64_t)dtypes[dt].size, &b) ||
	    b > SIZE_MAX)
		return -1;
	*nelem = n;
	*nbytes = (size_t)b;
	return 0;
}

static int check_name(const struct st_writer *w, const char *name,
		      struct sl_err *err)
{
	char nb[SHOWN];

	if (!utf8_valid(name, strlen(name)))
		return sl_error(err, "tensor name '%s' is not valid UTF-8",
				shown(name, nb));
	if (!strcmp(name, META_KEY))
		return sl_error(err, "tensor name '" META_KEY "' is reserved");
	for (size_t i = 0; i < w->nt; i++)
		if (!strcmp(w->t[i].name, name))
			return sl_error(err, "tensor '%s' added twice",
					shown(name, nb));
	return 0;
}

static int add_tensor(struct st_writer *w, const char *name, enum st_dtype dt,
		      const uint64_t *shape, size_t ndim, const void *data,
		      size_t nbytes, void *owned, struct sl_err *err)
{
	struct st_wtensor *t;

	if (w->nt == w->alloc_t) {
		size_t na = w->alloc_t ? 2 * w->alloc_t : 16;
		void *p = realloc(w->t, na * sizeof(*w->t));

		if (!p)
			goto nomem;
		w->t = p;
		w->alloc_t = na;
	}
	t = &w->t[w->nt];
	memset(t, 0, sizeof(*t));
	t->name = strdup(name);
	t->shape = malloc((ndim ? ndim : 1) * sizeof(*shape));
	if (!t->name || !t->shape) {
		free(t->name);
		free(t->shape);
		goto nomem;
	}
	if (ndim)
		memcpy(t->shape, shape, ndim * sizeof(*shape));
	t->dtype = dt;
	t->ndim = ndim;
	t->data = data;
	t->nbytes = nbytes;
	t->owned = owned;
	w->nt++;
	return 0;
nomem:
	free(owned);
	return sl_error(err, "out of memory");
}

int safetensors_writer_add(struct st_writer *w, const char *name,
			   enum st_dtype dt, const uint64_t *shape,
			   size_t ndim, const void *data, size_t nbytes,
			   struct sl_err *err)
{
	uint64_t nelem;
	size_t want;
	char nb[SHOWN];

	if ((unsigned)dt >= ST_NDTYPES)
		return sl_error(err, "tensor '%s': invalid dtype %d",
				shown(name, nb), (int)dt);
	if (check_name(w, name, err))
		return -1;
	if (shape_nelem(shape, ndim, dt, &nelem, &want))
		return sl_error(err, "tensor '%s': shape too large",
				shown(name, nb));
	if (nbytes != want)
		return sl_error(err, "tensor '%s': shape needs %zu bytes, "
				"given %zu", shown(name, nb), want, nbytes);
	if (nbytes && !data)
		return sl_error(err, "tensor '%s': no data", shown(name, nb));
	return add_tensor(w, name, dt, shape, ndim, data, nbytes, NULL, err);
}

/* Store v as dt at byte position p (little-endian). */
static void store_f32(enum st_dtype dt, unsigned char *p, float v)
{
	uint32_t x;

	if (dt == ST_F16 || dt == ST_BF16) {
		uint16_t h = dt == ST_F16 ? half_from_f32(v) : bf16_from_f32(v);

		p[0] = (unsigned char)h;
		p[1] = (unsigned char)(h >> 8);
		return;
	}
	memcpy(&x, &v, sizeof(x));
	for (int i = 0; i < 4; i++)
		p[i] = (unsigned char)(x >> (8 * i));
}

int safetensors_writer_add_f32(struct st_writer *w, const char *name,
			       enum st_dtype dt, const uint64_t *shape,
			       size_t ndim, const float *src,
			       struct sl_err *err)
{
	uint64_t nelem;
	size_t nbytes, es;
	unsigned char *p;
	char nb[SHOWN];

	if (dt != ST_F32 && dt != ST_F16 && dt != ST_BF16)
		return sl_error(err, "tensor '%s': cannot store floats as %s",
				shown(name, nb), st_dtype_name(dt) ?
				st_dtype_name(dt) : "an invalid dtype");
	if (check_name(w, name, err))
		return -1;
	if (shape_nelem(shape, ndim, dt, &nelem, &nbytes))
		return sl_error(err, "tensor '%s': shape too large",
				shown(name, nb));
	p = malloc(nbytes ? nbytes : 1);
	if (!p)
		return sl_error(err, "out of memory");
	es = dtypes[dt].size;
	for (size_t i = 0; i < nelem; i++)
		store_f32(dt, p + i * es, src[i]);
	return add_tensor(w, name, dt, shape, ndim, p, nbytes, p, err);
}

int safetensors_writer_meta(struct st_writer *w, const char *key,
			    const char *value, struct sl_err *err)
{
	char *v, *k;
	char kb[SHOWN];

	if (!utf8_valid(key, strlen(key)) || !utf8_valid(value, strlen(value)))
		return sl_error(err, "metadata '%s': not valid UTF-8",
				shown(key, kb));
	v = strdup(value);
	if (!v)
		return sl_error(err, "out of memory");
	for (size_t i = 0; i < w->nmeta; i++) {
		if (!strcmp(w->meta[2 * i], key)) {
			free(w->meta[2 * i + 1]);
			w->meta[2 * i + 1] = v;
			return 0;
		}
	}
	if (w->nmeta == w->alloc_meta) {
		size_t na = w->alloc_meta ? 2 * w->alloc_meta : 8;
		void *p = realloc(w->meta, 2 * na * sizeof(*w->meta));

		if (!p)
			goto nomem;
		w->meta = p;
		w->alloc_meta = na;
	}
	k = strdup(key);
	if (!k)
		goto nomem;
	w->meta[2 * w->nmeta] = k;
	w->meta[2 * w->nmeta + 1] = v;
	w->nmeta++;
	return 0;
nomem:
	free(v);
	return sl_error(err, "out of memory");
}

/* A JSON string as serde_json writes it: '"' and '\' escaped, \b \f \n \r
 * \t short, other control bytes \u00xx in lowercase hex, the rest (UTF-8
 * included, and 0x7f) raw. */
static int json_str(struct buf *b, const char *s)
{
	static const char hex[] = "0123456789abcdef";
	int rc = buf_addc(b, '"');

	for (; *s && !rc; s++) {
		unsigned char c = (unsigned char)*s;

		switch (c) {
		case '"': rc = buf_adds(b, "\\\""); break;
		case '\\': rc = buf_adds(b, "\\\\"); break;
		case '\b': rc = buf_adds(b, "\\b"); break;
		case '\f': rc = buf_adds(b, "\\f"); break;
		case '\n': rc = buf_adds(b, "\\n"); break;
		case '\r': rc = buf_adds(b, "\\r"); break;
		case '\t': rc = buf_adds(b, "\\t"); break;
		default:
			if (c < 0x20)
				rc = buf_addf(b, "\\u00%c%c", hex[c >> 4],
					      hex[c & 15]);
			else
				rc = buf_addc(b, (char)c);
		}
	}
	return rc ? rc : buf_addc(b, '"');
}

/* Python's layout: dtype descending (enum order), then name bytewise. */
static int cmp_layout(const void *a, const void *b, void *arg)
{
	const struct st_wtensor *t = arg;
	const struct st_wtensor *x = &t[*(const size_t *)a];
	const struct st_wtensor *y = &t[*(const size_t *)b];

	if (x->dtype != y->dtype)
		return x->dtype > y->dtype ? -1 : 1;
	return strcmp(x->name, y->name);
}

static int cmp_meta(const void *a, const void *b, void *arg)
{
	char **m = arg;

	return strcmp(m[2 * *(const size_t *)a], m[2 * *(const size_t *)b]);
}

static int header_json(const struct st_writer *w, const size_t *order,
		       struct buf *h)
{
	size_t *mo = calloc(w->nmeta + 1, sizeof(*mo));
	uint64_t off = 0;
	int rc = buf_addc(h, '{');

	if (!mo)
		return BUF_NOMEM;
	for (size_t i = 0; i < w->nmeta; i++)
		mo[i] = i;
	qsort_r(mo, w->nmeta, sizeof(*mo), cmp_meta, w->meta);
	if (w->nmeta && !rc)
		rc = buf_adds(h, "\"" META_KEY "\":{");
	for (size_t i = 0; i < w->nmeta && !rc; i++) {
		rc = (i ? buf_addc(h, ',') : 0) ||
		     json_str(h, w->meta[2 * mo[i]]) || buf_addc(h, ':') ||
		     json_str(h, w->meta[2 * mo[i] + 1]);
	}
	if (w->nmeta && !rc)
		rc = buf_addc(h, '}');
	for (size_t i = 0; i < w->nt && !rc; i++) {
		const struct st_wtensor *t = &w->t[order[i]];

		rc = ((i || w->nmeta) ? buf_addc(h, ',') : 0) ||
		     json_str(h, t->name) ||
		     buf_addf(h, ":{\"dtype\":\"%s\",\"shape\":[",
			      dtypes[t->dtype].name);
		for (size_t d = 0; d < t->ndim && !rc; d++)
			rc = buf_addf(h, "%s%llu", d ? "," : "",
				      (unsigned long long)t->shape[d]);
		rc = rc || buf_addf(h, "],\"data_offsets\":[%llu,%llu]}",
				    (unsigned long long)off,
				    (unsigned long long)(off + t->nbytes));
		off += t->nbytes;
	}
	rc = rc || buf_addc(h, '}');
	while (!rc && h->len % 8)
		rc = buf_addc(h, ' ');
	free(mo);
	return rc ? BUF_NOMEM : 0;
}

/* The layout order and the padded header with its 8-byte length before
 * it: everything but the tensor bytes. */
static int prepare(const struct st_writer *w, size_t **order, struct buf *h,
		   struct sl_err *err)
{
	uint64_t n;

	*order = calloc(w->nt + 1, sizeof(**order));
	if (!*order)
		return sl_error(err, "out of memory");
	for (size_t i = 0; i < w->nt; i++)
		(*order)[i] = i;
	qsort_r(*order, w->nt, sizeof(**order), cmp_layout, w->t);
	buf_init(h, 0);
	if (buf_add(h, "\0\0\0\0\0\0\0\0", 8) || header_json(w, *order, h)) {
		free(*order);
		buf_release(h);
		return sl_error(err, "out of memory");
	}
	n = h->len - 8;
	for (int i = 0; i < 8; i++)
		h->data[i] = (char)(n >> (8 * i));
	return 0;
}

int safetensors_writer_serialize(const struct st_writer *w, struct buf *out,
				 struct sl_err *err)
{
	struct buf h;
	size_t *order;
	int rc = 0;

	if (prepare(w, &order, &h, err))
		return -1;
	if (buf_add(out, h.data, h.len))
		rc = -1;
	for (size_t i = 0; i < w->nt && !rc; i++)
		if (buf_add(out, w->t[order[i]].data, w->t[order[i]].nbytes))
			rc = -1;
	free(order);
	buf_release(&h);
	return rc ? sl_error(err, "out of memory") : 0;
}

int safetensors_writer_write(const struct st_writer *w, const char *path,
			     struct sl_err *err)
{
	struct atomicfile af;
	struct buf h;
	size_t *order;
	int rc = -1;

	if (prepare(w, &order, &h, err))
		return -1;
	if (atomicfile_open(&af, path, err))
		goto out;
	if (fwrite(h.data, 1, h.len, af.fp) != h.len)
		goto fail;
	for (size_t i = 0; i < w->nt; i++) {
		const struct st_wtensor *t = &w->t[order[i]];

		if (t->nbytes && fwrite(t->data, 1, t->nbytes, af.fp) !=
				 t->nbytes)
			goto fail;
	}
	rc = atomicfile_commit(&af, err);
	goto out;
fail:
	sl_error(err, "cannot write '%s':", path);
	atomicfile_abort(&af);
out:
	free(order);
	buf_release(&h);
	return rc;
}
