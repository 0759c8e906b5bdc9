// The encoders' fused self-attention (model/attention_kernels.h, fusedAttention in
// model/torch_layers.h): the AVX-512 kernel against the scalar reference, both against a
// double-precision softmax written out here, over head sizes and lengths that hit every tail
// (rows of 8 and 4, keys of 16/32, values of 16/32/64), with ALiBi slopes, rotary tables and
// padding; special values;
// the LibTorch wrapper against LibTorch's own products and softmax in both encoders' layouts; an
// attention too large for the machine's memory (the CPU allocator's failure) is an out-of-memory.
#include <ATen/ATen.h>

#include "model/attention_kernels.h"
#include "model/int8_kernels.h"
#include "model/torch_layers.h"

#include <QTest>

#include <algorithm>
#include <cmath>
#include <limits>
#include <random>
#include <vector>

using namespace bioforge::viral;

namespace {

constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();

// One batch of [B, T, heads, D] q, k, v (contiguous, values ~ N(0, 1)), padding [B, T].
struct Case {
    int64_t B = 2, T = 1, heads = 2, D = 8;
    std::vector<float> q, k, v;
    std::vector<float> slopes;
    std::vector<uint8_t> padding;
    std::vector<float> cos, sin; // rotary tables [T, D], or empty
    float scale = 1;

    Case(int64_t b, int64_t t, int64_t h, int64_t d, uint32_t seed) : B(b), T(t), heads(h), D(d)
    {
        std::mt19937 rng(seed);
        std::normal_distribution<float> normal(0.0f, 1.0f);
        for (auto* x : {&q, &k, &v}) {
            x->resize(size_t(B * T * heads * D));
            for (float& e : *x)
                e = normal(rng);
        }
        scale = 1.0f / std::sqrt(float(D));
    }
    AttentionProblem problem(float* out) const
    {
        AttentionProblem p;
        p.tokens = T;
        p.headSize = D;
        p.q = q.data();
        p.k = k.data();
        p.v = v.data();
        p.in = {T * heads * D, heads * D, D};
        p.out = out;
        p.outLayout = p.in;
        p.scale = scale;
        p.slopes = slopes.empty() ? nullptr : slopes.data();
        p.keyPadding = padding.empty() ? nullptr : padding.data();
        p.cos = cos.empty() ? nullptr : cos.data();
        p.sin = sin.empty() ? nullptr : sin.data();
        return p;
    }
    size_t at(int64_t b, int64_t t, int64_t h) const { return size_t(((b * T + t) * heads + h) * D); }
    // ESM-2's tables: angle t · 10000^(−2f/D) for f < D/2, repeated for both halves.
    void addRotaryTables()
    {
        for (int64_t t = 0; t < T; ++t)
            for (int64_t d = 0; d < D; ++d) {
                const double angle = double(t) * std::pow(10000.0, -2.0 * double(d % (D / 2)) / double(D));
                cos.push_back(float(std::cos(angle)));
                sin.push_back(float(std::sin(angle)));
            }
    }
    // Row t of x for head h of sequence b, rotated when the case has tables, in double.
    std::vector<double> row(const std::vector<float>& x, int64_t b, int64_t t, int64_t h) const
    {
        std::vector<double> r(x.begin() + long(at(b, t, h)), x.begin() + long(at(b, t, h) + size_t(D)));
        if (cos.empty())
            return r;
        std::vector<double> y(r.size());
        const int64_t half = D / 2;
        for (int64_t d = 0; d < D; ++d) {
            const double partner = d < half ? -r[size_t(d + half)] : r[size_t(d - half)];
            y[size_t(d)] = r[size_t(d)] * double(cos[size_t(t * D + d)]) + partner * double(sin[size_t(t * D + d)]);
        }
        return y;
    }
    // The attention in double precision, written out (exp of the score minus the row's maximum).
    std::vector<double> expected() const
    {
        std::vector<double> out(q.size(), 0.0);
        for (int64_t b = 0; b < B; ++b)
            for (int64_t h = 0; h < heads; ++h)
                for (int64_t i = 0; i < T; ++i) {
                    std::vector<double> s;
                    std::vector<int64_t> keys;
                    const std::vector<double> qi = row(q, b, i, h);
                    for (int64_t j = 0; j < T; ++j) {
                        if (!padding.empty() && padding[size_t(b * T + j)])
                            continue;
                        const std::vector<double> kj = row(k, b, j, h);
                        double dot = 0;
                        for (int64_t d = 0; d < D; ++d)
                            dot += qi[size_t(d)] * kj[size_t(d)];
                        s.push_back(scale * dot - (slopes.empty() ? 0.0 : slopes[size_t(h)] * double(std::abs(i - j))));
                        keys.push_back(j);
                    }
                    const double m = *std::max_element(s.begin(), s.end());
                    double sum = 0;
                    for (double& e : s)
                        sum += (e = std::exp(e - m));
                    for (size_t n = 0; n < keys.size(); ++n)
                        for (int64_t d = 0; d < D; ++d)
                            out[at(b, i, h) + size_t(d)] += s[n] / sum * double(v[at(b, keys[n], h) + size_t(d)]);
                }
        return out;
    }
};

using Kernel = void (*)(const AttentionProblem&, int64_t, int64_t);

std::vector<float> run(const Case& c, Kernel kernel)
{
    std::vector<float> out(c.q.size(), -7.0f);
    const AttentionProblem p = c.problem(out.data());
    for (int64_t b = 0; b < c.B; ++b)
        for (int64_t h = 0; h < c.heads; ++h)
            kernel(p, b, h);
    return out;
}

// The largest |a − b| over the real outputs.
double maxDifference(const std::vector<float>& a, const std::vector<double>& b)
{
    double worst = 0;
    for (size_t i = 0; i < a.size(); ++i)
        worst = std::max(worst, std::abs(double(a[i]) - b[i]));
    return worst;
}

std::vector<double> widen(const std::vector<float>& a) { return {a.begin(), a.end()}; }

} // namespace

