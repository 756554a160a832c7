/* Check suite for model/safetensors and model/half: conversions, the
 * writer's exact bytes, round trips, a hand-made file, and every malformed
 * file under tests/data/safetensors/bad/ (NAME.safetensors + NAME.err). */
#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check_main.h"
#include "../lib/buf.h"
#include "../lib/err.h"
#include "../model/half.h"
#include "../model/safetensors.h"

#define BAD_DIR "tests/data/safetensors/bad"
#define GOOD_DIR "tests/data/safetensors/good"

static uint32_t fbits(float f)
{
	uint32_t x;

	memcpy(&x, &f, 4);
	return x;
}

static float bitsf(uint32_t x)
{
	float f;

	memcpy(&f, &x, 4);
	return f;
}

START_TEST(half_roundtrip_all)
{
	/* every binary16 value survives half -> float -> half */
	for (uint32_t h = 0; h < 0x10000; h++) {
		float f = half_to_f32((uint16_t)h);

		if ((h & 0x7c00) == 0x7c00 && (h & 0x3ff)) {
			ck_assert(isnan(f));
			ck_assert((half_from_f32(f) & 0x7fff) > 0x7c00);
			continue;
		}
		ck_assert_uint_eq(half_from_f32(f), h);
	}
	ck_assert_float_eq(half_to_f32(0x3c00), 1.0f);
	ck_assert_float_eq(half_to_f32(0xc000), -2.0f);
	ck_assert_float_eq(half_to_f32(0x7bff), 65504.0f);
	ck_assert_float_eq(half_to_f32(0x0001), ldexpf(1.0f, -24));
	ck_assert(isinf(half_to_f32(0x7c00)));
}
END_TEST

START_TEST(half_rounding)
{
	/* ties to even, overflow, underflow: hand-checked values */
	ck_assert_uint_eq(half_from_f32(65504.0f), 0x7bff);
	ck_assert_uint_eq(half_from_f32(65519.99f), 0x7bff);
	ck_assert_uint_eq(half_from_f32(65520.0f), 0x7c00);	/* tie -> even */
	ck_assert_uint_eq(half_from_f32(1e10f), 0x7c00);
	ck_assert_uint_eq(half_from_f32(-1e10f), 0xfc00);
	/* 1 + 2^-11 is halfway between 1 and 1 + 2^-10: even is 1 */
	ck_assert_uint_eq(half_from_f32(1.0f + ldexpf(1, -11)), 0x3c00);
	/* 1 + 3 * 2^-11 is halfway between odd 0x3c01 and even 0x3c02 */
	ck_assert_uint_eq(half_from_f32(1.0f + 3 * ldexpf(1, -11)), 0x3c02);
	ck_assert_uint_eq(half_from_f32(ldexpf(1, -25)), 0x0000);	/* tie */
	ck_assert_uint_eq(half_from_f32(bitsf(0x33000001)), 0x0001);
	ck_assert_uint_eq(half_from_f32(3 * ldexpf(1, -25)), 0x0002);
	ck_assert_uint_eq(half_from_f32(-0.0f), 0x8000);
	/* the largest subnormal rounds up into the smallest normal */
	ck_assert_uint_eq(half_from_f32(ldexpf(1, -14) - ldexpf(1, -26)),
			  0x0400);
}
END_TEST

#ifdef __FLT16_MAX__
/* Against the compiler's own float -> _Float16 conversion (IEEE RNE). */
static void half_vs_compiler(uint32_t x)
{
	float f = bitsf(x);
	_Float16 r = (_Float16)f;
	uint16_t want;

	if (isnan(f))
		return;
	memcpy(&want, &r, 2);
	if (half_from_f32(f) != want)
		ck_abort_msg("half_from_f32(%08x) = %04x, want %04x", x,
			     half_from_f32(f), want);
}

START_TEST(half_matches_compiler)
{
	for (uint64_t x = 0; x <= 0xffffffffu; x += 4093)
		half_vs_compiler((uint32_t)x);
	/* densely where rounding is delicate: subnormals and the top */
	for (uint32_t x = 0x32f00000; x < 0x38900000; x += 11) {
		half_vs_compiler(x);
		half_vs_compiler(x | 0x80000000);
	}
	for (uint32_t x = 0x477f0000; x < 0x47810000; x++)
		half_vs_compiler(x);
}
END_TEST
#endif

