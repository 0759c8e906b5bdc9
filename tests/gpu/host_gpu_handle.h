#pragma once

// The host emulation's handle (host_gpu_module.cpp, host_gpu_layers.cpp): "device memory" is
// host memory it allocated.

#include <cstdarg>
#include <cstdint>
#include <cstdio>
#include <vector>

struct bf_llm_gpu {
    struct Matrix {
        int type;
        int64_t rows, cols;
        size_t rowBytes;
        std::vector<uint8_t> bytes;
    };
    std::vector<Matrix> matrices;
    long products = 0;
    std::vector<void*> allocations; // bf_llm_gpu_alloc's (std::malloc)
};

inline int say(char* msg, size_t len, int code, const char* format, ...)
{
    va_list args;
    va_start(args, format);
    std::vsnprintf(msg, len, format, args);
    va_end(args);
    return code;
}
