#include "compute/gpu_backend.h"

#include "gpu/llm_gpu_module.h"
#include "model/kv_cache.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <stdexcept>

namespace bioforge::llm {

GpuBackend::GpuBackend(std::shared_ptr<GpuDevice> device, std::string deviceName, int threads, KernelPath path)
    : m_device(std::move(device)), m_deviceName(std::move(deviceName)), m_cpu(threads, path), m_layersOnDevice(m_device->hasLayerOps())
{
    // BIOFORGE_GPU_GRAPHS: "0" every pass launched kernel by kernel; "1" captured passes on HIP too,
    // where they are off by default until a device run has confirmed them.
    const char* graphs = std::getenv("BIOFORGE_GPU_GRAPHS");
    const bool hip = m_device->label().rfind("hip", 0) == 0;
    const bool wanted = graphs ? std::strcmp(graphs, "0") != 0 : !hip;
    m_graphsEnabled = wanted && m_layersOnDevice && m_device->hasGraphs();
}

GpuBackend::~GpuBackend()
{
    abortCapture(); // a pass that threw outside the back-end while recording: the frees below must not be recorded
    dropGraphs();
    // The device memory goes with the device handle when it closes; freeing here keeps a shared
    // device's memory from growing with every model loaded on it.
    for (auto& [host, copy] : m_copies)
        release(copy);
    for (DeviceArray& a : m_scratch)
        release(a);
    release(m_staging);
    for (auto* arrays : {&m_cache.keys, &m_cache.values})
        for (DeviceArray& a : *arrays)
            release(a);
}

std::string GpuBackend::name() const
{
    const std::string device = m_device->label() + " " + m_deviceName;
    return m_layersOnDevice ? device + " (every layer on the device)" : device + " (matrix products) + " + m_cpu.name();
}

void GpuBackend::check(bool ok, const std::string& error) const
{
    if (!ok)
        fail(error);
}

void GpuBackend::fail(const std::string& error) const
{
    // From beginPass's decision to capture until the captured graph's first launch, nothing of
    // the pass has run: it can run again kernel by kernel (LlamaModel::evaluate does).
    const bool recording = m_pass == Pass::Capture;
    abortCapture();
    m_pass = Pass::Eager; // the next pass starts afresh (beginPass), allocating what it needs
    if (recording) {
        m_graphsEnabled = false;
        m_graphsOffReason = error;
        throw PassCaptureFailed("capturing a pass: " + error);
    }
    throw std::runtime_error(error);
}

GpuBackend::DeviceArray GpuBackend::allocate(int64_t floats)
{
    if (m_pass != Pass::Eager) // every buffer of a captured pass exists before it is captured
        fail("GPU back-end: a device array was needed while a pass was captured or replayed");
    if (!m_graphs.empty())
        dropGraphs();
    void* p = nullptr;
    std::string error;
    check(m_device->alloc(size_t(floats) * sizeof(float), &p, &error), error);
    return {static_cast<float*>(p), floats};
}

void GpuBackend::release(DeviceArray& a)
{
    std::string ignored; // a failure to free leaves the memory to the handle's close
    if (a.data) {
        abortCapture(); // (never while recording in practice) a free would wait for the device
        if (!m_graphs.empty())
            dropGraphs();
        (void)m_device->free(a.data, &ignored);
    }
    a = {};
}

const float* GpuBackend::deviceCopy(const float* host, int64_t floats)
{
    if (!host || floats <= 0)
        return nullptr;
    auto found = m_copies.find(host);
    if (found != m_copies.end() && found->second.floats >= floats)
        return found->second.data;
    if (found != m_copies.end()) {
        release(found->second);
        m_copies.erase(found);
    }
    DeviceArray copy = allocate(floats);
    std::string error;
    if (!m_device->toDevice(copy.data, host, size_t(floats) * sizeof(float), &error)) {
        release(copy); // never kept: a later call uploads again
        check(false, error);
    }
    m_copies[host] = copy;
    return copy.data;
}

GpuBackend::DeviceCache& GpuBackend::deviceCache(const KvCache& cache)
{
    DeviceCache& d = m_cache;
    const bool sameShape = d.layers == cache.layers() && d.capacity == cache.capacity() && d.width == cache.width();
    if (d.owner == cache.id() && d.version == cache.version() && sameShape)
        return d;
    d.owner = 0; // until the upload below has succeeded, the device copy is nobody's
    if (!sameShape) {
        for (auto* arrays : {&d.keys, &d.values}) {
            for (DeviceArray& a : *arrays)
                release(a);
            arrays->clear();
        }
        d.layers = d.capacity = d.width = 0;
        std::vector<DeviceArray> keys, values; // committed only when every layer's arrays exist
        try {
            for (int64_t layer = 0; layer < cache.layers(); ++layer) {
                keys.push_back(allocate(cache.capacity() * cache.width()));
                values.push_back(allocate(cache.capacity() * cache.width()));
            }
        } catch (...) {
            for (auto* arrays : {&keys, &values})
                for (DeviceArray& a : *arrays)
                    release(a);
            throw;
        }
        d.keys = std::move(keys);
        d.values = std::move(values);
        d.layers = cache.layers();
        d.capacity = cache.capacity();
        d.width = cache.width();
    }
    // Another conversation's cache, or this one after a shift: its stored positions go up again.
    std::string error;
    const size_t bytes = size_t(cache.size() * cache.width()) * sizeof(float);
    for (int64_t layer = 0; bytes > 0 && layer < d.layers; ++layer) {
        check(m_device->toDevice(d.keys[size_t(layer)].data, cache.key(layer, 0), bytes, &error), error);
        check(m_device->toDevice(d.values[size_t(layer)].data, cache.value(layer, 0), bytes, &error), error);
    }
    d.owner = cache.id();
    d.version = cache.version();
    return d;
}

void GpuBackend::copyBackPendingRows()
{
    std::string error;
    const std::vector<PendingRows> pending = std::move(m_pending);
    m_pending.clear();
    if (m_stagedFloats > 0) { // one copy for every staged layer
        m_hostStaging.resize(size_t(m_stagedFloats));
        check(m_device->toHost(m_hostStaging.data(), m_staging.data, size_t(m_stagedFloats) * sizeof(float), &error), error);
        m_stagedFloats = 0;
    }
    for (const PendingRows& p : pending) {
        if (p.cacheId != m_cache.owner)
            continue; // the device copy has been another cache's since (cannot happen within one pass)
        const size_t offset = size_t(p.first * m_cache.width), bytes = size_t(p.count * m_cache.width) * sizeof(float);
        if (p.staged >= 0) {
            std::memcpy(p.cache->key(p.layer, p.first), m_hostStaging.data() + p.staged, bytes);
            std::memcpy(p.cache->value(p.layer, p.first), m_hostStaging.data() + p.staged + p.count * m_cache.width, bytes);
            continue;
        }
        check(m_device->toHost(p.cache->key(p.layer, p.first), m_cache.keys[size_t(p.layer)].data + offset, bytes, &error), error);
        check(m_device->toHost(p.cache->value(p.layer, p.first), m_cache.values[size_t(p.layer)].data + offset, bytes, &error), error);
    }
}

std::optional<int64_t> GpuBackend::deviceMemoryForCache(uint64_t weightBytes) const
{
    if (!m_layersOnDevice)
        return std::nullopt;
    uint64_t freeBytes = 0;
    std::string error;
    if (!m_device->describe(nullptr, &freeBytes, nullptr, &error))
        return std::nullopt; // not knowable now: the first pass will say, if it does not fit
    const uint64_t toUpload = weightBytes > m_uploadedBytes ? weightBytes - m_uploadedBytes : 0;
    const uint64_t margin = uint64_t(256) << 20; // activations, attention scratch, the runtime's own
    return freeBytes > toUpload + margin ? int64_t(freeBytes - toUpload - margin) : int64_t(0);
}

float* GpuBackend::scratch(Scratch slot, int64_t floats)
{
    forgetProductInput();
    if (!m_layersOnDevice)
        return Backend::scratch(slot, floats);
    DeviceArray& a = m_scratch[int(slot)];
    if (a.floats < floats) {
        release(a);
        a = allocate(floats);
    }
    return a.data;
}

void GpuBackend::toBackend(float* dst, const float* host, int64_t n)
{
    forgetProductInput();
    if (!m_layersOnDevice)
        return Backend::toBackend(dst, host, n);
    m_pending.clear(); // a pass begins (the model moves its embeddings in first): rows of a failed one are dropped
    m_stagedFloats = 0;
    std::string error;
    check(m_device->toDevice(dst, host, size_t(n) * sizeof(float), &error), error);
    if (m_pass == Pass::Eager)
        return;
    check(m_device->setPosition(m_passPosition, &m_positionAt, &error), error);
    if (m_pass == Pass::Capture) {
        check(m_device->captureBegin(&error), error);
        m_capturing = true;
    } else {
        check(m_device->graphLaunch(m_graphs.at(m_passKey), &error), error);
        ++m_graphReplays;
    }
}

void GpuBackend::fromBackend(float* host, const float* src, int64_t n)
{
    forgetProductInput();
    if (!m_layersOnDevice)
        return Backend::fromBackend(host, src, n);
    std::string error;
    if (m_capturing) { // the pass is recorded: keep it, and run it for this token too
        void* graph = nullptr;
        m_capturing = false;
        check(m_device->captureEnd(true, &graph, &error), error);
        m_graphs[m_passKey] = graph;
        ++m_graphCaptures;
        check(m_device->graphLaunch(graph, &error), error);
    }
    m_pass = Pass::Eager;
    check(m_device->toHost(host, src, size_t(n) * sizeof(float), &error), error); // waits for the pass
    copyBackPendingRows();
}

void GpuBackend::matmul(const WeightTensor& w, const float* x, int64_t tokens, float* y)
{
    std::string error;
    auto found = m_ids.find(w.data);
    if (found == m_ids.end()) {
        int id = -1;
        check(m_device->upload(w, &id, &error), error);
        found = m_ids.emplace(w.data, id).first;
        m_uploadedBytes += uint64_t(w.rows) * uint64_t(w.rowBytes);
    }
    if (m_pass == Pass::Replay)
        return; // the graph computes it
    if (m_layersOnDevice) {
        bool reused = false;
        if (x == m_lastProductInput && tokens == m_lastProductTokens)
            check(m_device->matmulDeviceShared(found->second, x, tokens, y, &reused, &error), error);
        else
            check(m_device->matmulDevice(found->second, x, tokens, y, &error), error);
        m_conversionsReused += reused ? 1 : 0;
        m_lastProductInput = y == x ? nullptr : x;
        m_lastProductTokens = tokens;
    } else
        check(m_device->matmul(found->second, x, tokens, y, &error), error);
}

void GpuBackend::rmsNorm(const float* x, const float* weight, int64_t rows, int64_t width, float eps, float* out)
{
    forgetProductInput();
    if (!m_layersOnDevice)
        return m_cpu.rmsNorm(x, weight, rows, width, eps, out);
    if (m_pass == Pass::Replay)
        return;
    std::string error;
    check(m_device->rmsNorm(x, deviceCopy(weight, width), rows, width, eps, out, &error), error);
}

void GpuBackend::ropeAndStore(float* q, float* k, float* v, const QkvBias& bias, const AttentionShape& shape, const RopeParams& rope,
                              int64_t tokens, int64_t firstPos, int64_t layer, KvCache& cache)
{
    forgetProductInput();
    if (!m_layersOnDevice)
        return m_cpu.ropeAndStore(q, k, v, bias, shape, rope, tokens, firstPos, layer, cache);
    DeviceCache& d = deviceCache(cache);
    if (layer < 0 || layer >= d.layers || firstPos < 0 || firstPos + tokens > d.capacity)
        fail("GPU back-end: positions " + std::to_string(firstPos) + "+" + std::to_string(tokens) + " of layer " + std::to_string(layer) +
             " are outside the KV cache (" + std::to_string(d.layers) + " layers of " + std::to_string(d.capacity) + ")");
    const bool replay = m_pass == Pass::Replay;
    const int64_t* at = m_pass == Pass::Capture ? m_positionAt : nullptr; // a captured pass reads its position on the device
    std::string error;
    if (!replay) {
        const QkvBias onDevice{deviceCopy(bias.query, shape.queryWidth()), deviceCopy(bias.key, shape.kvWidth()),
                               deviceCopy(bias.value, shape.kvWidth())};
        RopeParams r = rope;
        r.freqFactors = deviceCopy(rope.freqFactors, rope.dims / 2);
        check(m_device->ropeStore(q, k, v, onDevice, shape, r, tokens, firstPos, d.keys[size_t(layer)].data, d.values[size_t(layer)].data, &error, at),
              error);
    }
    int64_t staged = -1;
    if (tokens <= kStagedTokens) { // gather the new rows on the device; they come back with the logits
        const int64_t floats = 2 * tokens * d.width;
        if (m_staging.floats < m_stagedFloats + floats) {
            // Grows to layers × 2 × kStagedTokens rows at most; what is staged so far moves along.
            DeviceArray larger = allocate(std::max(m_stagedFloats + floats, d.layers * 2 * kStagedTokens * d.width));
            if (m_stagedFloats > 0 && !m_device->copyOnDevice(larger.data, m_staging.data, size_t(m_stagedFloats) * sizeof(float), &error)) {
                release(larger);
                check(false, error);
            }
            release(m_staging);
            m_staging = larger;
        }
        const size_t bytes = size_t(tokens * d.width) * sizeof(float), offset = size_t(firstPos * d.width);
        float* keys = m_staging.data + m_stagedFloats;
        float* values = keys + tokens * d.width;
        if (at) {
            check(m_device->copyRowsAt(keys, d.keys[size_t(layer)].data, d.width, tokens, at, &error), error);
            check(m_device->copyRowsAt(values, d.values[size_t(layer)].data, d.width, tokens, at, &error), error);
        } else if (!replay) {
            check(m_device->copyOnDevice(keys, d.keys[size_t(layer)].data + offset, bytes, &error), error);
            check(m_device->copyOnDevice(values, d.values[size_t(layer)].data + offset, bytes, &error), error);
        }
        staged = m_stagedFloats;
        m_stagedFloats += floats;
    }
    m_pending.push_back({&cache, cache.id(), layer, firstPos, tokens, staged});
}

void GpuBackend::attention(const float* q, const KvCache& cache, const AttentionShape& shape, int64_t layer, int64_t tokens, int64_t firstPos,
                           float* out)
{
    forgetProductInput();
    if (!m_layersOnDevice)
        return m_cpu.attention(q, cache, shape, layer, tokens, firstPos, out);
    DeviceCache& d = deviceCache(cache);
    if (layer < 0 || layer >= d.layers || firstPos < 0 || firstPos + tokens > d.capacity)
        fail("GPU back-end: attention over positions outside the KV cache");
    if (m_pass == Pass::Replay)
        return;
    std::string error;
    const int64_t* at = m_pass == Pass::Capture ? m_positionAt : nullptr;
    check(m_device->attention(q, d.keys[size_t(layer)].data, d.values[size_t(layer)].data, shape, tokens, firstPos, out, &error, at), error);
}

void GpuBackend::siluMultiply(float* a, const float* b, int64_t n)
{
    forgetProductInput();
    if (!m_layersOnDevice)
        return m_cpu.siluMultiply(a, b, n);
    if (m_pass == Pass::Replay)
        return;
    std::string error;
    check(m_device->siluMultiply(a, b, n, &error), error);
}

void GpuBackend::add(float* x, const float* y, int64_t n)
{
    forgetProductInput();
    if (!m_layersOnDevice)
        return m_cpu.add(x, y, n);
    if (m_pass == Pass::Replay)
        return;
    std::string error;
    check(m_device->add(x, y, n, &error), error);
}

} // namespace bioforge::llm
