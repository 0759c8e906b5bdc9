// The AVX2 attention kernel equals the scalar reference (scores, softmax,
// weighted values) for the head sizes it specialises and falls back for the
// others; the CPU back-end's balanced split over tokens changes no result.

#include "compute/attention_kernels.h"
#include "compute/cpu_backend.h"
#include "compute/ops.h"
#include "model/kv_cache.h"

#include <QtTest>

#include <cmath>
#include <random>
#include <vector>

using namespace bioforge::llm;

namespace {

std::vector<float> randomFloats(size_t n, uint32_t seed)
{
    std::mt19937 rng(seed);
    std::normal_distribution<float> d(0.0f, 1.0f);
    std::vector<float> v(n);
    for (float& x : v)
        x = d(rng);
    return v;
}

} // namespace

class TstAttentionKernels : public QObject {
    Q_OBJECT

private slots:
    void avx2EqualsReference_data()
    {
        QTest::addColumn<int>("headSize");
        QTest::addColumn<int>("visible");
        for (int headSize : {64, 128, 80})
            for (int visible : {1, 7, 8, 9, 33, 300})
                QTest::newRow(qPrintable(QStringLiteral("head %1, %2 keys").arg(headSize).arg(visible))) << headSize << visible;
    }

    void avx2EqualsReference()
    {
        if (!kernelPathAvailable(KernelPath::Avx2))
            QSKIP("this CPU lacks AVX2");
        QFETCH(int, headSize);
        QFETCH(int, visible);
        const int64_t stride = 3 * headSize; // as in a cache with three KV heads
        const auto q = randomFloats(size_t(headSize), 1);
        const auto keys = randomFloats(size_t(stride * visible), 2);
        const auto values = randomFloats(size_t(stride * visible), 3);
        std::vector<float> s1(static_cast<size_t>(visible) + 8), s2(s1.size()), o1(static_cast<size_t>(headSize)), o2(o1.size());
        const float scale = 1.0f / std::sqrt(float(headSize));
        ref::attend(q.data(), keys.data() + headSize, values.data() + headSize, stride, visible, headSize, scale, s1.data(), o1.data());
        avx2::attend(q.data(), keys.data() + headSize, values.data() + headSize, stride, visible, headSize, scale, s2.data(), o2.data());
        for (int i = 0; i < headSize; ++i)
            QVERIFY2(std::abs(o1[size_t(i)] - o2[size_t(i)]) <= 1e-5f * (1 + std::abs(o1[size_t(i)])),
                     qPrintable(QStringLiteral("output %1: %2 vs %3").arg(i).arg(o1[size_t(i)]).arg(o2[size_t(i)])));
        for (int j = 0; j < visible; ++j)
            QVERIFY(std::abs(s1[size_t(j)] - s2[size_t(j)]) <= 1e-6f);
    }

    // The AVX-512 attention (the AVX2 kernel with the vector-exp softmax) against the reference.
    void avx512EqualsReference_data() { avx2EqualsReference_data(); }
    void avx512EqualsReference()
    {
        if (!kernelPathAvailable(KernelPath::Avx512))
            QSKIP("this CPU lacks AVX-512");
        QFETCH(int, headSize);
        QFETCH(int, visible);
        const int64_t stride = 3 * headSize;
        const auto q = randomFloats(size_t(headSize), 4);
        const auto keys = randomFloats(size_t(stride * visible), 5);
        const auto values = randomFloats(size_t(stride * visible), 6);
        std::vector<float> s1(static_cast<size_t>(visible) + 8), s2(s1.size()), o1(static_cast<size_t>(headSize)), o2(o1.size());
        const float scale = 1.0f / std::sqrt(float(headSize));
        ref::attend(q.data(), keys.data(), values.data(), stride, visible, headSize, scale, s1.data(), o1.data());
        attendKernel(KernelPath::Avx512)(q.data(), keys.data(), values.data(), stride, visible, headSize, scale, s2.data(), o2.data());
        for (int i = 0; i < headSize; ++i)
            QVERIFY2(std::abs(o1[size_t(i)] - o2[size_t(i)]) <= 1e-5f * (1 + std::abs(o1[size_t(i)])),
                     qPrintable(QStringLiteral("output %1: %2 vs %3").arg(i).arg(o1[size_t(i)]).arg(o2[size_t(i)])));
        for (int j = 0; j < visible; ++j)
            QVERIFY(std::abs(s1[size_t(j)] - s2[size_t(j)]) <= 1e-6f * (1 + s1[size_t(j)]));
    }

