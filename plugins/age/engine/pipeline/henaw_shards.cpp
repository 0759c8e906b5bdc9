#include "pipeline/henaw_shards.h"

#include "cluster/shard_split.h"
#include "cluster/task_inputs.h"
#include "henaw/henaw_model.h"
#include "henaw/henaw_model_folder.h"
#include "henaw/henaw_network.h"
#include "io/atomic_file.h"
#include "io/json_file.h"
#include "pipeline/clock_run.h"
#include "schema/biomarker_schema.h"
#include "table/cohort_reader.h"
#include "table/column_mapping.h"

#include <QDir>
#include <QRegularExpression>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QSaveFile>
#include <QSet>

#include <algorithm>
#include <charconv>
#include <cmath>

namespace bioforge::age {

using core::Error;

namespace {

QJsonObject madeFrom(const HenawRunSettings& s, const core::ProvenanceRecorder* known = nullptr)
{
    // With the table's checksum: a table edited in place at the same size (and row count) is another.
    // And the model's model.json (it names every member file with its SHA-256, checked on load): a
    // model trained again into the same folder while tasks wait would mix two models in one table.
    QJsonArray inputs{core::plannedInput(s.table, known)};
    if (!s.model.isEmpty())
        inputs.append(core::plannedInput(QDir(s.model).filePath(QStringLiteral("model.json")), known));
    return {{QStringLiteral("inputs"), inputs},
            {QStringLiteral("map"), s.mapping},
            {QStringLiteral("chunk_rows"), double(HenawNetwork::kPredictChunkRows)}};
}

// The table as a shard reads it. A column of a marker the model reads that is in a unit it is not
// in refuses the run here, before a task is queued, as a local predict refuses it (review 67 R67-11).
core::Expected<Cohort> readTable(const HenawRunSettings& s, CohortReadReport* report)
{
    auto mapping = ColumnMapping::load(s.mapping);
    if (!mapping)
        return mapping.error();
    auto cohort = readCohort(s.table, *mapping, BiomarkerSchema::builtIn(), report);
    if (!cohort)
        return cohort;
    try {
        refuseColumnsInAWrongUnit(s.table, *mapping, *report, henawModelMarkers(s.model));
    } catch (const core::JobFailure& e) {
        return Error(e.message(), Error::Kind::Invalid);
    }
    return cohort;
}

double parseNumber(const QByteArray& field)
{
    if (field.isEmpty())
        return std::nan("");
    double v = 0;
    const auto r = std::from_chars(field.constData(), field.constData() + field.size(), v);
    return r.ec == std::errc() && r.ptr == field.constData() + field.size() ? v : std::nan("");
}

} // namespace

QJsonObject HenawShardPlan::toJson() const
{
    QJsonArray list;
    for (const auto& [first, end] : shards)
        list.append(QJsonObject{{QStringLiteral("first_row"), double(first)}, {QStringLiteral("end_row"), double(end)}});
    return {{QStringLiteral("schema"), QStringLiteral("bioforge-age-shard-plan/1")}, {QStringLiteral("made_from"), madeFrom},
            {QStringLiteral("rows"), double(rows)}, {QStringLiteral("shards"), list}};
}

core::Expected<HenawShardPlan> HenawShardPlan::fromJson(const QJsonObject& json, const QString& source)
{
    if (json.value(QLatin1String("schema")).toString() != QLatin1String("bioforge-age-shard-plan/1"))
        return Error(QStringLiteral("%1: not an age shard plan (schema bioforge-age-shard-plan/1 expected)").arg(source));
    HenawShardPlan p;
    p.madeFrom = json.value(QLatin1String("made_from")).toObject();
    p.rows = json.value(QLatin1String("rows")).toInteger();
    qint64 next = 0;
    for (const QJsonValue& v : json.value(QLatin1String("shards")).toArray()) {
        const qint64 first = v.toObject().value(QLatin1String("first_row")).toInteger(-1), end = v.toObject().value(QLatin1String("end_row")).toInteger(-1);
        if (first != next || end <= first || end > p.rows)
            return Error(QStringLiteral("%1: shard %2 covers rows [%3, %4), expected to start at %5 and end by %6")
                    .arg(source, QString::number(p.shards.size() + 1), QString::number(first), QString::number(end), QString::number(next),
                         QString::number(p.rows)));
        p.shards.emplace_back(first, end);
        next = end;
    }
    if (p.shards.empty() || next != p.rows)
        return Error(QStringLiteral("%1: the shards do not cover all %2 rows").arg(source, QString::number(p.rows)));
    return p;
}

core::Expected<HenawShardPlan> planHenawShards(const HenawRunSettings& settings, int shards, const core::ProvenanceRecorder* known)
{
    CohortReadReport report;
    auto cohort = readTable(settings, &report);
    if (!cohort)
        return cohort.error();
    HenawShardPlan plan;
    plan.madeFrom = madeFrom(settings, known);
    plan.rows = cohort->rows();
    if (plan.rows == 0)
        return Error(QStringLiteral("%1: no usable row to predict").arg(settings.table));
    std::vector<core::ShardUnit> chunks;
    for (qint64 first = 0; first < plan.rows; first += HenawNetwork::kPredictChunkRows)
        chunks.push_back({std::min<qint64>(HenawNetwork::kPredictChunkRows, plan.rows - first), true});
    for (const core::ShardRange& r : core::splitBalanced(chunks, shards))
        plan.shards.emplace_back(r.begin * HenawNetwork::kPredictChunkRows, std::min<qint64>(plan.rows, r.end * HenawNetwork::kPredictChunkRows));
    return plan;
}

core::Expected<std::pair<qsizetype, qsizetype>> henawShardRows(const HenawRunSettings& settings, qsizetype tableRows, const core::ProvenanceRecorder* known)
{
    HenawShardPlan plan;
    if (!settings.shardPlan.isEmpty()) {
        auto json = core::readJsonObjectFile(settings.shardPlan, qint64(64) << 20);
        if (!json)
            return json.error();
        auto parsed = HenawShardPlan::fromJson(*json, settings.shardPlan);
        if (!parsed)
            return parsed.error();
        plan = *parsed;
        QJsonObject now = madeFrom(settings, known); // the table and model.json as the run recorded them: not read again
        if (const QJsonArray was = plan.madeFrom.value(QLatin1String("inputs")).toArray(); plan.madeFrom.contains(QLatin1String("table")) || was.size() == 1)
            now.insert(QStringLiteral("inputs"), QJsonArray{now.value(QLatin1String("inputs")).toArray().first()}); // a plan made before the model was recorded: the table alone
        if (core::Status same = core::checkInputsUnchangedSincePlan(plan.madeFrom.value(QLatin1String("inputs")).toArray(),
                                                                    now.value(QLatin1String("inputs")).toArray(), settings.shardPlan);
            !same)
            return same.error();
        QJsonObject planned = plan.madeFrom; // an earlier version's plan named its one table apart
        if (planned.contains(QLatin1String("table")))
            planned.insert(QStringLiteral("inputs"), QJsonArray{QJsonObject{{QStringLiteral("path"), planned.take(QLatin1String("table"))},
                                                                            {QStringLiteral("size"), planned.take(QLatin1String("size"))}}});
        if (core::planLayout(planned) != core::planLayout(now))
            return Error(QStringLiteral("%1: the plan was made for another table, size, model or column mapping").arg(settings.shardPlan));
    } else {
        auto planned = planHenawShards(settings, settings.shardCount, known); // the digests the run recorded: not read again
        if (!planned)
            return planned.error();
        plan = *planned;
    }
    if (plan.rows != tableRows)
        return Error(QStringLiteral("shard %1/%2: the plan counts %3 usable rows, the table has %4 now").arg(QString::number(settings.shardIndex + 1),
                                                                                                             QString::number(settings.shardCount),
                                                                                                             QString::number(plan.rows),
                                                                                                             QString::number(tableRows)));
    if (int(plan.shards.size()) != settings.shardCount)
        return Error(QStringLiteral("shard %1/%2: the plan has %3 shards").arg(QString::number(settings.shardIndex + 1),
                                                                               QString::number(settings.shardCount),
                                                                               QString::number(plan.shards.size())));
    const auto [first, end] = plan.shards[size_t(settings.shardIndex)];
    return std::pair{qsizetype(first), qsizetype(end)};
}

core::Expected<QList<core::MergedOutput>> mergeHenawPredictions(const HenawRunSettings& settings, const QStringList& dirs, const QString& outputDir)
{
    if (dirs.isEmpty())
        return Error(QStringLiteral("no shard to merge"));
    // henaw.csv: the header once, then every shard's rows; the numbers are read back for the check.
    QSaveFile out(QDir(outputDir).filePath(QStringLiteral("henaw.csv")));
    if (!out.open(QIODevice::WriteOnly))
        return Error(QStringLiteral("%1: cannot create: %2").arg(out.fileName(), out.errorString()));
    HenawPrediction p;
    QByteArray header;
    for (const QString& dir : dirs) {
        QFile in(QDir(dir).filePath(QStringLiteral("henaw.csv")));
        if (!in.open(QIODevice::ReadOnly))
            return Error(QStringLiteral("%1: cannot read the shard's table: %2").arg(in.fileName(), in.errorString()));
        const QByteArray first = in.readLine();
        if (header.isEmpty()) {
            header = first;
            out.write(header);
        } else if (first != header) {
            return Error(QStringLiteral("%1: line 1: its header differs from the first shard's").arg(in.fileName()));
        }
        qint64 lineNo = 1;
        while (!in.atEnd()) {
            const QByteArray line = in.readLine();
            ++lineNo;
            out.write(line);
            // The last six fields are numbers (ids may hold quoted commas, numbers never do).
            QList<QByteArray> numbers;
            qsizetype end = line.endsWith('\n') ? line.size() - 1 : line.size();
            for (int f = 0; f < 6; ++f) {
                const qsizetype comma = line.lastIndexOf(',', end - 1);
                if (comma < 0)
                    return Error(QStringLiteral("%1: line %2: expected an id and six numbers").arg(in.fileName(), QString::number(lineNo)));
                numbers.prepend(line.mid(comma + 1, end - comma - 1));
                end = comma;
            }
            p.biologicalAge.push_back(parseNumber(numbers[0]));
            p.sd.push_back(parseNumber(numbers[1]));
            p.aleatoricSd.push_back(parseNumber(numbers[3]));
            p.epistemicSd.push_back(parseNumber(numbers[4]));
            p.logHazard.push_back(parseNumber(numbers[5]));
        }
    }
    if (core::Status done = core::AtomicFile::commit(out); !done)
        return done.error();

    CohortReadReport report;
    auto cohort = readTable(settings, &report);
    if (!cohort)
        return cohort.error();
    if (qsizetype(p.biologicalAge.size()) != cohort->rows())
        return Error(QStringLiteral("the shards predicted %1 rows, the table has %2 usable rows").arg(p.biologicalAge.size()).arg(cohort->rows()));
    std::vector<qsizetype> rows(size_t(cohort->rows()));
    for (qsizetype r = 0; r < cohort->rows(); ++r)
        rows[size_t(r)] = r;
    QList<QJsonObject> imputed; // each shard's; none where a shard did not count them (written before stop 59)
    bool counted = true;
    for (const QString& dir : dirs) {
        auto shardSummary = core::readJsonObjectFile(QDir(dir).filePath(QStringLiteral("summary.json")));
        if (!shardSummary)
            return shardSummary.error();
        counted = counted && shardSummary->contains(QLatin1String("henaw_imputed"));
        imputed.append(shardSummary->value(QLatin1String("henaw_imputed")).toObject());
    }
    auto firstSummary = core::readJsonObjectFile(QDir(dirs.first()).filePath(QStringLiteral("summary.json")));
    if (!firstSummary)
        return firstSummary.error();
    const auto unpredicted = std::count_if(p.biologicalAge.begin(), p.biologicalAge.end(), [](double v) { return !std::isfinite(v); });
    QJsonObject summary{{QStringLiteral("rows"), double(cohort->rows())}, {QStringLiteral("rows_without_prediction"), double(unpredicted)},
                              {QStringLiteral("model"), firstSummary->value(QLatin1String("model"))},
                              {QStringLiteral("training_table"), firstSummary->value(QLatin1String("training_table"))},
                              {QStringLiteral("validation"), report.summary()},
                              {QStringLiteral("check"), checkPrediction(*cohort, rows, p)}};
    if (counted) // else not known: no count, rather than a sum that reads "none"
        summary.insert(QStringLiteral("henaw_imputed"), sumHenawImputed(imputed));
    QSaveFile s(QDir(outputDir).filePath(QStringLiteral("summary.json")));
    const QByteArray text = QJsonDocument(summary).toJson();
    if (!s.open(QIODevice::WriteOnly) || s.write(text) != text.size())
        return Error(QStringLiteral("%1: cannot write: %2").arg(s.fileName(), core::AtomicFile::failureReason(s)));
    if (core::Status done = core::AtomicFile::commit(s); !done)
        return done.error();
    if (core::Status saved = report.saveIssues(QDir(outputDir).filePath(QStringLiteral("validation.tsv"))); !saved)
        return saved.error();
    return QList<core::MergedOutput>{{QStringLiteral("henaw.csv"), QStringLiteral("henaw.csv")},
                                     {QStringLiteral("summary.json"), QStringLiteral("summary.json")},
                                     {QStringLiteral("validation.tsv"), QStringLiteral("validation.tsv")}};
}

QString unpredictableRowsWarning(qint64 unpredictable, qint64 rows, qint64 markers)
{
    if (unpredictable <= 0)
        return {};
    return QStringLiteral("%1 of %2 rows have no chronological age, no sex, or fewer than half of the model's %3 markers measured: their "
                          "henaw_* values are empty (HENAW trains and predicts only on rows with at least half; the rest would be "
                          "the training means)")
        .arg(unpredictable)
        .arg(rows)
        .arg(markers);
}

QStringList mergeHenawWarnings(const QList<QStringList>& byShard, const QString& mergedDir)
{
    static const QRegularExpression shardCount(QStringLiteral("^\\d+ of \\d+ rows have no chronological age, no sex, or fewer than half of the model's (\\d+) markers measured: "));
    // The whole table's count from the merged summary, as a single-machine run says it; unreadable
    // (or without the counts): the shards' own counts, rather than none.
    const auto summary = core::readJsonObjectFile(QDir(mergedDir).filePath(QStringLiteral("summary.json")));
    const bool recount = summary && summary->value(QLatin1String("rows")).isDouble() && summary->value(QLatin1String("rows_without_prediction")).isDouble();
    QStringList warnings;
    QSet<QString> seen;
    qint64 markers = -1;
    for (const QStringList& shard : byShard)
        for (const QString& w : shard) {
            if (const QRegularExpressionMatch m = shardCount.match(w); recount && m.hasMatch())
                markers = m.captured(1).toLongLong();
            else if (!seen.contains(w)) {
                seen.insert(w);
                warnings << w;
            }
        }
    if (markers >= 0)
        if (const QString w = unpredictableRowsWarning(summary->value(QLatin1String("rows_without_prediction")).toInteger(),
                                                       summary->value(QLatin1String("rows")).toInteger(), markers);
            !w.isEmpty())
            warnings << w;
    return warnings;
}

} // namespace bioforge::age
