// The layer kernels (llm_layer_kernels.cuh) on a device against the CPU
// engine's operations (compute/ops.cpp) and a softmax in double: RMSNorm,
// SwiGLU, the residual add, RoPE with the KV cache store (biases, normal and
// NeoX pairs, frequency factors, a prompt of several tokens at an offset) and
// attention over the cache (one token at a long offset — the split-K chunks —
// and causal prompts, grouped-query heads; prompts longer than 8 tokens take
// the fused kernel of llm_flash_attention.cuh: its tiles of 8 queries and 32
// positions, head sizes 80 and 256, a NaN in one row). Part of tst_gpu_kernels; prints
// "ok …" or "FAIL …" per check and returns the failures.

#include "gpu_layer_checks.h"

#include "compute/ops.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <string>
#include <tuple>
#include <vector>

namespace bioforge::llm::layercheck {

namespace {

struct Checker {
    GpuDevice& device;
    std::mt19937& rng;
    int failures = 0;
    std::vector<void*> buffers;

    ~Checker()
    {
        std::string ignored;
        for (void* p : buffers)
            (void)device.free(p, &ignored);
    }

    void report(bool ok, const std::string& what, double worst, double bound)
    {
        if (ok) {
            std::printf("ok   %s: largest difference %.3g (bound %.3g)\n", what.c_str(), worst, bound);
        } else {
            ++failures;
            std::printf("FAIL %s: largest difference %.3g (bound %.3g)\n", what.c_str(), worst, bound);
        }
    }
    bool failed(const std::string& what, const std::string& error)
    {
        ++failures;
        std::printf("FAIL %s: %s\n", what.c_str(), error.c_str());
        return false;
    }
    std::vector<float> random(size_t n, float spread)
    {
        std::normal_distribution<float> z(0.0f, spread);
        std::vector<float> v(n);
        for (float& x : v)
            x = z(rng);
        return v;
    }
    // A device copy of `host` (NaN-filled when `host` is empty and n > 0: unwritten elements show).
    float* onDevice(const std::vector<float>& host, size_t n = 0)
    {
        std::vector<float> data = host.empty() ? std::vector<float>(n, std::numeric_limits<float>::quiet_NaN()) : host;
        void* p = nullptr;
        std::string error;
        if (!device.alloc(data.size() * sizeof(float), &p, &error) || !device.toDevice(p, data.data(), data.size() * sizeof(float), &error)) {
            failed("device buffer", error);
            return nullptr;
        }
        buffers.push_back(p);
        return static_cast<float*>(p);
    }
    bool back(std::vector<float>& host, const float* p, const std::string& what)
    {
        std::string error;
        return device.toHost(host.data(), p, host.size() * sizeof(float), &error) || failed(what, error);
    }
};

double largestDifference(const std::vector<float>& a, const std::vector<float>& b)
{
    double worst = 0;
    for (size_t i = 0; i < a.size(); ++i) {
        const double d = std::fabs(double(a[i]) - double(b[i]));
        worst = std::isnan(d) ? INFINITY : std::max(worst, d);
    }
    return worst;
}

void checkElementWise(Checker& c)
{
    std::string error;
    const int64_t rows = 3, width = 4096;
    const std::vector<float> x = c.random(size_t(rows * width), 2.0f), w = c.random(size_t(width), 1.0f);
    std::vector<float> want(x.size()), got(x.size());
    for (int64_t r = 0; r < rows; ++r)
        rmsNorm(x.data() + r * width, w.data(), width, 1e-6f, want.data() + r * width);
    float *dx = c.onDevice(x), *dw = c.onDevice(w), *dout = c.onDevice({}, x.size());
    if (!dx || !dw || !dout)
        return;
    if (!c.device.rmsNorm(dx, dw, rows, width, 1e-6f, dout, &error))
        return (void)c.failed("rms_norm", error);
    if (!c.back(got, dout, "rms_norm"))
        return;
    // The sum of squares in double in another order: the scale may differ in its last bit.
    c.report(largestDifference(got, want) <= 2e-6 * 8, "rms_norm 3 x 4096", largestDifference(got, want), 2e-6 * 8);

    const int64_t n = 100003;
    std::vector<float> a = c.random(size_t(n), 4.0f), b = c.random(size_t(n), 1.0f), cpu = a;
    siluMultiply(cpu.data(), b.data(), n);
    float *da = c.onDevice(a), *db = c.onDevice(b);
    if (!da || !db)
        return;
    if (!c.device.siluMultiply(da, db, n, &error))
        return (void)c.failed("silu_multiply", error);
    std::vector<float> out(static_cast<size_t>(n));
    if (!c.back(out, da, "silu_multiply"))
        return;
    // The device's expf against glibc's: a few ulp of |a·b| (up to ~60 here).
    c.report(largestDifference(out, cpu) <= 1e-4, "silu_multiply 100003", largestDifference(out, cpu), 1e-4);
    for (size_t i = 0; i < cpu.size(); ++i)
        cpu[i] += b[i];
    if (!c.device.add(da, db, n, &error))
        return (void)c.failed("add", error);
    if (!c.back(out, da, "add"))
        return;
    c.report(largestDifference(out, cpu) <= 1e-4, "add 100003", largestDifference(out, cpu), 1e-4);
}

// Attention of every (token, head) in double: the reference.
std::vector<float> attentionReference(const std::vector<float>& q, const std::vector<float>& keys, const std::vector<float>& values,
                                      const AttentionShape& s, int64_t tokens, int64_t firstPos)
{
    std::vector<float> out(size_t(tokens * s.queryWidth()));
    const double scale = 1.0 / std::sqrt(double(s.headSize));
    for (int64_t t = 0; t < tokens; ++t)
        for (int64_t h = 0; h < s.heads; ++h) {
            const int64_t kvh = h / (s.heads / s.kvHeads), visible = firstPos + t + 1;
            std::vector<double> p(static_cast<size_t>(visible));
            double max = -INFINITY, total = 0;
            for (int64_t j = 0; j < visible; ++j) {
                double dot = 0;
                for (int64_t d = 0; d < s.headSize; ++d)
                    dot += double(q[size_t(t * s.queryWidth() + h * s.headSize + d)]) * double(keys[size_t(j * s.kvWidth() + kvh * s.headSize + d)]);
                max = std::max(max, p[size_t(j)] = dot * scale);
            }
            for (double& v : p)
                total += (v = std::exp(v - max));
            for (int64_t d = 0; d < s.headSize; ++d) {
                double sum = 0;
                for (int64_t j = 0; j < visible; ++j)
                    sum += p[size_t(j)] / total * double(values[size_t(j * s.kvWidth() + kvh * s.headSize + d)]);
                out[size_t(t * s.queryWidth() + h * s.headSize + d)] = float(sum);
            }
        }
    return out;
}

void checkRopeAndAttention(Checker& c, bool neox, bool withFactors)
{
    std::string error;
    AttentionShape s;
    s.heads = 8;
    s.kvHeads = 2;
    s.headSize = 128;
    const int64_t capacity = 1300, kw = s.kvWidth(), qw = s.queryWidth();
    RopeParams rope;
    rope.dims = 128;
    rope.neox = neox;
    rope.freqBase = neox ? 1000000.f : 10000.f;
    std::vector<float> factors(64);
    for (size_t i = 0; i < factors.size(); ++i)
        factors[i] = 1.0f + 0.5f * float(i);
    // The cache already holds positions 0 … firstPos − 1 (random), on both sides.
    std::vector<float> keys = c.random(size_t(capacity * kw), 1.0f), values = c.random(size_t(capacity * kw), 1.0f);
    float *dKeys = c.onDevice(keys), *dValues = c.onDevice(values), *dFactors = c.onDevice(factors);
    if (!dKeys || !dValues || !dFactors)
        return;
    const std::string name = std::string(neox ? "neox" : "normal") + (withFactors ? ", frequency factors" : "");
    // A prompt at 7; one that crosses the 256-position chunk boundary (its first tokens have an
    // empty second chunk); one generated token at 1200 (five chunks).
    // Prompts of 40 tokens at 0 and 19 at 1250 take the fused kernel (the last block 3 rows).
    for (const auto& [tokens, firstPos] : {std::pair<int64_t, int64_t>{40, 0}, {5, 7}, {5, 253}, {1, 1200}, {19, 1250}}) {
        std::vector<float> q = c.random(size_t(tokens * qw), 1.0f), k = c.random(size_t(tokens * kw), 1.0f), v = c.random(size_t(tokens * kw), 1.0f);
        const std::vector<float> bq = c.random(size_t(qw), 0.5f), bk = c.random(size_t(kw), 0.5f), bv = c.random(size_t(kw), 0.5f);
        float *dq = c.onDevice(q), *dk = c.onDevice(k), *dv = c.onDevice(v), *dbq = c.onDevice(bq), *dbk = c.onDevice(bk), *dbv = c.onDevice(bv);
        float* dOut = c.onDevice({}, q.size());
        if (!dq || !dk || !dv || !dbq || !dbk || !dbv || !dOut)
            return;
        // The CPU: biases, rotation, store (CpuBackend::ropeAndStore's steps).
        RopeParams hostRope = rope;
        hostRope.freqFactors = withFactors ? factors.data() : nullptr;
        for (int64_t t = 0; t < tokens; ++t) {
            addInPlace(q.data() + t * qw, bq.data(), qw);
            addInPlace(k.data() + t * kw, bk.data(), kw);
            addInPlace(v.data() + t * kw, bv.data(), kw);
            applyRope(q.data() + t * qw, int(s.heads), int(s.headSize), float(firstPos + t), hostRope);
            applyRope(k.data() + t * kw, int(s.kvHeads), int(s.headSize), float(firstPos + t), hostRope);
            std::copy(k.begin() + t * kw, k.begin() + (t + 1) * kw, keys.begin() + (firstPos + t) * kw);
            std::copy(v.begin() + t * kw, v.begin() + (t + 1) * kw, values.begin() + (firstPos + t) * kw);
        }
        RopeParams deviceRope = rope;
        deviceRope.freqFactors = withFactors ? dFactors : nullptr;
        const std::string what = "rope_store " + name + ", " + std::to_string(tokens) + " tokens from " + std::to_string(firstPos);
        if (!c.device.ropeStore(dq, dk, dv, {dbq, dbk, dbv}, s, deviceRope, tokens, firstPos, dKeys, dValues, &error))
            return (void)c.failed(what, error);
        std::vector<float> gotQ(q.size()), gotKeys(keys.size()), gotValues(values.size());
        if (!c.back(gotQ, dq, what) || !c.back(gotKeys, dKeys, what) || !c.back(gotValues, dValues, what))
            return;
        // cos/sin of the device's libm against glibc's at angles up to ~1200 rad.
        const double ropeBound = 1e-4;
        const double worstRope = std::max({largestDifference(gotQ, q), largestDifference(gotKeys, keys), largestDifference(gotValues, values)});
        c.report(worstRope <= ropeBound, what, worstRope, ropeBound);
        // Attention over the cache as the device holds it (its own rotation), against double.
        const std::string attention = "attention " + name + ", " + std::to_string(tokens) + " tokens from " + std::to_string(firstPos);
        if (!c.device.attention(dq, dKeys, dValues, s, tokens, firstPos, dOut, &error))
            return (void)c.failed(attention, error);
        std::vector<float> out(q.size());
        if (!c.back(out, dOut, attention))
            return;
        const std::vector<float> want = attentionReference(gotQ, gotKeys, gotValues, s, tokens, firstPos);
        c.report(largestDifference(out, want) <= 2e-5, attention, largestDifference(out, want), 2e-5);
        keys = gotKeys; // both sides continue from the device's cache
        values = gotValues;
    }
}

// The fused prompt kernel at other head sizes (80: lanes past the head; 256: the largest) and
// head groupings, on a random cache; a NaN in one query row makes that row, and only it, NaN; an
// infinite value at the last token's position reaches no earlier token's row (the last token's
// rows are not compared; 13 and 30 tokens: the last block holds the last token and earlier ones).
void checkPromptAttention(Checker& c)
{
    std::string error;
    for (const auto& [headSize, heads, kvHeads, tokens, firstPos, infiniteLast] :
         {std::tuple<int64_t, int64_t, int64_t, int64_t, int64_t, bool>{80, 4, 4, 19, 3, false}, {256, 4, 1, 13, 30, true}, {64, 6, 2, 30, 64, true}}) {
        AttentionShape s;
        s.heads = heads;
        s.kvHeads = kvHeads;
        s.headSize = headSize;
        const int64_t span = firstPos + tokens;
        std::vector<float> q = c.random(size_t(tokens * s.queryWidth()), 1.0f);
        const std::vector<float> keys = c.random(size_t(span * s.kvWidth()), 1.0f);
        std::vector<float> values = c.random(size_t(span * s.kvWidth()), 1.0f);
        if (infiniteLast)
            values[size_t((span - 1) * s.kvWidth())] = INFINITY;
        const int64_t nanToken = tokens / 2, nanHead = heads - 1;
        q[size_t(nanToken * s.queryWidth() + nanHead * headSize + 1)] = std::numeric_limits<float>::quiet_NaN();
        float *dq = c.onDevice(q), *dKeys = c.onDevice(keys), *dValues = c.onDevice(values), *dOut = c.onDevice({}, q.size());
        if (!dq || !dKeys || !dValues || !dOut)
            return;
        const std::string what = "attention, heads of " + std::to_string(headSize) + " (" + std::to_string(heads) + " over " +
                                 std::to_string(kvHeads) + "), " + std::to_string(tokens) + " tokens from " + std::to_string(firstPos) +
                                 (infiniteLast ? ", an infinite value at the last position" : "");
        if (!c.device.attention(dq, dKeys, dValues, s, tokens, firstPos, dOut, &error))
            return (void)c.failed(what, error);
        std::vector<float> out(q.size());
        if (!c.back(out, dOut, what))
            return;
        std::vector<float> want = attentionReference(q, keys, values, s, tokens, firstPos);
        bool nanRow = true;
        for (int64_t d = 0; d < headSize; ++d) {
            const size_t i = size_t(nanToken * s.queryWidth() + nanHead * headSize + d);
            nanRow = nanRow && std::isnan(out[i]);
            out[i] = want[i] = 0.0f; // compared apart
        }
        if (infiniteLast) // the last token sees the infinite value: not compared
            for (int64_t i = (tokens - 1) * s.queryWidth(); i < tokens * s.queryWidth(); ++i)
                out[size_t(i)] = want[size_t(i)] = 0.0f;
        const double worst = largestDifference(out, want);
        c.report(nanRow && worst <= 2e-5, what + (nanRow ? "" : " (the NaN row is not all NaN)"), worst, 2e-5);
    }
}

} // namespace

int checkLayerOps(GpuDevice& device, std::mt19937& rng)
{
    if (!device.hasLayerOps()) {
        std::printf("FAIL layer operations: this module has none\n");
        return 1;
    }
    Checker c{device, rng, 0, {}};
    checkElementWise(c);
    checkRopeAndAttention(c, false, false);
    checkRopeAndAttention(c, true, true);
    checkPromptAttention(c);
    std::string error;
    if (device.rmsNorm(nullptr, nullptr, 0, 16, 1e-6f, nullptr, &error) || error.find("rms_norm") == std::string::npos)
        c.failed("rms_norm of 0 rows is refused", error);
    AttentionShape wide;
    wide.heads = 2;
    wide.kvHeads = 2;
    wide.headSize = 512;
    if (device.attention(nullptr, nullptr, nullptr, wide, 1, 0, nullptr, &error) || error.find("head size") == std::string::npos)
        c.failed("attention with heads of 512 is refused", error);
    return c.failures;
}

} // namespace bioforge::llm::layercheck