    // The AVX-512 SiLU-multiply and softmax against the scalar ones (libmvec's expf is within 3 ulp
    // of libm's), over lengths with and without a tail of fewer than 16, and extreme inputs.
    void avx512ElementwiseOpsEqualTheScalarOnes()
    {
        if (!kernelPathAvailable(KernelPath::Avx512))
            QSKIP("this CPU lacks AVX-512");
        for (const size_t n : {size_t(1), size_t(15), size_t(16), size_t(37), size_t(2816)}) {
            auto a = randomFloats(n, 20 + uint32_t(n));
            for (float& x : a)
                x *= 6.0f;
            if (n > 3) {
                a[0] = 90.0f; // exp(-90) underflows; silu(90) = 90
                a[1] = -90.0f; // exp(90) overflows to inf; silu(-90) = -0
            }
            const auto b = randomFloats(n, 40 + uint32_t(n));
            auto scalar = a, fast = a;
            siluMultiply(scalar.data(), b.data(), int64_t(n));
            avx512::siluMultiply(fast.data(), b.data(), int64_t(n));
            for (size_t i = 0; i < n; ++i)
                QVERIFY2(std::abs(scalar[i] - fast[i]) <= 1e-6f * (1 + std::abs(scalar[i])),
                         qPrintable(QStringLiteral("silu n %1, %2: %3 vs %4").arg(n).arg(i).arg(scalar[i]).arg(fast[i])));
            scalar = a;
            fast = a;
            softmax(scalar.data(), int64_t(n), 0.7f);
            avx512::softmax(fast.data(), int64_t(n), 0.7f);
            for (size_t i = 0; i < n; ++i)
                QVERIFY2(std::abs(scalar[i] - fast[i]) <= 2e-6f * scalar[i] + 1e-12f,
                         qPrintable(QStringLiteral("softmax n %1, %2: %3 vs %4").arg(n).arg(i).arg(scalar[i]).arg(fast[i])));
        }
    }

    void backendAttentionEqualsOneQueryAtATime()
    {
        // 13 tokens after 5 cached ones, 4 heads sharing 2 KV heads of 64.
        const AttentionShape shape{4, 2, 64};
        const int64_t first = 5, tokens = 13;
        KvCache cache(1, 32, shape.kvHeads, shape.headSize);
        const auto kv = randomFloats(size_t((first + tokens) * shape.kvWidth() * 2), 9);
        for (int64_t p = 0; p < first + tokens; ++p) {
            std::copy_n(kv.begin() + p * shape.kvWidth(), shape.kvWidth(), cache.key(0, p));
            std::copy_n(kv.begin() + (first + tokens + p) * shape.kvWidth(), shape.kvWidth(), cache.value(0, p));
        }
        const auto q = randomFloats(size_t(tokens * shape.queryWidth()), 10);
        std::vector<float> out(q.size());
        CpuBackend backend(2, KernelPath::Reference);
        backend.attention(q.data(), cache, shape, 0, tokens, first, out.data());
        std::vector<float> scores(64), expected(size_t(shape.headSize));
        for (int64_t t = 0; t < tokens; ++t)
            for (int64_t h = 0; h < shape.heads; ++h) {
                const int64_t kvh = h / 2;
                ref::attend(q.data() + t * shape.queryWidth() + h * 64, cache.key(0, 0) + kvh * 64, cache.value(0, 0) + kvh * 64,
                            cache.width(), first + t + 1, 64, 0.125f, scores.data(), expected.data());
                for (int i = 0; i < 64; ++i)
                    QCOMPARE(out[size_t(t * shape.queryWidth() + h * 64 + i)], expected[size_t(i)]);
            }
    }
};

QTEST_GUILESS_MAIN(TstAttentionKernels)
#include "tst_attention_kernels.moc"
