#include "pipeline/stage_weights.h"

#include "model/dnabert_config.h"
#include "model/esm2_config.h"
#include "pipeline/validate_job.h"
#include "tokenizer/hf_bpe_tokenizer.h"

#include <QDir>

#include <algorithm>

namespace bioforge::viral {

double encoderForwardFlops(int64_t layers, int64_t hidden, int64_t intermediate, double tokens, bool gatedFeedForward)
{
    const double d = double(hidden), i = double(intermediate);
    const double perTokenAndLayer = 2.0 * (4.0 * d * d + (gatedFeedForward ? 3.0 : 2.0) * d * i) + 4.0 * tokens * d;
    return double(layers) * tokens * perTokenAndLayer;
}

core::Expected<EncoderCosts> encoderCosts(const PredictSettings& settings)
{
    const QDir dnabertDir(settings.dnabert.path), esmDir(settings.esm.path);
    auto dnabert = DnabertConfig::fromFile(dnabertDir.filePath(QStringLiteral("config.json")));
    if (!dnabert)
        return dnabert.error();
    auto esm = Esm2Config::fromFile(esmDir.filePath(QStringLiteral("config.json")));
    if (!esm)
        return esm.error();
    auto bpe = HfBpeTokenizer::fromFile(dnabertDir.filePath(QStringLiteral("tokenizer.json")));
    if (!bpe)
        return bpe.error();
    EncoderCosts c;
    c.dnabertTokens = double(bpe->encode(ValidateJob::syntheticContig(size_t(std::max(settings.chunkLength, 3)), 1)).size());
    c.esmTokens = double(settings.chunkLength / 3 + 2);
    c.dnabertPerFrame = encoderForwardFlops(dnabert->layers, dnabert->hidden, dnabert->intermediate, c.dnabertTokens, true); // DNABERT-2's GeGLU
    c.esmPerFrame = encoderForwardFlops(esm->layers, esm->hidden, esm->intermediate, c.esmTokens, false);
    return c;
}

QList<core::StageSpec> predictStages(const std::optional<EncoderCosts>& costs)
{
    constexpr double encoders = 0.86, least = 0.02;
    double dnabert = 0.30, esm = 0.56;
    if (costs && costs->dnabertPerFrame > 0 && costs->esmPerFrame > 0) {
        dnabert = std::clamp(encoders * costs->dnabertPerFrame / (costs->dnabertPerFrame + costs->esmPerFrame), least, encoders - least);
        esm = encoders - dnabert;
    }
    const QString bytes = QStringLiteral("bytes"), frames = QStringLiteral("frames"), shards = QStringLiteral("shards");
    return {{QStringLiteral("frames"), QStringLiteral("Chunk and translate"), 0.04, bytes},
            {QStringLiteral("dnabert"), QStringLiteral("DNABERT-S embeddings"), dnabert, frames},
            {QStringLiteral("esm"), QStringLiteral("ESM-2 embeddings"), esm, frames},
            {QStringLiteral("merge"), QStringLiteral("Merge features"), 0.03, shards},
            {QStringLiteral("classify"), QStringLiteral("Classify"), 0.02, shards},
            {QStringLiteral("results"), QStringLiteral("Results"), 0.05, shards}};
}

} // namespace bioforge::viral
