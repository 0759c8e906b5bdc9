#pragma once

// From frame scores to a call per contig: frame → chunk (the chunk's best
// frame, i.e. its highest virus probability) → contig (mean and max of the
// chunk scores, and the fraction of chunks at or above the threshold). The
// rule that turns these into the contig's label is the user's choice and is
// written next to every result.

#include <QString>

#include <optional>
#include <vector>

namespace bioforge::viral {

enum class ContigRule { MeanScore, MaxScore, ViralFraction };

struct CallRule {
    ContigRule rule = ContigRule::MeanScore;
    double threshold = 0.5;     // a chunk (and, for Mean/Max, the contig) is viral at or above it
    double minFraction = 0.5;   // ViralFraction: share of viral chunks needed

    QString describe() const;   // "viral when the mean chunk score ≥ 0.5"
    static std::optional<ContigRule> ruleFromName(const QString& name); // "mean", "max", "fraction"
    static QString ruleName(ContigRule rule);
};

struct ChunkScore {
    int chunk = 0;          // 1-based chunk index
    double score = 0;       // best frame's virus probability (0 when no frame was kept)
    QString bestFrame;      // "F1" … "R3", empty when no frame was kept
    int frames = 0;         // frames kept for the chunk
};

struct ContigCall {
    double meanScore = 0;
    double maxScore = 0;
    double viralFraction = 0;
    int scoredChunks = 0;   // chunks with at least one frame
    bool viral = false;
    bool scored = false;    // false when no chunk had a frame to score
};

ContigCall callContig(const std::vector<ChunkScore>& chunks, const CallRule& rule);

} // namespace bioforge::viral
