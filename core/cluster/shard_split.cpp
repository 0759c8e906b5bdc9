#include "cluster/shard_split.h"

#include <QStringList>

#include <algorithm>
#include <cmath>

namespace bioforge::core {

std::vector<ShardRange> splitBalanced(const std::vector<ShardUnit>& units, int shards)
{
    std::vector<ShardRange> out;
    const qint64 n = qint64(units.size());
    if (n == 0)
        return out;
    shards = std::max(shards, 1);
    // Allowed cut positions p (a shard ends before unit p) with the weight before them.
    std::vector<std::pair<qint64, qint64>> cuts; // (position, cumulative weight)
    qint64 total = 0;
    for (qint64 i = 0; i < n; ++i) {
        total += units[size_t(i)].weight;
        if (i + 1 < n && units[size_t(i)].cutAfter)
            cuts.emplace_back(i + 1, total);
    }
    std::vector<qint64> chosen;
    size_t from = 0; // first candidate after the previous cut
    if (size_t(shards - 1) >= cuts.size()) { // every allowed cut is needed
        for (const auto& c : cuts)
            chosen.push_back(c.first);
        from = cuts.size();
    }
    for (int j = 1; j < shards && from < cuts.size(); ++j) {
        const double target = double(total) * j / shards;
        size_t best = from;
        for (size_t c = from; c < cuts.size(); ++c) {
            if (std::abs(double(cuts[c].second) - target) < std::abs(double(cuts[best].second) - target))
                best = c;
            if (double(cuts[c].second) > target)
                break; // cumulative weights only grow
        }
        // Leave later cuts for later shards where there is room.
        const size_t remaining = size_t(shards - 1 - j);
        if (cuts.size() - best - 1 < remaining)
            best = std::max(from, cuts.size() - 1 - remaining);
        chosen.push_back(cuts[best].first);
        from = best + 1;
    }
    qint64 begin = 0;
    chosen.push_back(n);
    for (qint64 end : chosen) {
        ShardRange r{begin, end, 0};
        for (qint64 i = begin; i < end; ++i)
            r.weight += units[size_t(i)].weight;
        out.push_back(r);
        begin = end;
    }
    return out;
}

double shardImbalance(const std::vector<ShardRange>& ranges)
{
    if (ranges.empty())
        return 0;
    qint64 total = 0, largest = 0;
    for (const ShardRange& r : ranges) {
        total += r.weight;
        largest = std::max(largest, r.weight);
    }
    return total > 0 ? double(largest) * double(ranges.size()) / double(total) : 1.0;
}

Expected<ShardSpec> parseShardSpec(const QString& text, const QString& verb)
{
    const QStringList parts = text.split(QLatin1Char('/'));
    bool okIndex = false, okCount = false;
    const int index = parts.size() == 2 ? parts[0].toInt(&okIndex) : 0;
    const int count = parts.size() == 2 ? parts[1].toInt(&okCount) : 0;
    if (!okIndex || !okCount || count < 1 || index < 1 || index > count)
        return Error(QStringLiteral("%1: shard '%2': expected i/N with 1 ≤ i ≤ N (e.g. 2/8)").arg(verb, text));
    return ShardSpec{index - 1, count};
}

} // namespace bioforge::core
