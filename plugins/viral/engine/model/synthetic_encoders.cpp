#include "model/synthetic_encoders.h"

#include "io/atomic_file.h"
#include "io/safetensors_writer.h"

#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>

#include <algorithm>
#include <atomic>
#include <functional>
#include <random>
#include <system_error>
#include <thread>

namespace bioforge::viral {

using core::Error;

namespace {

// Seeded normal weights (std 0.02, as initializer_range), LayerNorms at 1 / 0.
class RandomTensors {
public:
    explicit RandomTensors(uint64_t seed) : m_rng(seed) {}

    core::Status add(const std::string& name, std::vector<qint64> shape)
    {
        qint64 count = 1;
        for (qint64 d : shape)
            count *= d;
        std::vector<float> v(static_cast<size_t>(count));
        std::normal_distribution<float> normal(0.0f, 0.02f);
        if (v.size() < kChunk) {
            for (float& x : v)
                x = normal(m_rng);
        } else {
            fillInParallel(v, m_rng());
        }
        return m_writer.addF32(QString::fromStdString(name), shape, v);
    }
    core::Status constant(const std::string& name, qint64 width, float value)
    {
        return m_writer.addF32(QString::fromStdString(name), {width}, std::vector<float>(static_cast<size_t>(width), value));
    }
    core::Status linear(const std::string& name, qint64 out, qint64 in, bool bias = true)
    {
        if (auto st = add(name + ".weight", {out, in}); !st)
            return st;
        return bias ? add(name + ".bias", {out}) : core::okStatus();
    }
    core::Status norm(const std::string& name, qint64 width)
    {
        if (auto st = constant(name + ".weight", width, 1.0f); !st)
            return st;
        return constant(name + ".bias", width, 0.0f);
    }
    core::SafetensorsWriter& writer() { return m_writer; }

private:
    // A tensor of a million values or more (only the real shapes have them: ESM-2 3B is ~11 GB of
    // float32, a minute on one thread) is filled in chunks of kChunk values, chunk i from its own
    // generator seeded with (base, i), on every core: the same bytes whatever the number of threads.
    static constexpr size_t kChunk = size_t(1) << 20;
    static void fillInParallel(std::vector<float>& v, uint64_t base)
    {
        const size_t chunks = (v.size() + kChunk - 1) / kChunk;
        std::atomic<size_t> next{0};
        auto work = [&] {
            for (size_t c = next++; c < chunks; c = next++) {
                std::mt19937_64 rng(base ^ (0x9E3779B97F4A7C15ULL * (c + 1)));
                std::normal_distribution<float> normal(0.0f, 0.02f);
                for (size_t i = c * kChunk, end = std::min(v.size(), i + kChunk); i < end; ++i)
                    v[i] = normal(rng);
            }
        };
        std::vector<std::thread> workers;
        try {
            for (size_t i = 1; i < std::min<size_t>(chunks, std::max(1u, std::thread::hardware_concurrency())); ++i)
                workers.emplace_back(work);
        } catch (const std::system_error&) { // no more threads to be had: the ones started and this one do the rest
        }
        work();
        for (auto& w : workers)
            w.join();
    }

