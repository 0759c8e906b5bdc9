#pragma once

// Results of contigs computed by earlier runs of the project, so that a
// contig whose sequence and settings are unchanged is not recomputed. One
// small JSON file per contig under <project>/cache/viral/<result key>/,
// named by the SHA-256 of its upper-cased sequence, written atomically and
// checked on read (its key, checksum and shape); anything that does not check
// out is ignored and the contig is computed again.

#include "util/expected.h"

#include <QString>

#include <optional>
#include <string>
#include <vector>

namespace bioforge::viral {

struct CachedFrame {
    int chunk = 0;
    std::string frame;
    int64_t nucleotideLength = 0;
    int64_t proteinLength = 0;
    std::vector<float> probabilities;
};

struct CachedContig {
    int64_t length = 0;
    int chunks = 0;
    std::vector<CachedFrame> frames;
    // Who computed it: the run's id and the program ("0.1.0 (commit …)"), so that a run reusing it
    // can say where its values came from (trial 25 T25-16). Empty in entries of earlier versions.
    QString run, program;
};

class ResultCache {
public:
    // An empty folder disables the cache.
    ResultCache(const QString& projectCacheDir, const QString& resultKey);

    bool enabled() const { return !m_dir.isEmpty(); }
    std::optional<CachedContig> find(const QString& sequenceSha256) const;
    core::Status store(const QString& sequenceSha256, const CachedContig& contig) const;

private:
    QString pathOf(const QString& sha) const;
    QString m_dir;
    QString m_key;
};

} // namespace bioforge::viral
