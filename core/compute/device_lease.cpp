#include "compute/device_lease.h"

namespace bioforge::core {

DeviceLease::~DeviceLease()
{
    if (m_pool && m_device.isGpu())
        m_pool->release(m_device.id, m_shared);
    if (m_pool)
        for (const DeviceInfo& d : m_more)
            m_pool->release(d.id, false);
}

DeviceLeasePool::DeviceLeasePool(QList<DeviceInfo> devices)
{
    for (DeviceInfo& d : devices) {
        if (d.isGpu())
            m_slots.append({d, false, 0});
        else
            m_cpu = d;
    }
    if (m_cpu.id.isEmpty()) {
        m_cpu.id = QStringLiteral("cpu");
        m_cpu.name = QStringLiteral("CPU");
    }
}

bool DeviceLeasePool::hasGpu() const
{
    std::lock_guard lock(m_mutex);
    return !m_slots.isEmpty();
}

int DeviceLeasePool::activeLeases() const
{
    std::lock_guard lock(m_mutex);
    int n = 0;
    for (const Slot& s : m_slots)
        n += (s.exclusive ? 1 : 0) + s.sharers;
    return n;
}

DeviceLeasePool::Result DeviceLeasePool::tryAcquire(const JobRequirements& needs)
{
    Result result;
    std::lock_guard lock(m_mutex);
    if (needs.device == DeviceNeed::CpuOnly || (needs.device == DeviceNeed::GpuPreferred && m_slots.isEmpty())) {
        result.answer = Answer::Granted;
        result.lease.reset(new DeviceLease(this, m_cpu, true));
        return result;
    }
    if (m_slots.isEmpty()) {
        result.answer = Answer::Impossible;
        result.reason = QStringLiteral("this job needs a GPU and none was found on this machine");
        return result;
    }
    // Least-loaded free slot first, so work spreads over all GPUs.
    Slot* best = nullptr;
    for (Slot& s : m_slots) {
        const bool free = needs.canShareDevice ? !s.exclusive : (!s.exclusive && s.sharers == 0);
        if (free && (!best || s.sharers < best->sharers))
            best = &s;
    }
    if (!best) {
        result.answer = Answer::Wait;
        return result;
    }
    if (needs.canShareDevice)
        ++best->sharers;
    else
        best->exclusive = true;
    QList<DeviceInfo> more; // a job that spreads over GPUs: every other free one, in the pool's order
    if (!needs.canShareDevice)
        for (Slot& s : m_slots)
            if (1 + more.size() < needs.maxGpus && !s.exclusive && s.sharers == 0) {
                s.exclusive = true;
                more.append(s.device);
            }
    result.answer = Answer::Granted;
    result.lease.reset(new DeviceLease(this, best->device, needs.canShareDevice, std::move(more)));
    return result;
}

void DeviceLeasePool::release(const QString& deviceId, bool shared)
{
    std::lock_guard lock(m_mutex);
    for (Slot& s : m_slots) {
        if (s.device.id != deviceId)
            continue;
        if (shared)
            s.sharers = qMax(0, s.sharers - 1);
        else
            s.exclusive = false;
    }
}

} // namespace bioforge::core
