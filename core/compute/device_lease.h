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

    const DeviceInfo& device() const { return m_device; }
    bool shared() const { return m_shared; }

private:
    friend class DeviceLeasePool;
    DeviceLease(DeviceLeasePool* pool, DeviceInfo device, bool shared)
        : m_pool(pool), m_device(std::move(device)), m_shared(shared) {}
    DeviceLeasePool* m_pool;
    DeviceInfo m_device;
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
