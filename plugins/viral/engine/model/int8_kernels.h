#pragma once

// The element-wise steps around the encoders' int8 products (EncoderPrecision::Int8; the
// product itself is int8_matmul.h): each token's float32 activations rounded to uint8 over
// their own range, and the int32 sums scaled back to float32. Torch-free, one thread, plain
// arrays; torch_int8.cpp (int8Round, int8Linear) runs them over a batch's rows.
//
// The rounding (asymmetric, per token; Jacob et al. 2018, "Quantization and Training of
// Neural Networks for Efficient Integer-Arithmetic-Only Inference", eq. 1, with the range of
// each token's row rather than of the batch — as LLM.int8()'s vector-wise quantization,
// Dettmers et al. 2022, takes one per row):
//   step = (hi − lo) / levels        levels = 255 (8-bit) or 127 (7-bit)
//   q    = round_half_even(clamp((x − lo) · (1 / step), 0, levels))   so x ≈ lo + step · q
// and with int8 weights ŵ = s[n] · w8[n, k] (one symmetric scale per output row):
//   y[n] = Σₖ x[k] ŵ[n, k] ≈ step · s[n] · P[n] + lo · R[n] + bias[n]
//   P[n] = Σₖ q[k] w8[n, k] (int32, exact), R[n] = s[n] · Σₖ w8[n, k]
// Vector (AVX-512) versions run where the CPU has AVX-512 F/BW/DQ/VL; otherwise the scalar
// references, which the tests compare them with.

#include <cstddef>
#include <cstdint>

namespace bioforge::viral {

// A row's range: the least and the greatest value, and whether every value is finite (when not,
// lo and hi are unspecified).
struct RowRange {
    float lo = 0;
    float hi = 0;
    bool finite = true;
};

// Whether the AVX-512 versions run here (AVX-512 F, BW, DQ, VL).
bool int8VectorKernels();

// The range of x[0..n); n ≥ 1.
RowRange rowRange(const float* x, size_t n);
// q[i] = round_half_even(clamp((x[i] − lo) · inverseStep, 0, levels)) for i < n, computed in
// float32 in that order (x − lo, then the product); NaN gives 0. levels ≤ 255.
void quantizeRow(const float* x, uint8_t* q, size_t n, float lo, float inverseStep, float levels);
// y[i] = step · (scales[i] · P[i]) + (lo · rowSums[i] + bias[i]) for i < n (bias null: 0). y may
// alias product (the int32 sums are read before each float is written).
void int8Epilogue(const int32_t* product, float* y, size_t n, float step, float lo, const float* scales, const float* rowSums, const float* bias);

// A LayerNorm of one row (Ba et al. 2016, "Layer Normalization"; torch.nn.LayerNorm's biased
// variance), run in the int8 products' epilogues while the row is in cache (torch_int8.h,
// int8LinearResidual): y[i] = ((x[i] − μ) · r) · γ[i] + β[i] with one rounding for the last
// product and sum (fma), μ = S / n, r = 1 / √(V / n + eps), S = Σ x[i] and V = Σ (x[i] − μ)²
// each summed in 16 lanes (lane l takes i ≡ l mod 16 in order, V with an fma per term) and the
// lanes added pairwise (l + 8, then + 4, + 2, + 1). Fixed order, so vector and scalar give the same
// bits; within a few float32 ulps of at::layer_norm (whose Welford sums differ in order). n ≥ 1;
// y may be x. A row holding NaN or ±inf gives NaN values.
void layerNormRow(const float* x, float* y, size_t n, const float* gamma, const float* beta, float eps);

// y[i] = a[i] + b[i] for i < n (a residual sum; y may be a or b).
void addRow(const float* a, const float* b, float* y, size_t n);

// The scalar references.
void layerNormRowReference(const float* x, float* y, size_t n, const float* gamma, const float* beta, float eps);
RowRange rowRangeReference(const float* x, size_t n);
void quantizeRowReference(const float* x, uint8_t* q, size_t n, float lo, float inverseStep, float levels);
void int8EpilogueReference(const int32_t* product, float* y, size_t n, float step, float lo, const float* scales, const float* rowSums,
                           const float* bias);

} // namespace bioforge::viral
