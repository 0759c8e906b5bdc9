#include "pipeline/token_batcher.h"

#include <algorithm>
#include <numeric>

namespace bioforge::viral {

TokenBatches batchByTokenBudget(const std::vector<int64_t>& lengths, int64_t tokenBudget)
{
    TokenBatches out;
    std::vector<int64_t> order(lengths.size());
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(), [&](int64_t a, int64_t b) { return lengths[size_t(a)] > lengths[size_t(b)]; });
    std::vector<int64_t> current;
    int64_t longest = 0;
    auto close = [&] {
        if (current.empty())
            return;
        out.paddedTokens += longest * int64_t(current.size());
        out.batches.push_back(std::move(current));
        current.clear();
        longest = 0;
    };
    for (int64_t index : order) {
        const int64_t len = std::max<int64_t>(1, lengths[size_t(index)]);
        const int64_t newLongest = std::max(longest, len);
        if (!current.empty() && newLongest * int64_t(current.size() + 1) > tokenBudget)
            close();
        longest = std::max(longest, len);
        current.push_back(index);
        out.realTokens += len;
    }
    close();
    return out;
}

TokenBatches fixedBatches(const std::vector<int64_t>& lengths, int64_t batchSize)
{
    TokenBatches out;
    for (size_t start = 0; start < lengths.size(); start += size_t(batchSize)) {
        std::vector<int64_t> batch;
        int64_t longest = 0;
        for (size_t i = start; i < std::min(lengths.size(), start + size_t(batchSize)); ++i) {
            batch.push_back(int64_t(i));
            longest = std::max(longest, lengths[i]);
            out.realTokens += lengths[i];
        }
        out.paddedTokens += longest * int64_t(batch.size());
        out.batches.push_back(std::move(batch));
    }
    return out;
}

} // namespace bioforge::viral
