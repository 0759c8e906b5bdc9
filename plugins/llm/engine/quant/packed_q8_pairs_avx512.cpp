// AVX-512 form of quantizeActivationsPackedQ8Pairs: the same values as the
// scalar version (x86 llama.cpp's Q8_0 activation rule: multiplier 127/amax,
// round half to even), written straight into the packed layout. Only called
// when the CPU has AVX-512 (vec_dot.cpp); tests compare it bit for bit.

#include "quant/packed_q8_pairs.h"
#include "quant/q8_block_avx512.h"

#include <immintrin.h>


namespace bioforge::llm::avx512 {

void quantizePackedQ8Pairs(const float* src, void* dst, int64_t n)
{
    const int64_t blocks = n / 32;
    auto* pairs = static_cast<PackedQ8Pair*>(dst);
    const __m512i offset = _mm512_set1_epi8(char(0x80));
    for (int64_t p = 0; p < packedQ8PairCount(n); ++p) {
        const QuantBlock first = quantizeQ8Block(src + 64 * p);
        const QuantBlock second = 2 * p + 1 < blocks ? quantizeQ8Block(src + 64 * p + 32) : QuantBlock{_mm256_setzero_si256(), 0.0f};
        const __m512i q = _mm512_inserti64x4(_mm512_castsi256_si512(first.q), second.q, 1);
        _mm512_store_si512(pairs[p].u, _mm512_xor_si512(q, offset));
        _mm512_store_ps(pairs[p].d, _mm512_mask_blend_ps(__mmask16(0xFF00), _mm512_set1_ps(first.d), _mm512_set1_ps(second.d)));
    }
}

} // namespace bioforge::llm::avx512
