#pragma once

// The encoders' int8 products on AVX-512 VNNI, our own kernel (EncoderPrecision::Int8; torch_int8.h
// runs it, oneDNN's matmul, int8_matmul.h, where it does not run). Torch-free, one thread per call.
//
//   sums[r, n] = Σₖ q[r, k] · w8[n, k]      q uint8 [rows, in], w8 int8 [out, in], sums int32 [rows, out]
//
// exact (vpdpbusd sums four u8 × s8 pairs into int32 without saturating; in ≤ 65536 keeps every
// sum inside int32), so the result equals oneDNN's bit for bit and the scalar reference's.
// Intel SDM vol. 2, VPDPBUSD. The weights are packed once in panels of 32 output columns — per
// panel [in / 4][32][4] bytes, the four k of a column side by side as VPDPBUSD takes them — and a
// call computes tiles of 12 rows × 32 columns over the whole of `in`: 24 int32 accumulators, per
// step of four k two weight loads and 12 broadcasts of four activation bytes. A panel (in · 32
// bytes, 24 KB at 768) stays in L1 across a tile's rows; rows are the caller's blocks (torch_int8.cpp
// passes 48, whose sums stay in L2 for the epilogue).

#include <cstdint>
#include <memory>

namespace bioforge::viral {

// The sums scaled back as they leave the tile (int8_kernels.h's int8Epilogue, the same bits):
// y[r, n] = step[r] · (scales[n] · P[r, n]) + (lo[r] · rowSums[n] + bias[n]) (bias null: 0);
// step and lo per row of the call, scales, rowSums and bias per output column.
struct Int8Scaling {
    const float* step = nullptr;
    const float* lo = nullptr;
    const float* scales = nullptr;
    const float* rowSums = nullptr;
    const float* bias = nullptr;
};

class VnniWeights {
public:
    // Whether the kernel runs here: AVX-512 F, BW, VL and VNNI (x86-64 only).
    static bool runs();
    // Whether it takes weights of this shape: in a positive multiple of 4 up to 65536, out ≥ 1.
    static bool takes(int64_t out, int64_t in);
    // Packs w8 [out, in] row-major; the shape must be one `takes` accepts (std::invalid_argument).
    VnniWeights(const int8_t* w8, int64_t out, int64_t in);
    ~VnniWeights();
    VnniWeights(const VnniWeights&) = delete;
    VnniWeights& operator=(const VnniWeights&) = delete;

    int64_t out() const { return m_out; }
    int64_t in() const { return m_in; }
    // sums[r · ldSums + n] for r < rows, n < out, from q[r · ldQ + k] (k < in). Runs only where
    // runs() (the caller checks). ldQ ≥ in, ldSums ≥ out.
    void product(const uint8_t* q, int64_t ldQ, int64_t rows, int32_t* sums, int64_t ldSums) const;
    // The same scaled back in the tile (Int8Scaling; step and lo hold `rows` values): y[r · ldY + n]
    // float32, never the int32 sums in memory.
    void productScaled(const uint8_t* q, int64_t ldQ, int64_t rows, const Int8Scaling& scaling, float* y, int64_t ldY) const;

private:
    int64_t m_out, m_in;
    std::unique_ptr<int8_t, void (*)(void*)> m_panels; // ceil(out / 32) panels, zero columns past out
};

// The scalar reference: the same sums from w8 [out, in] as given, any in ≥ 1.
void int8ProductReference(const uint8_t* q, int64_t ldQ, int64_t rows, const int8_t* w8, int64_t out, int64_t in, int32_t* sums,
                          int64_t ldSums);

} // namespace bioforge::viral
