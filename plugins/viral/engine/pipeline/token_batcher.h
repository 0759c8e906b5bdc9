#pragma once

// Length-sorted dynamic batching by token budget. The reference pads whole
// batches of a fixed count (or fills a budget in input order); here items are
// sorted by length (longest first, ties by index: deterministic) and packed
// while the padded size — rows × longest row — stays within the budget, so
// rows of similar length share a batch and little is padding. An item longer
// than the budget gets a batch of its own.

#include <cstdint>
#include <vector>

namespace bioforge::viral {

struct TokenBatches {
    std::vector<std::vector<int64_t>> batches; // item indices, longest first
    int64_t realTokens = 0;
    int64_t paddedTokens = 0; // rows × longest row, summed over batches

    double paddingFraction() const { return paddedTokens ? 1.0 - double(realTokens) / double(paddedTokens) : 0.0; }
};

TokenBatches batchByTokenBudget(const std::vector<int64_t>& lengths, int64_t tokenBudget);

// What fixed batches of `batchSize` items in input order would pad (the reference's way), for comparison.
TokenBatches fixedBatches(const std::vector<int64_t>& lengths, int64_t batchSize);

} // namespace bioforge::viral
