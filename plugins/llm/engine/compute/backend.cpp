#include "compute/backend.h"

#include <cstring>

namespace bioforge::llm {

// Host memory: the CPU back-end's buffers (a GPU back-end overrides these with device memory).
float* Backend::scratch(Scratch slot, int64_t floats)
{
    std::vector<float>& buffer = m_scratch[int(slot)];
    if (buffer.size() < size_t(floats))
        buffer.resize(size_t(floats));
    return buffer.data();
}

void Backend::toBackend(float* dst, const float* host, int64_t n) { std::memcpy(dst, host, size_t(n) * sizeof(float)); }

void Backend::fromBackend(float* host, const float* src, int64_t n) { std::memcpy(host, src, size_t(n) * sizeof(float)); }

} // namespace bioforge::llm