class TestEncoderAttention : public QObject {
    Q_OBJECT
private slots:
    void initTestCase() { qInfo("vector kernel %s", int8VectorKernels() ? "on (AVX-512)" : "off: the scalar reference runs twice"); }

    void kernelsAgreeWithTheDoublePrecisionSoftmax_data()
    {
        QTest::addColumn<int>("T");
        QTest::addColumn<int>("D");
        QTest::addColumn<QString>("positions"); // plain, alibi (DNABERT-S) or rotary (ESM-2)
        QTest::addColumn<int>("padded");        // keys at the end of sequence 1 that are padding
        // T: every tail after blocks of 8 (then 4, 3, 2, 1); D: 1 to 3 value vectors and a tail,
        // two passes of value groups (128), odd widths (no rotary: it needs an even D).
        for (int T : {1, 2, 3, 5, 6, 7, 9, 12, 14, 15, 16, 17, 33, 67})
            for (int D : {7, 8, 13, 16, 24, 32, 40, 48, 64, 80, 128})
                for (const char* positions : {"plain", "alibi", "rotary"}) {
                    if (D % 2 && QLatin1String(positions) == QLatin1String("rotary"))
                        continue;
                    const int padded = T > 2 ? T / 3 : 0;
                    const QString name = QStringLiteral("T%1 D%2 %3 pad%4").arg(T).arg(D).arg(QLatin1String(positions)).arg(padded);
                    QTest::newRow(qPrintable(name)) << T << D << QString::fromLatin1(positions) << padded;
                }
    }
    void kernelsAgreeWithTheDoublePrecisionSoftmax()
    {
        QFETCH(int, T);
        QFETCH(int, D);
        QFETCH(QString, positions);
        QFETCH(int, padded);
        Case c(2, T, 3, D, uint32_t(T * 131 + D));
        if (positions == QLatin1String("alibi"))
            c.slopes = {0.5f, 0.25f, 0.0625f};
        if (positions == QLatin1String("rotary"))
            c.addRotaryTables();
        if (padded) {
            c.padding.assign(size_t(2 * T), 0);
            for (int j = T - padded; j < T; ++j)
                c.padding[size_t(T + j)] = 1;
            c.padding[size_t(T + 1)] = 1; // and one inside the sequence
            for (int64_t h = 0; h < c.heads; ++h) // a padding key's values are never read
                c.v[c.at(1, T - 1, h)] = kNaN;
        }
        const std::vector<double> truth = c.expected();
        const std::vector<float> vector = run(c, attendHead), reference = run(c, attendHeadReference);
        // Outputs are weighted means of N(0, 1) values: float32 sums of up to 80 products and a
        // few-ulp exp stay well inside 1e-5 of the double result.
        QVERIFY2(maxDifference(reference, truth) < 1e-5, qPrintable(QString::number(maxDifference(reference, truth))));
        QVERIFY2(maxDifference(vector, truth) < 1e-5, qPrintable(QString::number(maxDifference(vector, truth))));
        QVERIFY2(maxDifference(vector, widen(reference)) < 1e-5, qPrintable(QString::number(maxDifference(vector, widen(reference)))));
    }

