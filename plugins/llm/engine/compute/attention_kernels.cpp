#include "compute/attention_kernels.h"

#include "compute/ops.h"

#include <algorithm>

namespace bioforge::llm {

AttendFn attendKernel(KernelPath path)
{
    if ((path == KernelPath::Avx512 || path == KernelPath::Amx) && kernelPathAvailable(KernelPath::Avx512))
        return avx512::attend;
    return path != KernelPath::Reference && kernelPathAvailable(KernelPath::Avx2) ? avx2::attend : ref::attend;
}

namespace avx512 {
void attend(const float* q, const float* keys, const float* values, int64_t stride, int64_t visible, int64_t headSize,
            float scale, float* scores, float* out)
{
    avx2::attendWith(avx512::softmax, q, keys, values, stride, visible, headSize, scale, scores, out);
}
} // namespace avx512

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
