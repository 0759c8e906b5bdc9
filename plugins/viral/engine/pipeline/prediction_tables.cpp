#include "pipeline/prediction_tables.h"

#include "io/atomic_file.h"
#include "io/fasta_reader.h"
#include "pipeline/float_text.h"
#include "sequence/chunker.h"

#include <QDir>
#include <QFileInfo>

#include <algorithm>

namespace bioforge::viral {

using core::Error;

namespace {

// The longest contig the run reads (core::FastaReader's limit, contig_source.cpp).
const int64_t kMaxContigLength = core::FastaLimits{}.maxSequenceLength;

QByteArray num(double x) { return QByteArray::fromStdString(numpyFloat32Text(float(x))); }

int argmax(const std::vector<float>& p)
{
    return int(std::max_element(p.begin(), p.end()) - p.begin()); // the first of equal maxima, as torch.max
}

} // namespace

PredictionTables::PredictionTables(QString folder, QStringList classNames, int positiveClass, CallRule rule, int chunkLength)
    : m_folder(std::move(folder)), m_classes(std::move(classNames)), m_positive(positiveClass), m_rule(rule), m_chunkLength(chunkLength)
{
}

PredictionTables::~PredictionTables() = default;

core::Status PredictionTables::open(const QStringList& inputFiles)
{
    m_inputs = inputFiles;
    const QDir dir(m_folder);
    auto make = [&](const char* name) {
        auto f = std::make_unique<QSaveFile>(dir.filePath(QLatin1String(name)));
        return f->open(QIODevice::WriteOnly) ? std::move(f) : nullptr;
    };
    m_reference = make("prediction_results.txt");
    m_frames = make("frames.tsv");
    m_chunks = make("chunks.tsv");
    m_contigs = make("contigs.tsv");
    if (!m_reference || !m_frames || !m_chunks || !m_contigs)
        return Error(QStringLiteral("%1: cannot create the result files").arg(m_folder));
    QByteArray scores, probs;
    for (int i = 0; i < m_classes.size(); ++i) {
        scores += "\tscore" + QByteArray::number(i + 1);
        probs += "\tp_" + m_classes[i].toUtf8();
    }
    for (const auto& [file, header] :
         {std::pair{m_reference.get(), "Sequence_ID\tPrediction" + scores},
          {m_frames.get(), "frame_id\tcontig\tfile\tchunk\tframe\tnucleotide_length\tprotein_length\tprediction" + probs + "\treused"},
          {m_chunks.get(), QByteArray("contig\tchunk\tstart\tlength\tframes\tbest_frame\tscore")},
          {m_contigs.get(), QByteArray("contig\tfile\tlength\tchunks\tscored_chunks\tframes\tmean_score\tmax_score\tviral_fraction\tcall\treused")}})
        if (auto st = write(*file, header + '\n'); !st)
            return st;
    return core::okStatus();
}

core::Status PredictionTables::write(QSaveFile& file, const QByteArray& line)
{
    if (file.write(line) != line.size())
        return Error(QStringLiteral("%1: write failed: %2").arg(file.fileName(), core::AtomicFile::failureReason(file)));
    return core::okStatus();
}

core::Status PredictionTables::beginContig(const ShardContig& contig)
{
    // Both numbers come from a checkpoint; the chunk count sizes the scores below, so it must be
    // the one the length gives (chunkLayout's count, ceil(length / chunk length)).
    const bool lengthOk = contig.length >= 0 && contig.length <= kMaxContigLength;
    const int64_t expected = lengthOk ? (contig.length + m_chunkLength - 1) / m_chunkLength : -1;
    if (!lengthOk)
        return Error(QStringLiteral("contig %1: length %2 is outside 0 to %3").arg(QString::fromStdString(contig.id), QString::number(contig.length),
                                                                                   QString::number(kMaxContigLength)));
    if (contig.chunks != expected)
        return Error(QStringLiteral("contig %1: %2 chunks recorded for a length of %3, which gives %4 chunks of %5")
                         .arg(QString::fromStdString(contig.id), QString::number(contig.chunks), QString::number(contig.length),
                              QString::number(expected), QString::number(m_chunkLength)));
    m_contig = contig;
    m_chunkScores.assign(size_t(contig.chunks), ChunkScore());
    for (size_t i = 0; i < m_chunkScores.size(); ++i)
        m_chunkScores[i].chunk = int(i) + 1;
    m_contigFrames = 0;
    return core::okStatus();
}

core::Status PredictionTables::addFrames(const std::vector<FrameResult>& frames)
{
    const ShardContig& contig = m_contig;
    const QByteArray id = QByteArray::fromStdString(contig.id);
    const QByteArray file = QFileInfo(m_inputs.value(contig.file)).fileName().toUtf8();
    const QByteArray reused = contig.reused ? "yes" : "no";
    for (const FrameResult& f : frames) {
        const QByteArray frameId = QByteArray::fromStdString(chunkId(contig.id, f.chunk) + f.frame);
        const int label = argmax(f.probabilities);
        QByteArray scores;
        for (float p : f.probabilities)
            scores += '\t' + num(p);
        if (auto st = write(*m_reference, frameId + '\t' + m_classes.value(label).toUtf8() + scores + '\n'); !st)
            return st;
        if (auto st = write(*m_frames, frameId + '\t' + id + '\t' + file + '\t' + QByteArray::number(f.chunk) + '\t' + QByteArray::fromStdString(f.frame) + '\t'
                                           + QByteArray::number(f.nucleotideLength) + '\t' + QByteArray::number(f.proteinLength) + '\t'
                                           + m_classes.value(label).toUtf8() + scores + '\t' + reused + '\n');
            !st)
            return st;
        if (f.chunk < 1 || f.chunk > contig.chunks || f.probabilities.size() <= size_t(m_positive))
            return Error(QStringLiteral("contig %1: frame of chunk %2, which does not exist").arg(QString::fromStdString(contig.id), QString::number(f.chunk)));
        ChunkScore& c = m_chunkScores[size_t(f.chunk - 1)];
        const double score = f.probabilities[size_t(m_positive)];
        if (c.frames == 0 || score > c.score) {
            c.score = score;
            c.bestFrame = QString::fromStdString(f.frame);
        }
        ++c.frames;
    }
    m_contigFrames += int64_t(frames.size());
    return core::okStatus();
}

QString unscoredWarning(int64_t unscored, int64_t contigs, const QStringList& named)
{
    if (unscored <= 0)
        return {};
    QString ids = named.join(QStringLiteral(", "));
    if (unscored > int64_t(named.size()))
        ids += QStringLiteral(" and %1 more").arg(unscored - int64_t(named.size()));
    // Frames are the codons of A, C, G and T only, without a stop (six_frames.cpp): a chunk shorter
    // than a codon, or of N and other ambiguity codes, or with a stop in every frame, gives none.
    return QLatin1String(kUnscoredWarning)
           + QStringLiteral("%1 of %2, no chunk with a reading frame to score (shorter than a codon, only N or other ambiguity codes, "
                            "or a stop codon in every frame): %3")
                 .arg(QString::number(unscored), QString::number(contigs), ids);
}

core::Status PredictionTables::endContig()
{
    const ShardContig& contig = m_contig;
    const QByteArray id = QByteArray::fromStdString(contig.id);
    const QByteArray file = QFileInfo(m_inputs.value(contig.file)).fileName().toUtf8();
    const QByteArray reused = contig.reused ? "yes" : "no";
    const std::vector<ChunkSpan> layout = chunkLayout(contig.length, m_chunkLength);
    for (size_t i = 0; i < m_chunkScores.size(); ++i) {
        const ChunkScore& c = m_chunkScores[i];
        const QByteArray start = i < layout.size() ? QByteArray::number(layout[i].start) : QByteArray("?");
        const QByteArray length = i < layout.size() ? QByteArray::number(layout[i].length) : QByteArray("?");
        if (auto st = write(*m_chunks, id + '\t' + QByteArray::number(c.chunk) + '\t' + start + '\t' + length + '\t' + QByteArray::number(c.frames) + '\t'
                                           + (c.frames ? c.bestFrame.toUtf8() : QByteArray("-")) + '\t' + (c.frames ? num(c.score) : QByteArray("NA")) + '\n');
            !st)
            return st;
    }
    const ContigCall call = callContig(m_chunkScores, m_rule);
    const QByteArray label = !call.scored ? QByteArray("unscored") : call.viral ? QByteArray("viral") : QByteArray("non-viral");
    auto scoreText = [&](double x) { return call.scored ? num(x) : QByteArray("NA"); };
    if (auto st = write(*m_contigs, id + '\t' + file + '\t' + QByteArray::number(contig.length) + '\t' + QByteArray::number(contig.chunks) + '\t'
                                        + QByteArray::number(call.scoredChunks) + '\t' + QByteArray::number(m_contigFrames) + '\t'
                                        + scoreText(call.meanScore) + '\t' + scoreText(call.maxScore) + '\t' + scoreText(call.viralFraction) + '\t' + label
                                        + '\t' + reused + '\n');
        !st)
        return st;
    ++m_summary.contigs;
    m_summary.viral += call.viral ? 1 : 0;
    m_summary.unscored += call.scored ? 0 : 1;
    if (!call.scored && m_summary.firstUnscored.size() < kNamedUnscored)
        m_summary.firstUnscored.push_back(contig.id);
    m_summary.reused += contig.reused ? 1 : 0;
    m_summary.frames += m_contigFrames;
    m_summary.chunks += contig.chunks;
    m_chunkScores.clear();
    m_chunkScores.shrink_to_fit();
    return core::okStatus();
}

core::Status PredictionTables::commit()
{
    for (QSaveFile* f : {m_reference.get(), m_frames.get(), m_chunks.get(), m_contigs.get()}) {
        if (!f)
            return Error(QStringLiteral("%1: the result files were never opened").arg(m_folder));
        if (core::Status done = core::AtomicFile::commit(*f); !done)
            return done;
    }
    return core::okStatus();
}

} // namespace bioforge::viral
