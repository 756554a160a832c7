/*
 * half.c: binary16 and bfloat16 <-> binary32 by bit manipulation.
 *
 * binary32: s eeeeeeee mmmmmmmmmmmmmmmmmmmmmmm   bias 127
 * binary16: s eeeee mmmmmmmmmm                   bias 15, subnormal unit 2^-24
 * bfloat16: s eeeeeeee mmmmmmm                   the top 16 bits of binary32
 *
 * Rounding to nearest even is done on the integer bits: look at the bits
 * that fall off, round up when they exceed half a unit, or equal it and the
 * kept part is odd.  A carry out of the mantissa bumps the exponent, which
 * is exactly the right result (up to infinity).
 */
#include "half.h"

#include <string.h>

#include "../lib/banned.h"

static uint32_t f32_bits(float f)
{
	uint32_t x;

	memcpy(&x, &f, sizeof(x));
	return x;
}

static float bits_f32(uint32_t x)
{
	float f;

	memcpy(&f, &x, sizeof(f));
	return f;
}

/* Round the value m * 2^-shift to an integer, ties to even. */
static uint32_t shift_rne(uint32_t m, unsigned shift)
{
	uint32_t kept = m >> shift;
	uint32_t rest = m & ((1u << shift) - 1);
	uint32_t half = 1u << (shift - 1);

	if (rest > half || (rest == half && (kept & 1)))
		kept++;
	return kept;
}

uint16_t half_from_f32(float f)
{
	uint32_t x = f32_bits(f);
	uint32_t sign = (x >> 16) & 0x8000;
	uint32_t ax = x & 0x7fffffff;
	uint32_t e;

	if (ax > 0x7f800000)		/* NaN: quiet, keep top payload bits */
		return (uint16_t)(sign | 0x7e00 | ((ax >> 13) & 0x3ff));
	if (ax >= 0x477ff000)		/* >= 65520 rounds past 65504 */
		return (uint16_t)(sign | 0x7c00);
	if (ax >= 0x38800000)		/* >= 2^-14: a normal half */
		return (uint16_t)(sign | shift_rne(ax - 0x38000000, 13));
	if (ax <= 0x33000000)		/* <= 2^-25: ties to 0, the even one */
		return (uint16_t)sign;
	/* subnormal half: the value in units of 2^-24, from the full
	 * significand; a round up to 0x400 is the smallest normal, correctly */
	e = ax >> 23;
	return (uint16_t)(sign | shift_rne((ax & 0x7fffff) | 0x800000,
					   126 - e));
}

float half_to_f32(uint16_t h)
{
	uint32_t sign = (uint32_t)(h & 0x8000) << 16;
	uint32_t e = (h >> 10) & 0x1f, m = h & 0x3ff;

	if (e == 0x1f)
		return bits_f32(sign | 0x7f800000 | (m << 13));
	if (e)
		return bits_f32(sign | ((e + 112) << 23) | (m << 13));
	if (!m)
		return bits_f32(sign);
	/* subnormal: shift the leading 1 up to the implicit bit */
	e = 113;
	while (!(m & 0x400)) {
		m <<= 1;
		e--;
	}
	return bits_f32(sign | (e << 23) | ((m & 0x3ff) << 13));
}

uint16_t bf16_from_f32(float f)
{
	uint32_t x = f32_bits(f);

	if ((x & 0x7fffffff) > 0x7f800000)	/* NaN: keep it one, quiet */
		return (uint16_t)((x >> 16) | 0x40);
	return (uint16_t)(shift_rne(x, 16));
}

float bf16_to_f32(uint16_t h)
{
	return bits_f32((uint32_t)h << 16);
}