    void writesOnlyItsHeadsRows()
    {
        Case c(2, 9, 3, 20, 5);
        std::vector<float> out(c.q.size(), -7.0f);
        for (Kernel kernel : {Kernel(attendHead), Kernel(attendHeadReference)}) {
            std::fill(out.begin(), out.end(), -7.0f);
            kernel(c.problem(out.data()), 1, 2);
            for (int64_t b = 0; b < c.B; ++b)
                for (int64_t t = 0; t < c.T; ++t)
                    for (int64_t h = 0; h < c.heads; ++h)
                        for (int64_t d = 0; d < c.D; ++d) {
                            const bool mine = b == 1 && h == 2;
                            QCOMPARE(out[c.at(b, t, h) + size_t(d)] == -7.0f, !mine);
                        }
        }
    }

    void nonFiniteScoresGiveNaNRowsAndNoKeyGivesNaN()
    {
        for (Kernel kernel : {Kernel(attendHead), Kernel(attendHeadReference)}) {
            Case c(2, 6, 2, 16, 9);
            c.q[c.at(0, 2, 1) + 3] = kNaN;                                // one query row's scores all NaN
            c.q[c.at(0, 5, 0)] = std::numeric_limits<float>::infinity(); // ±inf scores: the +inf ones make the row NaN
            c.k[c.at(1, 4, 0) + 5] = kNaN;                                // one key's scores NaN for every query
            const std::vector<float> out = run(c, kernel);
            for (int64_t b = 0; b < c.B; ++b)
                for (int64_t t = 0; t < c.T; ++t)
                    for (int64_t h = 0; h < c.heads; ++h) {
                        const bool poisoned = (b == 0 && t == 2 && h == 1) || (b == 0 && t == 5 && h == 0) || (b == 1 && h == 0);
                        for (int64_t d = 0; d < c.D; ++d) {
                            const float y = out[c.at(b, t, h) + size_t(d)];
                            QVERIFY2(poisoned ? std::isnan(y) : std::isfinite(y), qPrintable(QStringLiteral("b %1 t %2 h %3 d %4").arg(b).arg(t).arg(h).arg(d)));
                        }
                    }
            Case empty(3, 5, 2, 8, 3);
            empty.padding.assign(15, 0);
            std::fill_n(empty.padding.begin() + 5, 5, uint8_t(1)); // the middle sequence has no real key
            const std::vector<float> out2 = run(empty, kernel);
            for (int64_t b = 0; b < 3; ++b)
                for (int64_t t = 0; t < 5; ++t)
                    for (int64_t h = 0; h < 2; ++h)
                        for (int64_t d = 0; d < 8; ++d)
                            QCOMPARE(std::isnan(out2[empty.at(b, t, h) + size_t(d)]), b == 1);
        }
    }

