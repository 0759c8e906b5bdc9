#pragma once

// VirNucPro's chunking of a contig into pieces of (at most) L bases, its
// quirks included: k = ceil(n / L) chunks; the overshoot s = k·L − n is taken
// back in k − 1 steps, the first min(u, k − 1) of q + 1 bases and the rest
// of q, with q = floor(s / k) and u = s − q·(k − 1); chunk i + 1 starts at
// i·L minus the steps taken so far and takes L bases cut at the contig's end
// (so the last chunk can be shorter than L). n = 1000, L = 300 → starts 0,
// 249, 498, 747 (the last 253 bases); n < L → one chunk of n bases.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace bioforge::viral {

struct ChunkSpan {
    int index = 0;      // 1-based, as in the id "<contig>_chunk_<index>"
    int64_t start = 0;  // 0-based offset in the contig
    int64_t length = 0; // L, or fewer for a chunk cut at the end
};

// The chunk layout of a contig of n bases (none for n = 0). length > 0.
std::vector<ChunkSpan> chunkLayout(int64_t n, int64_t length);

// "<contig>_chunk_<index>".
std::string chunkId(std::string_view contigId, int index);

} // namespace bioforge::viral
