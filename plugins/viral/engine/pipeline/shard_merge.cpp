#include "pipeline/shard_merge.h"

#include "io/atomic_file.h"
#include "io/json_file.h"
#include "pipeline/embedding_stage.h"
#include "pipeline/prediction_tables.h"
#include "pipeline/tokenizer_warnings.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QSaveFile>
#include <QSet>

#include <optional>

namespace bioforge::viral {

using core::Error;

namespace {

// Header + the rows of every shard, streamed (tables can be large).
core::Status concatenateTable(const QStringList& dirs, const QString& name, const QString& outputDir)
{
    QSaveFile out(QDir(outputDir).filePath(name));
    if (!out.open(QIODevice::WriteOnly))
        return Error(QStringLiteral("%1: cannot create: %2").arg(out.fileName(), core::AtomicFile::failureReason(out)));
    QByteArray header;
    for (const QString& dir : dirs) {
        QFile in(QDir(dir).filePath(name));
        if (!in.open(QIODevice::ReadOnly))
            return Error(QStringLiteral("%1: cannot read the shard's table: %2").arg(in.fileName(), in.errorString()));
        const QByteArray first = in.readLine();
        if (!first.endsWith('\n'))
            return Error(QStringLiteral("%1: line 1: expected a header line").arg(in.fileName()));
        if (header.isEmpty()) {
            header = first;
            out.write(header);
        } else if (first != header) {
            return Error(QStringLiteral("%1: line 1: its header differs from the first shard's (%2)").arg(in.fileName(), QString::fromUtf8(header.trimmed())));
        }
        while (!in.atEnd()) {
            const QByteArray chunk = in.read(1 << 20);
            if (out.write(chunk) != chunk.size())
                return Error(QStringLiteral("%1: write failed: %2").arg(out.fileName(), core::AtomicFile::failureReason(out)));
        }
    }
    if (core::Status done = core::AtomicFile::commit(out); !done)
        return done.error();
    return core::okStatus();
}

// run_stats.json of the whole run: each encoder's padding share from the shards' summed token counts;
// elapsed_ms the shards' summed (their compute time; the run's own wall time is in its provenance),
// each shard's in shard_elapsed_ms. Nullopt when a shard's file is missing or has no token counts.
std::optional<QJsonObject> mergeRunStats(const QStringList& dirs)
{
    double sums[4] = {0, 0, 0, 0}, elapsed = 0;
    const char* keys[4] = {"dnabert_real_tokens", "dnabert_padded_tokens", "esm_real_tokens", "esm_padded_tokens"};
    QJsonArray perShard;
    for (const QString& dir : dirs) {
        const auto stats = core::readJsonObjectFile(QDir(dir).filePath(QStringLiteral("run_stats.json")));
        if (!stats)
            return std::nullopt;
        for (int k = 0; k < 4; ++k) {
            if (!stats->value(QLatin1String(keys[k])).isDouble())
                return std::nullopt;
            sums[k] += stats->value(QLatin1String(keys[k])).toDouble();
        }
        elapsed += stats->value(QLatin1String("elapsed_ms")).toDouble();
        perShard.append(stats->value(QLatin1String("elapsed_ms")).toDouble());
    }
    auto fraction = [](double real, double padded) { return padded > 0 ? 1.0 - real / padded : 0.0; };
    QJsonObject out{{QStringLiteral("dnabert_padding_fraction"), fraction(sums[0], sums[1])},
                    {QStringLiteral("esm_padding_fraction"), fraction(sums[2], sums[3])},
                    {QStringLiteral("elapsed_ms"), elapsed},
                    {QStringLiteral("shard_elapsed_ms"), perShard}};
    for (int k = 0; k < 4; ++k)
        out.insert(QLatin1String(keys[k]), sums[k]);
    return out;
}

core::Expected<QJsonObject> mergeSummaries(const QStringList& dirs)
{
    static const char* counts[] = {"contigs", "viral_contigs", "unscored_contigs", "reused_contigs", "chunks", "frames"};
    static const char* same[] = {"chunk_length", "call_rule", "classes", "encoder_precision"}; // "threshold" is in call_rule
    QJsonObject merged;
    QJsonArray warnings;
    QSet<QString> seen;
    QStringList examples; // unscored contigs' ids, shard after shard
    for (const QString& dir : dirs) {
        const QString file = QDir(dir).filePath(QStringLiteral("summary.json"));
        auto summary = core::readJsonObjectFile(file);
        if (!summary)
            return summary.error();
        if (merged.isEmpty()) {
            merged = *summary;
            for (const char* c : counts)
                merged.insert(QLatin1String(c), 0.0);
        }
        for (const char* key : same)
            if (summary->value(QLatin1String(key)) != merged.value(QLatin1String(key)))
                return Error(QStringLiteral("%1: '%2' differs from the first shard's").arg(file, QLatin1String(key)));
        for (const char* c : counts) {
            if (!summary->value(QLatin1String(c)).isDouble())
                return Error(QStringLiteral("%1: '%2': expected a number").arg(file, QLatin1String(c)));
            merged.insert(QLatin1String(c), merged.value(QLatin1String(c)).toDouble() + summary->value(QLatin1String(c)).toDouble());
        }
        for (const QJsonValue& e : summary->value(QLatin1String("unscored_examples")).toArray())
            examples << e.toString();
        for (const QJsonValue& w : summary->value(QLatin1String("warnings")).toArray())
            if (!w.toString().startsWith(QLatin1String(kUnscoredWarning)) && !seen.contains(w.toString())) { // a shard's own count: rebuilt below
                seen.insert(w.toString());
                warnings.append(w);
            }
    }
    // One unscored warning with the whole run's counts and its first ids, as a local run writes it.
    examples = examples.mid(0, qsizetype(kNamedUnscored));
    merged.insert(QStringLiteral("unscored_examples"), QJsonArray::fromStringList(examples));
    if (const QString w = unscoredWarning(int64_t(merged.value(QLatin1String("unscored_contigs")).toDouble()),
                                          int64_t(merged.value(QLatin1String("contigs")).toDouble()), examples);
        !w.isEmpty())
        warnings.append(w);
    merged.insert(QStringLiteral("warnings"), warnings);
    return merged;
}

} // namespace

core::Expected<QList<core::MergedOutput>> mergePredictOutputs(const QStringList& dirs, const QString& outputDir)
{
    if (dirs.isEmpty())
        return Error(QStringLiteral("no shard to merge"));
    QList<core::MergedOutput> outputs = {{QStringLiteral("predictions (reference layout)"), QStringLiteral("prediction_results.txt")},
                                         {QStringLiteral("contig calls"), QStringLiteral("contigs.tsv")},
                                         {QStringLiteral("chunk scores"), QStringLiteral("chunks.tsv")},
                                         {QStringLiteral("frame scores"), QStringLiteral("frames.tsv")}};
    for (const core::MergedOutput& o : outputs)
        if (core::Status st = concatenateTable(dirs, o.file, outputDir); !st)
            return st.error();
    auto summary = mergeSummaries(dirs);
    if (!summary)
        return summary.error();
    QSaveFile out(QDir(outputDir).filePath(QStringLiteral("summary.json")));
    const QByteArray text = QJsonDocument(*summary).toJson();
    if (!out.open(QIODevice::WriteOnly) || out.write(text) != text.size())
        return Error(QStringLiteral("%1: cannot write: %2").arg(out.fileName(), core::AtomicFile::failureReason(out)));
    if (core::Status done = core::AtomicFile::commit(out); !done)
        return done.error();
    outputs.append({QStringLiteral("summary"), QStringLiteral("summary.json")});
    if (auto stats = mergeRunStats(dirs)) { // shards of a version that wrote their token counts
        if (core::Status st = core::AtomicFile::write(QDir(outputDir).filePath(QStringLiteral("run_stats.json")), QJsonDocument(*stats).toJson()); !st)
            return st.error();
        outputs.append({QStringLiteral("run statistics (padding, elapsed time: vary from run to run)"), QStringLiteral("run_stats.json")});
    }
    return outputs;
}

QStringList mergePredictWarnings(const QList<QStringList>& byShard, const QString& mergedDir)
{
    // In the order of a single-machine run's stages: the input's and the models' (each shard's in
    // input order), each encoder's out-of-memory splits, the tokenizer's, the contigs without a call.
    enum Rank { Other, Dnabert, Esm, Tokenizer, Unscored, Ranks };
    auto rankOf = [](const QString& w) -> Rank {
        for (Encoder e : {Encoder::Dnabert, Encoder::Esm2})
            if (w.startsWith(QLatin1String(encoderStage(e)) + QStringLiteral(" stage: ")) && w.contains(QLatin1String("the batch was split in two")))
                return e == Encoder::Dnabert ? Dnabert : Esm;
        if (isUnknownPieceWarning(w) || hiddenTokenizerWarnings(w) >= 0)
            return Tokenizer;
        return w.startsWith(QLatin1String(kUnscoredWarning)) ? Unscored : Other;
    };
    QList<QStringList> ranked(Ranks);
    QSet<QString> seen;
    qint64 hiddenTokenizer = 0; // the shards' own "… and N more": counted, not listed
    int shardsWithTokenizer = 0;
    for (const QStringList& shard : byShard) {
        bool tokenizer = false;
        for (const QString& w : shard) {
            const Rank rank = rankOf(w);
            tokenizer = tokenizer || rank == Tokenizer;
            if (const qint64 hidden = hiddenTokenizerWarnings(w); hidden >= 0)
                hiddenTokenizer += hidden;
            else if (!seen.contains(w)) {
                seen.insert(w);
                ranked[rank] << w;
            }
        }
        shardsWithTokenizer += tokenizer ? 1 : 0;
    }
    ranked[Tokenizer] = tokenizerWarningLines(ranked[Tokenizer], hiddenTokenizer, shardsWithTokenizer > 1);
    // The merged summary's count: the run's own (none when no contig went without a call). Unreadable:
    // the shards' own counts, rather than none.
    if (const auto summary = core::readJsonObjectFile(QDir(mergedDir).filePath(QStringLiteral("summary.json")))) {
        ranked[Unscored].clear();
        for (const QJsonValue& w : summary->value(QLatin1String("warnings")).toArray())
            if (w.toString().startsWith(QLatin1String(kUnscoredWarning)))
                ranked[Unscored] << w.toString();
    }
    QStringList warnings;
    for (const QStringList& r : ranked)
        warnings += r;
    return warnings;
}

} // namespace bioforge::viral