/* bf16 reference: the nearer of the two neighbours, by exact difference in
 * double, ties to the even one. */
static uint16_t bf16_ref(uint32_t x)
{
	uint16_t lo = (uint16_t)(x >> 16), hi = (uint16_t)(lo + 1);
	double f = bitsf(x), a = bf16_to_f32(lo), b;

	if ((x & 0xffff) == 0)
		return lo;
	if ((lo & 0x7f80) == 0x7f80)	/* infinity */
		return lo;
	b = ((hi & 0x7f80) == 0x7f80) ? copysign(ldexp(1, 128), f) :
					 bf16_to_f32(hi);
	if (fabs(f - a) < fabs(b - f))
		return lo;
	if (fabs(f - a) > fabs(b - f))
		return hi;
	return (lo & 1) ? hi : lo;
}

START_TEST(bf16_rounding)
{
	ck_assert_uint_eq(bf16_from_f32(1.0f), 0x3f80);
	ck_assert_uint_eq(bf16_from_f32(bitsf(0x3f808000)), 0x3f80);
	ck_assert_uint_eq(bf16_from_f32(bitsf(0x3f818000)), 0x3f82);
	ck_assert_uint_eq(bf16_from_f32(bitsf(0x3f808001)), 0x3f81);
	ck_assert_uint_eq(bf16_from_f32(bitsf(0x7f7fffff)), 0x7f80);
	ck_assert(isnan(bf16_to_f32(bf16_from_f32(bitsf(0x7f800001)))));
	ck_assert(isnan(bf16_to_f32(bf16_from_f32(NAN))));
	ck_assert_float_eq(bf16_to_f32(0xc0a0), -5.0f);
	for (uint64_t x = 0; x <= 0xffffffffu; x += 4093) {
		if (isnan(bitsf((uint32_t)x)))
			continue;
		if (bf16_from_f32(bitsf((uint32_t)x)) != bf16_ref((uint32_t)x))
			ck_abort_msg("bf16(%08x)", (unsigned)x);
	}
}
END_TEST

START_TEST(dtype_table)
{
	for (int i = 0; i < ST_NDTYPES; i++)
		ck_assert_int_eq(st_dtype_parse(st_dtype_name(i)), i);
	ck_assert_int_eq(st_dtype_parse("F33"), -1);
	ck_assert_int_eq(st_dtype_parse("f32"), -1);
	ck_assert_uint_eq(st_dtype_size(ST_BF16), 2);
	ck_assert_uint_eq(st_dtype_size(ST_U64), 8);
	ck_assert_ptr_null(st_dtype_name(ST_NDTYPES));
}
END_TEST

/* The writer's bytes for `w`, which must be `want` (n bytes). */
static void expect_bytes(struct st_writer *w, const void *want, size_t n)
{
	struct sl_err err;
	struct buf b;

	buf_init(&b, 0);
	ck_assert_msg(!safetensors_writer_serialize(w, &b, &err), "%s",
		      err.msg);
	if (b.len != n || memcmp(b.data, want, n))
		ck_abort_msg("writer bytes differ:\n got  %zu: %s\n want %zu: "
			     "%s", b.len, b.len > 8 ? b.data + 8 : "", n,
			     n > 8 ? (const char *)want + 8 : "");
	buf_release(&b);
}

