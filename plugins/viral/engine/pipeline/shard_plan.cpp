#include "pipeline/shard_plan.h"

#include "cluster/task_inputs.h"

#include "cluster/shard_split.h"
#include "io/json_file.h"
#include "jobs/job.h"
#include "pipeline/contig_source.h"
#include "pipeline/frame_sharder.h"
#include "pipeline/result_cache.h"

#include <QFileInfo>
#include <QJsonArray>

#include <limits>

namespace bioforge::viral {

using core::Error;

namespace {

// The models' checksums (a registered model's from the registry, one given by path computed by the
// plugin before it plans): a model re-imported under its name, or edited in place, while tasks
// waited would mix two classifiers in one table.
QJsonObject layoutModels(const PredictSettings& s)
{
    QJsonObject models;
    for (const ModelSlot& slot : kModelSlots)
        models.insert(QLatin1String(slot.parameter), (s.*slot.member).sha256);
    return models;
}

} // namespace

QJsonObject layoutInputs(const PredictSettings& s, const core::ProvenanceRecorder* known)
{
    QJsonArray inputs; // with their checksums: a file edited in place at the same size is another input
    for (const QString& f : s.inputs)
        inputs.append(core::plannedInput(f, known));
    return {{QStringLiteral("inputs"), inputs},
            {QStringLiteral("models"), layoutModels(s)},
            {QStringLiteral("chunk_length"), s.chunkLength},
            {QStringLiteral("nucleotide_span"), s.span == NucleotideSpan::CodonsOnly ? QStringLiteral("codons") : QStringLiteral("reference")},
            {QStringLiteral("shard_frames"), s.framesPerShard}};
}

core::Status checkPlanModelsUnchanged(const QJsonObject& madeFrom, const PredictSettings& settings, const QString& planFile)
{
    const QJsonObject planned = madeFrom.value(QLatin1String("models")).toObject();
    for (const ModelSlot& slot : kModelSlots) { // a plan made before by-path models were checksummed has none for them
        const QString was = planned.value(QLatin1String(slot.parameter)).toString();
        const ModelSource& now = settings.*slot.member;
        if (!was.isEmpty() && was != now.sha256)
            return Error(QStringLiteral("the --%1 model changed after the run was planned (%2 was made with SHA-256 %3…; %5 is %4… now): the "
                                        "tasks would mix two models in one result; put the model back to resume the run, or start a new one")
                             .arg(QLatin1String(slot.parameter), planFile, was.left(12), now.sha256.left(12), now.name));
    }
    return core::okStatus();
}

QJsonObject ViralShardPlan::toJson() const
{
    QJsonArray list;
    for (const ShardPlanEntry& e : shards)
        list.append(QJsonObject{{QStringLiteral("first_frame_shard"), e.firstFrameShard},
                                {QStringLiteral("end_frame_shard"), e.endFrameShard},
                                {QStringLiteral("contigs"), double(e.contigs)},
                                {QStringLiteral("bases"), double(e.bases)}});
    return {{QStringLiteral("schema"), QStringLiteral("bioforge-viral-shard-plan/1")},
            {QStringLiteral("made_from"), madeFrom},
            {QStringLiteral("frame_shards"), frameShards},
            {QStringLiteral("contigs"), double(contigs)},
            {QStringLiteral("bases"), double(bases)},
            {QStringLiteral("shards"), list}};
}

core::Expected<ViralShardPlan> ViralShardPlan::fromJson(const QJsonObject& json, const QString& source)
{
    if (json.value(QLatin1String("schema")).toString() != QLatin1String("bioforge-viral-shard-plan/1"))
        return Error(QStringLiteral("%1: not a viral shard plan (schema bioforge-viral-shard-plan/1 expected)").arg(source));
    ViralShardPlan p;
    p.madeFrom = json.value(QLatin1String("made_from")).toObject();
    // Counts and indices are checked before they are narrowed (2^32 + k must not pass as k):
    // out of int's range they become -1, which the checks below refuse.
    const auto index = [](const QJsonValue& v) {
        const qint64 x = v.toInteger(-1);
        return x >= 0 && x <= std::numeric_limits<int>::max() ? int(x) : -1;
    };
    p.frameShards = index(json.value(QLatin1String("frame_shards")));
    p.contigs = json.value(QLatin1String("contigs")).toInteger();
    p.bases = json.value(QLatin1String("bases")).toInteger();
    int expectedFirst = 0;
    for (const QJsonValue& v : json.value(QLatin1String("shards")).toArray()) {
        const QJsonObject o = v.toObject();
        ShardPlanEntry e{index(o.value(QLatin1String("first_frame_shard"))), index(o.value(QLatin1String("end_frame_shard"))),
                         o.value(QLatin1String("contigs")).toInteger(), o.value(QLatin1String("bases")).toInteger()};
        if (e.firstFrameShard != expectedFirst || e.endFrameShard <= e.firstFrameShard || e.endFrameShard > p.frameShards)
            return Error(QStringLiteral("%1: shard %2 covers frame shards [%3, %4), expected to start at %5 and end by %6")
                             .arg(source, QString::number(p.shards.size() + 1), QString::number(e.firstFrameShard), QString::number(e.endFrameShard),
                                  QString::number(expectedFirst), QString::number(p.frameShards)));
        expectedFirst = e.endFrameShard;
        p.shards.push_back(e);
    }
    if (p.shards.empty() || expectedFirst != p.frameShards)
        return Error(QStringLiteral("%1: the shards do not cover all %2 frame shards").arg(source, QString::number(p.frameShards)));
    return p;
}

double ViralShardPlan::imbalance() const
{
    std::vector<core::ShardRange> ranges;
    for (const ShardPlanEntry& e : shards)
        ranges.push_back({e.firstFrameShard, e.endFrameShard, e.bases});
    return core::shardImbalance(ranges);
}

core::Expected<ViralShardPlan> planViralShards(const PredictSettings& settingsIn, int shards, const core::ProvenanceRecorder* known)
{
    PredictSettings settings = settingsIn;
    settings.reuseResults = false; // shard runs start in projects of their own: nothing to reuse
    const ResultCache noCache{QString(), QString()};
    ContigSource source(settings.inputs);
    std::vector<core::ShardUnit> units;
    std::vector<int64_t> contigsPerUnit;
    FrameSharding cb;
    cb.onShard = [&](int, FrameShard& shard) {
        core::ShardUnit u;
        int64_t contigs = 0;
        for (const ShardContig& c : shard.contigs)
            if (!c.continued) {
                u.weight += c.length;
                ++contigs;
            }
        u.cutAfter = !shard.contigs.back().continues;
        units.push_back(u);
        contigsPerUnit.push_back(contigs);
        return true;
    };
    cb.onWarning = [](const QString&) {};
    cb.onContig = [](qint64) { return true; };
    FrameShardingOutcome outcome;
    try {
        outcome = cutFrameShards(settings, noCache, source, cb);
    } catch (const core::JobFailure& e) { // one on what the input holds stays one (Kind::Invalid: a new run is needed)
        return Error(e.message(), e.newRunNeeded() ? Error::Kind::Invalid : Error::Kind::Failed);
    }
    if (outcome.contigs == 0)
        return Error(QStringLiteral("no usable contig in the input (%1)").arg(settings.inputs.join(QStringLiteral(", "))), Error::Kind::Invalid);
    ViralShardPlan plan;
    plan.madeFrom = layoutInputs(settings, known);
    plan.frameShards = int(units.size());
    plan.contigs = outcome.contigs;
    for (const std::vector<core::ShardRange> ranges = core::splitBalanced(units, shards); const core::ShardRange& r : ranges) {
        ShardPlanEntry e{int(r.begin), int(r.end), 0, r.weight};
        for (qint64 u = r.begin; u < r.end; ++u)
            e.contigs += contigsPerUnit[size_t(u)];
        plan.bases += r.weight;
        plan.shards.push_back(e);
    }
    return plan;
}

core::Expected<std::pair<int, int>> frameShardRange(const PredictSettings& settings, const core::ProvenanceRecorder* known)
{
    ViralShardPlan plan;
    if (!settings.shardPlan.isEmpty()) {
        auto json = core::readJsonObjectFile(settings.shardPlan, qint64(256) << 20);
        if (!json)
            return json.error();
        auto parsed = ViralShardPlan::fromJson(*json, settings.shardPlan);
        if (!parsed)
            return parsed.error();
        plan = *parsed;
        const QJsonObject now = layoutInputs(settings, known); // the inputs as the task pinned them: not read again
        if (core::Status same = core::checkInputsUnchangedSincePlan(plan.madeFrom.value(QLatin1String("inputs")).toArray(),
                                                                    now.value(QLatin1String("inputs")).toArray(), settings.shardPlan);
            !same)
            return same.error();
        if (core::Status same = checkPlanModelsUnchanged(plan.madeFrom, settings, settings.shardPlan); !same)
            return same.error();
        if (core::planLayout(plan.madeFrom) != core::planLayout(now))
            return Error(QStringLiteral("%1: the plan was made for other inputs or settings (inputs, their sizes, chunk_length, nucleotide_span, shard_frames must match)")
                             .arg(settings.shardPlan));
    } else {
        auto planned = planViralShards(settings, settings.shardCount, known); // the digests the run pinned: not read again
        if (!planned)
            return planned.error();
        plan = *planned;
    }
    if (int(plan.shards.size()) != settings.shardCount) {
        if (!settings.shardPlan.isEmpty())
            return Error(QStringLiteral("shard %1/%2: the plan has %3 shards").arg(QString::number(settings.shardIndex + 1),
                                                                                   QString::number(settings.shardCount),
                                                                                   QString::number(plan.shards.size())));
        // A shard run takes whole frame shards, and a plan cuts only at contig ends: fewer frame
        // shards than parts (a small input) or a few long contigs both leave fewer parts.
        const auto count = [](qint64 n, const char* one, const char* many) {
            return QStringLiteral("%1 %2").arg(QString::number(n), QLatin1String(n == 1 ? one : many));
        };
        return Error(QStringLiteral("shard %1/%2: these inputs (%3 in %4 of up to %5 frames) split into at most %6, cut only at contig ends: "
                                    "give --shard i/N with N at most %7, or run them whole%8")
                         .arg(QString::number(settings.shardIndex + 1), QString::number(settings.shardCount), count(plan.contigs, "contig", "contigs"),
                              count(plan.frameShards, "frame shard", "frame shards"), QString::number(settings.framesPerShard),
                              count(qint64(plan.shards.size()), "part", "parts"), QString::number(plan.shards.size()),
                              plan.frameShards < settings.shardCount ? QStringLiteral(" (a smaller --shard_frames makes more frame shards)") : QString()),
                     core::Error::Kind::Invalid);
    }
    const ShardPlanEntry& e = plan.shards[size_t(settings.shardIndex)];
    return std::pair{e.firstFrameShard, e.endFrameShard};
}

} // namespace bioforge::viral
