#include "pipeline/contig_call.h"

#include <algorithm>

namespace bioforge::viral {

QString CallRule::ruleName(ContigRule rule)
{
    switch (rule) {
    case ContigRule::MeanScore: return QStringLiteral("mean");
    case ContigRule::MaxScore: return QStringLiteral("max");
    case ContigRule::ViralFraction: return QStringLiteral("fraction");
    }
    return {};
}

std::optional<ContigRule> CallRule::ruleFromName(const QString& name)
{
    for (ContigRule r : {ContigRule::MeanScore, ContigRule::MaxScore, ContigRule::ViralFraction})
        if (ruleName(r) == name)
            return r;
    return std::nullopt;
}

QString CallRule::describe() const
{
    switch (rule) {
    case ContigRule::MeanScore: return QStringLiteral("viral when the mean chunk score is at least %1").arg(threshold);
    case ContigRule::MaxScore: return QStringLiteral("viral when the best chunk score is at least %1").arg(threshold);
    case ContigRule::ViralFraction:
        // A share, said as a percentage (a bare "1" read as one chunk), of the chunks with a frame to score.
        return QStringLiteral("viral when at least %1 % of the chunks that have a frame to score score %2 or more")
            .arg(QString::number(minFraction * 100, 'g', 4), QString::number(threshold));
    }
    return {};
}

ContigCall callContig(const std::vector<ChunkScore>& chunks, const CallRule& rule)
{
    ContigCall c;
    double sum = 0;
    int viralChunks = 0;
    for (const ChunkScore& chunk : chunks) {
        if (chunk.frames == 0)
            continue; // nothing to score: no frame survived translation
        ++c.scoredChunks;
        sum += chunk.score;
        c.maxScore = std::max(c.maxScore, chunk.score);
        viralChunks += chunk.score >= rule.threshold ? 1 : 0;
    }
    if (c.scoredChunks == 0)
        return c;
    c.scored = true;
    c.meanScore = sum / c.scoredChunks;
    c.viralFraction = double(viralChunks) / c.scoredChunks;
    switch (rule.rule) {
    case ContigRule::MeanScore: c.viral = c.meanScore >= rule.threshold; break;
    case ContigRule::MaxScore: c.viral = c.maxScore >= rule.threshold; break;
    case ContigRule::ViralFraction: c.viral = c.viralFraction >= rule.minFraction; break;
    }
    return c;
}

} // namespace bioforge::viral
