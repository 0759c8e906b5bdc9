#include "compute/attention_kernels.h"

#include "compute/ops.h"

#include <algorithm>

namespace bioforge::llm {

AttendFn attendKernel(KernelPath path)
{
    return path != KernelPath::Reference && kernelPathAvailable(KernelPath::Avx2) ? avx2::attend : ref::attend;
}

namespace ref {

void attend(const float* q, const float* keys, const float* values, int64_t stride, int64_t visible, int64_t headSize,
            float scale, float* scores, float* out)
{
    for (int64_t j = 0; j < visible; ++j)
        scores[j] = dotF32(headSize, q, keys + j * stride);
    softmax(scores, visible, scale);
    std::fill(out, out + headSize, 0.0f);
    for (int64_t j = 0; j < visible; ++j)
        axpyF32(headSize, scores[j], values + j * stride, out);
}

} // namespace ref
} // namespace bioforge::llm
