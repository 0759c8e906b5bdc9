// The viral predict job on several devices and on a device short of memory
// (tests/plugins/viral/predict_job_harness.h: the fixture encoders, a seeded
// random classifier): shards split over two workers standing in for two GPUs
// give the one-device files, uninterrupted and paused at every unit; which
// devices a lease gives a run; the device parameter parsed, resolved and left
// out of the result key; a batch the device has no memory for split in
// halves, and a single frame that does not fit failing the run saying so.

#include "compute/device_lease.h"
#include "model/torch_runtime.h"
#include "pipeline/predict_job.h"
#include "predict_job_harness.h"
#include "support/test_support.h"

#include <QJsonObject>
#include <QtTest>

#include <cmath>

using namespace bioforge;
using namespace bioforge::viral;
using bioforge::viral::test::PredictJobHarness;
using bioforge::viral::test::RunResult;

class TstPredictDevices : public QObject {
    Q_OBJECT
    PredictJobHarness h;

private slots:
    void initTestCase()
    {
        QString why;
        if (!h.setUp(&why))
            QSKIP(qPrintable(why));
        // The one-device run every test here compares with.
        const RunResult r = h.attempt(h.path("plain"), h.parameters(), false);
        QVERIFY2(r.failure.isEmpty() && r.outcome == core::JobOutcome::Finished, qPrintable(r.failure));
    }

    void shardsSplitOverSeveralDevicesGiveTheSameFiles()
    {
        // Two CPU workers stand in for two GPUs: each loads its own copy of the models on a thread
        // of its own and takes the next shard when it finishes one. Uninterrupted, and paused at
        // every unit, the files are the single-device run's.
        const EncoderDevice cpu = *parseEncoderDevice(QStringLiteral("cpu"));
        const std::vector<EncoderDevice> two{cpu, cpu};
        const QString plain = h.path("plain"), run = h.path("spread");
        const RunResult r = h.attempt(run, h.parameters(), false, {}, two);
        QVERIFY2(r.failure.isEmpty() && r.outcome == core::JobOutcome::Finished, qPrintable(r.failure));
        for (const char* name : {"prediction_results.txt", "frames.tsv", "chunks.tsv", "contigs.tsv"})
            QVERIFY2(h.file(run, name) == h.file(plain, name), name);
        const QString paused = h.path("spread-paused");
        int attempts = 0;
        RunResult p;
        do {
            p = h.attempt(paused, h.parameters(), true, {}, two);
            QVERIFY2(p.failure.isEmpty(), qPrintable(p.failure));
            QVERIFY(++attempts < 200);
        } while (p.outcome != core::JobOutcome::Finished);
        QVERIFY2(attempts > 5, qPrintable(QString::number(attempts)));
        for (const char* name : {"prediction_results.txt", "frames.tsv", "chunks.tsv", "contigs.tsv"})
            QVERIFY2(h.file(paused, name) == h.file(plain, name), name);
        // A failure on one device fails the run with its reason, the other device's shard saved.
        const RunResult failed = h.attempt(h.path("spread-failed"), h.parameters(), false, {},
                                         {cpu, [&] {
                                              EncoderDevice small = cpu;
                                              small.outOfMemoryAboveTokens = 20; // no frame fits
                                              return small;
                                          }()});
        QVERIFY2(failed.failure.contains(QStringLiteral("a single frame does not fit")), qPrintable(failed.failure));

        // Which devices: auto and cuda (no number) take every CUDA GPU of the lease; cuda:N, N alone.
        auto gpu = [](int i) {
            core::DeviceInfo d;
            d.id = QStringLiteral("cuda:%1").arg(i);
            d.kind = core::DeviceKind::Cuda;
            d.index = i;
            return d;
        };
        core::DeviceLeasePool pool({core::DeviceInfo{}, gpu(0), gpu(1), gpu(2)});
        core::JobRequirements needs{core::DeviceNeed::GpuPreferred, false};
        needs.maxGpus = 2;
        const auto lease = pool.tryAcquire(needs);
        QCOMPARE(lease.lease->devices().size(), 2);
        EncoderDevice first = *parseEncoderDevice(QStringLiteral("cuda:0"));
        first.index = lease.lease->device().index;
        QStringList labels;
        for (const EncoderDevice& d : encoderDevices(first, *parseEncoderDevice(QStringLiteral("auto")), lease.lease.get()))
            labels << d.label();
        QCOMPARE(labels.size(), 2);
        QCOMPARE(labels.first(), first.label());
        QVERIFY(labels.first() != labels.last() && labels.last().startsWith(QStringLiteral("cuda:")));
        QCOMPARE(encoderDevices(first, *parseEncoderDevice(QStringLiteral("cuda")), lease.lease.get()).size(), size_t(2));
        QCOMPARE(encoderDevices(first, *parseEncoderDevice(QStringLiteral("cuda:0")), lease.lease.get()).size(), size_t(1));
        QCOMPARE(encoderDevices(cpu, *parseEncoderDevice(QStringLiteral("auto")), lease.lease.get()).size(), size_t(1));
        QCOMPARE(encoderDevices(first, *parseEncoderDevice(QStringLiteral("auto")), nullptr).size(), size_t(1));
    }

