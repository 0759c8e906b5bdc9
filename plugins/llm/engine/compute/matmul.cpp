#include "compute/matmul.h"

#include "compute/thread_pool.h"
#include "quant/amx_q4_k.h"
#include "quant/amx_q8_0.h"

#include <algorithm>
#include <cstring>

namespace bioforge::llm {

bool MatMul::runOnTiles(const WeightTensor& w, const float* x, int64_t nTokens, float* y)
{
    constexpr int64_t kRows = amx::kTileRows, kTokens = amx::kTileTokens;
    const bool kQuant = w.type == GgmlType::Q4_K || w.type == GgmlType::Q6_K; // Q8_K activations
    if (nTokens < kAmxMinTokens || w.rows % kRows != 0 || w.cols % (kQuant ? 256 : 32) != 0)
        return false;
    const int64_t groups = (nTokens + kTokens - 1) / kTokens;
    const size_t groupBytes = kQuant ? amx::q8KGroupBytes(w.cols) : amx::q8GroupBytes(w.cols);
    m_converted.resize(groupBytes * size_t(groups) + 64);
    uint8_t* packed = m_converted.data() + (64 - reinterpret_cast<uintptr_t>(m_converted.data()) % 64) % 64;
    m_pool.parallelFor(groups, [&](int64_t begin, int64_t end) {
        for (int64_t g = begin; g < end; ++g) {
            const int count = int(std::min(kTokens, nTokens - g * kTokens));
            (kQuant ? amx::packQ8KGroup : amx::packQ8Group)(x + g * kTokens * w.cols, w.cols, count, packed + size_t(g) * groupBytes);
        }
    });
    m_pool.parallelFor(w.rows / kRows, [&](int64_t begin, int64_t end) {
        const auto product = w.type == GgmlType::Q4_K ? amx::productQ4_K : w.type == GgmlType::Q6_K ? amx::productQ6_K : amx::productQ8_0;
        product(w.cols, w.row(begin * kRows), w.rowBytes, end - begin, packed, nTokens, y + begin * kRows, w.rows);
    });
    return true;
}

void MatMul::run(const WeightTensor& w, const float* x, int64_t nTokens, float* y)
{
    const WeightKernel kernel = kernelFor(w.type, m_path);
    if (kernel.amxTiles && runOnTiles(w, x, nTokens, y))
        return;
    const bool batched = kernel.dotMany && (nTokens > 1 || kernel.manyForOneToken);
    const bool tiled = batched && kernel.tileConvert;
    const bool packed = batched && !tiled && kernel.batchConvert;
    const ActivationFn convert = packed ? kernel.batchConvert : kernel.convert;
    // Tiled: the bytes of one tile of kernel.tileTokens tokens; otherwise of one token's row.
    const size_t rowBytes = tiled ? kernel.tileBytes(w.cols) : packed ? kernel.batchRowBytes(w.cols) : ggmlRowBytes(kernel.activationType, w.cols);
    const uint8_t* activations = reinterpret_cast<const uint8_t*>(x);
    if (tiled) {
        const int64_t tiles = (nTokens + kernel.tileTokens - 1) / kernel.tileTokens;
        m_converted.resize(rowBytes * size_t(tiles) + 64);
        uint8_t* converted = m_converted.data() + (64 - reinterpret_cast<uintptr_t>(m_converted.data()) % 64) % 64;
        m_pool.parallelFor(tiles, [&](int64_t begin, int64_t end) {
            for (int64_t g = begin; g < end; ++g) {
                const int count = int(std::min<int64_t>(kernel.tileTokens, nTokens - g * kernel.tileTokens));
                kernel.tileConvert(x + g * kernel.tileTokens * w.cols, w.cols, count, converted + size_t(g) * rowBytes);
            }
        });
        activations = converted;
    } else if (convert) {
        // 64-byte aligned: packed layouts are read with aligned vector loads.
        m_converted.resize(rowBytes * size_t(nTokens) + 64);
        uint8_t* converted = m_converted.data() + (64 - reinterpret_cast<uintptr_t>(m_converted.data()) % 64) % 64;
        m_pool.parallelFor(nTokens, [&](int64_t begin, int64_t end) {
            for (int64_t t = begin; t < end; ++t)
                convert(x + t * w.cols, converted + size_t(t) * rowBytes, w.cols);
        });
        activations = converted;
    }
    const int64_t cols = w.cols, rows = w.rows;
    m_pool.parallelFor(
        rows,
        [&](int64_t begin, int64_t end) {
            // Blocks of 16 weight rows stay in cache while every token passes over them.
            constexpr int64_t kBlock = 16;
            for (int64_t r0 = begin; r0 < end; r0 += kBlock) {
                const int64_t r1 = std::min(end, r0 + kBlock);
                if (nTokens == 1 && kernel.dotRows && !packed && !tiled) {
                    kernel.dotRows(cols, w.row(r0), w.rowBytes, r1 - r0, activations, y + r0);
                    continue;
                }
                if (batched) {
                    // Each weight row meets kMaxTileTokens tokens per call.
                    float tile[kMaxTileTokens];
                    for (int64_t t0 = 0; t0 < nTokens; t0 += kernel.tileTokens) {
                        const int tokens = int(std::min<int64_t>(kernel.tileTokens, nTokens - t0));
                        const uint8_t* a = activations + size_t(tiled ? t0 / kernel.tileTokens : t0) * rowBytes;
                        for (int64_t r = r0; r < r1; ++r) {
                            kernel.dotMany(cols, w.row(r), a, rowBytes, tokens, tile);
                            for (int j = 0; j < tokens; ++j)
                                y[(t0 + j) * rows + r] = tile[j];
                        }
                    }
                    continue;
                }
                for (int64_t t = 0; t < nTokens; ++t) {
                    const uint8_t* a = activations + size_t(t) * rowBytes;
                    float* out = y + t * rows;
                    for (int64_t r = r0; r < r1; ++r)
                        out[r] = kernel.dot(cols, w.row(r), a);
                }
            }
        },
        16);
}

} // namespace bioforge::llm
