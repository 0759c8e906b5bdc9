#include "sequence/chunker.h"

#include <algorithm>

namespace bioforge::viral {

std::vector<ChunkSpan> chunkLayout(int64_t n, int64_t length)
{
    std::vector<ChunkSpan> chunks;
    if (n <= 0 || length <= 0)
        return chunks;
    const int64_t k = (n + length - 1) / length;
    const int64_t overshoot = k * length - n;
    const int64_t q = overshoot / k;
    const int64_t u = overshoot - q * (k - 1);
    const int64_t longSteps = std::min(u, k - 1);
    chunks.reserve(size_t(k));
    int64_t taken = 0; // sum of the back-steps so far
    for (int64_t i = 0; i < k; ++i) {
        const int64_t start = i * length - taken;
        chunks.push_back({int(i + 1), start, std::min(length, n - start)});
        taken += i < longSteps ? q + 1 : q;
    }
    return chunks;
}

std::string chunkId(std::string_view contigId, int index)
{
    std::string id(contigId);
    id += "_chunk_";
    id += std::to_string(index);
    return id;
}

} // namespace bioforge::viral
