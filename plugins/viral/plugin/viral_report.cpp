#include "viral_report.h"


#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <algorithm>
#include <cmath>

namespace bioforge::viral {

namespace {

core::Expected<QJsonObject> readJson(const QString& path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return core::Error(QStringLiteral("%1: cannot read the run's results").arg(path));
    return QJsonDocument::fromJson(file.readAll()).object();
}

} // namespace

core::Expected<core::ReportContent> predictReport(const QString& runDir, const QString& title)
{
    const QDir dir(runDir);
    auto summary = readJson(dir.filePath(QStringLiteral("summary.json")));
    if (!summary)
        return summary.error();
    QFile contigsFile(dir.filePath(QStringLiteral("contigs.tsv")));
    if (!contigsFile.open(QIODevice::ReadOnly))
        return core::Error(QStringLiteral("%1: cannot read the contig calls").arg(contigsFile.fileName()));
    QList<QStringList> rows;
    const QList<QByteArray> lines = contigsFile.readAll().split('\n');
    for (qsizetype i = 1; i < lines.size(); ++i)
        if (!lines[i].isEmpty())
            rows << QString::fromUtf8(lines[i]).split(QLatin1Char('\t'));
    const QJsonObject& s = *summary;
    core::ReportContent report;
    report.title = title.isEmpty() ? QStringLiteral("Viral sequence prediction (VirNucPro)") : title;
    // The frames scored against the six a chunk is translated in ("76 chunks, 82 frames scored" read
    // as if frames were lost): the others hold a stop codon.
    const int chunks = s.value(QLatin1String("chunks")).toInt();
    report.summary = QStringLiteral("%1 contigs, %2 called viral, %3 without a translatable frame; %4 chunks of up to %5 bases (a contig's last may be "
                                    "shorter), %6 of their %7 reading "
                                    "frames scored (the others hold a stop codon); %8.")
                         .arg(s.value(QLatin1String("contigs")).toInt())
                         .arg(s.value(QLatin1String("viral_contigs")).toInt())
                         .arg(s.value(QLatin1String("unscored_contigs")).toInt())
                         .arg(chunks)
                         .arg(s.value(QLatin1String("chunk_length")).toInt())
                         .arg(s.value(QLatin1String("frames")).toInt())
                         .arg(6 * chunks)
                         .arg(s.value(QLatin1String("call_rule")).toString());
    if (const int reused = s.value(QLatin1String("reused_contigs")).toInt())
        report.summary += QStringLiteral(" %1 unchanged contigs were taken from earlier runs.").arg(reused);

    // contig file length chunks scored frames mean max fraction call reused
    std::vector<QStringList> scored;
    core::PlotSeries histogram{QStringLiteral("contigs"), {}, {}}, scatter{QStringLiteral("contigs"), {}, {}};
    for (const QStringList& r : rows) {
        if (r.size() < 11 || r[6] == QLatin1String("NA"))
            continue;
        scored.push_back(r);
        histogram.x.push_back(r[6].toDouble());
        scatter.x.push_back(r[2].toDouble());
        scatter.y.push_back(r[6].toDouble());
    }
    std::stable_sort(scored.begin(), scored.end(), [](const QStringList& a, const QStringList& b) { return a[6].toDouble() > b[6].toDouble(); });
    core::ReportSection calls;
    calls.heading = QStringLiteral("Contig calls");
    calls.paragraphs << QStringLiteral("Each chunk is translated in six reading frames (three on each strand); a frame holding a stop codon is not scored, "
                                       "and the chunk scores as its best remaining frame (virus probability); a contig's scores are the mean and the maximum "
                                       "of its chunk scores and the share of chunks at or above the threshold. Rule: %1. All contigs, chunks and "
                                       "frames are in contigs.tsv, chunks.tsv and frames.tsv; prediction_results.txt has the reference layout.")
                            .arg(s.value(QLatin1String("call_rule")).toString());
    core::ReportTable table;
    table.caption = QStringLiteral("Contigs by mean score (at most 50 shown)");
    table.header = {QStringLiteral("contig"), QStringLiteral("length"), QStringLiteral("chunks"), QStringLiteral("mean"), QStringLiteral("max"),
                    QStringLiteral("viral share"), QStringLiteral("call")};
    for (size_t i = 0; i < std::min<size_t>(50, scored.size()); ++i) {
        const QStringList& r = scored[i];
        // Three decimals to read (contigs.tsv keeps every digit).
        const auto score = [](const QString& v) { return QString::number(v.toDouble(), 'f', 3); };
        table.rows << QStringList{r[0], r[2], r[3], score(r[6]), score(r[7]), score(r[8]), r[9]};
    }
    calls.tables << table;
    core::ReportPlot hist;
    hist.kind = core::ReportPlot::Kind::Histogram;
    // The threshold as a dashed line where it decides the plotted statistic: under the mean rule (the
    // plots show each contig's mean chunk score; summary.json of runs since stop 59).
    const double threshold = s.value(QLatin1String("rule")).toString() == QLatin1String("mean") ? s.value(QLatin1String("threshold")).toDouble(std::nan(""))
                                                                                                : std::nan("");
    const QString dashed = std::isfinite(threshold) ? QStringLiteral(" (dashed: the threshold, %1)").arg(threshold) : QString();
    hist.caption = QStringLiteral("Mean chunk score per contig") + dashed;
    hist.xMarker = threshold;
    hist.xLabel = QStringLiteral("virus score");
    hist.yLabel = QStringLiteral("contigs");
    hist.bins = 20;
    hist.xMin = 0; // a probability: the whole 0..1
    hist.xMax = 1;
    hist.series << histogram;
    core::ReportPlot scat;
    scat.kind = core::ReportPlot::Kind::Scatter;
    scat.caption = QStringLiteral("Score against contig length") + dashed;
    scat.yMarker = threshold;
    scat.xLabel = QStringLiteral("length (bases)");
    scat.xLogWhenWide = true;
    scat.yLabel = QStringLiteral("mean virus score");
    scat.yMin = 0;
    scat.yMax = 1;
    scat.series << scatter;
    calls.plots << hist << scat;
    report.sections << calls;
    // The run's warnings (summary.json's "warnings" are the same) are the report's own Warnings section.
    return report;
}

core::Expected<core::ReportContent> validateReport(const QString& runDir)
{
    auto v = readJson(QDir(runDir).filePath(QStringLiteral("validation.json")));
    if (!v)
        return v.error();
    core::ReportContent report;
    report.title = QStringLiteral("Viral models: validation");
    report.summary = QStringLiteral("The three models loaded, fit together and ran a tiny input through the whole pipeline.");
    core::ReportSection section;
    section.heading = QStringLiteral("Models");
    core::ReportTable t;
    t.header = {QStringLiteral("model"), QStringLiteral("shape")};
    t.rows << QStringList{QStringLiteral("DNABERT-S"), QStringLiteral("%1 layers, width %2").arg(v->value(QLatin1String("dnabert")).toObject().value(QLatin1String("layers")).toInt()).arg(v->value(QLatin1String("dnabert")).toObject().value(QLatin1String("hidden")).toInt())}
           << QStringList{QStringLiteral("ESM-2"), QStringLiteral("%1 layers, width %2").arg(v->value(QLatin1String("esm")).toObject().value(QLatin1String("layers")).toInt()).arg(v->value(QLatin1String("esm")).toObject().value(QLatin1String("hidden")).toInt())}
           << QStringList{QStringLiteral("classifier"), QStringLiteral("input %1").arg(v->value(QLatin1String("classifier")).toObject().value(QLatin1String("input_dim")).toInt())};
    section.tables << t;
    section.paragraphs << QStringLiteral("Loading took %1 ms; the tiny run %2 ms.").arg(v->value(QLatin1String("load_ms")).toDouble()).arg(v->value(QLatin1String("pipeline_ms")).toDouble());
    report.sections << section;
    return report;
}

} // namespace bioforge::viral
