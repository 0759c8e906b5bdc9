#pragma once

// Internal to torch_int8.cpp (after <ATen/ATen.h>, compiled with OpenMP: model/torch_parallel.h):
// how an int8 product runs over a batch's real rows — our VNNI kernel in blocks of rows taken by
// LibTorch's threads, or one oneDNN product into a per-thread int32 buffer then scaled row by row —
// handing each row, scaled back to float32, to the layer's own finish (int8Linear,
// int8LinearRounded, int8LinearResidual).

#include <ATen/ATen.h>

#include "model/int8_gemm.h"
#include "model/int8_kernels.h"
#include "model/int8_matmul.h"
#include "model/torch_int8.h"
#include "model/torch_parallel.h"

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <memory>
#include <vector>

namespace bioforge::viral::int8rows {

// The calling thread's buffer for a product's int32 sums, at least `count` long (not zeroed). Kept
// between products — a fresh one per call (DNABERT-S's gated 2144 × 6144 int32, 52 MB, above
// glibc's largest mmap threshold) cost page faults and the kernel's zeroing of every page — and
// given back when the lease ends if above 64 MB (ESM-2 3B's big batches). One lease per thread at
// a time (an int8 product never runs inside another's rows).
class SumsLease {
public:
    explicit SumsLease(size_t count) : m_buffer(buffer())
    {
        TORCH_INTERNAL_ASSERT(!m_buffer.busy, "int8 product: its sums buffer is in use on this thread");
        if (m_buffer.size < count) {
            m_buffer.data.reset(new int32_t[count]);
            m_buffer.size = count;
        }
        m_buffer.busy = true;
    }
    ~SumsLease()
    {
        m_buffer.busy = false;
        if (m_buffer.size > (size_t(64) << 20) / sizeof(int32_t)) {
            m_buffer.data.reset();
            m_buffer.size = 0;
        }
    }
    SumsLease(const SumsLease&) = delete;
    SumsLease& operator=(const SumsLease&) = delete;
    int32_t* data() const { return m_buffer.data.get(); }

private:
    struct Buffer {
        std::unique_ptr<int32_t[]> data;
        size_t size = 0;
        bool busy = false;
    };
    static Buffer& buffer()
    {
        thread_local Buffer b;
        return b;
    }
    Buffer& m_buffer;
};

// The calling thread's float scratch of at least n values (a block of scaled rows).
inline float* blockScratch(int64_t n)
{
    thread_local std::vector<float> block;
    if (block.size() < size_t(n))
        block.resize(size_t(n));
    return block.data();
}

// The product of x's real rows with the weights (checkedWidth first), then finish(i, scaled) for
// each: `scaled` row i's out values scaled back (y = step_r · scales · P + min_r · R + bias,
// int8_kernels.h's int8Epilogue bit for bit) in the worker's scratch, which finish may overwrite.
// Our VNNI kernel scales them in the tile (the int32 sums never reach memory), in blocks of up to
// 48 rows taken by LibTorch's threads as they come (a thread slowed by its neighbours on a shared
// machine takes fewer; a batch too small for two blocks a thread gets smaller ones, down to one
// tile of 12), each block (48 × out floats, 1.2 MB at DNABERT-S's 6144) finished while in the
// thread's L2. oneDNN: one product over all rows into the calling thread's int32 buffer, then the
// rows scaled and finished on LibTorch's threads (parallel_for returns when all are done).
// direct (optional, our kernel only): the float32 output of all B·T rows, `out` wide — a block
// whose real rows are consecutive there (no padding between them) is scaled straight into it, and
// finish gets those rows in place.
template <typename Finish>
void int8Product(const Int8Rows& x, const Int8Weights& weights, const float* bias, Finish finish, float* direct = nullptr)
{
    const int64_t out = weights.out(), n = int64_t(x.real.size());
    if (n == 0)
        return;
    const uint8_t* q = x.q.data_ptr<uint8_t>();
    const float* scales = weights.scales.data_ptr<float>();
    const float* rowSums = weights.rowSums.data_ptr<float>();
    if (weights.vnni) {
        const int64_t threads = std::max(1, at::get_num_threads()), perThread = (n + 2 * threads - 1) / (2 * threads);
        const int64_t block = std::clamp<int64_t>((perThread + 11) / 12 * 12, 12, 48), blocks = (n + block - 1) / block;
        std::atomic<int64_t> next{0};
        at::parallel_for(0, std::min(blocks, threads), 1, [&](int64_t, int64_t) {
            float* scaled = blockScratch(block * out);
            for (int64_t b = next++; b < blocks; b = next++) {
                const int64_t first = b * block, rows = std::min(block, n - first);
                const Int8Scaling scaling{x.step.data() + first, x.lo.data() + first, scales, rowSums, bias};
                const int64_t firstRow = x.real[size_t(first)];
                float* to = direct && x.real[size_t(first + rows - 1)] - firstRow == rows - 1 ? direct + firstRow * out : scaled;
                weights.vnni->productScaled(q + first * x.width, x.width, rows, scaling, to, out);
                for (int64_t i = 0; i < rows; ++i)
                    finish(first + i, to + i * out);
            }
        });
        return;
    }
    const SumsLease sums(size_t(n * out));
    if (auto st = weights.product->run(q, n, sums.data()); !st)
        TORCH_CHECK(false, st.error().message().toStdString());
    const int32_t* all = sums.data();
    at::parallel_for(0, n, std::max<int64_t>(1, 16384 / std::max<int64_t>(out, 1)), [&](int64_t begin, int64_t end) {
        float* scaled = blockScratch(out);
        for (int64_t i = begin; i < end; ++i) {
            int8Epilogue(all + i * out, scaled, size_t(out), x.step[size_t(i)], x.lo[size_t(i)], scales, rowSums, bias);
            finish(i, scaled);
        }
    });
}

} // namespace bioforge::viral::int8rows
