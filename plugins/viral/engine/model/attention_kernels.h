#pragma once

// The encoders' self-attention for one (sequence, head) in one pass, float32:
//
//   out[i, :] = Σⱼ pᵢⱼ v[j, :],   pᵢⱼ = softmax over the sequence's real keys j of
//   sᵢⱼ = scale · (q[i, :] · k[j, :]) − slope · |i − j|
//
// (Vaswani et al. 2017, "Attention Is All You Need", eq. 1; the ALiBi bias of Press et al. 2022,
// "Train Short, Test Long", which DNABERT-2 / DNABERT-S use; slope 0 for ESM-2, whose q and k
// are rotated by position instead — here too, from the rotary tables, so that q, k and v are read
// in place from the fused q/k/v product). It replaces LibTorch's batched q·kᵀ product, padding mask,
// softmax, second product and the transpose back to [B, T, heads·D] — the [B, heads, T, T] score
// tensor is never stored: each thread keeps eight rows of scores in cache (EncoderPrecision::Int8
// only; float32 and bf16 keep LibTorch's operations and their bits).
//
// Padding keys are left out (weight 0, their values never read); every query row is computed,
// padding ones included. A sequence with no real key gives NaN rows (softmax over nothing, as
// LibTorch's gives with every key masked). A NaN or +inf score gives a NaN row, as LibTorch's
// softmax does.
//
// Vector (AVX-512) version where the CPU has AVX-512 F/BW/DQ/VL (int8VectorKernels); it sums in
// another order and takes glibc's vector exp (libmvec, _ZGVeN16v_expf, ≤ 4 ulp), so it agrees
// with the scalar reference to a few float32 ulps of the output's scale, not bit for bit.
// Torch-free, one (sequence, head) per call: torch_layers.cpp runs the calls over threads.

#include <cstdint>

namespace bioforge::viral {

// Where element (b, t, h, d) of a [B, T, heads, D] tensor lies: data + b·batch + t·token + h·head + d.
struct HeadLayout {
    int64_t batch = 0;
    int64_t token = 0;
    int64_t head = 0;
};

struct AttentionProblem {
    int64_t tokens = 0;   // T ≥ 1
    int64_t headSize = 0; // D ≥ 1
    const float* q = nullptr;
    const float* k = nullptr;
    const float* v = nullptr;
    HeadLayout in;  // q, k and v's layout (one for all three)
    float* out = nullptr;
    HeadLayout outLayout;
    float scale = 1;                     // multiplies q · k
    const float* slopes = nullptr;       // ALiBi slope per head, or null (no bias)
    const uint8_t* keyPadding = nullptr; // [B, T], non-zero at padding keys, or null (none)
    // Rotary position tables [T, D] (D even), or null: q and k at position t are first rotated,
    // x·cos[t] + rotate_half(x)·sin[t], rotate_half(x) = [−x2, x1] (RoFormer, Su et al. 2021, as
    // ESM-2 applies it; the tables: cos and sin of [t·f, t·f] over the frequencies f).
    const float* cos = nullptr;
    const float* sin = nullptr;
};

// out for sequence b and head h (the rows of every query of that pair).
void attendHead(const AttentionProblem& p, int64_t b, int64_t h);

// The scalar reference (sequential sums, std::exp), which the tests hold the vector one against.
void attendHeadReference(const AttentionProblem& p, int64_t b, int64_t h);

} // namespace bioforge::viral