/* The file images safetensors' own unit tests expect from its writer. */
START_TEST(writer_matches_reference_bytes)
{
	static const float v[6] = {0, 1, 2, 3, 4, 5};
	static const unsigned char attn0[] =
		"\x40\0\0\0\0\0\0\0"
		"{\"attn.0\":{\"dtype\":\"F32\",\"shape\":[1,2,3],"
		"\"data_offsets\":[0,24]}}"
		"\0\0\0\0" "\0\0\x80\x3f" "\0\0\0\x40" "\0\0\x40\x40"
		"\0\0\x80\x40" "\0\0\xa0\x40";
	static const unsigned char attn0b[] =
		"\x48\0\0\0\0\0\0\0"
		"{\"attn0\":{\"dtype\":\"F32\",\"shape\":[1,1,2,3],"
		"\"data_offsets\":[0,24]}}       "
		"\0\0\0\0" "\0\0\x80\x3f" "\0\0\0\x40" "\0\0\x40\x40"
		"\0\0\x80\x40" "\0\0\xa0\x40";
	static const char empty[] = "\x08\0\0\0\0\0\0\0{}      ";
	static const char meta[] = "\x28\0\0\0\0\0\0\0"
				   "{\"__metadata__\":{\"framework\":\"pt\"}}"
				   "     ";
	uint64_t s3[] = {1, 2, 3}, s4[] = {1, 1, 2, 3};
	struct st_writer w;
	struct sl_err err;

	safetensors_writer_init(&w);
	ck_assert(!safetensors_writer_add(&w, "attn.0", ST_F32, s3, 3, v,
					  sizeof(v), &err));
	expect_bytes(&w, attn0, sizeof(attn0) - 1);
	safetensors_writer_release(&w);

	ck_assert(!safetensors_writer_add_f32(&w, "attn0", ST_F32, s4, 4, v,
					      &err));
	expect_bytes(&w, attn0b, sizeof(attn0b) - 1);
	safetensors_writer_release(&w);

	expect_bytes(&w, empty, sizeof(empty) - 1);
	ck_assert(!safetensors_writer_meta(&w, "framework", "pt", &err));
	expect_bytes(&w, meta, sizeof(meta) - 1);
	safetensors_writer_release(&w);
}
END_TEST

/* Layout: dtype descending in safetensors' enum order, then name; the
 * header in the same order after __metadata__ (keys sorted); names
 * escaped as serde_json does. */
START_TEST(writer_layout_and_escapes)
{
	static const char want[] =
		"{\"__metadata__\":{\"a\":\"1\\n\",\"b\":\"2\"},"
		"\"c\":{\"dtype\":\"F64\",\"shape\":[1],\"data_offsets\":[0,8]},"
		"\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[8,12]},"
		"\"y\":{\"dtype\":\"BF16\",\"shape\":[1],\"data_offsets\":[12,14]},"
		"\"z\":{\"dtype\":\"F16\",\"shape\":[1],\"data_offsets\":[14,16]},"
		"\"b\":{\"dtype\":\"I8\",\"shape\":[1],\"data_offsets\":[16,17]},"
		"\"a2\":{\"dtype\":\"U8\",\"shape\":[],\"data_offsets\":[17,18]},"
		"\"q\\\"\\\\\\u0001\\t/\xc3\xa9\x7f\":{\"dtype\":\"BOOL\","
		"\"shape\":[1],\"data_offsets\":[18,19]}}";
	uint64_t one[] = {1};
	unsigned char bytes[8] = {1, 2, 3, 4, 5, 6, 7, 8};
	struct st_writer w;
	struct sl_err err;
	struct buf b;
	size_t n = strlen(want);

	safetensors_writer_init(&w);
	ck_assert(!safetensors_writer_add(&w, "b", ST_I8, one, 1, bytes, 1,
					  &err));
	ck_assert(!safetensors_writer_add(&w, "a", ST_F32, one, 1, bytes, 4,
					  &err));
	ck_assert(!safetensors_writer_add(&w, "c", ST_F64, one, 1, bytes, 8,
					  &err));
	ck_assert(!safetensors_writer_add(&w, "z", ST_F16, one, 1, bytes, 2,
					  &err));
	ck_assert(!safetensors_writer_add(&w, "y", ST_BF16, one, 1, bytes, 2,
					  &err));
	ck_assert(!safetensors_writer_add(&w, "a2", ST_U8, NULL, 0, bytes, 1,
					  &err));
	ck_assert(!safetensors_writer_add(&w, "q\"\\\x01\t/\xc3\xa9\x7f",
					  ST_BOOL, one, 1, bytes, 1, &err));
	ck_assert(!safetensors_writer_meta(&w, "b", "2", &err));
	ck_assert(!safetensors_writer_meta(&w, "a", "0", &err));
	ck_assert(!safetensors_writer_meta(&w, "a", "1\n", &err));

	buf_init(&b, 0);
	ck_assert(!safetensors_writer_serialize(&w, &b, &err));
	ck_assert_uint_eq(b.len % 8, 3);	/* 8 + padded header + 19 */
	ck_assert_uint_eq((unsigned char)b.data[0] |
			  (unsigned char)b.data[1] << 8, b.len - 8 - 19);
	ck_assert_mem_eq(b.data + 2, "\0\0\0\0\0\0", 6);
	ck_assert_mem_eq(b.data + 8, want, n);
	for (size_t i = 8 + n; i < b.len - 19; i++)
		ck_assert_int_eq(b.data[i], ' ');
	ck_assert_uint_eq((b.len - 19) % 8, 0);
	buf_release(&b);
	safetensors_writer_release(&w);
}
END_TEST

