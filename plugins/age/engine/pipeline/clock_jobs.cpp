#include "pipeline/clock_jobs.h"

#include "checkpoint/checkpoint_store.h"
#include "io/csv_writer.h"
#include "jobs/job_context.h"
#include "henaw/henaw_model.h"
#include "pipeline/clock_evaluation.h"
#include "pipeline/clock_outputs.h"
#include "pipeline/clock_run.h"
#include "pipeline/henaw_jobs.h"
#include "provenance/provenance_recorder.h"

#include <QDir>
#include <QFileInfo>
#include <QJsonArray>

#include <array>
#include <functional>

#include <algorithm>
#include <cmath>

namespace bioforge::age {

using core::JobOutcome;
using core::orThrow;

namespace {

JobOutcome stopped(const core::JobContext& ctx) { return ctx.stopRequest() == core::StopRequest::Pause ? JobOutcome::Paused : JobOutcome::Cancelled; }

// `streamed`: the compute stage reads the table as it goes and counts bytes. `replicates`: the
// bootstrap resamples of an evaluate run, nearly all of its time (1000 of them: ~85 % of the bar).
QList<core::StageSpec> stages(bool evaluate, bool streamed = false, int replicates = 0)
{
    QList<core::StageSpec> s{{QStringLiteral("read"), QStringLiteral("Read and check the table"), 0.3, QStringLiteral("tables")},
                             {QStringLiteral("train"), QStringLiteral("Train reference models"), 0.3, QStringLiteral("models")},
                             {QStringLiteral("compute"), QStringLiteral("Compute the clocks"), streamed ? 0.6 : 0.2,
                              streamed ? QStringLiteral("bytes") : QStringLiteral("clocks")}};
    if (evaluate)
        s.append({QStringLiteral("evaluate"), QStringLiteral("Compare against mortality"), 0.4 + 0.004 * std::max(0, replicates),
                  replicates > 0 ? QStringLiteral("resamples") : QStringLiteral("clocks")});
    s.append({QStringLiteral("write"), QStringLiteral("Write the results"), 0.05, QStringLiteral("files")});
    return s;
}

} // namespace

JobOutcome ClocksJob::run(core::JobContext& ctx)
{
    const bool streamed = m_settings.missing != MissingPolicy::Impute; // medians need the whole table
    ctx.defineStages(stages(false, streamed));
    if (!streamed) {
        const ClockRun result = runClocks(ctx, m_settings);
        if (ctx.stopRequested())
            return stopped(ctx);
        ctx.beginStage(QStringLiteral("write"), 1);
        writeClockOutputs(ctx, result, m_settings);
        ctx.advance();
        return JobOutcome::Finished;
    }
    // The table streamed through in chunks: memory does not grow with its rows.
    ctx.beginStage(QStringLiteral("read"), 1);
    const ColumnMapping mapping = loadRunMapping(ctx, m_settings.mapping);
    orThrow(ctx.provenance().addInputFile(QStringLiteral("cohort table"), m_settings.table));
    ctx.advance();
    ClockReferences refs = trainReferences(ctx, m_settings, mapping);
    if (ctx.stopRequested())
        return stopped(ctx);
    const qsizetype kChunk = m_settings.rowsPerChunk;
    // One stage over every pass (HD reads the table twice): its total is the bytes of all passes.
    const int passes = refs.hd ? 2 : 1;
    ctx.beginStage(QStringLiteral("compute"), std::max<qint64>(1, QFileInfo(m_settings.table).size() * passes));
    const QStringList used = clockMarkers(m_settings); // the markers the run's clocks read
    auto pass = [&](const std::function<void(const Cohort&)>& each, CohortReadReport* report) -> bool {
        auto stream = orThrow(CohortStream::open(m_settings.table, mapping, BiomarkerSchema::builtIn(), report));
        qint64 reported = 0;
        Cohort chunk;
        while (orThrow(stream.next(chunk, kChunk))) {
            refuseColumnsInAWrongUnit(m_settings.table, mapping, *report, used); // before a value of this chunk is written
            each(chunk);
            ctx.advance(stream.bytesRead() - reported);
            reported = stream.bytesRead();
            if (ctx.stopRequested())
                return false;
        }
        return true;
    };
    if (refs.hd) {
        // HD's SDs are over the table's people: a first pass for them.
        std::array<RunningSd, 2> raw, logRaw;
        CohortReadReport first;
        if (!pass([&](const Cohort& c) {
                const HdValues v = projectHd(*refs.hd, c);
                for (qsizetype r = 0; r < c.rows(); ++r)
                    if (c.sex[size_t(r)] != Sex::Unknown && v.raw[size_t(r)] > 0) {
                        raw[c.sex[size_t(r)] == Sex::Female ? 1 : 0].add(v.raw[size_t(r)]);
                        logRaw[c.sex[size_t(r)] == Sex::Female ? 1 : 0].add(std::log(v.raw[size_t(r)]));
                    }
            }, &first))
            return stopped(ctx);
        for (int s = 0; s < 2; ++s) {
            refs.hd->bySex[size_t(s)].rawSd = raw[size_t(s)].sd();
            refs.hd->bySex[size_t(s)].logRawSd = logRaw[size_t(s)].sd();
        }
    }
    CohortReadReport report;
    ClockTableWriter writer(ctx, m_settings, mapping, refs);
    if (!pass([&](const Cohort& c) {
            const QList<ClockValues> clocks = computeClocks(c, m_settings, refs);
            const std::optional<HdValues> hd = refs.hd ? std::optional<HdValues>(projectHd(*refs.hd, c)) : std::nullopt;
            writer.write(c, clocks, hd ? &*hd : nullptr);
        }, &report))
        return stopped(ctx);
    if (report.rows == 0)
        throw core::JobFailure::needingNewRun(QStringLiteral("%1: the table has a header but no rows").arg(m_settings.table));
    warnTableIssues(ctx, m_settings.table, mapping, report, used);
    // On the whole table as well: a column decided on the chunks read so far (review 67 R67-6). Its
    // rows are written by now; the run fails all the same, saying why.
    refuseColumnsInAWrongUnit(m_settings.table, mapping, report, used);
    ctx.beginStage(QStringLiteral("write"), 1);
    writer.finish(report, {});
    ctx.advance();
    return JobOutcome::Finished;
}

JobOutcome EvaluateJob::run(core::JobContext& ctx)
{
    QList<core::StageSpec> all = stages(true, false, m_settings.bootstrapReplicates);
    if (!m_settings.henawTrain.isEmpty())
        all = all.mid(0, 3) + henawTrainingStages() + all.mid(3);
    ctx.defineStages(all);
    const ClockRun result = runClocks(ctx, m_settings);
    if (ctx.stopRequested())
        return stopped(ctx);
    // Every comparison is against mortality: a table without follow-up has nothing to compare.
    bool anySurvival = false;
    for (qsizetype r = 0; r < result.cohort.rows() && !anySurvival; ++r)
        anySurvival = result.cohort.hasSurvival(r);
    if (!anySurvival)
        throw core::JobFailure::needingNewRun(
            QStringLiteral("%1: no row has follow-up time and vital status (the mapping '%2' reads them from %3 and %4): evaluate compares the clocks "
                           "against mortality; `age clocks` computes them without")
                .arg(m_settings.table, result.mapping.name,
                     result.mapping.followupColumn.isEmpty() ? QStringLiteral("no column") : QStringLiteral("'%1'").arg(result.mapping.followupColumn),
                     result.mapping.event.column.isEmpty() ? QStringLiteral("no column") : QStringLiteral("'%1'").arg(result.mapping.event.column)));
    // Follow-up without a single death: every statistic (C-index, hazard ratios, Kaplan-Meier by
    // quartile) would be empty in a run that "finished".
    qint64 deaths = 0, followed = 0;
    for (qsizetype r = 0; r < result.cohort.rows(); ++r)
        if (result.cohort.hasSurvival(r)) {
            ++followed;
            deaths += result.cohort.event[size_t(r)] == 1 ? 1 : 0;
        }
    if (deaths == 0)
        throw core::JobFailure::needingNewRun(QStringLiteral("%1: none of the %2 rows with follow-up records a death (column '%3', death coded as %4): evaluate compares "
                                              "the clocks against mortality, which needs deaths; check the mapping's codes, or use `age clocks`")
                                   .arg(m_settings.table, QString::number(followed), result.mapping.event.column,
                                        result.mapping.event.yes.isEmpty() ? QStringLiteral("(nothing)") : result.mapping.event.yes.join(QLatin1Char('/'))));
    std::optional<HenawModel> trained;
    if (!m_settings.henawTrain.isEmpty()) {
        HenawRunSettings henawSettings;
        henawSettings.table = m_settings.henawTrain;
        henawSettings.mapping = m_settings.referenceMappingOrTable();
        henawSettings.overrides = m_settings.henawOverrides;
        henawSettings.threads = m_settings.threads;
        trained = trainHenawOnTable(ctx, henawSettings, QDir(ctx.outputDir()).filePath(QStringLiteral("henaw-model")), nullptr,
                                    QStringLiteral("henaw_training_validation.tsv"));
        if (!trained)
            return stopped(ctx);
    }
    struct Candidate {
        QString name;
        const std::vector<double>* values;
        bool difference;
    };
    std::vector<Candidate> candidates;
    for (const ClockValues& c : result.clocks)
        candidates.push_back({c.name, &c.values, true});
    if (result.hd)
        candidates.push_back({QStringLiteral("hd"), &result.hd->hd, false});
    HenawPrediction henaw;
    bool henawOnTrainingTable = false;
    if (!m_settings.henawModel.isEmpty() || trained) {
        if (!trained) {
            ctx.setMessage(QStringLiteral("HENAW model %1 on the table").arg(m_settings.henawModel));
            trained.emplace(orThrow(HenawModel::load(m_settings.henawModel)));
            orThrow(ctx.provenance().addInputFile(QStringLiteral("HENAW model"), QDir(m_settings.henawModel).filePath(QStringLiteral("model.json"))));
        }
        const HenawModel& model = *trained;
        const Cohort& measured = result.measured ? *result.measured : result.cohort; // not the clocks' imputed values
        requireMeasuredMarkers(measured, model, result.mapping);
        henawOnTrainingTable = warnIfTrainingTable(ctx, model, m_settings.table);
        std::vector<qsizetype> rows(size_t(measured.rows()));
        for (qsizetype r = 0; r < measured.rows(); ++r)
            rows[size_t(r)] = r;
        QString error;
        henaw = model.predict(measured, rows, &error);
        if (!error.isEmpty())
            throw core::JobFailure(error);
        if (henaw.unpredictable > 0)
            ctx.warn(QStringLiteral("HENAW: %1 of %2 rows have fewer than half of the model's markers measured (or no age or sex): no HENAW value, "
                                    "and so they are left out of every clock's comparison (the same people for each clock)")
                         .arg(henaw.unpredictable)
                         .arg(rows.size()));
        candidates.push_back({QStringLiteral("henaw"), &henaw.biologicalAge, true});
        if (model.mortalityHeadTrained())
            candidates.push_back({QStringLiteral("henaw mortality head"), &henaw.logHazard, false});
        else
            ctx.warn(QStringLiteral("HENAW: the model's mortality head was not trained (no death among its training rows): it is left out of the comparison"));
    }
    const std::vector<double> age = result.cohort.age;
    candidates.push_back({QStringLiteral("chronological age"), &age, false});
    // The same people for every clock: those with a value of each and follow-up.
    const Cohort& cohort = result.cohort;
    std::vector<bool> common(size_t(cohort.rows()), true);
    // A clock the table gives no value at all (its markers are absent) is reported as such and does not empty the comparison.
    std::vector<bool> present;
    for (const Candidate& c : candidates)
        present.push_back(std::any_of(c.values->begin(), c.values->end(), [](double v) { return std::isfinite(v); }));
    for (qsizetype r = 0; r < cohort.rows(); ++r) {
        common[size_t(r)] = cohort.hasSurvival(r) && cohort.sex[size_t(r)] != Sex::Unknown && std::isfinite(cohort.age[size_t(r)]);
        for (size_t k = 0; k < candidates.size(); ++k)
            common[size_t(r)] = common[size_t(r)] && (!present[k] || std::isfinite((*candidates[k].values)[size_t(r)]));
    }
    std::vector<std::vector<double>> masked;
    masked.reserve(candidates.size());
    for (Candidate& c : candidates) {
        std::vector<double> v = *c.values;
        for (size_t r = 0; r < v.size(); ++r)
            if (!common[r])
                v[r] = std::nan("");
        masked.push_back(std::move(v));
        c.values = &masked.back();
    }
    // One unit per clock and one per bootstrap resample: the resamples are nearly all of the time.
    const int replicates = m_settings.bootstrapReplicates;
    qint64 units = 0;
    for (const Candidate& c : candidates)
        units += 1 + bootstrapSteps(c.difference, replicates);
    ctx.beginStage(QStringLiteral("evaluate"), units);
    QJsonArray evaluations;
    core::CsvWriter table;
    table.writeRow({QStringLiteral("clock"), QStringLiteral("rows"), QStringLiteral("deaths"), QStringLiteral("correlation_with_age"), QStringLiteral("c_index"),
                    QStringLiteral("c_index_low"), QStringLiteral("c_index_high"), QStringLiteral("c_index_acceleration"), QStringLiteral("c_index_acceleration_low"),
                    QStringLiteral("c_index_acceleration_high"), QStringLiteral("hazard_ratio_per_unit_acceleration"), QStringLiteral("hr_low"), QStringLiteral("hr_high"),
                    QStringLiteral("note")});
    bool anyEvaluated = false; // a C-index for some clock: else every statistic is empty (too few people or deaths)
    QString tooFew;
    core::CheckpointStore& store = ctx.checkpoints();
    m_readBack = 0;
    for (size_t k = 0; k < candidates.size(); ++k) {
        const Candidate& c = candidates[k];
        const bool isAge = c.name == QLatin1String("chronological age");
        const qint64 clockUnits = 1 + bootstrapSteps(c.difference, replicates);
        // A clock compared before a pause: its entry names it among as many clocks (the same inputs are pinned).
        const QString key = QStringLiteral("evaluate/clock-%1").arg(k, 2, 10, QLatin1Char('0'));
        std::optional<ClockEvaluation> kept;
        if (const auto entry = store.loadOrDiscard(key)) {
            const QJsonObject& state = entry->state;
            if (state.value(QLatin1String("clock")).toString() == c.name && state.value(QLatin1String("clocks")).toInt() == int(candidates.size())
                && state.value(QLatin1String("bootstrap")).toInt() == replicates)
                kept = ClockEvaluation::fromJson(state.value(QLatin1String("evaluation")).toObject());
            if (!kept)
                ctx.warn(QStringLiteral("evaluate, %1: the checkpoint entry %2 is for another comparison; compared again").arg(c.name, key));
        }
        if (kept) {
            ++m_readBack;
            ctx.setMessage(QStringLiteral("%1: read back from the checkpoint").arg(c.name));
            ctx.advanceReused(clockUnits);
        } else {
            ctx.setMessage(replicates > 0 ? QStringLiteral("%1: %2 bootstrap resamples").arg(c.name).arg(bootstrapSteps(c.difference, replicates)) : c.name);
            qint64 done = 0;
            ClockEvaluation e = evaluateClock(c.name, result.cohort, *c.values, c.difference, !isAge, replicates, m_settings.seed, [&] {
                ctx.advance();
                if (++done == m_pauseResample && int(k) == m_pauseClock)
                    ctx.requestPause();
                return !ctx.stopRequested();
            });
            if (!e.complete)
                return stopped(ctx); // the clocks compared so far are kept; this one starts again on resume
            ctx.advance(clockUnits - done); // the clock's point estimates, and resamples it had not (too few people)
            orThrow(store.save(key, {{QStringLiteral("clock"), c.name}, {QStringLiteral("clocks"), int(candidates.size())},
                                     {QStringLiteral("bootstrap"), replicates}, {QStringLiteral("evaluation"), e.toJson()}}));
            kept = std::move(e);
        }
        ClockEvaluation& e = *kept;
        anyEvaluated = anyEvaluated || std::isfinite(e.cIndex);
        if (isAge)
            tooFew = e.note;
        // What leaves a figure out, said where the user reads (it was in evaluation.csv's last column only).
        if (std::isfinite(e.cIndex) && !e.note.isEmpty() && !e.note.startsWith(QLatin1String("in-sample")))
            ctx.warn(QStringLiteral("evaluate, %1: %2").arg(c.name, e.note));
        if (henawOnTrainingTable && c.name.startsWith(QLatin1String("henaw"))) // beside out-of-sample clocks: said on its row
            e.note = QStringLiteral("in-sample: this is the table the HENAW model was trained on") + (e.note.isEmpty() ? QString() : QStringLiteral("; ") + e.note);
        evaluations.append(e.toJson());
        table.writeRow({e.clock, QString::number(e.rows), QString::number(e.deaths), numberText(e.correlationWithAge), numberText(e.cIndex),
                        numberText(e.cIndexInterval.low), numberText(e.cIndexInterval.high), numberText(e.cIndexAdvance), numberText(e.cIndexAdvanceInterval.low),
                        numberText(e.cIndexAdvanceInterval.high), numberText(e.hazardRatio), numberText(e.hazardRatioInterval.low),
                        numberText(e.hazardRatioInterval.high), e.note});
        if (ctx.stopRequested())
            return stopped(ctx);
    }
    ctx.beginStage(QStringLiteral("write"), 1);
    orThrow(table.save(QDir(ctx.outputDir()).filePath(QStringLiteral("evaluation.csv"))));
    ctx.provenance().addOutput(QStringLiteral("evaluation.csv"), QStringLiteral("evaluation.csv"));
    // Too few people or deaths for any statistic: a failure, as a table without deaths is (it
    // "finished" with every figure empty, the reason in the CSV's note column only).
    if (!anyEvaluated)
        throw core::JobFailure::needingNewRun(QStringLiteral("%1: %2 (every clock is compared on the people with a value of each, follow-up, age and sex; a C-index "
                                              "needs at least 10 of them and 2 deaths): nothing could be evaluated; evaluation.csv lists each clock")
                                   .arg(m_settings.table, tooFew));
    std::vector<ExtraColumn> extra;
    if (!henaw.biologicalAge.empty()) {
        std::vector<double> advance(henaw.biologicalAge.size());
        for (size_t r = 0; r < advance.size(); ++r)
            advance[r] = henaw.biologicalAge[r] - cohort.age[r];
        extra = {{QStringLiteral("henaw"), henaw.biologicalAge}, {QStringLiteral("henaw_advance"), advance}, {QStringLiteral("henaw_sd"), henaw.sd},
                 {QStringLiteral("henaw_log_hazard"), henaw.logHazard}};
    }
    QJsonObject extraSummary{{QStringLiteral("evaluation"), evaluations}};
    if (!henaw.biologicalAge.empty()) {
        extraSummary.insert(QStringLiteral("henaw_training_table"), henawOnTrainingTable); // HENAW's figures in-sample
        // Beside the published clocks in "clocks" (the report's first line), and what its encoder filled.
        const auto computed = std::count_if(henaw.biologicalAge.begin(), henaw.biologicalAge.end(), [](double v) { return std::isfinite(v); });
        QJsonObject notComputed;
        if (henaw.unpredictable > 0)
            notComputed.insert(QStringLiteral("fewer than half of the model's markers measured, or no age or sex"), double(henaw.unpredictable));
        extraSummary.insert(QStringLiteral("clocks"), QJsonObject{{QStringLiteral("henaw"), QJsonObject{{QStringLiteral("computed"), double(computed)},
                                                                                                          {QStringLiteral("not_computed"), notComputed}}}});
        extraSummary.insert(QStringLiteral("henaw_imputed"), henawImputedJson(henaw));
    }
    writeClockOutputs(ctx, result, m_settings, extraSummary, extra);
    ctx.advance();
    return JobOutcome::Finished;
}

} // namespace bioforge::age