    void theDeviceIsParsedResolvedAndLeftOutOfTheResultKey()
    {
        QJsonObject p = h.parameters();
        const auto byDefault = PredictSettings::fromParameters(p);
        QVERIFY(byDefault);
        QCOMPARE(byDefault->device.label(), QStringLiteral("auto"));
        for (const auto& [text, label] : {std::pair{"cpu", "cpu"}, {"cuda", "cuda"}, {"cuda:1", "cuda:1"}, {" CUDA:0 ", "cuda:0"}, {"auto", "auto"}}) {
            p.insert(QStringLiteral("device"), QLatin1String(text));
            const auto s = PredictSettings::fromParameters(p);
            QVERIFY2(s, text);
            QCOMPARE(s->device.label(), QLatin1String(label));
            // The parameter alone leaves the key: a run that ends up on the CPU keeps older runs' keys.
            QCOMPARE(s->resultKey(), byDefault->resultKey());
        }
        // A result computed on a GPU gets a key of its own (its kernels round differently).
        PredictSettings onGpu = *byDefault;
        onGpu.computedOnCuda = true;
        QVERIFY(onGpu.resultKey() != byDefault->resultKey());
        for (const char* bad : {"gpu", "cuda:", "cuda:x", "cuda:-1", "cuda:+1", "cuda:01", "hip:0", "cuda0"}) {
            p.insert(QStringLiteral("device"), QLatin1String(bad));
            const auto s = PredictSettings::fromParameters(p);
            QVERIFY2(!s, bad);
            QVERIFY2(s.error().message().contains(QLatin1String(bad)) && s.error().message().contains(QLatin1String("cuda:N")),
                     qPrintable(s.error().message()));
        }
        // The CPU asked for is the CPU; auto is the CPU where LibTorch sees no CUDA device.
        QCOMPARE(resolveEncoderDevice(*parseEncoderDevice(QStringLiteral("cpu")))->label(), QStringLiteral("cpu"));
        if (torchCudaDeviceCount() > 0)
            QSKIP("this LibTorch sees a CUDA device: the CPU-only answers are checked where it does not");
        QCOMPARE(resolveEncoderDevice(*parseEncoderDevice(QStringLiteral("auto")))->label(), QStringLiteral("cpu"));
        p.insert(QStringLiteral("device"), QStringLiteral("auto"));
        QCOMPARE(int(PredictJob(*PredictSettings::fromParameters(p)).requirements().device), int(core::DeviceNeed::CpuOnly));
        // cuda asked for where this LibTorch cannot: the run fails before any work, saying why.
        for (const char* asked : {"cuda", "cuda:3"}) {
            const auto refused = resolveEncoderDevice(*parseEncoderDevice(QLatin1String(asked)));
            QVERIFY(!refused);
            QVERIFY2(refused.error().message().startsWith(QStringLiteral("device %1:").arg(QLatin1String(asked))), qPrintable(refused.error().message()));
            QVERIFY2(refused.error().message().contains(torchHasCuda() ? QStringLiteral("sees no CUDA device") : QStringLiteral("has no CUDA")),
                     qPrintable(refused.error().message()));
        }
        p.insert(QStringLiteral("device"), QStringLiteral("cuda:0"));
        const RunResult r = h.attempt(h.path("cuda-refused"), p, false);
        QVERIFY2(r.failure.contains(QStringLiteral("device cuda:0")), qPrintable(r.failure));
    }

