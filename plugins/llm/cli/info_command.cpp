// bioforge llm info: a GGUF file's metadata, tensors and model card.

#include "command_support.h"
#include "llm_commands.h"

#include "chat/chat_template.h"
#include "io/sha256.h"
#include "model/model_config.h"
#include "model/model_weights.h"
#include "tokenizer/vocab.h"
#include "util/terminal_text.h"

#include <QFileInfo>

#include <map>

namespace bioforge::llm::cli {

int cmdInfo(const QJsonObject& args, QTextStream& out, QTextStream& err)
{
    const QString path = args.value(QLatin1String("model")).toString();
    if (const QString name = args.value(QLatin1String("registry-name")).toString(); !name.isEmpty())
        out << "registry model: " << name << '\n';
    auto file = GgufFile::open(path);
    if (!file) {
        // What a readable file's info ends with, so that a script reading stdout sees the verdict too.
        if (QFileInfo::exists(path))
            out << "file: " << path << "\n  loads: no" << Qt::endl;
        err << "bioforge: " << file.error().message() << Qt::endl;
        return openFailureCode(path);
    }
    const GgufFile& f = **file;
    out << "file: " << path << "\nGGUF version " << f.version() << ", alignment " << f.alignment() << ", " << f.fileSize()
        << " bytes, " << f.metadata().size() << " metadata entries, " << f.tensors().size() << " tensors\n";
    if (args.value(QLatin1String("sha256")).toBool()) {
        auto sha = core::Sha256::ofFile(path);
        out << "sha256: " << (sha ? *sha : sha.error().message()) << '\n';
    }
    out << "\nmetadata:\n";
    for (const auto& [key, value] : f.metadata())
        out << "  " << core::shownOnTerminal(QString::fromStdString(key)) << " = "
            << core::shownOnTerminal(QString::fromStdString(value.describe(args.value(QLatin1String("all")).toBool() ? 1u << 30 : 8))) << '\n';
    std::map<std::string, std::pair<int, size_t>> byType;
    int64_t parameters = 0;
    for (const GgufTensorInfo& t : f.tensors()) {
        auto& entry = byType[ggmlTypeName(t.type)];
        ++entry.first;
        entry.second += t.bytes;
        parameters += t.elementCount();
    }
    out << "\ntensors by type:\n";
    for (const auto& [type, count] : byType)
        out << "  " << QString::fromStdString(type) << ": " << count.first << " tensors, " << count.second << " bytes\n";
    if (args.value(QLatin1String("tensors")).toBool())
        for (const GgufTensorInfo& t : f.tensors()) {
            QStringList dims;
            for (int64_t d : t.shape)
                dims << QString::number(d);
            out << "  " << core::shownOnTerminal(QString::fromStdString(t.name)) << " " << ggmlTypeName(t.type) << " [" << dims.join(QStringLiteral(", ")) << "]\n";
        }
    out << "\nmodel:\n  parameters: " << parameters << '\n';
    auto config = ModelConfig::fromGguf(f);
    if (!config) {
        out << "  loads: no" << Qt::endl;
        err << "bioforge: not a model this engine runs: " << config.error().message() << Qt::endl;
        return 5;
    }
    const ModelConfig& c = *config;
    out << "  architecture: " << core::shownOnTerminal(QString::fromStdString(c.architecture)) << "\n  context length: " << c.contextLength
        << "\n  embedding: " << c.embedding << ", layers: " << c.layers << ", feed-forward: " << c.feedForward
        << "\n  heads: " << c.heads << " (key/value heads " << c.kvHeads << ", head size " << c.headSize << ")"
        << "\n  RoPE: " << (c.rope.neox ? "NeoX" : "normal") << ", " << c.rope.dims << " dims, base " << c.rope.freqBase
        << ", scaling " << core::shownOnTerminal(QString::fromStdString(c.ropeScalingType)) << "\n  RMS epsilon: " << c.rmsEpsilon << '\n';
    const std::string tmpl = f.stringOr("tokenizer.chat_template", "");
    out << "  chat template: " << (tmpl.empty() ? QStringLiteral("none (ChatML is used)") : QStringLiteral("recognised as ") + QString::fromStdString(ChatTemplate::detect(tmpl).family)) << '\n';
    // The checks a load makes (vocabulary, every tensor's shape against the metadata), without reading the weights.
    core::Status usable = core::okStatus();
    if (auto vocab = Vocab::fromGguf(f); !vocab)
        usable = vocab.error();
    else if (auto weights = ModelWeights::fromGguf(f, c); !weights)
        usable = weights.error();
    out << "  loads: " << (usable ? QStringLiteral("yes") : QStringLiteral("no")) << Qt::endl;
    if (!usable) {
        err << "bioforge: this model cannot be used: " << usable.error().message() << Qt::endl;
        return 5;
    }
    return 0;
}

} // namespace bioforge::llm::cli