START_TEST(writer_refuses)
{
	uint64_t two[] = {2}, big[] = {1ull << 62, 8};
	float f[2] = {1, 2};
	struct st_writer w;
	struct sl_err err;

	safetensors_writer_init(&w);
	ck_assert(!safetensors_writer_add(&w, "x", ST_F32, two, 1, f, 8, &err));
	ck_assert_int_eq(safetensors_writer_add(&w, "x", ST_F32, two, 1, f, 8,
						&err), -1);
	ck_assert_str_eq(err.msg, "tensor 'x' added twice");
	ck_assert_int_eq(safetensors_writer_add(&w, "__metadata__", ST_F32,
						two, 1, f, 8, &err), -1);
	ck_assert_int_eq(safetensors_writer_add(&w, "y", ST_F32, two, 1, f, 4,
						&err), -1);
	ck_assert_str_eq(err.msg, "tensor 'y': shape needs 8 bytes, given 4");
	ck_assert_int_eq(safetensors_writer_add(&w, "y", ST_F32, big, 2, f, 4,
						&err), -1);
	ck_assert_int_eq(safetensors_writer_add(&w, "\xff", ST_U8, two, 1, f, 2,
						&err), -1);
	ck_assert_int_eq(safetensors_writer_add_f32(&w, "i", ST_I8, two, 1, f,
						    &err), -1);
	ck_assert_int_eq(safetensors_writer_meta(&w, "k", "\xc3", &err), -1);
	ck_assert_int_eq(safetensors_writer_write(&w, "/nonexistent/d/m.st",
						  &err), -1);
	ck_assert_ptr_nonnull(strstr(err.msg, "/nonexistent/d/"));
	ck_assert_uint_eq(w.nt, 1);
	safetensors_writer_release(&w);
}
END_TEST

static const struct st_tensor *must_find(struct safetensors *st,
					 const char *name, enum st_dtype dt,
					 size_t ndim)
{
	const struct st_tensor *t = safetensors_find(st, name);

	ck_assert_msg(t != NULL, "no tensor '%s'", name);
	ck_assert_str_eq(t->name, name);
	ck_assert_int_eq(t->dtype, dt);
	ck_assert_uint_eq(t->ndim, ndim);
	return t;
}

