/*
 * half.h: 16-bit floating point formats, converted to and from float.
 *
 * F16 is IEEE 754 binary16 (1 sign, 5 exponent, 10 mantissa bits); BF16 is
 * "brain float", the top half of a binary32 (1, 8, 7).  Both are how model
 * weights are commonly stored in safetensors files.
 *
 * float -> half rounds to nearest, ties to even (as IEEE, numpy and PyTorch
 * do); values too large become infinity, values too small become (signed)
 * zero or subnormals.  NaN stays NaN (made quiet; the top payload bits are
 * kept).  half -> float is exact.  The functions are pure: no state, no
 * errors.
 */
#ifndef SL_HALF_H
#define SL_HALF_H

#include <stdint.h>

uint16_t half_from_f32(float f);
float half_to_f32(uint16_t h);

uint16_t bf16_from_f32(float f);
float bf16_to_f32(uint16_t h);

#endif
