#pragma once

// Shared by the viral model tests: the recorded tensors of a fixture folder
// (reference.safetensors) and the comparison at real (unpadded) positions.

#include "io/safetensors_reader.h"
#include "model/host_tensor.h"
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

} // namespace bioforge::viral::test
