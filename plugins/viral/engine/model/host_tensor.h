#pragma once

// A float32 tensor in host memory, row-major: what the models hand back to
// code that must not include LibTorch.

#include <cstdint>
#include <vector>

namespace bioforge::viral {

struct HostTensor {
    std::vector<int64_t> shape;
    std::vector<float> data;

    int64_t numel() const
    {
        int64_t n = 1;
        for (int64_t d : shape)
            n *= d;
        return n;
    }
};

} // namespace bioforge::viral
