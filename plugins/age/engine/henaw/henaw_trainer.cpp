#include "henaw/henaw_trainer.h"

#include "io/atomic_file.h"

#include "checkpoint/checkpoint_store.h"
#include "henaw/age_stratified_sampler.h"
#include "henaw/henaw_arrays.h"
#include "jobs/job.h"
#include "jobs/job_context.h"
#include "pipeline/clock_outputs.h"
#include "stats/survival_stats.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonObject>

#include <cmath>

namespace bioforge::age {

using core::JobFailure;
using core::orThrow;

double henawLearningRate(const HenawConfig& c, int epoch)
{
    if (epoch < c.warmupEpochs)
        return c.learningRate * double(epoch + 1) / double(c.warmupEpochs + 1);
    const int span = std::max(1, c.epochs - c.warmupEpochs - 1);
    const double progress = std::min(1.0, double(epoch - c.warmupEpochs) / double(span));
    return c.minLearningRate + 0.5 * (c.learningRate - c.minLearningRate) * (1 + std::cos(M_PI * progress));
}

namespace {

// The rows of a batch, gathered.
struct BatchRows {
    std::vector<float> x, g, age, time, event, morbidity;
    HenawBatch view(int64_t rows, bool hasMorbidity) const
    {
        return {rows, x.data(), g.data(), age.data(), time.data(), event.data(), hasMorbidity ? morbidity.data() : nullptr};
    }
};

BatchRows gather(const HenawSplitData& d, const std::vector<qsizetype>& rows, int morbidities)
{
    BatchRows b;
    const size_t n = size_t(d.rows.markers), ng = size_t(d.rows.engineered);
    for (qsizetype r : rows) {
        b.x.insert(b.x.end(), d.rows.x.begin() + ptrdiff_t(size_t(r) * n), d.rows.x.begin() + ptrdiff_t(size_t(r + 1) * n));
        b.g.insert(b.g.end(), d.rows.g.begin() + ptrdiff_t(size_t(r) * ng), d.rows.g.begin() + ptrdiff_t(size_t(r + 1) * ng));
        b.age.push_back(d.rows.age[size_t(r)]);
        b.time.push_back(d.time[size_t(r)]);
        b.event.push_back(d.event[size_t(r)]);
        for (int k = 0; k < morbidities; ++k)
            b.morbidity.push_back(d.morbidity[size_t(r) * size_t(morbidities) + size_t(k)]);
    }
    return b;
}

HenawBatch whole(const HenawSplitData& d) { return {d.rows.rows, d.rows.x.data(), d.rows.g.data(), d.rows.age.data(), d.time.data(), d.event.data(), d.morbidity.empty() ? nullptr : d.morbidity.data()}; }

struct MemberState {
    int epoch = 0;
    qsizetype position = 0;
    int batchSize = 0;
    double bestValidation = INFINITY;
    int bestEpoch = -1, badEpochs = 0, outOfMemory = 0;
    double lossSum = 0;  // this epoch's training loss so far (rows x loss), kept across a resume
    qint64 lossRows = 0;
    bool done = false;
    // The member's history.csv rows, one an epoch, kept in its verified checkpoint entry: a file
    // beside the checkpoints was published as scribbled over, and a member recomputed from a
    // rejected entry wrote its epochs twice (trial 24 T24-19). Absent from entries written before.
    QStringList history;
    bool historyKept = true;

