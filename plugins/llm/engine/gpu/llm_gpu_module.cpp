#include "gpu/llm_gpu_module.h"

#include "gpu/llm_gpu_api.h"

#include <dlfcn.h>

namespace bioforge::llm {

struct GpuModuleApi {
    decltype(&bf_llm_gpu_runtime) runtime = nullptr;
    decltype(&bf_llm_gpu_device_count) deviceCount = nullptr;
    decltype(&bf_llm_gpu_open) open = nullptr;
    decltype(&bf_llm_gpu_close) close = nullptr;
    decltype(&bf_llm_gpu_describe) describe = nullptr;
    decltype(&bf_llm_gpu_upload) upload = nullptr;
    decltype(&bf_llm_gpu_matmul) matmul = nullptr;
    decltype(&bf_llm_gpu_convert) convert = nullptr;
    // Optional: benchmarks.
    decltype(&bf_llm_gpu_copy_bandwidth) copyBandwidth = nullptr;
    decltype(&bf_llm_gpu_time_pass) timePass = nullptr;
    // Optional: a layer's non-matrix work on device memory.
    decltype(&bf_llm_gpu_alloc) alloc = nullptr;
    decltype(&bf_llm_gpu_free) free = nullptr;
    decltype(&bf_llm_gpu_upload_bytes) uploadBytes = nullptr;
    decltype(&bf_llm_gpu_download) download = nullptr;
    decltype(&bf_llm_gpu_matmul_device) matmulDevice = nullptr;
    decltype(&bf_llm_gpu_matmul_device_shared) matmulDeviceShared = nullptr;
    decltype(&bf_llm_gpu_copy_device) copyDevice = nullptr;
    decltype(&bf_llm_gpu_rms_norm) rmsNorm = nullptr;
    decltype(&bf_llm_gpu_silu_multiply) siluMultiply = nullptr;
    decltype(&bf_llm_gpu_add) add = nullptr;
    decltype(&bf_llm_gpu_rope_store) ropeStore = nullptr;
    decltype(&bf_llm_gpu_attention) attention = nullptr;
    // Optional: captured passes.
    decltype(&bf_llm_gpu_set_position) setPosition = nullptr;
    decltype(&bf_llm_gpu_rope_store_at) ropeStoreAt = nullptr;
    decltype(&bf_llm_gpu_attention_at) attentionAt = nullptr;
    decltype(&bf_llm_gpu_copy_rows_at) copyRowsAt = nullptr;
    decltype(&bf_llm_gpu_capture_begin) captureBegin = nullptr;
    decltype(&bf_llm_gpu_capture_end) captureEnd = nullptr;
    decltype(&bf_llm_gpu_graph_launch) graphLaunch = nullptr;
    decltype(&bf_llm_gpu_graph_free) graphFree = nullptr;
    decltype(&bf_llm_gpu_graph_current) graphCurrent = nullptr;
};

namespace {

constexpr size_t kMessageBytes = 512;

template <typename Fn>
bool resolve(void* library, const char* symbol, Fn& fn, const std::string& path, std::string* error)
{
    fn = reinterpret_cast<Fn>(dlsym(library, symbol));
    if (!fn && error)
        *error = path + ": lacks " + symbol + " (a module of another version?)";
    return fn != nullptr;
}

void setError(std::string* error, const std::string& text)
{
    if (error)
        *error = text;
}

template <typename Fn>
void optional(void* library, const char* symbol, Fn& fn)
{
    fn = reinterpret_cast<Fn>(dlsym(library, symbol));
}

// One optional call of the module: its message on failure.
template <typename Fn, typename... Args>
bool call(Fn fn, const char* name, bf_llm_gpu* handle, std::string* error, Args... args)
{
    if (!fn) {
        setError(error, std::string("this GPU module has no ") + name + " (built before the layer operations)");
        return false;
    }
    char message[kMessageBytes] = {};
    if (fn(handle, args..., message, sizeof message) != 0) {
        setError(error, message);
        return false;
    }
    return true;
}

} // namespace

GpuModule::~GpuModule() = default;

std::string GpuModule::fileName(GpuVendor vendor)
{
    return vendor == GpuVendor::Cuda ? "libbioforge_llm_cuda.so" : "libbioforge_llm_hip.so";
}

std::shared_ptr<const GpuModule> GpuModule::load(const std::string& path, GpuVendor vendor, std::string* error)
{
    // Not closed again: GPU runtimes do not support being unloaded and reloaded.
    void* library = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (!library) {
        const char* why = dlerror();
        setError(error, path + ": cannot be loaded (is this build's " + (vendor == GpuVendor::Cuda ? "CUDA" : "HIP")
                            + " runtime installed?): " + (why ? why : "unknown error"));
        return nullptr;
    }
    auto api = std::make_unique<GpuModuleApi>();
    if (!resolve(library, "bf_llm_gpu_runtime", api->runtime, path, error) || !resolve(library, "bf_llm_gpu_device_count", api->deviceCount, path, error)
        || !resolve(library, "bf_llm_gpu_open", api->open, path, error) || !resolve(library, "bf_llm_gpu_close", api->close, path, error)
        || !resolve(library, "bf_llm_gpu_describe", api->describe, path, error) || !resolve(library, "bf_llm_gpu_upload", api->upload, path, error)
        || !resolve(library, "bf_llm_gpu_matmul", api->matmul, path, error) || !resolve(library, "bf_llm_gpu_convert", api->convert, path, error))
        return nullptr;
    api->copyBandwidth = reinterpret_cast<decltype(api->copyBandwidth)>(dlsym(library, "bf_llm_gpu_copy_bandwidth"));
    api->timePass = reinterpret_cast<decltype(api->timePass)>(dlsym(library, "bf_llm_gpu_time_pass"));
    optional(library, "bf_llm_gpu_alloc", api->alloc);
    optional(library, "bf_llm_gpu_free", api->free);
    optional(library, "bf_llm_gpu_upload_bytes", api->uploadBytes);
    optional(library, "bf_llm_gpu_download", api->download);
    optional(library, "bf_llm_gpu_matmul_device", api->matmulDevice);
    optional(library, "bf_llm_gpu_matmul_device_shared", api->matmulDeviceShared);
    optional(library, "bf_llm_gpu_copy_device", api->copyDevice);
    optional(library, "bf_llm_gpu_rms_norm", api->rmsNorm);
    optional(library, "bf_llm_gpu_silu_multiply", api->siluMultiply);
    optional(library, "bf_llm_gpu_add", api->add);
    optional(library, "bf_llm_gpu_rope_store", api->ropeStore);
    optional(library, "bf_llm_gpu_attention", api->attention);
    optional(library, "bf_llm_gpu_set_position", api->setPosition);
    optional(library, "bf_llm_gpu_rope_store_at", api->ropeStoreAt);
    optional(library, "bf_llm_gpu_attention_at", api->attentionAt);
    optional(library, "bf_llm_gpu_copy_rows_at", api->copyRowsAt);
    optional(library, "bf_llm_gpu_capture_begin", api->captureBegin);
    optional(library, "bf_llm_gpu_capture_end", api->captureEnd);
    optional(library, "bf_llm_gpu_graph_launch", api->graphLaunch);
    optional(library, "bf_llm_gpu_graph_free", api->graphFree);
    optional(library, "bf_llm_gpu_graph_current", api->graphCurrent);
    std::shared_ptr<GpuModule> module(new GpuModule);
    module->m_vendor = vendor;
    module->m_api = std::move(api);
    return module;
}

std::string GpuModule::runtime() const { return m_api->runtime(); }

int GpuModule::deviceCount(std::string* error) const
{
    int count = 0;
    char message[kMessageBytes] = {};
    if (m_api->deviceCount(&count, message, sizeof message) != 0) {
        setError(error, message);
        return 0;
    }
    return count;
}

std::unique_ptr<GpuDevice> GpuDevice::open(std::shared_ptr<const GpuModule> module, int index, std::string* error)
{
    char message[kMessageBytes] = {};
    bf_llm_gpu* handle = nullptr;
    if (module->api().open(index, &handle, message, sizeof message) != 0) {
        setError(error, message);
        return nullptr;
    }
    std::unique_ptr<GpuDevice> device(new GpuDevice);
    device->m_module = std::move(module);
    device->m_handle = handle;
    device->m_index = index;
    return device;
}

GpuDevice::~GpuDevice()
{
    if (m_handle)
        m_module->api().close(m_handle);
}

std::string GpuDevice::label() const { return m_module->prefix() + ":" + std::to_string(m_index); }

bool GpuDevice::describe(std::string* name, uint64_t* freeBytes, uint64_t* totalBytes, std::string* error) const
{
    char message[kMessageBytes] = {}, text[256] = {};
    uint64_t freeMem = 0, totalMem = 0;
    if (m_module->api().describe(m_handle, text, sizeof text, &freeMem, &totalMem, message, sizeof message) != 0) {
        setError(error, message);
        return false;
    }
    if (name)
        *name = text;
    if (freeBytes)
        *freeBytes = freeMem;
    if (totalBytes)
        *totalBytes = totalMem;
    return true;
}

bool GpuDevice::upload(const WeightTensor& w, int* id, std::string* error)
{
    char message[kMessageBytes] = {};
    if (m_module->api().upload(m_handle, int(w.type), w.rows, w.cols, w.rowBytes, w.data, id, message, sizeof message) != 0) {
        setError(error, message);
        return false;
    }
    return true;
}

bool GpuDevice::matmul(int id, const float* x, int64_t tokens, float* y, std::string* error)
{
    char message[kMessageBytes] = {};
    if (m_module->api().matmul(m_handle, id, x, tokens, y, message, sizeof message) != 0) {
        setError(error, message);
        return false;
    }
    return true;
}

bool GpuDevice::convert(GgmlType activationType, const float* x, int64_t tokens, int64_t cols, void* out, std::string* error)
{
    char message[kMessageBytes] = {};
    if (m_module->api().convert(m_handle, int(activationType), x, tokens, cols, out, message, sizeof message) != 0) {
        setError(error, message);
        return false;
    }
    return true;
}

bool GpuDevice::copyBandwidth(size_t bytes, int reps, double* bytesPerSecond, std::string* error)
{
    if (!m_module->api().copyBandwidth) {
        setError(error, "this GPU module has no benchmarks");
        return false;
    }
    char message[kMessageBytes] = {};
    if (m_module->api().copyBandwidth(m_handle, bytes, reps, bytesPerSecond, message, sizeof message) != 0) {
        setError(error, message);
        return false;
    }
    return true;
}

bool GpuDevice::timePass(const std::vector<int>& ids, const std::vector<int>& convert, int64_t tokens, int reps, bool graph, double* seconds,
                         std::string* error)
{
    if (!m_module->api().timePass) {
        setError(error, "this GPU module has no benchmarks");
        return false;
    }
    char message[kMessageBytes] = {};
    if (!convert.empty() && convert.size() != ids.size()) {
        setError(error, "one convert flag per matrix");
        return false;
    }
    if (m_module->api().timePass(m_handle, ids.data(), convert.empty() ? nullptr : convert.data(), int(ids.size()), tokens, reps, graph ? 1 : 0,
                                 seconds, message, sizeof message) != 0) {
        setError(error, message);
        return false;
    }
    return true;
}

bool GpuDevice::hasLayerOps() const
{
    const GpuModuleApi& a = m_module->api();
    return a.alloc && a.free && a.uploadBytes && a.download && a.copyDevice && a.matmulDevice && a.rmsNorm && a.siluMultiply && a.add && a.ropeStore && a.attention;
}

bool GpuDevice::alloc(size_t bytes, void** devicePtr, std::string* error) { return call(m_module->api().alloc, "alloc", m_handle, error, bytes, devicePtr); }

bool GpuDevice::free(void* devicePtr, std::string* error) { return call(m_module->api().free, "free", m_handle, error, devicePtr); }

bool GpuDevice::toDevice(void* dst, const void* src, size_t bytes, std::string* error)
{
    return call(m_module->api().uploadBytes, "upload_bytes", m_handle, error, dst, src, bytes);
}

bool GpuDevice::toHost(void* dst, const void* src, size_t bytes, std::string* error)
{
    return call(m_module->api().download, "download", m_handle, error, dst, src, bytes);
}

bool GpuDevice::copyOnDevice(void* dst, const void* src, size_t bytes, std::string* error)
{
    return call(m_module->api().copyDevice, "copy_device", m_handle, error, dst, src, bytes);
}

bool GpuDevice::matmulDevice(int id, const float* x, int64_t tokens, float* y, std::string* error)
{
    return call(m_module->api().matmulDevice, "matmul_device", m_handle, error, id, x, tokens, y);
}

bool GpuDevice::matmulDeviceShared(int id, const float* x, int64_t tokens, float* y, bool* reused, std::string* error)
{
    *reused = false;
    if (!m_module->api().matmulDeviceShared) // a module without it converts every time
        return matmulDevice(id, x, tokens, y, error);
    int r = 0;
    const bool ok = call(m_module->api().matmulDeviceShared, "matmul_device_shared", m_handle, error, id, x, tokens, y, &r);
    *reused = ok && r != 0;
    return ok;
}

bool GpuDevice::rmsNorm(const float* x, const float* weight, int64_t rows, int64_t width, float eps, float* out, std::string* error)
{
    return call(m_module->api().rmsNorm, "rms_norm", m_handle, error, x, weight, rows, width, eps, out);
}

bool GpuDevice::siluMultiply(float* a, const float* b, int64_t n, std::string* error)
{
    return call(m_module->api().siluMultiply, "silu_multiply", m_handle, error, a, b, n);
}

bool GpuDevice::add(float* x, const float* y, int64_t n, std::string* error) { return call(m_module->api().add, "add", m_handle, error, x, y, n); }

bool GpuDevice::ropeStore(float* q, const float* k, const float* v, const QkvBias& bias, const AttentionShape& shape, const RopeParams& rope,
                          int64_t tokens, int64_t firstPos, float* cacheKeys, float* cacheValues, std::string* error, const int64_t* firstPosAt)
{
    const bf_llm_gpu_rope r{rope.dims,      rope.freqBase,   rope.freqScale, rope.neox ? 1 : 0, rope.freqFactors, rope.extFactor,
                            rope.attnFactor, {rope.correctionDims[0], rope.correctionDims[1]}, rope.rotationOnly ? 1 : 0};
    if (firstPosAt)
        return call(m_module->api().ropeStoreAt, "rope_store_at", m_handle, error, q, k, v, bias.query, bias.key, bias.value, shape.heads,
                    shape.kvHeads, shape.headSize, &r, tokens, firstPos, firstPosAt, cacheKeys, cacheValues);
    return call(m_module->api().ropeStore, "rope_store", m_handle, error, q, k, v, bias.query, bias.key, bias.value, shape.heads, shape.kvHeads,
                shape.headSize, &r, tokens, firstPos, cacheKeys, cacheValues);
}

bool GpuDevice::attention(const float* q, const float* cacheKeys, const float* cacheValues, const AttentionShape& shape, int64_t tokens,
                          int64_t firstPos, float* out, std::string* error, const int64_t* firstPosAt)
{
    if (firstPosAt)
        return call(m_module->api().attentionAt, "attention_at", m_handle, error, q, cacheKeys, cacheValues, shape.heads, shape.kvHeads,
                    shape.headSize, tokens, firstPos, firstPosAt, out);
    return call(m_module->api().attention, "attention", m_handle, error, q, cacheKeys, cacheValues, shape.heads, shape.kvHeads, shape.headSize,
                tokens, firstPos, out);
}

bool GpuDevice::hasGraphs() const
{
    const GpuModuleApi& a = m_module->api();
    return hasLayerOps() && a.setPosition && a.ropeStoreAt && a.attentionAt && a.copyRowsAt && a.captureBegin && a.captureEnd && a.graphLaunch &&
           a.graphFree && a.graphCurrent;
}

bool GpuDevice::setPosition(int64_t firstPos, const int64_t** devicePosition, std::string* error)
{
    return call(m_module->api().setPosition, "set_position", m_handle, error, firstPos, devicePosition);
}

bool GpuDevice::copyRowsAt(float* dst, const float* src, int64_t rowFloats, int64_t rows, const int64_t* firstRowAt, std::string* error)
{
    return call(m_module->api().copyRowsAt, "copy_rows_at", m_handle, error, dst, src, rowFloats, rows, firstRowAt);
}

bool GpuDevice::captureBegin(std::string* error) { return call(m_module->api().captureBegin, "capture_begin", m_handle, error); }

bool GpuDevice::captureEnd(bool keep, void** graph, std::string* error)
{
    return call(m_module->api().captureEnd, "capture_end", m_handle, error, keep ? 1 : 0, graph);
}

bool GpuDevice::graphLaunch(void* graph, std::string* error) { return call(m_module->api().graphLaunch, "graph_launch", m_handle, error, graph); }

bool GpuDevice::graphFree(void* graph, std::string* error) { return call(m_module->api().graphFree, "graph_free", m_handle, error, graph); }

bool GpuDevice::graphCurrent(void* graph, bool* current, std::string* error)
{
    int c = 0;
    const bool ok = call(m_module->api().graphCurrent, "graph_current", m_handle, error, graph, &c);
    *current = ok && c != 0;
    return ok;
}

} // namespace bioforge::llm
