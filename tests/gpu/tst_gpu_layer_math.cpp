// The GPU layer kernels' per-element math (gpu/gpu_layer_math.h), compiled for
// the host, against the CPU engine's operations (compute/ops.cpp): RMSNorm and
// SwiGLU bit for bit; RoPE within rounding of the rotation (the CPU's compiler
// may fuse its multiply-adds); attention computed in chunks of 256 positions
// and merged as the device does, against a softmax in double. Runs everywhere
// (no GPU needed); the kernels themselves are checked by tst_gpu_kernels on a
// GPU. Qt-free. Exit 0 when every check holds, 1 otherwise.

#include "compute/ops.h"
#include "gpu/gpu_layer_math.h"
#include "host_checks.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <random>
#include <vector>

using namespace bioforge::llm;

namespace {

using gputest::bits;

std::vector<float> randomFloats(std::mt19937& rng, size_t n, float spread)
{
    std::normal_distribution<float> z(0.0f, spread);
    std::vector<float> v(n);
    for (float& x : v)
        x = z(rng);
    return v;
}

void checkRmsNormAndSilu(std::mt19937& rng)
{
    for (int64_t n : {1, 7, 64, 4096, 5120}) {
        const std::vector<float> x = randomFloats(rng, size_t(n), 2.0f), w = randomFloats(rng, size_t(n), 1.0f);
        std::vector<float> want(static_cast<size_t>(n));
        rmsNorm(x.data(), w.data(), n, 1e-5f, want.data());
        double sum = 0;
        for (float v : x)
            sum += double(hd::mulRn(v, v));
        const float scale = hd::rmsScale(sum, n, 1e-5f);
        int differ = 0;
        for (int64_t i = 0; i < n; ++i)
            differ += bits(hd::rmsNormed(x[size_t(i)], scale, w[size_t(i)])) != bits(want[size_t(i)]);
        CHECK(differ == 0, "rmsNorm width %lld: %d of the outputs differ", (long long)n, differ);
        std::vector<float> a = randomFloats(rng, size_t(n), 4.0f), got = a;
        const std::vector<float> b = randomFloats(rng, size_t(n), 1.0f);
        siluMultiply(a.data(), b.data(), n);
        differ = 0;
        for (int64_t i = 0; i < n; ++i)
            differ += bits(hd::siluTimes(got[size_t(i)], b[size_t(i)])) != bits(a[size_t(i)]);
        CHECK(differ == 0, "siluMultiply n %lld: %d of the outputs differ", (long long)n, differ);
    }
}

// The kernel's per-head work, on the host: every pair rotated from its own theta.
void ropeLikeTheDevice(float* head, int headSize, float pos, const RopeParams& p)
{
    hd::RopeScalars r;
    r.dims = p.dims;
    r.freqBase = p.freqBase;
    r.freqScale = p.freqScale;
    r.neox = p.neox;
    r.extFactor = p.extFactor;
    r.attnFactor = p.attnFactor;
    r.correction0 = p.correctionDims[0];
    r.correction1 = p.correctionDims[1];
    r.rotationOnly = p.rotationOnly;
    const float thetaScale = hd::ropeThetaScale(r);
    (void)headSize;
    for (int pair = 0; pair < p.dims / 2; ++pair) {
        int a = 0, b = 0;
        hd::ropePairIndices(r, pair, a, b);
        float c = 0, s = 0;
        hd::ropeCosSin(r, pair, hd::ropeThetaBase(pos, thetaScale, pair), p.freqFactors ? p.freqFactors[pair] : 1.0f, c, s);
        hd::ropeRotate(head[a], head[b], c, s, head[a], head[b]);
    }
}

void checkRope(std::mt19937& rng)
{
    const int headSize = 128, heads = 3;
    std::vector<float> factors(64);
    for (size_t i = 0; i < factors.size(); ++i)
        factors[i] = 1.0f + float(i) * 0.25f;
    struct Case {
        const char* name;
        RopeParams p;
    };
    std::vector<Case> cases;
    RopeParams normal;
    normal.dims = 128;
    cases.push_back({"normal", normal});
    RopeParams neox = normal;
    neox.neox = true;
    neox.freqBase = 1000000.f;
    cases.push_back({"neox, base 1e6", neox});
    RopeParams partial = normal;
    partial.dims = 64;
    partial.freqScale = 0.25f;
    cases.push_back({"64 of 128 dims, linear scaling", partial});
    RopeParams withFactors = neox;
    withFactors.freqFactors = factors.data();
    cases.push_back({"neox, frequency factors", withFactors});
    RopeParams yarn = normal;
    yarn.freqScale = 0.125f;
    yarn.extFactor = 1.0f;
    ropeYarnCorrectionDims(128, 4096, 10000.f, 32.f, 1.f, yarn.correctionDims);
    cases.push_back({"YaRN", yarn});
    RopeParams shift = yarn;
    shift.rotationOnly = true;
    cases.push_back({"YaRN, rotation only (a cache shift)", shift});
    for (const Case& c : cases)
        for (float pos : {0.0f, 1.0f, 17.0f, 4095.0f, -3.0f}) {
            const std::vector<float> x = randomFloats(rng, size_t(heads * headSize), 1.0f);
            std::vector<float> want = x, got = x;
            applyRope(want.data(), heads, headSize, pos, c.p);
            for (int h = 0; h < heads; ++h)
                ropeLikeTheDevice(got.data() + h * headSize, headSize, pos, c.p);
            double worst = 0;
            int exact = 0;
            for (size_t i = 0; i < x.size(); ++i) {
                worst = std::max(worst, double(std::fabs(got[i] - want[i])));
                exact += bits(got[i]) == bits(want[i]);
            }
            // A fused multiply-add on one side rounds once where the other rounds twice.
            CHECK(worst <= 4e-6, "RoPE %s at %g: largest difference %.3g (%d of %zu bit-identical)", c.name, double(pos), worst, exact, x.size());
        }
}

// Attention of one query over `visible` positions: the device's chunks merged, against a
// softmax in double.
void checkChunkedSoftmax(std::mt19937& rng)
{
    const int headSize = 64;
    const float scale = 1.0f / std::sqrt(float(headSize));
    for (int64_t visible : {1, 2, 255, 256, 257, 1000, 4097}) {
        const std::vector<float> q = randomFloats(rng, headSize, 1.0f), keys = randomFloats(rng, size_t(visible * headSize), 1.0f),
                                 values = randomFloats(rng, size_t(visible * headSize), 1.0f);
        std::vector<double> scores(static_cast<size_t>(visible));
        double max = -INFINITY;
        for (int64_t j = 0; j < visible; ++j) {
            double dot = 0;
            for (int d = 0; d < headSize; ++d)
                dot += double(q[size_t(d)]) * double(keys[size_t(j * headSize + d)]);
            scores[size_t(j)] = dot * scale;
            max = std::max(max, scores[size_t(j)]);
        }
        double total = 0;
        for (double& s : scores)
            total += (s = std::exp(s - max));
        // The device: 256-position chunks, each (max, Σ exp, Σ exp·v), merged in order.
        constexpr int64_t chunk = 256;
        hd::SoftmaxPart merged{-INFINITY, 0.0f};
        std::vector<float> acc(headSize, 0.0f);
        for (int64_t begin = 0; begin < visible; begin += chunk) {
            const int64_t end = std::min(visible, begin + chunk);
            std::vector<float> e(size_t(end - begin));
            float m = -INFINITY;
            for (int64_t j = begin; j < end; ++j) {
                float dot = 0.0f;
                for (int d = 0; d < headSize; ++d)
                    dot = hd::addRn(dot, hd::mulRn(q[size_t(d)], keys[size_t(j * headSize + d)]));
                e[size_t(j - begin)] = hd::mulRn(dot, scale);
                m = std::max(m, e[size_t(j - begin)]);
            }
            float sum = 0.0f;
            for (float& v : e)
                sum = hd::addRn(sum, v = std::exp(hd::subRn(v, m)));
            float scaleMerged = 0, scalePart = 0;
            merged = hd::mergeSoftmaxParts(merged, {m, sum}, scaleMerged, scalePart);
            for (int d = 0; d < headSize; ++d) {
                float part = 0.0f;
                for (int64_t j = begin; j < end; ++j)
                    part = hd::addRn(part, hd::mulRn(e[size_t(j - begin)], values[size_t(j * headSize + d)]));
                acc[size_t(d)] = hd::addRn(hd::mulRn(acc[size_t(d)], scaleMerged), hd::mulRn(part, scalePart));
            }
        }
        double worst = 0;
        for (int d = 0; d < headSize; ++d) {
            double want = 0;
            for (int64_t j = 0; j < visible; ++j)
                want += scores[size_t(j)] / total * double(values[size_t(j * headSize + d)]);
            worst = std::max(worst, std::fabs(double(acc[size_t(d)] / merged.sum) - want));
        }
        CHECK(worst <= 1e-5, "attention over %lld positions in chunks: largest difference %.3g", (long long)visible, worst);
    }
    // An empty part leaves the other as it was.
    float a = 0, b = 0;
    const hd::SoftmaxPart m = hd::mergeSoftmaxParts({2.0f, 3.0f}, {-INFINITY, 0.0f}, a, b);
    CHECK(m.max == 2.0f && m.sum == 3.0f && a == 1.0f && b == 0.0f, "merge with an empty part: (%g, %g), scales %g %g", double(m.max), double(m.sum),
          double(a), double(b));
    CHECK(hd::kvHeadOf(7, 32, 8) == 1 && hd::kvHeadOf(31, 32, 8) == 7 && hd::kvHeadOf(5, 8, 8) == 5, "grouped-query head mapping");
}

} // namespace

int main()
{
    constexpr uint32_t seed = 20261202;
    std::printf("tst_gpu_layer_math: seed %u\n", seed);
    std::mt19937 rng(seed);
    checkRmsNormAndSilu(rng);
    checkRope(rng);
    checkChunkedSoftmax(rng);
    return gputest::finishChecks("tst_gpu_layer_math");
}
