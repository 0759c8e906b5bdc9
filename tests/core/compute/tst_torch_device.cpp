// The `device` parameter of the LibTorch jobs (core/compute/torch_device.h):
// its spellings, and its resolution against every answer LibTorch can give
// (no CUDA in the build, CUDA without a device, N devices, a leased GPU).

#include "compute/torch_device.h"

#include <QtTest>

using namespace bioforge::core;

class TstTorchDevice : public QObject {
    Q_OBJECT

private slots:
    void theSpellingsAreAcceptedAndWrittenBackTheSameWay()
    {
        for (const auto& [text, label] : {std::pair{"auto", "auto"}, {"", "auto"}, {"cpu", "cpu"}, {" CPU ", "cpu"}, {"cuda", "cuda"}, {"cuda:0", "cuda:0"},
                                          {"Cuda:12", "cuda:12"}}) {
            const auto d = parseTorchDevice(QLatin1String(text));
            QVERIFY2(d, text);
            QCOMPARE(d->label(), QLatin1String(label));
            QCOMPARE(parseTorchDevice(d->label())->label(), d->label());
        }
        for (const char* bad : {"gpu", "cuda:", "cuda:x", "cuda:-1", "cuda:+1", "cuda:01", "cuda:1.5", "hip:0", "cuda0", "cpu:0"}) {
            const auto d = parseTorchDevice(QLatin1String(bad));
            QVERIFY2(!d, bad);
            QVERIFY2(d.error().message().contains(QStringLiteral("'%1'").arg(QLatin1String(bad))), qPrintable(d.error().message()));
        }
    }

    void autoIsCudaOnlyWhereLibTorchSeesADevice()
    {
        const TorchDevice any = *parseTorchDevice(QStringLiteral("auto"));
        QCOMPARE(resolveTorchDevice(any, {false, 0, QStringLiteral("1.13.1")})->label(), QStringLiteral("cpu"));
        QCOMPARE(resolveTorchDevice(any, {true, 0, QStringLiteral("2.5.1")})->label(), QStringLiteral("cpu"));
        QCOMPARE(resolveTorchDevice(any, {true, 2, QStringLiteral("2.5.1")})->label(), QStringLiteral("cuda:0"));
        QCOMPARE(resolveTorchDevice(any, {true, 2, QStringLiteral("2.5.1")}, 1)->label(), QStringLiteral("cuda:1"));   // the leased GPU
        QCOMPARE(resolveTorchDevice(any, {true, 2, QStringLiteral("2.5.1")}, 5)->label(), QStringLiteral("cuda:0"));   // a lease LibTorch does not see
        QCOMPARE(resolveTorchDevice(*parseTorchDevice(QStringLiteral("cpu")), {true, 2, QStringLiteral("2.5.1")}, 1)->label(), QStringLiteral("cpu"));
    }

    void cudaThatCannotBeHadIsRefusedWithTheReason()
    {
        struct Case {
            const char* asked;
            TorchCudaSupport cuda;
            const char* reason;
        };
        for (const Case& c : {Case{"cuda", {false, 0, QStringLiteral("1.13.1")}, "has no CUDA"}, Case{"cuda:0", {false, 0, QStringLiteral("1.13.1")}, "1.13.1 has no CUDA"},
                              Case{"cuda", {true, 0, QStringLiteral("2.5.1")}, "sees no CUDA device"},
                              Case{"cuda:2", {true, 2, QStringLiteral("2.5.1")}, "sees 2 CUDA device(s), cuda:0 … cuda:1"}}) {
            const auto d = resolveTorchDevice(*parseTorchDevice(QLatin1String(c.asked)), c.cuda);
            QVERIFY2(!d, c.asked);
            QVERIFY2(d.error().message().startsWith(QStringLiteral("device %1:").arg(QLatin1String(c.asked))) && d.error().message().contains(QString::fromUtf8(c.reason)),
                     qPrintable(d.error().message()));
        }
        QCOMPARE(resolveTorchDevice(*parseTorchDevice(QStringLiteral("cuda:1")), {true, 2, QStringLiteral("2.5.1")})->label(), QStringLiteral("cuda:1"));
        QCOMPARE(resolveTorchDevice(*parseTorchDevice(QStringLiteral("cuda")), {true, 2, QStringLiteral("2.5.1")}, 1)->label(), QStringLiteral("cuda:1"));
    }

    // Before a run is recorded only what no machine can change is refused: CUDA asked of a
    // LibTorch built without it. No device visible now is the run's to find (a cluster node has one).
    void onlyABuildWithoutCudaIsRefusedUpFront()
    {
        const TorchCudaSupport cpuOnly{false, 0, QStringLiteral("1.13.1")};
        for (const char* asked : {"cuda", "cuda:1"}) {
            const Status st = checkTorchDeviceBuilt(*parseTorchDevice(QLatin1String(asked)), cpuOnly);
            QVERIFY2(!st, asked);
            QCOMPARE(st.error().kind(), Error::Kind::NotFound);
            QVERIFY2(st.error().message().contains(QStringLiteral("has no CUDA")), qPrintable(st.error().message()));
        }
        for (const char* asked : {"cpu", "auto"})
            QVERIFY2(checkTorchDeviceBuilt(*parseTorchDevice(QLatin1String(asked)), cpuOnly), asked);
        QVERIFY(checkTorchDeviceBuilt(*parseTorchDevice(QStringLiteral("cuda:3")), {true, 0, QStringLiteral("2.5.1")}));
    }
};

QTEST_GUILESS_MAIN(TstTorchDevice)
#include "tst_torch_device.moc"
