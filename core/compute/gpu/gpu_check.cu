// Device self-check, built twice from this one source: by nvcc into
// libbioforge_gpu_cuda.so and by hipcc into libbioforge_gpu_hip.so. The
// workbench loads them with dlopen, so a machine without a GPU runtime still
// runs; on a machine without a device the check reports that, in words.

#include "gpu_portability.h"

#include <cstdio>
#include <vector>

namespace {

__global__ void scaleAdd(const float* a, const float* b, float* out, int n)
{
    const int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i < n)
        out[i] = 2.0f * a[i] + b[i];
}

int fail(char* message, int length, const char* what, bfError_t error)
{
    std::snprintf(message, size_t(length), "%s: %s failed: %s", BF_GPU_BACKEND, what, bfGetErrorString(error));
    return 1;
}

} // namespace

// Returns 0 when `device` computes a 1 M-element scale-add correctly; else
// non-zero with the reason in `message`. Also reports the number of devices.
extern "C" __attribute__((visibility("default"))) int bioforge_gpu_check(int device, int* deviceCount, char* message, int length)
{
    int count = 0;
    bfError_t rc = bfGetDeviceCount(&count);
    *deviceCount = rc == bfSuccess ? count : 0;
    if (rc != bfSuccess || count == 0) {
        std::snprintf(message, size_t(length), "%s: no device (%s)", BF_GPU_BACKEND,
                      rc == bfSuccess ? "none present" : bfGetErrorString(rc));
        return 2;
    }
    if (device < 0 || device >= count) {
        std::snprintf(message, size_t(length), "%s: device %d does not exist (%d present)", BF_GPU_BACKEND, device, count);
        return 3;
    }
    if ((rc = bfSetDevice(device)) != bfSuccess)
        return fail(message, length, "set device", rc);
    constexpr int n = 1 << 20;
    std::vector<float> a(n), b(n), out(n);
    for (int i = 0; i < n; ++i) {
        a[i] = float(i % 1000) * 0.5f;
        b[i] = float(i % 7);
    }
    float *da = nullptr, *db = nullptr, *dout = nullptr;
    const size_t bytes = size_t(n) * sizeof(float);
    if ((rc = bfMalloc(&da, bytes)) != bfSuccess || (rc = bfMalloc(&db, bytes)) != bfSuccess || (rc = bfMalloc(&dout, bytes)) != bfSuccess) {
        (void)bfFree(da);
        (void)bfFree(db);
        return fail(message, length, "allocation", rc);
    }
    if ((rc = bfMemcpy(da, a.data(), bytes, bfMemcpyHostToDevice)) == bfSuccess
        && (rc = bfMemcpy(db, b.data(), bytes, bfMemcpyHostToDevice)) == bfSuccess) {
        scaleAdd<<<(n + 255) / 256, 256>>>(da, db, dout, n);
        rc = bfGetLastError();
    }
    if (rc == bfSuccess)
        rc = bfDeviceSynchronize();
    if (rc == bfSuccess)
        rc = bfMemcpy(out.data(), dout, bytes, bfMemcpyDeviceToHost);
    (void)bfFree(da);
    (void)bfFree(db);
    (void)bfFree(dout);
    if (rc != bfSuccess)
        return fail(message, length, "kernel", rc);
    for (int i = 0; i < n; ++i) {
        if (out[i] != 2.0f * a[i] + b[i]) {
            std::snprintf(message, size_t(length), "%s: wrong result at element %d", BF_GPU_BACKEND, i);
            return 4;
        }
    }
    std::snprintf(message, size_t(length), "%s: device %d computed a 1M-element kernel correctly", BF_GPU_BACKEND, device);
    return 0;
}