    // fusedAttention against LibTorch's products and softmax, in ESM-2's layout (a [B, heads, T, D]
    // tensor transposed, −inf at padding keys) and DNABERT-S's (q, k, v in place in the fused
    // product's [B, T, 3, heads, D], ALiBi, −10000 at padding keys).
    void wrapperEqualsLibTorch()
    {
        at::manual_seed(3);
        const int64_t B = 3, T = 41, heads = 4, D = 24;
        at::Tensor padding = at::zeros({B, T}, at::kBool);
        padding.index_put_({1, at::indexing::Slice(30, at::indexing::None)}, true);
        padding.index_put_({2, at::indexing::Slice(T - 1, at::indexing::None)}, true);
        const at::Tensor real = padding.logical_not().unsqueeze(-1).to(at::kFloat); // compare real query rows
        { // ESM-2: a [B, heads, T, D] tensor transposed, and rotated in the kernel from the fused product's layout
            const at::Tensor q = at::randn({B, heads, T, D}), k = at::randn({B, heads, T, D}), v = at::randn({B, heads, T, D});
            auto attend = [&](const at::Tensor& qr, const at::Tensor& kr) {
                at::Tensor scores = at::matmul(qr, kr.transpose(-1, -2));
                scores.masked_fill_(padding.view({B, 1, 1, T}), -std::numeric_limits<float>::infinity());
                return at::matmul(at::softmax(scores, -1), v).transpose(1, 2).reshape({B, T, heads * D});
            };
            const at::Tensor expected = attend(q, k);
            const at::Tensor got = fusedAttention(q.transpose(1, 2), k.transpose(1, 2), v.transpose(1, 2), 1.0, {}, padding);
            QCOMPARE(got.sizes(), expected.sizes());
            QVERIFY2(at::allclose(got, expected, 1e-5, 1e-5), qPrintable(QString::number((got - expected).abs().max().item<float>())));
            // esm2_model.cpp's rotation: x·cos + rotate_half(x)·sin with its tables
            const at::Tensor invFreq = 1.0 / at::pow(10000.0, at::arange(0, D, 2, at::kFloat) / double(D));
            const at::Tensor freqs = at::outer(at::arange(T, at::kFloat), invFreq);
            const at::Tensor angles = at::cat({freqs, freqs}, -1);
            const at::Tensor cos = angles.cos(), sin = angles.sin();
            auto rotate = [&](const at::Tensor& x) {
                const auto halves = x.chunk(2, -1);
                return x * cos + at::cat({-halves[1], halves[0]}, -1) * sin;
            };
            const at::Tensor fused = at::stack({q, k, v}, 2).permute({0, 3, 2, 1, 4}).contiguous(); // [B, T, 3, heads, D]
            const at::Tensor rotated = fusedAttention(fused.select(2, 0), fused.select(2, 1), fused.select(2, 2), 1.0, {}, padding, cos, sin);
            const at::Tensor rotatedExpected = attend(rotate(q), rotate(k));
            QVERIFY2(at::allclose(rotated, rotatedExpected, 1e-5, 1e-5),
                     qPrintable(QString::number((rotated - rotatedExpected).abs().max().item<float>())));
            QVERIFY((rotated - expected).abs().max().item<float>() > 1e-2); // the rotation did something
        }
        { // DNABERT-S
            const at::Tensor qkv = at::randn({B, T, 3, heads, D});
            const at::Tensor slopes = at::tensor({0.5f, 0.25f, 0.125f, 0.0625f});
            const at::Tensor positions = at::arange(T);
            const at::Tensor alibi = slopes.view({heads, 1, 1}) * (-(positions.view({1, T}) - positions.view({T, 1})).abs()).unsqueeze(0);
            const double scale = std::sqrt(double(D));
            const at::Tensor q = qkv.select(2, 0).permute({0, 2, 1, 3}), k = qkv.select(2, 1).permute({0, 2, 3, 1}), v = qkv.select(2, 2).permute({0, 2, 1, 3});
            const at::Tensor keyBias = (padding.to(at::kFloat) * -10000.0).view({B, 1, 1, T});
            const at::Tensor scores = at::matmul(q, k) / scale + keyBias + alibi.unsqueeze(0);
            const at::Tensor expected = at::matmul(at::softmax(scores, -1), v).permute({0, 2, 1, 3}).reshape({B, T, heads * D});
            const at::Tensor got = fusedAttention(qkv.select(2, 0), qkv.select(2, 1), qkv.select(2, 2), 1.0 / scale, slopes, padding);
            QVERIFY2(at::allclose(got * real, expected * real, 1e-5, 1e-5), qPrintable(QString::number((got - expected).abs().max().item<float>())));
        }
    }

