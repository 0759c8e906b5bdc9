#include "pipeline/predict_settings.h"

#include "cluster/shard_split.h"

#include <QCryptographicHash>
#include <QJsonArray>

#include <algorithm>

namespace bioforge::viral {

using core::Error;

namespace {

ModelSource modelFrom(const QJsonObject& p, const char* key)
{
    const QString k = QLatin1String(key);
    return {p.value(k).toString(), p.value(k + QStringLiteral("_path")).toString(p.value(k).toString()),
            p.value(k + QStringLiteral("_sha256")).toString(), p.value(k + QStringLiteral("_revision")).toString(), std::nullopt, QString(), {}};
}

} // namespace

bool PredictSettings::resultsCacheable() const
{
    return std::ranges::none_of(kModelSlots, [this](const ModelSlot& slot) { return (this->*slot.member).sha256.isEmpty(); });
}

core::Expected<PredictSettings> PredictSettings::fromParameters(const QJsonObject& p)
{
    PredictSettings s;
    for (const QJsonValue& v : p.value(QLatin1String("inputs")).toArray())
        s.inputs << v.toString();
    if (s.inputs.isEmpty())
        return Error(QStringLiteral("viral predict: no input FASTA file was given"));
    s.chunkLength = p.value(QLatin1String("chunk_length")).toInt(s.chunkLength);
    if (s.chunkLength < 3)
        return Error(QStringLiteral("viral predict: chunk_length %1 is too short (at least one codon)").arg(s.chunkLength));
    const QString span = p.value(QLatin1String("nucleotide_span")).toString(QStringLiteral("reference"));
    if (span != QLatin1String("reference") && span != QLatin1String("codons"))
        return Error(QStringLiteral("viral predict: nucleotide_span must be 'reference' or 'codons', not '%1'").arg(span));
    s.span = span == QLatin1String("codons") ? NucleotideSpan::CodonsOnly : NucleotideSpan::Reference;
    for (const ModelSlot& slot : kModelSlots)
        if ((s.*slot.member = modelFrom(p, slot.parameter)).path.isEmpty())
            return Error(QStringLiteral("viral predict: a model is missing (dnabert, esm and classifier are all needed; --%1 was not given)")
                             .arg(QLatin1String(slot.parameter)));
    s.esmLayer = p.value(QLatin1String("esm_layer")).toInteger(-1);
    s.esmTruncation = p.value(QLatin1String("esm_truncation")).toInteger(1024);
    s.dnabertTokensPerBatch = p.value(QLatin1String("dnabert_tokens_per_batch")).toInteger(8192);
    s.esmTokensPerBatch = p.value(QLatin1String("esm_tokens_per_batch")).toInteger(4096);
    s.framesPerShard = p.value(QLatin1String("shard_frames")).toInt(512);
    if (s.esmTruncation < 1 || s.dnabertTokensPerBatch < 1 || s.esmTokensPerBatch < 1 || s.framesPerShard < 1)
        return Error(QStringLiteral("viral predict: esm_truncation, the token budgets and shard_frames must be positive"));
    const auto rule = CallRule::ruleFromName(p.value(QLatin1String("contig_rule")).toString(QStringLiteral("mean")));
    if (!rule)
        return Error(QStringLiteral("viral predict: contig_rule must be mean, max or fraction"));
    s.call.rule = *rule;
    s.call.threshold = p.value(QLatin1String("threshold")).toDouble(0.5);
    s.call.minFraction = p.value(QLatin1String("viral_fraction")).toDouble(0.5);
    s.keepFeatures = p.value(QLatin1String("keep_features")).toBool(true);
    s.reuseResults = p.value(QLatin1String("reuse_results")).toBool(true);
    s.threads = p.value(QLatin1String("threads")).toInt(0);
    const auto precision = parsePrecision(p.value(QLatin1String("precision")).toString(QStringLiteral("fp32")));
    if (!precision)
        return Error(QStringLiteral("viral predict: %1").arg(precision.error().message()));
    s.precision = *precision;
    const auto device = parseEncoderDevice(p.value(QLatin1String("device")).toString(QStringLiteral("auto")));
    if (!device)
        return Error(QStringLiteral("viral predict: %1").arg(device.error().message()));
    s.device = *device;
    if (s.precision == EncoderPrecision::Int8) { // the int8 kernels (ours, oneDNN's) are CPU kernels
        if (s.device.isCuda())
            return Error(QStringLiteral("viral predict: precision int8 runs on the CPU only; on %1 choose fp32 or bf16, or device cpu").arg(s.device.label()));
        s.device.kind = core::TorchDevice::Kind::Cpu; // auto: the CPU
    }
    if (const QString shard = p.value(QLatin1String("shard")).toString(); !shard.isEmpty()) {
        const auto spec = core::parseShardSpec(shard, QStringLiteral("viral predict"));
        if (!spec)
            return spec.error();
        s.shardIndex = spec->index;
        s.shardCount = spec->count;
        s.shardPlan = p.value(QLatin1String("shard_plan")).toString();
        s.reuseResults = false; // the plan's layout assumes every contig gives its frames
    }
    return s;
}

QString PredictSettings::cacheKey() const
{
    return resultKey() + QStringLiteral("-batch-%1-%2-%3").arg(QString::number(framesPerShard), QString::number(dnabertTokensPerBatch), QString::number(esmTokensPerBatch));
}

QString PredictSettings::resultKey() const
{
    QCryptographicHash h(QCryptographicHash::Sha256);
    QStringList parts{QStringLiteral("viral-result-v1"), QString::number(chunkLength), span == NucleotideSpan::Reference ? QStringLiteral("ref") : QStringLiteral("codons"),
                      dnabert.sha256, esm.sha256, classifier.sha256, QString::number(esmLayer), QString::number(esmTruncation)};
    // float32 keys are those of runs made before the choice existed (their cached results stay usable).
    if (precision != EncoderPrecision::Float32)
        parts << QStringLiteral("precision=") + precisionName(precision);
    if (precision == EncoderPrecision::Int8)
        parts << QStringLiteral("int8=") + int8ProductsKey();
    if (computedOnCuda)
        parts << QStringLiteral("device=cuda");
    h.addData(parts.join(QLatin1Char('\n')).toUtf8());
    return QString::fromLatin1(h.result().toHex().left(24));
}

} // namespace bioforge::viral
