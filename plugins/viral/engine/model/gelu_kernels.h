#pragma once

// GELU on the encoders' feed-forward activations (float32), and DNABERT-S's
// gated form (float32 and bfloat16, the gate multiply fused), on 16 lanes with
// glibc's vector erf (libmvec, _ZGVeN16v_erff, glibc ≥ 2.35). LibTorch's CPU
// GELU calls SLEEF's 1-ulp erf on 8 lanes (PyTorch 1.13 keeps AVX-512 off by
// default) wherever it does not hand a contiguous bfloat16 tensor to oneDNN:
// 15.5 % of a DNABERT-S bfloat16 batch on an AVX-512 Xeon before, 5.6 % after
// (perf, docs/performance.md).
//
//   gelu(x) = x/2 · (1 + erf(x/√2))   (Hendrycks & Gimpel 2016, "Gaussian
//   Error Linear Units"; the exact form, torch.nn.GELU(approximate='none'),
//   which ESM-2 and DNABERT-S use)
//
// Torch-free: plain arrays, one thread; torch_layers.h wraps them for tensors.

#include <cstddef>
#include <cstdint>

namespace bioforge::viral {

// Whether the vector kernels run on this CPU (AVX-512 F, BW, DQ enabled by the OS). Without
// them the functions below run the scalar reference.
bool geluVectorKernels();

// y[i] = gelu(a[i]) · b[i], or gelu(a[i]) when b is null; n elements (any n ≥ 0). y may be a.
// float32: within 4 ulp of the reference (erf from libmvec, ≤ 4 ulp by glibc's tables).
void geluFloat(const float* a, const float* b, float* y, size_t n);
// bfloat16 (the upper half of a float32, as c10::BFloat16 stores it): computed in float32,
// rounded once to nearest-even (NaN stays NaN). LibTorch rounds gelu(a) and the product
// separately; this one rounding is the more accurate.
void geluBFloat16(const uint16_t* a, const uint16_t* b, uint16_t* y, size_t n);

// The scalar references (std::erf), which the vector kernels are tested against.
void geluFloatReference(const float* a, const float* b, float* y, size_t n);
void geluBFloat16Reference(const uint16_t* a, const uint16_t* b, uint16_t* y, size_t n);

// float32 → bfloat16, round to nearest even; NaN → a quiet NaN of the same sign (c10's rule).
uint16_t roundToBFloat16(float x);
float fromBFloat16(uint16_t x);

} // namespace bioforge::viral