START_TEST(roundtrip_file)
{
	char dir[] = "/tmp/sluice-st-XXXXXX", path[64];
	uint64_t s23[] = {2, 3}, s3[] = {3}, s4[] = {4}, s05[] = {0, 5};
	float w[6] = {0.5f, -1.25f, 3.0f, 1e-3f, -0.0f, 7.0f}, out[6];
	float h[3] = {1.0f, 65504.0f, 1.0f / 3}, bf[3] = {1.0f, -2.5f, 1e30f};
	int64_t ids[3] = {-1, 0, 1ll << 40};
	unsigned char mask[4] = {1, 0, 1, 1};
	double scalar = 2.718281828;
	const struct st_tensor *t;
	struct safetensors *st;
	struct st_writer wr;
	struct sl_err err;
	const char *k, *v;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/m.safetensors", dir);
	safetensors_writer_init(&wr);
	ck_assert(!safetensors_writer_add(&wr, "enc.w", ST_F32, s23, 2, w,
					  sizeof(w), &err));
	ck_assert(!safetensors_writer_add_f32(&wr, "half", ST_F16, s3, 1, h,
					      &err));
	ck_assert(!safetensors_writer_add_f32(&wr, "brain", ST_BF16, s3, 1,
					      bf, &err));
	ck_assert(!safetensors_writer_add(&wr, "ids", ST_I64, s3, 1, ids,
					  sizeof(ids), &err));
	ck_assert(!safetensors_writer_add(&wr, "mask", ST_BOOL, s4, 1, mask,
					  4, &err));
	ck_assert(!safetensors_writer_add(&wr, "scalar", ST_F64, NULL, 0,
					  &scalar, 8, &err));
	ck_assert(!safetensors_writer_add(&wr, "zero", ST_F32, s05, 2, NULL,
					  0, &err));
	ck_assert(!safetensors_writer_meta(&wr, "arch", "encoder-v1", &err));
	ck_assert(!safetensors_writer_meta(&wr, "tokenizer", "bpe \"x\"",
					   &err));
	ck_assert_msg(!safetensors_writer_write(&wr, path, &err), "%s",
		      err.msg);
	safetensors_writer_release(&wr);

	ck_assert_msg(!safetensors_open(&st, path, &err), "%s", err.msg);
	ck_assert_uint_eq(safetensors_count(st), 7);
	ck_assert_str_eq(safetensors_meta(st, "arch"), "encoder-v1");
	ck_assert_str_eq(safetensors_meta(st, "tokenizer"), "bpe \"x\"");
	ck_assert_ptr_null(safetensors_meta(st, "nope"));
	ck_assert_uint_eq(safetensors_meta_count(st), 2);
	ck_assert(!safetensors_meta_at(st, 0, &k, &v));
	ck_assert_str_eq(k, "arch");
	ck_assert_int_eq(safetensors_meta_at(st, 2, &k, &v), -1);
	ck_assert_ptr_null(safetensors_find(st, "missing"));
	ck_assert_ptr_null(safetensors_tensor_at(st, 7));

	/* file order is the writer's layout: 8-byte types first */
	ck_assert_str_eq(safetensors_tensor_at(st, 0)->name, "ids");
	ck_assert_str_eq(safetensors_tensor_at(st, 1)->name, "scalar");
	ck_assert_str_eq(safetensors_tensor_at(st, 6)->name, "mask");

	t = must_find(st, "enc.w", ST_F32, 2);
	ck_assert_uint_eq(t->shape[0], 2);
	ck_assert_uint_eq(t->shape[1], 3);
	ck_assert_uint_eq(t->nelem, 6);
	ck_assert_uint_eq(t->nbytes, 24);
	ck_assert_mem_eq(t->data, w, sizeof(w));
	ck_assert(safetensors_aligned(t));
	ck_assert_ptr_eq(safetensors_f32(t), t->data);
	ck_assert(!safetensors_to_f32(t, out, 6, &err));
	ck_assert_mem_eq(out, w, sizeof(w));
	ck_assert_int_eq(safetensors_to_f32(t, out, 5, &err), -1);
	ck_assert_str_eq(err.msg, "tensor 'enc.w' has 6 elements, not 5");

	t = must_find(st, "half", ST_F16, 1);
	ck_assert(safetensors_aligned(t));
	ck_assert_ptr_null(safetensors_f32(t));
	ck_assert(!safetensors_to_f32(t, out, 3, &err));
	ck_assert_float_eq(out[0], 1.0f);
	ck_assert_float_eq(out[1], 65504.0f);
	ck_assert_float_eq(out[2], half_to_f32(0x3555));	/* 1/3 in f16 */

	t = must_find(st, "brain", ST_BF16, 1);
	ck_assert(!safetensors_to_f32(t, out, 3, &err));
	ck_assert_float_eq(out[1], -2.5f);
	ck_assert_uint_eq(fbits(out[2]) & 0xffff, 0);
	ck_assert_float_eq_tol(out[2], 1e30f, 1e28f);

	t = must_find(st, "ids", ST_I64, 1);
	ck_assert_mem_eq(t->data, ids, sizeof(ids));
	ck_assert(!safetensors_to_f32(t, out, 3, &err));
	ck_assert_float_eq(out[0], -1.0f);
	ck_assert_float_eq(out[2], 1099511627776.0f);

	t = must_find(st, "mask", ST_BOOL, 1);
	ck_assert_mem_eq(t->data, mask, 4);
	t = must_find(st, "scalar", ST_F64, 0);
	ck_assert_uint_eq(t->nelem, 1);
	ck_assert_mem_eq(t->data, &scalar, 8);
	t = must_find(st, "zero", ST_F32, 2);
	ck_assert_uint_eq(t->nelem, 0);
	ck_assert_uint_eq(t->nbytes, 0);
	ck_assert(!safetensors_to_f32(t, out, 0, &err));
	safetensors_close(st);
	unlink(path);
	rmdir(dir);
}
END_TEST

