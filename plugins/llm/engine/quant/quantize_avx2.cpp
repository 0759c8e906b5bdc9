// AVX2 forms of the Q8_0 activation quantisation (x86 llama.cpp's
// quantize_row_q8_0): the bytes of the scalar quantizeActivationsQ8_0, in
// ggml's BlockQ8_0 rows and in the tiles of the AVX2 batched kernels. The
// scalar loop (a libm nearbyint call per element) was ~5 % of a Q8_0 prompt.
// Only called when the CPU has AVX2 (vec_dot.cpp); tests compare the bytes.

#include "quant/block_layouts.h"
#include "quant/q8_block_avx2.h"
#include "quant/vec_dot.h"

#include <cstring>

namespace bioforge::llm::avx2 {

void quantizeActivationsQ8_0(const float* src, void* dst, int64_t n)
{
    auto* blocks = static_cast<BlockQ8_0*>(dst);
    for (int64_t b = 0; b < n / kQK8_0; ++b) {
        const QuantBlock q = quantizeQ8Block(src + b * kQK8_0);
        blocks[b].d = q.half;
        _mm256_storeu_si256(reinterpret_cast<__m256i*>(blocks[b].qs), q.q);
    }
}

void quantizeActivationsQ8_0Tile(const float* src, int64_t n, int tokens, void* dst)
{
    auto* tile = static_cast<BlockQ8_0Tile*>(dst);
    const int64_t blocks = n / kQK8_0;
    for (int j = 0; j < kQ8TileTokens; ++j)
        for (int64_t b = 0; b < blocks; ++b) {
            if (j >= tokens) { // absent tokens: zero scale and quants
                tile[b].d[j] = 0.0f;
                std::memset(tile[b].qs[j], 0, kQK8_0);
                continue;
            }
            const QuantBlock q = quantizeQ8Block(src + j * n + b * kQK8_0);
            tile[b].d[j] = q.d;
            _mm256_storeu_si256(reinterpret_cast<__m256i*>(tile[b].qs[j]), q.q);
        }
}

} // namespace bioforge::llm::avx2
