// Device leases: exclusive per GPU, shared when jobs allow it, spread over GPUs.

#include "compute/device_discovery.h"
#include "compute/device_lease.h"

#include <QtTest>

using namespace bioforge::core;

class TstDeviceLease : public QObject {
    Q_OBJECT

    static DeviceInfo gpu(int i)
    {
        DeviceInfo d;
        d.id = QStringLiteral("cuda:%1").arg(i);
        d.kind = DeviceKind::Cuda;
        d.index = i;
        return d;
    }

private slots:
    void exclusiveLeasesSpreadOverGpusThenWait()
    {
        DeviceLeasePool pool({DeviceDiscovery::cpu(), gpu(0), gpu(1)});
        const JobRequirements gpuJob{DeviceNeed::GpuRequired, false};
        auto a = pool.tryAcquire(gpuJob);
        auto b = pool.tryAcquire(gpuJob);
        QCOMPARE(a.answer, DeviceLeasePool::Answer::Granted);
        QCOMPARE(b.answer, DeviceLeasePool::Answer::Granted);
        QVERIFY(a.lease->device().id != b.lease->device().id);
        QCOMPARE(pool.tryAcquire(gpuJob).answer, DeviceLeasePool::Answer::Wait);
        a.lease.reset();
        auto c = pool.tryAcquire(gpuJob);
        QCOMPARE(c.answer, DeviceLeasePool::Answer::Granted);
        QCOMPARE(c.lease->device().id, QStringLiteral("cuda:0"));
    }

    void sharingJobsShareButBlockExclusive()
    {
        DeviceLeasePool pool({DeviceDiscovery::cpu(), gpu(0)});
        const JobRequirements sharing{DeviceNeed::GpuRequired, true};
        auto a = pool.tryAcquire(sharing);
        auto b = pool.tryAcquire(sharing);
        QCOMPARE(b.answer, DeviceLeasePool::Answer::Granted);
        QCOMPARE(pool.activeLeases(), 2);
        QCOMPARE(pool.tryAcquire({DeviceNeed::GpuRequired, false}).answer, DeviceLeasePool::Answer::Wait);
        a.lease.reset();
        b.lease.reset();
        QCOMPARE(pool.tryAcquire({DeviceNeed::GpuRequired, false}).answer, DeviceLeasePool::Answer::Granted);
    }

    void aJobThatSpreadsOverGpusTakesTheFreeOnesUpToItsLimit()
    {
        DeviceLeasePool pool({DeviceDiscovery::cpu(), gpu(0), gpu(1), gpu(2), gpu(3)});
        auto single = pool.tryAcquire({DeviceNeed::GpuRequired, false});
        QCOMPARE(single.lease->devices().size(), 1);
        JobRequirements spread{DeviceNeed::GpuPreferred, false};
        spread.maxGpus = 2;
        auto two = pool.tryAcquire(spread);
        QCOMPARE(two.answer, DeviceLeasePool::Answer::Granted);
        QCOMPARE(two.lease->devices().size(), 2);
        QCOMPARE(two.lease->devices().first().id, two.lease->device().id);
        spread.maxGpus = 8;
        auto rest = pool.tryAcquire(spread); // one GPU left: it takes what is free
        QCOMPARE(rest.answer, DeviceLeasePool::Answer::Granted);
        QCOMPARE(rest.lease->devices().size(), 1);
        QSet<QString> ids{single.lease->device().id, rest.lease->device().id};
        for (const DeviceInfo& d : two.lease->devices())
            ids.insert(d.id);
        QCOMPARE(ids.size(), 4); // no GPU leased twice
        QCOMPARE(pool.tryAcquire({DeviceNeed::GpuRequired, false}).answer, DeviceLeasePool::Answer::Wait);
        two.lease.reset(); // both of its GPUs come back
        auto again = pool.tryAcquire(spread);
        QCOMPARE(again.lease->devices().size(), 2);
        QCOMPARE(pool.activeLeases(), 4);
    }

    void cpuJobsNeverWait()
    {
        DeviceLeasePool pool({DeviceDiscovery::cpu()});
        for (int i = 0; i < 10; ++i) {
            auto r = pool.tryAcquire({});
            QCOMPARE(r.answer, DeviceLeasePool::Answer::Granted);
            QCOMPARE(r.lease->device().id, QStringLiteral("cpu"));
        }
        QCOMPARE(pool.tryAcquire({DeviceNeed::GpuRequired, false}).answer, DeviceLeasePool::Answer::Impossible);
    }

    void discoveryAlwaysListsTheCpuAndExplainsMissingGpus()
    {
        const DeviceReport& report = DeviceDiscovery::report();
        QVERIFY(!report.devices.isEmpty());
        QCOMPARE(report.devices.first().id, QStringLiteral("cpu"));
        QVERIFY(report.devices.first().cpuThreads > 0);
        if (report.gpus().isEmpty())
            QVERIFY(!report.notes.isEmpty()); // says why, in words
    }
};

QTEST_GUILESS_MAIN(TstDeviceLease)
#include "tst_device_lease.moc"