    QJsonObject toJson() const
    {
        return {{QStringLiteral("epoch"), epoch}, {QStringLiteral("position"), double(position)}, {QStringLiteral("batch_size"), batchSize},
                {QStringLiteral("best_validation"), std::isfinite(bestValidation) ? bestValidation : -1.0}, {QStringLiteral("best_epoch"), bestEpoch},
                {QStringLiteral("bad_epochs"), badEpochs}, {QStringLiteral("out_of_memory"), outOfMemory}, {QStringLiteral("done"), done},
                {QStringLiteral("loss_sum"), lossSum}, {QStringLiteral("loss_rows"), double(lossRows)},
                {QStringLiteral("history"), QJsonArray::fromStringList(history)}};
    }
    static MemberState fromJson(const QJsonObject& o)
    {
        MemberState s;
        s.epoch = o.value(QLatin1String("epoch")).toInt();
        s.position = qsizetype(o.value(QLatin1String("position")).toInteger());
        s.batchSize = o.value(QLatin1String("batch_size")).toInt();
        const double best = o.value(QLatin1String("best_validation")).toDouble(-1);
        s.bestValidation = best < 0 ? INFINITY : best;
        s.bestEpoch = o.value(QLatin1String("best_epoch")).toInt(-1);
        s.badEpochs = o.value(QLatin1String("bad_epochs")).toInt();
        s.outOfMemory = o.value(QLatin1String("out_of_memory")).toInt();
        s.done = o.value(QLatin1String("done")).toBool();
        s.lossSum = o.value(QLatin1String("loss_sum")).toDouble();
        s.lossRows = o.value(QLatin1String("loss_rows")).toInteger();
        s.historyKept = o.value(QLatin1String("history")).isArray();
        for (const QJsonValue& row : o.value(QLatin1String("history")).toArray())
            s.history << row.toString();
        return s;
    }
};

void save(core::CheckpointStore& store, const QString& key, const MemberState& s, const HenawNetwork& net, const std::vector<NamedArray>& best)
{
    core::SafetensorsWriter tensors;
    orThrow(addArrays(tensors, s.done ? net.weights() : net.trainingState(), QStringLiteral("current.")));
    orThrow(addArrays(tensors, best, QStringLiteral("best.")));
    orThrow(store.save(key, s.toJson(), &tensors));
}

constexpr const char* kHistoryHeader = "member,epoch,learning_rate,batch_size,train_loss,validation_loss,validation_age_mae_years,validation_c_index\n";

// A member's rows from the history file runs paused before stop 67 kept beside the checkpoints
// (its entry holds none): epochs 1..`epochs` of member `k`, each once, rows of another shape or of
// text that is no number left out. Empty where the file is gone.
QStringList legacyHistory(const QString& path, int k, int epochs)
{
    QFile file(path);
    QStringList rows;
    if (!file.open(QIODevice::ReadOnly))
        return rows;
    for (const QByteArray& line : file.readAll().split('\n')) {
        const QList<QByteArray> fields = line.trimmed().split(',');
        bool memberOk = false, epochOk = false;
        const int member = fields.value(0).toInt(&memberOk), epoch = fields.value(1).toInt(&epochOk);
        if (fields.size() != 8 || !memberOk || !epochOk || member != k || epoch != rows.size() + 1 || epoch > epochs)
            continue;
        rows << QString::fromLatin1(line.trimmed());
    }
    return rows;
}

} // namespace

std::optional<std::vector<std::unique_ptr<HenawNetwork>>> trainHenawEnsemble(core::JobContext& ctx, const HenawConfig& c, const std::vector<double>& cv,
                                                                             const HenawSplitData& train, const HenawSplitData& validation,
                                                                             HenawTrainingReport* report, const HenawTrainingHooks& hooks,
                                                                             const core::TorchDevice& device)
{
    core::CheckpointStore& store = ctx.checkpoints();
    const int morbidities = int(c.morbidities.size());
    std::vector<double> trainAges;
    for (float a : train.rows.age)
        trainAges.push_back(double(a));
    // Each member's history rows are in its checkpoint entry (MemberState::history); the run folder
    // gets them, member by member, when training ends. A run paused by an earlier version kept them
    // in this file instead: read for its members' epochs before the resume.
    const QString legacyFile = QDir(store.rootDir()).filePath(QStringLiteral("henaw-history.csv"));
    QByteArray history(kHistoryHeader);
    std::vector<std::unique_ptr<HenawNetwork>> members;
    ctx.beginStage(QStringLiteral("henaw"), qint64(c.ensemble) * c.epochs);
    for (int k = 0; k < c.ensemble; ++k) {
        const uint64_t seed = c.seed * 1000003ULL + uint64_t(k);
        const QString key = QStringLiteral("henaw/member-%1").arg(k, 2, 10, QLatin1Char('0'));
        auto net = orThrow(HenawNetwork::create(c, cv, seed, device));
        MemberState s;
        s.batchSize = c.batchSize;
        std::vector<NamedArray> best;
        if (auto saved = store.loadOrDiscard(key)) {
            s = MemberState::fromJson(saved->state);
            if (!s.historyKept) {
                s.history = legacyHistory(legacyFile, k, s.epoch);
                if (s.history.size() != s.epoch)
                    ctx.warn(QStringLiteral("HENAW member %1: the training history of %2 of its %3 epochs before the resume is not known (a "
                                            "checkpoint of an earlier version, its history file incomplete): history.csv lacks them")
                                 .arg(QString::number(k), QString::number(s.epoch - s.history.size()), QString::number(s.epoch)));
            }
            if (saved->tensors) {
                orThrow(net->load(orThrow(readArrays(*saved->tensors, QStringLiteral("current."))), !s.done));
                best = orThrow(readArrays(*saved->tensors, QStringLiteral("best.")));
            }
        }
        if (k == 0 && hooks.injectOutOfMemoryAtStep >= 0 && !s.done)
            net->injectOutOfMemoryAt(hooks.injectOutOfMemoryAtStep);
        const AgeStratifiedSampler sampler(trainAges, c.batchSize, c.ageBand, seed);
        ctx.advanceReused(qint64(s.done ? c.epochs : s.epoch)); // epochs its checkpoint holds
        while (!s.done) {
            const double lr = henawLearningRate(c, s.epoch);
            const std::vector<qsizetype> order = sampler.order(s.epoch);
            int sinceCheckpoint = 0;
            while (s.position < qsizetype(order.size())) {
                const std::vector<qsizetype> batch = AgeStratifiedSampler::batches(order, s.position, s.batchSize).front();
                const BatchRows rows = gather(train, batch, morbidities);
                try {
                    const HenawNetwork::Loss loss = net->trainStep(rows.view(int64_t(batch.size()), morbidities > 0), lr);
                    s.lossSum += loss.total * double(batch.size());
                    s.lossRows += qint64(batch.size());
                    s.position += qsizetype(batch.size());
                } catch (const HenawOutOfMemory& oom) {
                    if (s.batchSize <= 2)
                        throw JobFailure(QStringLiteral("HENAW member %1: out of memory even with batches of 2 rows: %2").arg(k).arg(QString::fromStdString(oom.what)));
                    s.batchSize = std::max(2, s.batchSize / 2);
                    ++s.outOfMemory;
                    ctx.warn(QStringLiteral("HENAW member %1, epoch %2: out of memory (%3); the batch was dropped unapplied and the batch size halved to %4")
                                 .arg(QString::number(k), QString::number(s.epoch + 1), QString::fromStdString(oom.what), QString::number(s.batchSize)));
                    save(store, key, s, *net, best);
                    continue;
                }
                if (++sinceCheckpoint >= hooks.checkpointEveryBatches || ctx.stopRequested()) {
                    save(store, key, s, *net, best);
                    sinceCheckpoint = 0;
                    if (ctx.stopRequested())
                        return std::nullopt;
                }
            }
            // The epoch's end: validation, early stopping, history.
            const HenawNetwork::Evaluation evaluation = net->evaluate(whole(validation));
            const HenawNetwork::Loss& val = evaluation.loss;
            const HenawNetwork::Outputs& out = evaluation.outputs;
            double mae = 0;
            qint64 maeRows = 0;
            SurvivalData survival;
            std::vector<double> risk;
            for (qsizetype i = 0; i < validation.rows.rows; ++i) {
                if (std::isfinite(validation.rows.age[size_t(i)])) {
                    mae += std::abs(out.ageMean[size_t(i)] - validation.rows.age[size_t(i)]);
                    ++maeRows;
                }
                if (std::isfinite(validation.time[size_t(i)])) {
                    survival.time.push_back(validation.time[size_t(i)]);
                    survival.event.push_back(int(validation.event[size_t(i)]));
                    risk.push_back(out.logHazard[size_t(i)]);
                }
            }
            // Saved with the epoch's state below: an epoch redone after a crash is one row.
            s.history << QStringList{QString::number(k), QString::number(s.epoch + 1), numberText(lr), QString::number(s.batchSize),
                                     numberText(s.lossRows ? s.lossSum / double(s.lossRows) : std::nan("")), numberText(val.total),
                                     numberText(maeRows ? mae / double(maeRows) * validation.ageSd : std::nan("")),
                                     numberText(concordanceIndex(survival, risk))}
                             .join(QLatin1Char(','));
            if (val.total < s.bestValidation - 1e-6) {
                s.bestValidation = val.total;
                s.bestEpoch = s.epoch;
                s.badEpochs = 0;
                best = net->weights();
            } else {
                ++s.badEpochs;
            }
            ++s.epoch;
            s.position = 0;
            s.lossSum = 0;
            s.lossRows = 0;
            ctx.advance();
            ctx.setMessage(QStringLiteral("member %1 of %2, epoch %3: validation loss %4").arg(QString::number(k + 1), QString::number(c.ensemble),
                                                                                               QString::number(s.epoch),
                                                                                               QString::number(val.total, 'f', 4)));
            if (s.epoch >= c.epochs || s.badEpochs >= c.patience) {
                if (!best.empty())
                    orThrow(net->load(best, false));
                s.done = true;
                ctx.advance(qint64(c.epochs - s.epoch));
            }
            save(store, key, s, *net, s.done ? std::vector<NamedArray>{} : best);
            if (!s.done && ctx.stopRequested())
                return std::nullopt;
        }
        if (report) {
            report->members.append(QJsonObject{{QStringLiteral("member"), k}, {QStringLiteral("seed"), double(seed)}, {QStringLiteral("epochs"), s.epoch},
                                               {QStringLiteral("best_epoch"), s.bestEpoch + 1}, {QStringLiteral("best_validation_loss"), s.bestValidation},
                                               {QStringLiteral("batch_size"), s.batchSize}, {QStringLiteral("out_of_memory_events"), s.outOfMemory}});
            report->outOfMemoryEvents += s.outOfMemory;
        }
        for (const QString& row : std::as_const(s.history))
            history += row.toUtf8() + '\n';
        members.push_back(std::move(net));
    }
    orThrow(core::AtomicFile::write(QDir(ctx.outputDir()).filePath(QStringLiteral("history.csv")), history));
    return members;
}

} // namespace bioforge::age
