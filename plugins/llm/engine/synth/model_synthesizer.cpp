#include "synth/model_synthesizer.h"

#include "gguf/gguf_file.h"
#include "gguf/gguf_writer.h"
#include "quant/block_layouts.h"
#include "quant/half.h"
#include "quant/quantize.h"

#include <QByteArray>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <optional>
#include <random>

namespace bioforge::llm {
namespace {

core::Expected<GgmlType> baseType(const std::string& name)
{
    static const std::pair<const char*, GgmlType> types[] = {
        {"F32", GgmlType::F32},   {"F16", GgmlType::F16},   {"BF16", GgmlType::BF16}, {"Q8_0", GgmlType::Q8_0},
        {"Q4_0", GgmlType::Q4_0}, {"Q4_K", GgmlType::Q4_K}, {"Q5_K", GgmlType::Q5_K}, {"Q6_K", GgmlType::Q6_K},
        {"Q4_K_M", GgmlType::Q4_K}, {"Q5_K_M", GgmlType::Q5_K},
    };
    for (const auto& [n, t] : types)
        if (name == n)
            return t;
    return core::Error(QStringLiteral("weight type '%1' is not one of F32 F16 BF16 Q8_0 Q4_0 Q4_K Q5_K Q6_K Q4_K_M Q5_K_M")
                           .arg(QString::fromStdString(name)));
}

// Rows of `cols` values drawn from N(0, scale), quantised to `type`.
QByteArray randomMatrix(std::mt19937_64& rng, GgmlType type, int64_t cols, int64_t rows, float scale)
{
    std::normal_distribution<float> normal(0.0f, scale);
    const size_t rowBytes = ggmlRowBytes(type, cols);
    QByteArray out(qsizetype(rowBytes * size_t(rows)), Qt::Uninitialized);
    std::vector<float> row(static_cast<size_t>(cols));
    for (int64_t r = 0; r < rows; ++r) {
        for (float& v : row)
            v = normal(rng);
        quantizeRow(type, row.data(), out.data() + size_t(r) * rowBytes, cols);
    }
    return out;
}

// SynthSpec::randomBlocks: every block's bytes drawn at random (xorshift64, fast enough for a
// 7B-shape model in seconds) and its fp16 scales set to small finite values, so that every
// weight is finite and a product costs what a real model's does. nullopt for a type without
// blocks (F32, F16, BF16: drawn as usual).
std::optional<QByteArray> randomBlocks(std::mt19937_64& rng, GgmlType type, int64_t cols, int64_t rows)
{
    if (type != GgmlType::Q8_0 && type != GgmlType::Q4_0 && type != GgmlType::Q4_K && type != GgmlType::Q5_K && type != GgmlType::Q6_K)
        return std::nullopt;
    const size_t total = ggmlRowBytes(type, cols) * size_t(rows);
    QByteArray out(qsizetype(total), Qt::Uninitialized);
    auto* bytes = reinterpret_cast<uint8_t*>(out.data());
    uint64_t state = rng() | 1;
    for (size_t i = 0; i < total; i += 8) {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        std::memcpy(bytes + i, &state, std::min<size_t>(8, total - i));
    }
    const uint16_t d = floatToHalf(1e-3f), dmin = floatToHalf(1e-4f);
    auto setScales = [&](auto* blocks, auto&& set) {
        for (size_t b = 0; b < total / sizeof(*blocks); ++b)
            set(blocks[b]);
    };
    switch (type) {
    case GgmlType::Q8_0: setScales(reinterpret_cast<BlockQ8_0*>(bytes), [&](BlockQ8_0& b) { b.d = d; }); break;
    case GgmlType::Q4_0: setScales(reinterpret_cast<BlockQ4_0*>(bytes), [&](BlockQ4_0& b) { b.d = d; }); break;
    case GgmlType::Q4_K: setScales(reinterpret_cast<BlockQ4_K*>(bytes), [&](BlockQ4_K& b) { b.d = d; b.dmin = dmin; }); break;
    case GgmlType::Q5_K: setScales(reinterpret_cast<BlockQ5_K*>(bytes), [&](BlockQ5_K& b) { b.d = d; b.dmin = dmin; }); break;
    default: setScales(reinterpret_cast<BlockQ6_K*>(bytes), [&](BlockQ6_K& b) { b.d = d; }); break;
    }
    return out;
}

QByteArray constantVector(int64_t n, float value)
{
    QByteArray out(qsizetype(n * 4), Qt::Uninitialized);
    auto* f = reinterpret_cast<float*>(out.data());
    for (int64_t i = 0; i < n; ++i)
        f[i] = value;
    return out;
}

void syntheticVocabulary(GgufWriter& w, int64_t size)
{
    std::vector<std::string> tokens{"<unk>", "<s>", "</s>"};
    std::vector<float> scores{0, 0, 0};
    std::vector<int32_t> types{2, 3, 3};
    static const char* hex = "0123456789ABCDEF";
    for (int b = 0; b < 256; ++b) {
        tokens.push_back(std::string("<0x") + hex[b >> 4] + hex[b & 15] + ">");
        scores.push_back(0);
        types.push_back(6);
    }
    // "▁" alone, as real SentencePiece vocabularies have it (runs of spaces
    // then decode to spaces, not to byte-fallback "▁" characters).
    if (int64_t(tokens.size()) < size) {
        tokens.push_back("\xe2\x96\x81");
        scores.push_back(-float(tokens.size()));
        types.push_back(1);
    }
    // Pieces "▁a", "a", "▁ab", "ab", … in order of length: enough to tokenise text.
    const std::string letters = "etaoinshrdlucmfwypvbgkqjxz";
    for (int64_t i = 0; int64_t(tokens.size()) < size; ++i) {
        std::string piece;
        for (int64_t v = i; ; v = v / int64_t(letters.size()) - 1) {
            piece.insert(piece.begin(), letters[size_t(v % int64_t(letters.size()))]);
            if (v < int64_t(letters.size()))
                break;
        }
        for (const std::string& t : {"\xe2\x96\x81" + piece, piece}) {
            if (int64_t(tokens.size()) >= size)
                break;
            tokens.push_back(t);
            scores.push_back(-float(tokens.size()));
            types.push_back(1);
        }
    }
    w.setString("tokenizer.ggml.model", "llama");
    w.setStringArray("tokenizer.ggml.tokens", tokens);
    w.setFloat32Array("tokenizer.ggml.scores", scores);
    w.setInt32Array("tokenizer.ggml.token_type", types);
    w.setUInt32("tokenizer.ggml.bos_token_id", 1);
    w.setUInt32("tokenizer.ggml.eos_token_id", 2);
    w.setUInt32("tokenizer.ggml.unknown_token_id", 0);
    w.setBool("tokenizer.ggml.add_bos_token", true);
}

core::Expected<int64_t> copiedVocabulary(GgufWriter& w, const QString& from)
{
    auto source = GgufFile::open(from);
    if (!source)
        return source.error();
    int64_t size = 0;
    for (const auto& [key, value] : (*source)->metadata()) {
        if (key.rfind("tokenizer.", 0) != 0)
            continue;
        w.set(key, value);
        if (key == "tokenizer.ggml.tokens") {
            if (value.type != GgufType::Array || !value.array)
                return core::Error(QStringLiteral("%1: tokenizer.ggml.tokens is not an array").arg(from));
            size = int64_t(value.array->size());
        }
    }
    if (size == 0)
        return core::Error(QStringLiteral("%1 holds no tokenizer.ggml.tokens to copy").arg(from));
    return size;
}

} // namespace

core::Expected<GgmlType> ModelSynthesizer::tensorType(const SynthSpec& spec, const std::string& tensor, int layer)
{
    auto base = baseType(spec.weightType);
    if (!base)
        return base;
    const bool mix = spec.weightType == "Q4_K_M" || spec.weightType == "Q5_K_M";
    if (!mix)
        return *base;
    if (tensor == "output.weight")
        return GgmlType::Q6_K;
    // llama.cpp's "use more bits" layers: the first and last eighth, and every third one between.
    const int64_t n = spec.layers;
    const bool moreBits = layer < n / 8 || layer >= 7 * n / 8 || (layer - n / 8) % 3 == 2;
    if ((tensor == "attn_v.weight" || tensor == "ffn_down.weight") && moreBits)
        return GgmlType::Q6_K;
    return *base;
}

core::Status ModelSynthesizer::write(const SynthSpec& spec, const QString& path)
{
    // The rule a shape breaks, by the command's option names.
    const auto broken = [&]() -> QString {
        if (spec.embedding <= 0 || spec.heads <= 0 || spec.kvHeads <= 0 || spec.layers <= 0 || spec.feedForward <= 0)
            return QStringLiteral("--embd, --heads, --kv-heads, --layers and --ff must be positive");
        if (spec.embedding % spec.heads != 0)
            return QStringLiteral("--embd %1 is not a multiple of --heads %2").arg(QString::number(spec.embedding), QString::number(spec.heads));
        if (spec.kvHeads > spec.heads)
            return QStringLiteral("--kv-heads %1 > --heads %2").arg(QString::number(spec.kvHeads), QString::number(spec.heads));
        if (spec.heads % spec.kvHeads != 0)
            return QStringLiteral("--heads %1 is not a multiple of --kv-heads %2").arg(QString::number(spec.heads), QString::number(spec.kvHeads));
        if (spec.vocab < 300)
            return QStringLiteral("--vocab %1 is below 300").arg(spec.vocab);
        return {};
    }();
    if (!broken.isEmpty())
        return core::Error(QStringLiteral("synth-model: the shape is inconsistent: %1").arg(broken), core::Error::Kind::Invalid);
    GgufWriter w;
    const std::string a = spec.architecture;
    w.setString("general.architecture", a);
    w.setString("general.name", "bioforge-synthetic-" + a + "-" + spec.weightType);
    w.setUInt32(a + ".context_length", uint32_t(spec.context));
    w.setUInt32(a + ".embedding_length", uint32_t(spec.embedding));
    w.setUInt32(a + ".block_count", uint32_t(spec.layers));
    w.setUInt32(a + ".feed_forward_length", uint32_t(spec.feedForward));
    w.setUInt32(a + ".attention.head_count", uint32_t(spec.heads));
    w.setUInt32(a + ".attention.head_count_kv", uint32_t(spec.kvHeads));
    w.setUInt32(a + ".rope.dimension_count", uint32_t(spec.embedding / spec.heads));
    w.setFloat32(a + ".rope.freq_base", spec.ropeBase);
    w.setFloat32(a + ".attention.layer_norm_rms_epsilon", 1e-5f);
    int64_t vocab = spec.vocab;
    if (!spec.vocabularyFrom.isEmpty()) {
        auto copied = copiedVocabulary(w, spec.vocabularyFrom);
        if (!copied)
            return copied.error();
        vocab = *copied;
    } else {
        syntheticVocabulary(w, vocab);
    }
    std::mt19937_64 rng(spec.seed);
    const int64_t E = spec.embedding, headSize = E / spec.heads, kvWidth = spec.kvHeads * headSize;
    auto add = [&](const std::string& name, int layer, int64_t cols, int64_t rows) -> core::Status {
        auto type = tensorType(spec, name, layer);
        if (!type)
            return type.error();
        const std::string full = layer < 0 ? name : "blk." + std::to_string(layer) + "." + name;
        const GgmlType t = (cols % ggmlTypeTraits(uint32_t(*type))->blockElements == 0) ? *type : GgmlType::F16;
        if (spec.randomBlocks)
            if (auto fast = randomBlocks(rng, t, cols, rows))
                return w.addTensor(full, t, {cols, rows}, *fast);
        return w.addTensor(full, t, {cols, rows}, randomMatrix(rng, t, cols, rows, 1.0f / std::sqrt(float(cols))));
    };
    if (core::Status st = add("token_embd.weight", -1, E, vocab); !st)
        return st;
    if (core::Status st = w.addTensor("output_norm.weight", GgmlType::F32, {E}, constantVector(E, 1.0f)); !st)
        return st;
    if (!spec.tiedOutput)
        if (core::Status st = add("output.weight", -1, E, vocab); !st)
            return st;
    for (int layer = 0; layer < int(spec.layers); ++layer) {
        const std::string p = "blk." + std::to_string(layer) + ".";
        for (const char* norm : {"attn_norm.weight", "ffn_norm.weight"})
            if (core::Status st = w.addTensor(p + norm, GgmlType::F32, {E}, constantVector(E, 1.0f)); !st)
                return st;
        const std::pair<const char*, std::pair<int64_t, int64_t>> matrices[] = {
            {"attn_q.weight", {E, E}}, {"attn_k.weight", {E, kvWidth}}, {"attn_v.weight", {E, kvWidth}},
            {"attn_output.weight", {E, E}}, {"ffn_gate.weight", {E, spec.feedForward}}, {"ffn_up.weight", {E, spec.feedForward}},
            {"ffn_down.weight", {spec.feedForward, E}}};
        for (const auto& [name, shape] : matrices)
            if (core::Status st = add(name, layer, shape.first, shape.second); !st)
                return st;
        if (a == "qwen2") {
            std::normal_distribution<float> normal(0.0f, 0.1f);
            for (auto [name, n] : {std::pair{"attn_q.bias", E}, std::pair{"attn_k.bias", kvWidth}, std::pair{"attn_v.bias", kvWidth}}) {
                QByteArray bias(qsizetype(n * 4), Qt::Uninitialized);
                for (int64_t i = 0; i < n; ++i)
                    reinterpret_cast<float*>(bias.data())[i] = normal(rng);
                if (core::Status st = w.addTensor(p + name, GgmlType::F32, {n}, bias); !st)
                    return st;
            }
        }
    }
    return w.write(path);
}

} // namespace bioforge::llm
