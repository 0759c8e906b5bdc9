#pragma once

// y = W · x for a batch of activation rows: y[t][r] = dot(W row r, x row t).
// Activations are converted once per row into the type the weight's kernel
// takes (as llama.cpp does), then rows of W are split across the threads;
// each thread reuses a weight row across all tokens of the batch.

#include "compute/weight_tensor.h"
#include "quant/vec_dot.h"

#include <cstdint>
#include <vector>

namespace bioforge::llm {

class ThreadPool;

class MatMul {
public:
    MatMul(ThreadPool& pool, KernelPath path) : m_pool(pool), m_path(path) {}

    // x: nTokens rows of w.cols floats; y: nTokens rows of w.rows floats.
    void run(const WeightTensor& w, const float* x, int64_t nTokens, float* y);
    KernelPath path() const { return m_path; }

private:
    // The AMX route of Q8_0, Q4_K and Q6_K weights (amx_q8_0.h, amx_q4_k.h); false where the shape does not fit it.
    bool runOnTiles(const WeightTensor& w, const float* x, int64_t nTokens, float* y);

    ThreadPool& m_pool;
    KernelPath m_path;
    std::vector<uint8_t> m_converted; // reused scratch for converted activations
};

} // namespace bioforge::llm
