#include "viral_bench_models.h"

#include "bench_support.h"

#include "model/torch_runtime.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>

#include <algorithm>
#include <cstdio>
#include <cstdlib>

namespace bioforge::bench {

using namespace bioforge::viral;

QString fixtures()
{
    const QByteArray env = qgetenv("BIOFORGE_FIXTURES_DIR");
    return env.isEmpty() ? QStringLiteral(BIOFORGE_BENCH_FIXTURES) : QString::fromLocal8Bit(env);
}

double median(std::vector<double> v)
{
    std::sort(v.begin(), v.end());
    return v.empty() ? 0 : v[v.size() / 2];
}

std::pair<double, double> alternate(const std::function<void()>& a, const std::function<void()>& b, long reps)
{
    a();
    b();
    std::vector<double> ta, tb;
    for (long r = 0; r < reps; ++r)
        for (int which = 0; which < 2; ++which) {
            QElapsedTimer t;
            t.start();
            (which == 0 ? a : b)();
            (which == 0 ? ta : tb).push_back(double(t.nsecsElapsed()) * 1e-9);
        }
    return {median(ta), median(tb)};
}

QString synthesized(const QString& name, bool esm, const EncoderShape& shape)
{
    const QString folder = QDir(benchDir()).filePath(name);
    if (QFile::exists(QDir(folder).filePath(QStringLiteral("config.json"))))
        return folder;
    std::printf("synthesizing %s (%lld layers × %lld, %lld heads, FFN %lld) in %s …\n", qPrintable(name), (long long)shape.layers,
                (long long)shape.hidden, (long long)shape.heads, (long long)shape.intermediate, qPrintable(folder));
    std::fflush(stdout);
    const core::Status st = esm ? writeSyntheticEsm2(folder, shape, fixtures() + QStringLiteral("/viral/esm2_tiny"), 7)
                                : writeSyntheticDnabert(folder, shape, fixtures() + QStringLiteral("/viral/dnabert_s_tiny"), 7);
    if (!st) {
        std::fprintf(stderr, "%s\n", qPrintable(st.error().message()));
        return {};
    }
    return folder;
}

EncoderShape esm2Shape(bool big, int64_t layers)
{
    EncoderShape shape = big ? kEsm2_3B : kEsm2_150M;
    shape.layers = layers;
    return shape;
}

QString synthesizedEsm2(bool big, const EncoderShape& shape)
{
    return synthesized(QStringLiteral("esm2_%1_%2layers").arg(big ? QStringLiteral("3B") : QStringLiteral("150M")).arg(shape.layers), true, shape);
}

std::string randomProtein(std::mt19937& rng, size_t length)
{
    static const char residues[] = "ACDEFGHIKLMNPQRSTVWY";
    std::string p(length, 'A');
    for (char& c : p)
        c = residues[rng() % 20];
    return p;
}

EncoderPrecision precisionOption(const QStringList& args)
{
    const auto p = parsePrecision(textOption(args, QStringLiteral("--precision"), QStringLiteral("fp32")));
    if (!p) {
        std::fprintf(stderr, "%s\n", qPrintable(p.error().message()));
        std::exit(2);
    }
    return *p;
}

EncoderDevice deviceOption(const QStringList& args)
{
    const auto asked = parseEncoderDevice(textOption(args, QStringLiteral("--device"), QStringLiteral("cpu")));
    const auto device = asked ? resolveEncoderDevice(*asked) : core::Expected<EncoderDevice>(asked.error());
    if (!device) {
        std::fprintf(stderr, "%s\n", qPrintable(device.error().message()));
        std::exit(2);
    }
    return *device;
}

} // namespace bioforge::bench
