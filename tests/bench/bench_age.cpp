// Benchmarks of the age plugin (figures in docs/performance.md). Prints
// figures; asserts nothing. Tables are synthesized with NHANES-like columns
// (the nhanes-bioage mapping reads them) in $BIOFORGE_BENCH_DIR.
//
//   bench_age clocks --rows N [--chunk 32768]
//       the `clocks` job (PhenoAge + KDM on the blood markers, trained on a
//       synthesized 20,000-row reference) streaming a table of N rows:
//       rows/s and peak RSS (run it for growing N: flat).
//   bench_age henaw --rows N [--epochs 3] [--threads 2]
//       HENAW training (one member) samples/s, then prediction rows/s.

#include "checkpoint/checkpoint_store.h"
#include "henaw/henaw_model.h"
#include "jobs/clock.h"
#include "jobs/job_context.h"
#include "log/logging.h"
#include "pipeline/clock_jobs.h"
#include "pipeline/henaw_jobs.h"
#include "provenance/provenance_recorder.h"
#include "table/cohort_reader.h"

#include "bench_support.h"

#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QTemporaryDir>

#include <cmath>
#include <cstdio>
#include <random>

using namespace bioforge;
using namespace bioforge::age;
using namespace bioforge::bench;

namespace {

// N people: nine blood markers drifting with age, follow-up and death.
QString syntheticTable(qint64 rows, uint32_t seed)
{
    const QString path = QDir(benchDir()).filePath(QStringLiteral("age-%1-%2.csv").arg(rows).arg(seed));
    if (QFile::exists(path))
        return path;
    QFile out(path + QStringLiteral(".part"));
    if (!out.open(QIODevice::WriteOnly))
        return {};
    std::mt19937_64 rng(seed);
    std::normal_distribution<double> z;
    std::uniform_real_distribution<double> u(0, 1);
    out.write("sample_id,age_years,sex_1male_2female,pregnant,followup_months,died_counted,albumin_g_per_L,creatinine_umol_per_L,glucose_mmol_per_L,"
              "crp_mg_per_dL,lymphocyte_percent,mcv_fL,rdw_percent,alp_U_per_L,wbc_1000_cells_per_uL\n");
    QByteArray buffer;
    for (qint64 i = 0; i < rows; ++i) {
        const double age = 20 + 60 * u(rng), d = age - 50;
        const double rdw = 13 + 0.02 * d + 0.9 * z(rng);
        const double hazard = std::exp(-10.2 + 0.075 * age + 0.3 * (rdw - 13));
        const double death = -std::log(u(rng)) / hazard;
        buffer += "s" + QByteArray::number(i) + ',' + QByteArray::number(age, 'f', 1) + ',' + (i % 2 ? "1" : "2") + ",0,"
                  + QByteArray::number(std::min(death, 240.0), 'f', 1) + ',' + (death < 240 ? "1" : "0") + ','
                  + QByteArray::number(43 - 0.05 * d + 2.5 * z(rng), 'f', 1) + ',' + QByteArray::number(80 + 0.3 * d + 15 * z(rng), 'f', 1) + ','
                  + QByteArray::number(5.2 + 0.02 * d + 0.6 * z(rng), 'f', 2) + ',' + QByteArray::number(std::exp(-1.6 + 0.01 * age + 0.9 * z(rng)), 'f', 3) + ','
                  + QByteArray::number(30 - 0.05 * d + 6 * z(rng), 'f', 1) + ',' + QByteArray::number(90 + 0.05 * d + 4 * z(rng), 'f', 1) + ','
                  + QByteArray::number(rdw, 'f', 1) + ',' + QByteArray::number(70 + 0.2 * d + 18 * z(rng), 'f', 0) + ','
                  + QByteArray::number(6.8 + 1.8 * z(rng), 'f', 1) + '\n';
        if (buffer.size() > (1 << 20)) {
            out.write(buffer);
            buffer.clear();
        }
    }
    out.write(buffer);
    out.close();
    QFile::rename(out.fileName(), path);
    return path;
}

struct Run {
    QTemporaryDir dir{QDir(benchDir()).filePath(QStringLiteral("run-XXXXXX"))};
    core::CheckpointStore store{dir.filePath(QStringLiteral("checkpoints")), 1};
    core::ProvenanceRecorder provenance{dir.path()};
    std::unique_ptr<core::JobContext> ctx;
    explicit Run(const QJsonObject& p)
    {
        ctx = std::make_unique<core::JobContext>(QStringLiteral("bench"), core::SteadyClock::instance(),
                                                 core::JobContext::Services{&store, &provenance, nullptr, dir.path(), QString()}, p);
    }
};

int benchClocks(const QStringList& args)
{
    const qint64 rows = option(args, QStringLiteral("--rows"), 100000);
    const QString table = syntheticTable(rows, 1), reference = syntheticTable(20000, 2);
    const QJsonObject p{{QStringLiteral("table"), table}, {QStringLiteral("kdm_reference"), reference}, {QStringLiteral("kdm_markers"), QStringLiteral("kdm_blood")},
                        {QStringLiteral("rows_per_chunk"), int(option(args, QStringLiteral("--chunk"), 32768))}};
    Run run(p);
    ClocksJob job(*ClockSettings::fromParameters(p));
    QElapsedTimer t;
    t.start();
    const core::JobOutcome outcome = job.run(*run.ctx);
    const double s = double(t.nsecsElapsed()) / 1e9;
    std::printf("clocks (PhenoAge + KDM, streamed), %lld rows, %.1f MB table: %.2f s, %.0f rows/s; peak RSS %ld MiB%s\n", (long long)rows,
                double(QFileInfo(table).size()) / 1e6, s, double(rows) / s, peakRssKiB() / 1024, outcome == core::JobOutcome::Finished ? "" : " (did not finish)");
    return outcome == core::JobOutcome::Finished ? 0 : 1;
}

int benchHenaw(const QStringList& args)
{
    const qint64 rows = option(args, QStringLiteral("--rows"), 20000);
    const int epochs = int(option(args, QStringLiteral("--epochs"), 3)), threads = int(option(args, QStringLiteral("--threads"), 2));
    const QString table = syntheticTable(rows, 3);
    const QJsonObject p{{QStringLiteral("table"), table}, {QStringLiteral("epochs"), epochs}, {QStringLiteral("ensemble"), 1}, {QStringLiteral("threads"), threads}};
    Run run(p);
    HenawTrainJob job(*HenawRunSettings::fromParameters(p));
    QElapsedTimer t;
    t.start();
    if (job.run(*run.ctx) != core::JobOutcome::Finished)
        return 1;
    const double trainSeconds = double(t.nsecsElapsed()) / 1e9;
    const double samples = double(rows) * 0.7 * epochs; // the training split, every epoch
    auto model = HenawModel::load(run.dir.filePath(QStringLiteral("henaw-model")));
    if (!model)
        return 1;
    auto mapping = ColumnMapping::load(QStringLiteral("nhanes-bioage"));
    auto cohort = readCohort(table, *mapping, BiomarkerSchema::builtIn(), nullptr);
    std::vector<qsizetype> all(size_t(cohort->rows()));
    for (qsizetype r = 0; r < cohort->rows(); ++r)
        all[size_t(r)] = r;
    t.restart();
    const HenawPrediction prediction = model->predict(*cohort, all);
    const double predictSeconds = double(t.nsecsElapsed()) / 1e9;
    std::printf("HENAW, %lld rows, %d threads: training %.0f samples/s (%d epochs, one member, validation included); prediction %.0f rows/s; peak RSS %ld MiB\n",
                (long long)rows, threads, samples / trainSeconds, epochs, double(prediction.biologicalAge.size()) / predictSeconds, peakRssKiB() / 1024);
    return 0;
}

} // namespace

int main(int argc, char** argv)
{
    runWithProductBlasKernels(argv);
    QCoreApplication app(argc, argv);
    core::Logging::initialize(core::Logging::Console::Off);
    QDir().mkpath(benchDir());
    const QStringList args = app.arguments();
    const QString mode = args.value(1);
    if (mode == QLatin1String("clocks"))
        return benchClocks(args);
    if (mode == QLatin1String("henaw"))
        return benchHenaw(args);
    std::fprintf(stderr, "usage: bench_age clocks|henaw [options] (see the comment at the top of bench_age.cpp)\n");
    return 2;
}
