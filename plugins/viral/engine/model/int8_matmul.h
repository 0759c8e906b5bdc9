#pragma once

// The encoders' int8 products (EncoderPrecision::Int8): P = q · w8ᵀ, uint8 activations
// q [rows, in] by int8 weights w8 [out, in], exact int32 sums P [rows, out], on oneDNN's matmul
// (the library Debian's LibTorch itself links, libdnnl 2.6; its VNNI kernels do 64 u8 × s8
// products per instruction). Torch-free; int8_kernels.h rounds the activations and scales P
// back, torch_int8.h (int8Linear) puts the two together. Where the CPU has AVX-512 VNNI our own
// kernel (int8_gemm.h) computes the same sums instead.
//
// Built where CMake found oneDNN (BIOFORGE_ONEDNN; Debian: libdnnl-dev); elsewhere
// int8MatmulStatus says so and nothing packs.

#include "util/expected.h"

#include <QString>

#include <cstdint>
#include <memory>

namespace bioforge::viral {

class Int8Matmul {
public:
    // w8 [out, in] row-major; copied into oneDNN's blocked layout for this CPU.
    // Errors: no oneDNN in this build, out/in < 1, oneDNN's own (the message names it).
    static core::Expected<std::shared_ptr<const Int8Matmul>> pack(const int8_t* w8, int64_t out, int64_t in);
    ~Int8Matmul();

    // P [rows, out] = q [rows, in] · w8ᵀ, both row-major, rows ≥ 1. Safe from several threads
    // at once (each call makes its primitive on its own thread); runs on the calling thread's
    // OpenMP team (LibTorch's intra-op threads).
    core::Status run(const uint8_t* q, int64_t rows, int32_t* product) const;

    int64_t out() const { return m_out; }
    int64_t in() const { return m_in; }
    // oneDNN's kernel for `rows` rows with the packed layout, e.g. "brg:avx512_core_vnni" (what
    // run() uses unless it had to reorder), or the error's text.
    QString kernelFor(int64_t rows) const;

private:
    struct Packed;
    Int8Matmul(int64_t out, int64_t in, std::unique_ptr<Packed> packed);
    int64_t m_out;
    int64_t m_in;
    std::unique_ptr<Packed> m_packed;
};

// Whether this build can run int8 products (an error naming the missing library if not).
core::Status int8MatmulStatus();
// oneDNN's version and the implementation it picks for the encoders' product shape on this CPU,
// e.g. "oneDNN 2.6.3, brg:avx512_core_vnni" (for provenance).
QString int8MatmulImplementation();

} // namespace bioforge::viral
