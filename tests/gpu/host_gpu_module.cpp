// A test double of the llm GPU module: the C ABI of gpu/llm_gpu_api.h
// implemented on the host with the kernels' own per-block math
// (gpu/gpu_math.h). It lets the CPU suite exercise everything around the
// kernels - loading a module, opening a device, uploads, the GpuBackend
// inside the model, error messages - on machines without a GPU. It says what
// it is ("host emulation") wherever a device would name itself.
// Environment: BF_HOSTSIM_FREE_MIB (free memory it reports, default 1024),
// BF_HOSTSIM_FAIL_AFTER (matrix products that succeed before each further one
// fails with a runtime error). The layer operations are in host_gpu_layers.cpp.

#include "gpu/gpu_block_dot.h"
#include "gpu_test_data.h"
#include "gpu/llm_gpu_api.h"
#include "host_gpu_handle.h"

#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

using namespace bioforge::llm;

namespace {

struct Format {
    int elements;
    size_t bytes;
    int activation;
};

bool formatOf(int type, Format& f)
{
    switch (type) {
    case 0: f = {1, 4, 0}; return true;
    case 1: f = {1, 2, 1}; return true;
    case 30: f = {1, 2, 30}; return true;
    case 2: f = {kQK4_0, sizeof(BlockQ4_0), 8}; return true;
    case 8: f = {kQK8_0, sizeof(BlockQ8_0), 8}; return true;
    case 12: f = {kQK_K, sizeof(BlockQ4_K), 15}; return true;
    case 13: f = {kQK_K, sizeof(BlockQ5_K), 15}; return true;
    case 14: f = {kQK_K, sizeof(BlockQ6_K), 15}; return true;
    default: return false;
    }
}

size_t activationRowBytes(int type, int64_t cols)
{
    switch (type) {
    case 0: return size_t(cols) * 4;
    case 1:
    case 30: return size_t(cols) * 2;
    case 8: return size_t(cols / kQK8_0) * sizeof(BlockQ8_0);
    case 15: return size_t(cols / kQK_K) * sizeof(BlockQ8_K);
    default: return 0;
    }
}

void convertRow(int type, const float* x, int64_t cols, uint8_t* out)
{
    switch (type) {
    case 0: std::memcpy(out, x, size_t(cols) * 4); break;
    case 1:
        for (int64_t i = 0; i < cols; ++i)
            reinterpret_cast<uint16_t*>(out)[i] = hd::floatToHalf(x[i]);
        break;
    case 30:
        for (int64_t i = 0; i < cols; ++i)
            reinterpret_cast<uint16_t*>(out)[i] = hd::floatToBf16(x[i]);
        break;
    case 8:
        for (int64_t b = 0; b < cols / kQK8_0; ++b)
            hd::quantizeBlockQ8_0(x + b * kQK8_0, reinterpret_cast<BlockQ8_0*>(out)[b]);
        break;
    case 15:
        for (int64_t b = 0; b < cols / kQK_K; ++b)
            hd::quantizeBlockQ8_K(x + b * kQK_K, reinterpret_cast<BlockQ8_K*>(out)[b]);
        break;
    default: break;
    }
}

float rowDot(int type, const uint8_t* w, const uint8_t* a, int64_t cols)
{
    float sum = 0;
    for (float v : gputest::blockValues(GgmlType(type), w, a, cols))
        sum += v;
    return sum;
}

} // namespace

