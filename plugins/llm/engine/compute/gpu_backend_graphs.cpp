// GpuBackend's captured passes (gpu_backend.h): a generated token's forward pass recorded once as
// a graph per split-K chunk count and replayed (docs/gpu.md, "A generated token's pass as one
// graph"). The operations' own Capture/Replay branches are in gpu_backend.cpp.

#include "compute/gpu_backend.h"

#include "gpu/gpu_layer_math.h"
#include "gpu/llm_gpu_module.h"
#include "model/kv_cache.h"

namespace bioforge::llm {

void GpuBackend::abortCapture() const
{
    if (!m_capturing)
        return;
    m_capturing = false; // the stream must stop recording, or nothing queued on it would run again
    m_graphsEnabled = false;
    if (m_graphsOffReason.empty()) // fail() names the device's error instead
        m_graphsOffReason = "a pass being captured was left unfinished";
    std::string ignored;
    (void)m_device->captureEnd(false, nullptr, &ignored);
}

void GpuBackend::setGraphs(bool on)
{
    m_graphsEnabled = on && m_layersOnDevice && m_device->hasGraphs();
    if (m_graphsEnabled)
        m_graphsOffReason.clear(); // asked to try again: the reason was the last failure's
    else
        dropGraphs();
}

void GpuBackend::dropGraphs()
{
    std::string ignored; // a graph that cannot be freed goes with the device handle
    for (auto& [key, graph] : m_graphs)
        (void)m_device->graphFree(graph, &ignored);
    m_graphs.clear();
    // m_eagerKeys stay: a key's first pass has sized every buffer its passes need, and buffers
    // only grow (an allocation during a capture fails it loudly rather than record a stale one).
}

void GpuBackend::beginPass(int64_t tokens, int64_t firstPos, const KvCache& cache)
{
    abortCapture(); // one left open by a pass that threw outside the back-end
    m_pass = Pass::Eager;
    if (!m_graphsEnabled || tokens != 1)
        return;
    // The device copy of the cache is made current now, before a replay can read it (its arrays
    // stay where they are unless the cache's shape changed, which drops every graph).
    deviceCache(cache);
    m_passKey = (firstPos + tokens + hd::kAttentionChunk - 1) / hd::kAttentionChunk;
    m_passPosition = firstPos;
    std::string error;
    if (const auto found = m_graphs.find(m_passKey); found != m_graphs.end()) {
        // The module may have moved its scratch since (a larger chunk count's pass grew it): a graph
        // naming the old buffers is captured again instead of replayed.
        bool current = false;
        check(m_device->graphCurrent(found->second, &current, &error), error);
        if (current) {
            m_pass = Pass::Replay;
            return;
        }
        check(m_device->graphFree(found->second, &error), error);
        m_graphs.erase(found);
        ++m_graphsStale;
    }
    if (m_eagerKeys.count(m_passKey)) {
        if (m_graphs.size() >= kMaxGraphs)
            dropGraphs();
        m_pass = Pass::Capture;
    } else {
        m_eagerKeys.insert(m_passKey);
    }
}

} // namespace bioforge::llm
