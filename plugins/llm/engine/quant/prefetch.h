#pragma once

// Software prefetch of weight blocks ahead of the kernels that stream them.
// Weight rows are one forward stream per thread; the hardware prefetchers
// alone kept one thread's Q8_0 generation at ~78 % of its memory bandwidth
// (29.6 of 37.8 GB/s, AVX-512 kernels, this project's VMs). Prefetching each
// block 8 KiB ahead took it to ~99 % (4 KiB gained little, 16 KiB the same
// as 8). Used by the AVX2 and AVX-512 kernels (docs/performance.md).

#include <immintrin.h>

#include <cstddef>
#include <cstdint>

namespace bioforge::llm {

constexpr size_t kPrefetchBytes = 8192;

// The cache lines of a block of `Bytes` that starts kPrefetchBytes ahead.
// Prefetches never fault; the address arithmetic is on integers because the
// target may lie past the weights.
template <size_t Bytes>
inline void prefetchAhead(const void* block)
{
    const uintptr_t p = reinterpret_cast<uintptr_t>(block) + kPrefetchBytes;
    for (size_t offset = 0; offset < Bytes; offset += 64)
        _mm_prefetch(reinterpret_cast<const char*>(p + offset), _MM_HINT_T0);
}

} // namespace bioforge::llm