    void wrapperRefusesWrongInputs()
    {
        const at::Tensor q = at::randn({2, 5, 3, 8});
        QVERIFY_THROWS_EXCEPTION(c10::Error, fusedAttention(q, q, at::randn({2, 5, 3, 7}), 1.0, {}, {}));
        QVERIFY_THROWS_EXCEPTION(c10::Error, fusedAttention(q, q.contiguous().transpose(1, 2).contiguous().transpose(1, 2), q, 1.0, {}, {}));
        QVERIFY_THROWS_EXCEPTION(c10::Error, fusedAttention(q.to(at::kDouble), q.to(at::kDouble), q.to(at::kDouble), 1.0, {}, {}));
        QVERIFY_THROWS_EXCEPTION(c10::Error, fusedAttention(q, q, q, 1.0, at::ones({2}), {}));
        QVERIFY_THROWS_EXCEPTION(c10::Error, fusedAttention(q, q, q, 1.0, {}, at::zeros({2, 4}, at::kBool)));
        QVERIFY_THROWS_EXCEPTION(c10::Error, fusedAttention(q.transpose(2, 3), q.transpose(2, 3), q.transpose(2, 3), 1.0, {}, {}));
        QVERIFY_THROWS_EXCEPTION(c10::Error, fusedAttention(q, q, q, 1.0, {}, {}, at::ones({5, 8}), {}));
        QVERIFY_THROWS_EXCEPTION(c10::Error, fusedAttention(q, q, q, 1.0, {}, {}, at::ones({4, 8}), at::ones({4, 8})));
        const at::Tensor odd = at::randn({2, 5, 3, 7});
        QVERIFY_THROWS_EXCEPTION(c10::Error, fusedAttention(odd, odd, odd, 1.0, {}, {}, at::ones({5, 7}), at::ones({5, 7})));
        QCOMPARE(fusedAttention(at::randn({0, 5, 3, 8}), at::randn({0, 5, 3, 8}), at::randn({0, 5, 3, 8}), 1.0, {}, {}).sizes(),
                 at::IntArrayRef({0, 5, 24}));
    }

    // The CPU allocator's failure is an out-of-memory (the batch split, then the run failed in the
    // product's words), said without LibTorch's source location.
    void theCpuAllocatorsFailureIsAnOutOfMemory()
    {
        const std::string allocator = "[enforce fail at alloc_cpu.cpp:75] err == 0. DefaultCPUAllocator: can't allocate memory: you tried to allocate "
                                      "12196096200 bytes. Error code 12 (Cannot allocate memory)";
        QVERIFY(isOutOfMemoryMessage(allocator));
        QVERIFY(!isOutOfMemoryMessage("Expected all tensors to be on the same device"));
        const TokenBatch batch{at::zeros({1, 100002}, at::kLong), at::ones({1, 100002}, at::kLong)};
        QCOMPARE(outOfMemoryMessage("DNABERT-S", at::Device(at::kCPU), batch, allocator),
                 QStringLiteral("DNABERT-S on cpu: out of memory for a batch of 1 rows × 100002 tokens: can't allocate memory: you tried to allocate "
                                "12196096200 bytes (12.2 GB)"));
        // Which memory ran out decides the advice: the machine's on the CPU, and on a GPU when the
        // CPU allocator failed (host tensors of a GPU run); a GPU's only for the GPU's own failure.
        const at::Device gpu(at::kCUDA, 0); // a device named, not used: no GPU needed
        QVERIFY(encoderOutOfMemory("DNABERT-S", at::Device(at::kCPU), batch, "over the test limit").onCpu);
        QVERIFY(encoderOutOfMemory("ESM-2", gpu, batch, allocator).onCpu);
        QVERIFY(!encoderOutOfMemory("ESM-2", gpu, batch, "CUDA out of memory. Tried to allocate 2.00 GiB").onCpu);
        QVERIFY(encoderOutOfMemory("ESM-2", gpu, batch, allocator).what.startsWith(QStringLiteral("ESM-2 on cuda:0: out of memory")));
    }
};

QTEST_GUILESS_MAIN(TestEncoderAttention)
#include "tst_encoder_attention.moc"
