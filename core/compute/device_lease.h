#pragma once

// Device leases: one lease per GPU so two GPU jobs never fight over a device.
// A job that declares it can share a device may run beside other sharing jobs.
// Leases are RAII: destroying one gives the device back.

#include "compute/device_info.h"
#include "jobs/job.h"

#include <QList>

#include <memory>
#include <mutex>

namespace bioforge::core {

class DeviceLeasePool;

class DeviceLease {
public:
    ~DeviceLease();
    DeviceLease(const DeviceLease&) = delete;
    DeviceLease& operator=(const DeviceLease&) = delete;

    const DeviceInfo& device() const { return m_device; } // the first (or only) device
    // Every device of the lease, device() first: more than one only for a job that asked for
    // several GPUs (JobRequirements::maxGpus) and found them free.
    QList<DeviceInfo> devices() const { return QList<DeviceInfo>{m_device} + m_more; }
    bool shared() const { return m_shared; }

private:
    friend class DeviceLeasePool;
    DeviceLease(DeviceLeasePool* pool, DeviceInfo device, bool shared, QList<DeviceInfo> more = {})
        : m_pool(pool), m_device(std::move(device)), m_more(std::move(more)), m_shared(shared) {}
    DeviceLeasePool* m_pool;
    DeviceInfo m_device;
    QList<DeviceInfo> m_more;
    bool m_shared;
};

class DeviceLeasePool {
public:
    explicit DeviceLeasePool(QList<DeviceInfo> devices);

    enum class Answer { Granted, Wait, Impossible };
    struct Result {
        Answer answer = Answer::Wait;
        std::unique_ptr<DeviceLease> lease; // for Granted
        QString reason;                     // for Impossible
    };

    // Non-blocking: the scheduler asks again when a lease comes back.
    Result tryAcquire(const JobRequirements& needs);
    int activeLeases() const;
    bool hasGpu() const;

private:
    friend class DeviceLease;
    void release(const QString& deviceId, bool shared);

    struct Slot {
        DeviceInfo device;
        bool exclusive = false;
        int sharers = 0;
    };
    mutable std::mutex m_mutex;
    QList<Slot> m_slots;
    DeviceInfo m_cpu;
};

} // namespace bioforge::core
