#pragma once

// Shared by the viral model tests: the recorded tensors of a fixture folder
// (reference.safetensors) and the comparison at real (unpadded) positions.

#include "io/safetensors_reader.h"
#include "model/host_tensor.h"
#include "model/int8_matmul.h"
#include "support/test_support.h"

#include <QtTest>

#include <cmath>
#include <memory>

namespace bioforge::viral::test {

class ModelReference {
public:
    explicit ModelReference(const QString& folder)
    {
        auto r = core::SafetensorsReader::open(bioforge::test::fixturePath(folder + QStringLiteral("/reference.safetensors")));
        if (r)
            m_reader = std::move(*r);
    }
    bool valid() const { return m_reader != nullptr; }
    bool has(const QString& name) const { return m_reader->find(name) != nullptr; }
    std::vector<int64_t> shape(const QString& name) const
    {
        const core::TensorInfo* info = m_reader->find(name);
        return info ? std::vector<int64_t>(info->shape.begin(), info->shape.end()) : std::vector<int64_t>{};
    }
    std::vector<float> floats(const QString& name) const { return m_reader->toFloat(name).valueOr({}); }
    std::vector<int64_t> ints(const QString& name) const
    {
        const auto v = m_reader->toInt64(name).valueOr({});
        return std::vector<int64_t>(v.begin(), v.end());
    }
    // Rows of a [B, T] id tensor, each cut where `keep` says the row ends.
    std::vector<std::vector<int64_t>> rows(const QString& name, const std::vector<int64_t>& lengths) const
    {
        const auto ids = ints(name);
        const int64_t T = shape(name)[1];
        std::vector<std::vector<int64_t>> out;
        for (size_t b = 0; b < lengths.size(); ++b)
            out.emplace_back(ids.begin() + int64_t(b) * T, ids.begin() + int64_t(b) * T + lengths[b]);
        return out;
    }

private:
    std::unique_ptr<core::SafetensorsReader> m_reader;
};

// Largest |ours − expected| over rows b < B, positions t < lengths[b] (last dim whole).
inline double maxDiffAtRealPositions(const HostTensor& ours, const std::vector<float>& expected, const std::vector<int64_t>& expectedShape,
                                     const std::vector<int64_t>& lengths)
{
    const int64_t T1 = ours.shape[1], T2 = expectedShape[1], C = ours.shape[2];
    if (C != expectedShape[2])
        return INFINITY;
    double worst = 0;
    for (size_t b = 0; b < lengths.size(); ++b)
        for (int64_t t = 0; t < lengths[b]; ++t)
            for (int64_t c = 0; c < C; ++c) {
                const float x = ours.data[size_t((int64_t(b) * T1 + t) * C + c)];
                const float y = expected[size_t((int64_t(b) * T2 + t) * C + c)];
                worst = std::max(worst, double(std::fabs(x - y)));
            }
    return worst;
}

inline double maxDiff(const std::vector<float>& a, const std::vector<float>& b)
{
    if (a.size() != b.size())
        return INFINITY;
    double worst = 0;
    for (size_t i = 0; i < a.size(); ++i)
        worst = std::max(worst, double(std::fabs(a[i] - b[i])));
    return worst;
}

constexpr double kTolerance = 1e-4; // the fixtures' stated bound for a faithful float32 port

// Rows of embeddings, one after another (to compare with a reference tensor).
inline std::vector<float> flatten(const std::vector<std::vector<float>>& rows)
{
    std::vector<float> flat;
    for (const auto& r : rows)
        flat.insert(flat.end(), r.begin(), r.end());
    return flat;
}

inline double maxAbs(const std::vector<float>& a)
{
    double m = 0;
    for (float x : a)
        m = std::max(m, double(std::fabs(x)));
    return m;
}

// Smallest cosine similarity between row i of `a` and of `b` (rows of `width`).
inline double minCosine(const std::vector<float>& a, const std::vector<float>& b, size_t width)
{
    double worst = 1;
    for (size_t r = 0; r + width <= a.size() && r + width <= b.size(); r += width) {
        double ab = 0, aa = 0, bb = 0;
        for (size_t i = r; i < r + width; ++i) {
            ab += double(a[i]) * b[i];
            aa += double(a[i]) * a[i];
            bb += double(b[i]) * b[i];
        }
        worst = std::min(worst, ab / std::sqrt(aa * bb));
    }
    return worst;
}

// EncoderPrecision::BFloat16 against the official float32 outputs: the largest
// difference of the pipeline's mean embedding relative to its largest value,
// and the smallest cosine similarity of a row. Measured on the fixtures
// (2026-12-01): ESM-2 tiny 3.9e-3 / 0.999986, DNABERT-S tiny 3.8e-3 / 0.999988
// (12 heads: 3.6e-3 / 0.999992)
// (docs/performance.md). The bounds leave room for a different oneDNN kernel
// order, not for a wrong layer (which gives > 0.1 / < 0.99).
constexpr double kBFloat16RelativeTolerance = 1e-2;
constexpr double kBFloat16MinCosine = 0.9995;
// EncoderPrecision::Int8 the same way (int8 linear layers on oneDNN). Measured on the fixtures
// (2026-12-03, 8-bit activations: a CPU with VNNI; each sequence rounded over its own range):
// ESM-2 tiny 1.2e-2 / 0.99986, DNABERT-S tiny 1.6e-2 / 0.99981 (12 heads: 9.9e-3 / 0.99994)
// (docs/performance.md, "viral: int8"). The
// bounds leave room for 7-bit activations (CPUs without VNNI: about twice the error), not for a
// wrong layer.
constexpr double kInt8RelativeTolerance = 5e-2;
constexpr double kInt8MinCosine = 0.998;
// int8 needs oneDNN in the build (model/int8_matmul.h); without it an int8 test skips, saying why.
#define BIOFORGE_SKIP_WITHOUT_INT8()                                                                                                       \
    do {                                                                                                                                   \
        if (auto int8Status = bioforge::viral::int8MatmulStatus(); !int8Status)                                                            \
            QSKIP(qPrintable(int8Status.error().message()));                                                                              \
    } while (0)

} // namespace bioforge::viral::test
