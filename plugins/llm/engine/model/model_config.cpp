#include "model/model_config.h"

#include <cmath>

#include "gguf/gguf_file.h"

namespace bioforge::llm {

using core::Error;

bool ModelConfig::architectureSupported(const std::string& arch)
{
    return arch == "llama" || arch == "mistral" || arch == "qwen2";
}

core::Expected<ModelConfig> ModelConfig::fromGguf(const GgufFile& f)
{
    ModelConfig c;
    auto arch = f.getString("general.architecture");
    if (!arch)
        return arch.error();
    c.architecture = *arch;
    if (!architectureSupported(c.architecture))
        return Error(QStringLiteral("%1: architecture '%2' is not supported (supported: llama, mistral, qwen2)")
                         .arg(f.path(), QString::fromStdString(c.architecture)));
    c.name = f.stringOr("general.name", "");
    const std::string p = c.architecture + ".";
    auto required = [&](const char* key, int64_t& out) -> core::Status {
        auto v = f.getInteger(p + key);
        if (!v)
            return v.error();
        if (*v <= 0 || *v > (int64_t(1) << 30))
            return Error(QStringLiteral("%1: %2%3 = %4 is out of range").arg(f.path(), QString::fromStdString(p), QLatin1String(key), QString::number(*v)));
        out = *v;
        return core::okStatus();
    };
    for (auto [key, field] : {std::pair{"embedding_length", &c.embedding}, std::pair{"block_count", &c.layers},
                              std::pair{"feed_forward_length", &c.feedForward}, std::pair{"attention.head_count", &c.heads},
                              std::pair{"context_length", &c.contextLength}})
        if (core::Status st = required(key, *field); !st)
            return st.error();
    c.kvHeads = f.integerOr(p + "attention.head_count_kv", c.heads);
    if (c.kvHeads <= 0 || c.heads % c.kvHeads != 0)
        return Error(QStringLiteral("%1: %2 attention heads cannot be grouped over %3 key/value heads").arg(f.path(), QString::number(c.heads), QString::number(c.kvHeads)));
    c.headSize = f.integerOr(p + "attention.key_length", c.embedding / c.heads);
    if (c.headSize <= 0 || c.headSize % 2 != 0 || f.integerOr(p + "attention.value_length", c.headSize) != c.headSize)
        return Error(QStringLiteral("%1: head size %2 is not usable (even, equal key and value sizes)").arg(f.path(), QString::number(c.headSize)));
    // Widths bounded so that buffers sized from them (activations, KV cache) are refused here, not met as an
    // allocation failure later; the largest published llama-family models are well inside.
    if (c.embedding > (1 << 16) || c.feedForward > (1 << 20) || c.heads > 1024 || c.headSize > 1024 || c.heads * c.headSize > (1 << 17))
        return Error(QStringLiteral("%1: widths out of range (embedding %2, feed-forward %3, %4 heads of %5)")
                         .arg(f.path(), QString::number(c.embedding), QString::number(c.feedForward), QString::number(c.heads), QString::number(c.headSize)));
    c.rmsEpsilon = float(f.realOr(p + "attention.layer_norm_rms_epsilon", 1e-5));
    if (!(c.rmsEpsilon > 0) || !std::isfinite(c.rmsEpsilon))
        return Error(QStringLiteral("%1: attention.layer_norm_rms_epsilon = %2 must be a positive number").arg(f.path(), QString::number(c.rmsEpsilon)));
    // Checked as read, before it is narrowed (2^32 + 64 must not pass as 64).
    const int64_t ropeDims = f.integerOr(p + "rope.dimension_count", c.headSize);
    if (ropeDims <= 0 || ropeDims > c.headSize || ropeDims % 2 != 0)
        return Error(QStringLiteral("%1: rope.dimension_count %2 does not fit the head size %3").arg(f.path(), QString::number(ropeDims), QString::number(c.headSize)));
    c.rope.dims = int(ropeDims);
    c.rope.freqBase = float(f.realOr(p + "rope.freq_base", 10000.0));
    if (!(c.rope.freqBase > 0) || !std::isfinite(c.rope.freqBase))
        return Error(QStringLiteral("%1: rope.freq_base = %2 must be a positive number").arg(f.path(), QString::number(c.rope.freqBase)));
    c.rope.neox = c.architecture == "qwen2";
    c.ropeScalingType = f.stringOr(p + "rope.scaling.type", "none");
    const double factor = f.realOr(p + "rope.scaling.factor", 0.0);
    if (c.ropeScalingType == "linear" && factor > 0) {
        c.rope.freqScale = float(1.0 / factor);
    } else if (c.ropeScalingType == "yarn" && factor > 0) {
        c.rope.freqScale = float(1.0 / factor);
        c.rope.extFactor = 1.0f;
        const int64_t originalContext = f.integerOr(p + "rope.scaling.original_context_length", c.contextLength);
        if (originalContext <= 0 || originalContext > (int64_t(1) << 30))
            return Error(QStringLiteral("%1: rope.scaling.original_context_length = %2 is out of range").arg(f.path(), QString::number(originalContext)));
        ropeYarnCorrectionDims(c.rope.dims, int(originalContext), c.rope.freqBase, 32.0f, 1.0f, c.rope.correctionDims);
    } else if (c.ropeScalingType != "none" && c.ropeScalingType != "linear" && c.ropeScalingType != "yarn") {
        return Error(QStringLiteral("%1: RoPE scaling '%2' is not supported (none, linear, yarn)").arg(f.path(), QString::fromStdString(c.ropeScalingType)));
    }
    c.rope.freqScale = float(f.realOr(p + "rope.scale_linear", 0.0)) > 0 ? float(1.0 / f.realOr(p + "rope.scale_linear", 1.0)) : c.rope.freqScale;
    return c;
}

} // namespace bioforge::llm