    void aBatchTheDeviceHasNoMemoryForIsSplitInHalves()
    {
        // The device "has memory" for 150 padded tokens (rows × longest row): the budgets of 200
        // and 300 make batches over it, which fail as out of memory, are split, and later batches
        // are split before they are tried. The results are the plain run's within float rounding
        // (a smaller batch pads less; the masked positions add nothing but the order of sums).
        auto limit = [](int64_t tokens) {
            return [tokens](PredictSettings& s) {
                s.device = *parseEncoderDevice(QStringLiteral("cpu"));
                s.device.outOfMemoryAboveTokens = tokens;
            };
        };
        const QString run = h.path("out-of-memory");
        const RunResult r = h.attempt(run, h.parameters(), false, limit(150));
        QVERIFY2(r.failure.isEmpty(), qPrintable(r.failure));
        QCOMPARE(r.outcome, core::JobOutcome::Finished);
        for (const char* stage : {"dnabert stage: DNABERT-S on cpu: out of memory for a batch of ", "esm stage: ESM-2 on cpu: out of memory for a batch of "})
            QVERIFY2(!r.warnings.filter(QLatin1String(stage)).isEmpty(), qPrintable(r.warnings.join(QLatin1Char('\n'))));
        QVERIFY2(r.warnings.filter(QStringLiteral("later batches keep under")).size() <= 2 * 8, qPrintable(r.warnings.join(QLatin1Char('\n'))));
        const QList<QByteArray> ours = h.file(run, "frames.tsv").split('\n'), plain = h.file(h.path("plain"), "frames.tsv").split('\n');
        QCOMPARE(ours.size(), plain.size());
        for (qsizetype i = 1; i < ours.size(); ++i) {
            const QList<QByteArray> a = ours[i].split('\t'), b = plain[i].split('\t');
            QCOMPARE(a.size(), b.size());
            for (qsizetype c = 0; c < a.size(); ++c)
                if (c < 8 || c + 1 == a.size())
                    QCOMPARE(a[c], b[c]);
                else
                    QVERIFY2(std::fabs(a[c].toDouble() - b[c].toDouble()) < 1e-5, ours[i].constData());
        }
        // A single frame over the limit: the run fails, saying so, instead of looping.
        const RunResult tooSmall = h.attempt(h.path("out-of-memory-single"), h.parameters(), false, limit(20));
        QVERIFY2(tooSmall.failure.contains(QStringLiteral("a single frame does not fit")) && tooSmall.failure.contains(QStringLiteral("out of memory for a batch of 1 rows")),
                 qPrintable(tooSmall.failure));
        // On the CPU the way out is a shorter chunk (a 100 kb chunk asked 12 GB for one frame's
        // attention; trial 18 saw only LibTorch's allocator line).
        QVERIFY2(tooSmall.failure.contains(QStringLiteral("does not fit in this machine's memory")) && tooSmall.failure.contains(QStringLiteral("use a shorter --chunk_length")),
                 qPrintable(tooSmall.failure));
    }
};

QTEST_GUILESS_MAIN(TstPredictDevices)
#include "tst_predict_devices.moc"