/* A valid file built here byte by byte from the spec, not by our writer:
 * entry keys in another order, __metadata__ in the middle, whitespace
 * around the JSON, a header length that leaves the data unaligned, a
 * scalar, an empty tensor and tensors listed out of offset order. */
START_TEST(handmade_file)
{
	static const char hdr[] =
		"  {\"z\": {\"shape\": [3], \"dtype\": \"F16\", "
		"\"data_offsets\": [4, 10]},\n"
		" \"__metadata__\": {\"arch\": \"enc\", \"t\": \"\\u00fc\"},"
		"\"a\":{\"data_offsets\":[0,4],\"dtype\":\"F32\",\"shape\":[]},"
		"\"e\":{\"dtype\":\"BF16\",\"shape\":[2,0],"
		"\"data_offsets\":[10,10]},"
		"\"i\":{\"dtype\":\"I8\",\"shape\":[2],\"data_offsets\":[10,12]}"
		"}   ";
	static const unsigned char data[12] = {
		0x00, 0x00, 0xc0, 0x3f,			/* a = 1.5f */
		0x00, 0x3c, 0x00, 0xc0, 0xff, 0x7b,	/* z = 1, -2, 65504 */
		0xfd, 0x7f,				/* i = -3, 127 */
	};
	size_t n = sizeof(hdr) - 1, size = 8 + n + sizeof(data);
	unsigned char *mem = malloc(size + 8), *img = mem + 1;
	const struct st_tensor *t;
	struct safetensors *st;
	struct sl_err err;
	float out[3];

	/* malloc'd memory is 16-aligned: at mem + 1, 8 + n = 288 leaves "a"
	 * at an odd address */
	ck_assert_uint_eq(n, 280);
	for (int i = 0; i < 8; i++)
		img[i] = (unsigned char)((uint64_t)n >> (8 * i));
	memcpy(img + 8, hdr, n);
	memcpy(img + 8 + n, data, sizeof(data));
	ck_assert_msg(!safetensors_parse_mem(&st, img, size, "hand.st", &err),
		      "%s", err.msg);
	ck_assert_uint_eq(safetensors_count(st), 4);
	ck_assert_str_eq(safetensors_tensor_at(st, 0)->name, "a");
	ck_assert_str_eq(safetensors_tensor_at(st, 1)->name, "z");
	ck_assert_str_eq(safetensors_meta(st, "arch"), "enc");
	ck_assert_str_eq(safetensors_meta(st, "t"), "\xc3\xbc");

	t = must_find(st, "a", ST_F32, 0);
	ck_assert_ptr_eq(t->data, img + 8 + n);
	ck_assert(!safetensors_aligned(t));
	ck_assert_ptr_null(safetensors_f32(t));
	ck_assert(!safetensors_to_f32(t, out, 1, &err));
	ck_assert_float_eq(out[0], 1.5f);

	t = must_find(st, "z", ST_F16, 1);
	ck_assert_uint_eq(t->offset, 4);
	ck_assert(!safetensors_to_f32(t, out, 3, &err));
	ck_assert_float_eq(out[0], 1.0f);
	ck_assert_float_eq(out[1], -2.0f);
	ck_assert_float_eq(out[2], 65504.0f);

	t = must_find(st, "e", ST_BF16, 2);
	ck_assert_uint_eq(t->nbytes, 0);
	t = must_find(st, "i", ST_I8, 1);
	ck_assert(!safetensors_to_f32(t, out, 2, &err));
	ck_assert_float_eq(out[0], -3.0f);
	ck_assert_float_eq(out[1], 127.0f);
	safetensors_close(st);

	/* the same bytes one further: "a" now is (or is not) aligned */
	memmove(mem, img, size);
	ck_assert(!safetensors_parse_mem(&st, mem, size, NULL, &err));
	t = safetensors_find(st, "a");
	ck_assert(!safetensors_aligned(t) == ((uintptr_t)t->data % 4 != 0));
	safetensors_close(st);
	free(mem);
}
END_TEST

static char *read_text(const char *path)
{
	FILE *f = fopen(path, "r");
	char line[512];
	size_t n;

	if (!f || !fgets(line, sizeof(line), f)) {
		if (f)
			fclose(f);
		return NULL;
	}
	fclose(f);
	n = strlen(line);
	if (n && line[n - 1] == '\n')
		line[n - 1] = '\0';
	return strdup(line);
}