    std::mt19937_64 m_rng;
    core::SafetensorsWriter m_writer;
};

// Runs each step until one fails.
core::Status all(std::initializer_list<std::function<core::Status()>> steps)
{
    for (const auto& step : steps)
        if (auto st = step(); !st)
            return st;
    return core::okStatus();
}

core::Status copyFiles(const QString& from, const QString& to, const QStringList& names)
{
    for (const QString& name : names) {
        const QString source = QDir(from).filePath(name), target = QDir(to).filePath(name);
        if (!QFile::exists(source))
            continue;
        QFile::remove(target);
        if (!QFile::copy(source, target))
            return Error(QStringLiteral("%1: cannot copy it to %2").arg(source, to));
    }
    return core::okStatus();
}

// The template's config.json with the shape replaced; the vocabulary size is kept.
core::Expected<QJsonObject> shapedConfig(const QString& templateFolder, const EncoderShape& shape)
{
    const QString path = QDir(templateFolder).filePath(QStringLiteral("config.json"));
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return Error(QStringLiteral("%1: cannot open the template configuration").arg(path));
    QJsonObject config = QJsonDocument::fromJson(file.readAll()).object();
    if (config.value(QLatin1String("vocab_size")).toInt() <= 0)
        return Error(QStringLiteral("%1: no vocab_size").arg(path));
    config.insert(QStringLiteral("num_hidden_layers"), double(shape.layers));
    config.insert(QStringLiteral("hidden_size"), double(shape.hidden));
    config.insert(QStringLiteral("num_attention_heads"), double(shape.heads));
    config.insert(QStringLiteral("intermediate_size"), double(shape.intermediate));
    config.insert(QStringLiteral("_note"), QStringLiteral("synthesized: random weights, for benchmarks only"));
    return config;
}

core::Status finish(const QString& folder, RandomTensors& tensors, const QJsonObject& config)
{
    tensors.writer().setMetadata(QStringLiteral("format"), QStringLiteral("pt"));
    if (auto st = tensors.writer().writeAtomic(QDir(folder).filePath(QStringLiteral("model.safetensors"))); !st)
        return st;
    return core::AtomicFile::write(QDir(folder).filePath(QStringLiteral("config.json")), QJsonDocument(config).toJson());
}

core::Status checkShape(const EncoderShape& s)
{
    if (s.layers <= 0 || s.hidden <= 0 || s.heads <= 0 || s.intermediate <= 0 || s.hidden % s.heads != 0)
        return Error(QStringLiteral("encoder shape %1 layers × %2 wide, %3 heads, FFN %4 is not valid").arg(QString::number(s.layers),
                                                                                                            QString::number(s.hidden),
                                                                                                            QString::number(s.heads),
                                                                                                            QString::number(s.intermediate)));
    return core::okStatus();
}

// Checks the shape, reads the template's configuration reshaped, and makes the folder.
core::Expected<QJsonObject> prepare(const QString& folder, const EncoderShape& shape, const QString& templateFolder)
{
    if (auto st = checkShape(shape); !st)
        return st.error();
    auto config = shapedConfig(templateFolder, shape);
    if (!config)
        return config.error();
    if (!QDir().mkpath(folder))
        return Error(QStringLiteral("%1: cannot create the folder").arg(folder));
    return config;
}

} // namespace

core::Status writeSyntheticEsm2(const QString& folder, const EncoderShape& shape, const QString& templateFolder, uint64_t seed)
{
    auto config = prepare(folder, shape, templateFolder);
    if (!config)
        return config.error();
    const qint64 H = shape.hidden, I = shape.intermediate, V = config->value(QLatin1String("vocab_size")).toInt();
    RandomTensors t(seed);
    if (auto st = t.add("esm.embeddings.word_embeddings.weight", {V, H}); !st)
        return st;
    for (int64_t i = 0; i < shape.layers; ++i) {
        const std::string p = "esm.encoder.layer." + std::to_string(i) + ".";
        if (auto st = all({[&] { return t.norm(p + "attention.LayerNorm", H); }, [&] { return t.linear(p + "attention.self.query", H, H); },
                           [&] { return t.linear(p + "attention.self.key", H, H); }, [&] { return t.linear(p + "attention.self.value", H, H); },
                           [&] { return t.linear(p + "attention.output.dense", H, H); }, [&] { return t.norm(p + "LayerNorm", H); },
                           [&] { return t.linear(p + "intermediate.dense", I, H); }, [&] { return t.linear(p + "output.dense", H, I); }});
            !st)
            return st;
    }
    if (auto st = all({[&] { return t.norm("esm.encoder.emb_layer_norm_after", H); }, [&] { return t.linear("lm_head.dense", H, H); },
                       [&] { return t.norm("lm_head.layer_norm", H); }, [&] { return t.add("lm_head.bias", {V}); },
                       [&] { return copyFiles(templateFolder, folder, {QStringLiteral("vocab.txt")}); }});
        !st)
        return st;
    return finish(folder, t, *config);
}

core::Status writeSyntheticDnabert(const QString& folder, const EncoderShape& shape, const QString& templateFolder, uint64_t seed)
{
    auto config = prepare(folder, shape, templateFolder);
    if (!config)
        return config.error();
    const qint64 H = shape.hidden, I = shape.intermediate, V = config->value(QLatin1String("vocab_size")).toInt();
    const qint64 types = config->value(QLatin1String("type_vocab_size")).toInt(2);
    RandomTensors t(seed);
    if (auto st = all({[&] { return t.add("embeddings.word_embeddings.weight", {V, H}); },
                       [&] { return t.add("embeddings.token_type_embeddings.weight", {types, H}); },
                       [&] { return t.norm("embeddings.LayerNorm", H); }});
        !st)
        return st;
    for (int64_t i = 0; i < shape.layers; ++i) {
        const std::string p = "encoder.layer." + std::to_string(i) + ".";
        if (auto st = all({[&] { return t.linear(p + "attention.self.Wqkv", 3 * H, H); }, [&] { return t.linear(p + "attention.output.dense", H, H); },
                           [&] { return t.norm(p + "attention.output.LayerNorm", H); }, [&] { return t.linear(p + "mlp.gated_layers", 2 * I, H, false); },
                           [&] { return t.linear(p + "mlp.wo", H, I); }, [&] { return t.norm(p + "mlp.layernorm", H); }});
            !st)
            return st;
    }
    if (auto st = all({[&] { return t.linear("pooler.dense", H, H); },
                       [&] { return copyFiles(templateFolder, folder, {QStringLiteral("tokenizer.json"), QStringLiteral("tokenizer_config.json"),
                                                                       QStringLiteral("special_tokens_map.json")}); }});
        !st)
        return st;
    return finish(folder, t, *config);
}

} // namespace bioforge::viral
