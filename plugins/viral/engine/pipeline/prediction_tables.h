#pragma once

// The result files of a prediction run, written contig by contig (memory
// stays flat) into temporary files that become visible only on commit():
//  - prediction_results.txt: the reference's layout, one line per frame:
//    Sequence_ID, Prediction (the argmax class name), score1, score2 … (the
//    class probabilities as NumPy prints float32);
//  - frames.tsv, chunks.tsv, contigs.tsv: ours — every frame, every chunk
//    with its best frame, every contig with its scores and call.

#include "pipeline/contig_call.h"
#include "pipeline/frame_shard.h"
#include "util/expected.h"

#include <QSaveFile>
#include <QStringList>

#include <memory>
#include <string>
#include <vector>

namespace bioforge::viral {

struct FrameResult {
    int chunk = 0;
    std::string frame;
    int64_t nucleotideLength = 0;
    int64_t proteinLength = 0;
    std::vector<float> probabilities;
};

struct ContigSummary {
    int64_t contigs = 0, viral = 0, unscored = 0, reused = 0, frames = 0, chunks = 0;
    std::vector<std::string> firstUnscored; // the ids of the first few unscored contigs, to name them in a warning
};

// The warning naming contigs without a call ("contigs without a call ('unscored' in contigs.tsv):
// 2 of 9, …: a, b and 1 more"); `named` holds the first few ids (ContigSummary::firstUnscored, or
// a merge's concatenation). Empty when `unscored` is 0. The prefix kUnscoredWarning marks it.
inline constexpr const char* kUnscoredWarning = "contigs without a call ('unscored' in contigs.tsv): ";
inline constexpr size_t kNamedUnscored = 5; // ids a warning names
QString unscoredWarning(int64_t unscored, int64_t contigs, const QStringList& named);

class PredictionTables {
public:
    PredictionTables(QString folder, QStringList classNames, int positiveClass, CallRule rule, int chunkLength);
    ~PredictionTables();

    core::Status open(const QStringList& inputFiles);
    // A contig's frames arrive in frame order, in one or more pieces (a long
    // contig spans shards): beginContig, addFrames for each piece, endContig.
    // Memory holds one score per chunk of the open contig, never its frames.
    // Errors: the contig's chunk count (from a checkpoint) is not the count its
    // length gives at this run's chunk length; nothing is sized by it then.
    core::Status beginContig(const ShardContig& contig);
    core::Status addFrames(const std::vector<FrameResult>& frames);
    core::Status endContig();
    core::Status commit();
    const ContigSummary& summary() const { return m_summary; }

private:
    core::Status write(QSaveFile& file, const QByteArray& line);

    QString m_folder;
    QStringList m_classes;
    int m_positive;
    CallRule m_rule;
    int m_chunkLength;
    QStringList m_inputs;
    std::unique_ptr<QSaveFile> m_reference, m_frames, m_chunks, m_contigs;
    ContigSummary m_summary;
    // The open contig.
    ShardContig m_contig;
    std::vector<ChunkScore> m_chunkScores;
    int64_t m_contigFrames = 0;
};

} // namespace bioforge::viral
