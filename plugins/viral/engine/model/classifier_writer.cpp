#include "model/classifier_writer.h"

#include "io/atomic_file.h"
#include "io/safetensors_writer.h"

#include <QDir>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <cmath>
#include <random>

namespace bioforge::viral {

core::Status writeRandomClassifier(const QString& safetensorsPath, int64_t inputDim, int64_t hiddenDim, uint64_t seed)
{
    std::mt19937_64 rng(seed);
    auto normal = [&](int64_t count, double scale, double offset) {
        std::normal_distribution<double> d(0.0, 1.0);
        std::vector<float> v(static_cast<size_t>(count));
        for (float& x : v)
            x = float(offset + scale * d(rng));
        return v;
    };
    std::vector<float> var(static_cast<size_t>(hiddenDim));
    for (float& x : var)
        x = float(0.5 + std::uniform_real_distribution<double>(0, 1)(rng));
    core::SafetensorsWriter w;
    w.setMetadata(QStringLiteral("format"), QStringLiteral("pt"));
    for (const core::Status& st :
         {w.addF32(QStringLiteral("hidden_layer.weight"), {hiddenDim, inputDim}, normal(hiddenDim * inputDim, 1.0 / std::sqrt(double(inputDim)), 0)),
          w.addF32(QStringLiteral("hidden_layer.bias"), {hiddenDim}, normal(hiddenDim, 0.1, 0)),
          w.addF32(QStringLiteral("bn1.weight"), {hiddenDim}, normal(hiddenDim, 0.1, 1)),
          w.addF32(QStringLiteral("bn1.bias"), {hiddenDim}, normal(hiddenDim, 0.1, 0)),
          w.addF32(QStringLiteral("bn1.running_mean"), {hiddenDim}, normal(hiddenDim, 0.1, 0)),
          w.addF32(QStringLiteral("bn1.running_var"), {hiddenDim}, var),
          w.addF32(QStringLiteral("output_layer.weight"), {2, hiddenDim}, normal(2 * hiddenDim, 1.0 / std::sqrt(double(hiddenDim)), 0)),
          w.addF32(QStringLiteral("output_layer.bias"), {2}, normal(2, 0.1, 0))})
        if (!st)
            return st;
    if (auto st = w.writeAtomic(safetensorsPath); !st)
        return st;
    const QFileInfo info(safetensorsPath);
    const QJsonObject spec{{QStringLiteral("input_dim"), double(inputDim)},
                           {QStringLiteral("hidden_dim"), double(hiddenDim)},
                           {QStringLiteral("classes"), QJsonArray{QStringLiteral("others"), QStringLiteral("virus")}},
                           {QStringLiteral("positive_class"), 1},
                           {QStringLiteral("batch_norm_eps"), 1e-5},
                           {QStringLiteral("note"), QStringLiteral("random weights (seed %1), never trained").arg(seed)}};
    return core::AtomicFile::write(info.dir().filePath(info.completeBaseName() + QStringLiteral(".json")), QJsonDocument(spec).toJson());
}

} // namespace bioforge::viral
