#pragma once

// A checkpoint's state (JSON) in one line a terminal can show, for `bioforge inspect`: a frame
// shard's state lists every contig with its SHA-256 (20 KB on one line, unreadable). Scalars are
// shown as JSON writes them, strings longer than kLongString characters cut ("…(64 chars)"),
// arrays of more than kShownItems items as "[N items]", objects nested deeper than kDepth as
// "{K keys}"; the line is cut at `width` characters with "…" (0: not cut). `inspect --full`
// prints the state whole.

#include <QJsonObject>
#include <QString>

namespace bioforge::core {

struct StateSummary {
    static constexpr int kShownItems = 3;
    static constexpr int kLongString = 40;
    static constexpr int kDepth = 2;
    static QString of(const QJsonObject& state, int width = 200);
};

} // namespace bioforge::core
