#include "quant/packed_q8_pairs.h"

#include "quant/block_layouts.h"
#include "quant/half.h"
#include "quant/quantize.h"

#include <cstring>

namespace bioforge::llm {

void quantizeActivationsPackedQ8Pairs(const float* src, void* dst, int64_t n)
{
    const int64_t blocks = n / kQK8_0;
    auto* pairs = static_cast<PackedQ8Pair*>(dst);
    for (int64_t p = 0; p < packedQ8PairCount(n); ++p) {
        BlockQ8_0 two[2] = {};
        const int64_t present = blocks - 2 * p >= 2 ? 2 : 1;
        quantizeActivationsQ8_0(src + 2 * p * kQK8_0, two, present * kQK8_0);
        PackedQ8Pair& out = pairs[p];
        for (int h = 0; h < 2; ++h) {
            const float d = h < present ? halfToFloat(two[h].d) : 0.0f;
            for (int k = 0; k < 8; ++k)
                out.d[8 * h + k] = d;
            for (int i = 0; i < kQK8_0; ++i)
                out.u[32 * h + i] = uint8_t(int(two[h].qs[i]) + 128);
        }
    }
}

void unpackQ8Pairs(const void* src, void* dstBlocks, int64_t n)
{
    const auto* pairs = static_cast<const PackedQ8Pair*>(src);
    auto* blocks = static_cast<BlockQ8_0*>(dstBlocks);
    const int64_t count = n / kQK8_0;
    for (int64_t b = 0; b < count; ++b) {
        const PackedQ8Pair& pair = pairs[b / 2];
        const int h = int(b % 2);
        blocks[b].d = floatToHalf(pair.d[8 * h]);
        for (int i = 0; i < kQK8_0; ++i)
            blocks[b].qs[i] = int8_t(int(pair.u[32 * h + i]) - 128);
    }
}

} // namespace bioforge::llm