static unsigned char *read_all(const char *path, size_t *size)
{
	FILE *f = fopen(path, "rb");
	unsigned char *p = malloc(1 << 20);

	ck_assert_ptr_nonnull(f);
	*size = fread(p, 1, 1 << 20, f);
	fclose(f);
	return p;
}

static int by_name(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

/* Every bad/NAME.safetensors is refused, by open() and by parse_mem(),
 * with a message that names the file and contains bad/NAME.err. */
START_TEST(bad_files)
{
	struct dirent **ents;
	int n = scandir(BAD_DIR, &ents, NULL, by_name), cases = 0;

	ck_assert_int_gt(n, 0);
	for (int i = 0; i < n; i++) {
		char path[512], errpath[512], *want, *dot;
		struct safetensors *st = (void *)1;
		struct sl_err err;
		unsigned char *img;
		size_t size;

		dot = strrchr(ents[i]->d_name, '.');
		if (!dot || strcmp(dot, ".safetensors")) {
			free(ents[i]);
			continue;
		}
		snprintf(path, sizeof(path), BAD_DIR "/%s", ents[i]->d_name);
		snprintf(errpath, sizeof(errpath), BAD_DIR "/%.*s.err",
			 (int)(dot - ents[i]->d_name), ents[i]->d_name);
		free(ents[i]);
		want = read_text(errpath);
		ck_assert_msg(want != NULL, "no %s", errpath);

		err.msg[0] = '\0';
		ck_assert_msg(safetensors_open(&st, path, &err) == -1,
			      "%s was accepted", path);
		ck_assert_ptr_null(st);
		ck_assert_msg(strstr(err.msg, want) != NULL,
			      "%s: got \"%s\", want \"%s\"", path, err.msg,
			      want);
		ck_assert_msg(strstr(err.msg, path) != NULL,
			      "%s: message does not name the file: %s", path,
			      err.msg);

		img = read_all(path, &size);
		ck_assert_int_eq(safetensors_parse_mem(&st, img, size, "mem",
						       &err), -1);
		ck_assert_msg(strstr(err.msg, want) != NULL,
			      "%s (memory): got \"%s\"", path, err.msg);
		ck_assert(!strncmp(err.msg, "'mem': ", 7));
		free(img);
		free(want);
		cases++;
	}
	free(ents);
	ck_assert_int_ge(cases, 49);
}
END_TEST

/* The tensors of tests/data/safetensors/make_good.py, added in another
 * order; our writer must produce the bytes that script's independent
 * implementation of Python's serialize() wrote. */
START_TEST(python_layout)
{
	static const struct {
		const char *name;
		enum st_dtype dt;
		size_t ndim;
		uint64_t shape[2];
	} tab[] = {
		{"b.weight", ST_F32, 2, {2, 3}}, {"a.bias", ST_F32, 1, {3}},
		{"emb", ST_BF16, 2, {2, 2}}, {"h", ST_F16, 1, {3}},
		{"ids", ST_I64, 1, {2}}, {"tok", ST_I32, 1, {1}},
		{"q", ST_I8, 1, {3}}, {"flags", ST_BOOL, 1, {2}},
		{"u", ST_U8, 0, {0}}, {"d", ST_F64, 1, {1}},
		{"zero", ST_F32, 2, {0, 4}},
		{"\xc3\xbcn\"\n\x01", ST_U16, 1, {1}},
		{"e4", ST_F8_E4M3, 1, {2}}, {"w", ST_U32, 1, {1}},
		{"s", ST_I16, 1, {2}}, {"big", ST_U64, 1, {1}},
	};
	enum { N = sizeof(tab) / sizeof(tab[0]) };
	unsigned char data[N][64];
	struct st_writer w;
	struct sl_err err;
	unsigned char *want;
	size_t size;

	safetensors_writer_init(&w);
	for (size_t k = 0; k < N; k++) {
		size_t i = (k * 7) % N;		/* 7 is prime to 16: a shuffle */
		size_t n = st_dtype_size(tab[i].dt);

		for (size_t d = 0; d < tab[i].ndim; d++)
			n *= tab[i].shape[d];
		for (size_t j = 0; j < n; j++)
			data[i][j] = (unsigned char)(31 * i + 7 * j);
		ck_assert_msg(!safetensors_writer_add(&w, tab[i].name,
						      tab[i].dt, tab[i].shape,
						      tab[i].ndim, data[i], n,
						      &err), "%s", err.msg);
	}
	ck_assert(!safetensors_writer_meta(&w, "vocab", "50257", &err));
	ck_assert(!safetensors_writer_meta(&w, "note", "tab\there \xc3\xa9",
					   &err));
	ck_assert(!safetensors_writer_meta(&w, "arch", "encoder", &err));
	want = read_all(GOOD_DIR "/python_layout.safetensors", &size);
	expect_bytes(&w, want, size);
	free(want);
	safetensors_writer_release(&w);
}
END_TEST

/* Every good/NAME.safetensors opens, and each tensor converts or is F8. */
START_TEST(good_files)
{
	struct dirent **ents;
	int n = scandir(GOOD_DIR, &ents, NULL, by_name), cases = 0;

	ck_assert_int_gt(n, 0);
	for (int i = 0; i < n; i++) {
		char path[512], *dot = strrchr(ents[i]->d_name, '.');
		struct safetensors *st;
		struct sl_err err;

		if (dot && !strcmp(dot, ".safetensors")) {
			snprintf(path, sizeof(path), GOOD_DIR "/%s",
				 ents[i]->d_name);
			ck_assert_msg(!safetensors_open(&st, path, &err),
				      "%s", err.msg);
			for (size_t j = 0; j < safetensors_count(st); j++) {
				const struct st_tensor *t =
					safetensors_tensor_at(st, j);
				float *out = malloc(t->nelem * 4 + 4);
				int rc = safetensors_to_f32(t, out, t->nelem,
							    &err);

				ck_assert(!rc || t->dtype == ST_F8_E4M3 ||
					  t->dtype == ST_F8_E5M2);
				ck_assert(safetensors_aligned(t));
				free(out);
			}
			safetensors_close(st);
			cases++;
		}
		free(ents[i]);
	}
	free(ents);
	ck_assert_int_ge(cases, 1);
}
END_TEST

START_TEST(open_errors)
{
	struct safetensors *st;
	struct sl_err err;

	ck_assert_int_eq(safetensors_open(&st, "tests/data/nope.st", &err), -1);
	ck_assert_str_eq(err.msg, "cannot open 'tests/data/nope.st': "
				  "No such file or directory");
	ck_assert_int_eq(safetensors_open(&st, "tests", &err), -1);
	ck_assert_str_eq(err.msg, "'tests': not a regular file");
}
END_TEST

/* A tensor name with control bytes is shown with '?' in messages. */
START_TEST(messages_are_printable)
{
	static const char img[] =
		"\x41\0\0\0\0\0\0\0"
		"{\"a\\u001b[31m\":{\"dtype\":\"U8\",\"shape\":[2],"
		"\"data_offsets\":[0,1]}}  x";
	struct safetensors *st;
	struct sl_err err;

	ck_assert_uint_eq(strlen(img + 8), 0x41 + 1);
	ck_assert_int_eq(safetensors_parse_mem(&st, img, sizeof(img) - 1,
					       "f", &err), -1);
	ck_assert_str_eq(err.msg, "'f': tensor 'a?[31m': shape [2] U8 needs "
				  "2 bytes, data_offsets span 1");
}
END_TEST

static Suite *safetensors_suite(void)
{
	Suite *s = suite_create("safetensors");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, half_roundtrip_all);
	tcase_add_test(tc, half_rounding);
#ifdef __FLT16_MAX__
	tcase_add_test(tc, half_matches_compiler);
#endif
	tcase_add_test(tc, bf16_rounding);
	tcase_add_test(tc, dtype_table);
	tcase_add_test(tc, writer_matches_reference_bytes);
	tcase_add_test(tc, writer_layout_and_escapes);
	tcase_add_test(tc, writer_refuses);
	tcase_add_test(tc, roundtrip_file);
	tcase_add_test(tc, handmade_file);
	tcase_add_test(tc, bad_files);
	tcase_add_test(tc, python_layout);
	tcase_add_test(tc, good_files);
	tcase_add_test(tc, open_errors);
	tcase_add_test(tc, messages_are_printable);
	suite_add_tcase(s, tc);
	return s;
}

SL_CHECK_MAIN(safetensors_suite)