extern "C" {

__attribute__((visibility("default"))) const char* bf_llm_gpu_runtime(void) { return "host emulation (test double)"; }

__attribute__((visibility("default"))) int bf_llm_gpu_device_count(int* count, char*, size_t)
{
    *count = 1;
    return 0;
}

__attribute__((visibility("default"))) int bf_llm_gpu_open(int device, bf_llm_gpu** handle, char* msg, size_t len)
{
    *handle = nullptr;
    if (device != 0)
        return say(msg, len, BF_LLM_GPU_NO_DEVICE, "cuda:%d does not exist: the runtime lists 1 device (cuda:0)", device);
    *handle = new bf_llm_gpu;
    return 0;
}

__attribute__((visibility("default"))) void bf_llm_gpu_close(bf_llm_gpu* handle)
{
    if (handle)
        for (void* p : handle->allocations)
            std::free(p);
    delete handle;
}

__attribute__((visibility("default"))) int bf_llm_gpu_describe(bf_llm_gpu*, char* name, size_t nameLen, uint64_t* freeBytes, uint64_t* totalBytes,
                                                               char*, size_t)
{
    std::snprintf(name, nameLen, "host emulation");
    const char* mib = std::getenv("BF_HOSTSIM_FREE_MIB");
    *freeBytes = uint64_t(mib ? std::atoll(mib) : 1024) << 20;
    *totalBytes = uint64_t(2048) << 20;
    return 0;
}

__attribute__((visibility("default"))) int bf_llm_gpu_upload(bf_llm_gpu* h, int type, int64_t rows, int64_t cols, size_t rowBytes, const void* host,
                                                             int* id, char* msg, size_t len)
{
    Format f;
    if (!formatOf(type, f))
        return say(msg, len, BF_LLM_GPU_BAD_ARGUMENT, "ggml type %d has no GPU kernel", type);
    if (rows <= 0 || cols <= 0 || cols % f.elements != 0 || rowBytes != size_t(cols / f.elements) * f.bytes)
        return say(msg, len, BF_LLM_GPU_BAD_ARGUMENT, "bad matrix shape");
    const auto* bytes = static_cast<const uint8_t*>(host);
    h->matrices.push_back({type, rows, cols, rowBytes, std::vector<uint8_t>(bytes, bytes + size_t(rows) * rowBytes)});
    *id = int(h->matrices.size() - 1);
    return 0;
}

__attribute__((visibility("default"))) int bf_llm_gpu_matmul(bf_llm_gpu* h, int id, const float* x, int64_t tokens, float* y, char* msg, size_t len)
{
    if (id < 0 || size_t(id) >= h->matrices.size())
        return say(msg, len, BF_LLM_GPU_BAD_ARGUMENT, "cuda:0 holds no weight matrix %d (%zu uploaded)", id, h->matrices.size());
    if (const char* after = std::getenv("BF_HOSTSIM_FAIL_AFTER"); after && h->products >= std::atol(after))
        return say(msg, len, BF_LLM_GPU_RUNTIME, "cuda:0: cudaStreamSynchronize: an illegal memory access was encountered (simulated, 700)");
    ++h->products;
    const auto& m = h->matrices[size_t(id)];
    Format f;
    formatOf(m.type, f);
    const size_t aBytes = activationRowBytes(f.activation, m.cols);
    std::vector<uint8_t> a(aBytes);
    for (int64_t t = 0; t < tokens; ++t) {
        convertRow(f.activation, x + t * m.cols, m.cols, a.data());
        for (int64_t r = 0; r < m.rows; ++r)
            y[t * m.rows + r] = rowDot(m.type, m.bytes.data() + size_t(r) * m.rowBytes, a.data(), m.cols);
    }
    return 0;
}

// "Device memory" is host memory here: the same product.
__attribute__((visibility("default"))) int bf_llm_gpu_matmul_device(bf_llm_gpu* h, int id, const float* x, int64_t tokens, float* y, char* msg,
                                                                    size_t len)
{
    return bf_llm_gpu_matmul(h, id, x, tokens, y, msg, len);
}

__attribute__((visibility("default"))) int bf_llm_gpu_convert(bf_llm_gpu*, int type, const float* x, int64_t tokens, int64_t cols, void* out,
                                                              char* msg, size_t len)
{
    const size_t rowBytes = activationRowBytes(type, cols);
    if (!rowBytes)
        return say(msg, len, BF_LLM_GPU_BAD_ARGUMENT, "activation type %d", type);
    for (int64_t t = 0; t < tokens; ++t)
        convertRow(type, x + t * cols, cols, static_cast<uint8_t*>(out) + size_t(t) * rowBytes);
    return 0;
}

} // extern "C"
