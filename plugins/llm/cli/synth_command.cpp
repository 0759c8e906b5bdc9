// bioforge llm synth-model: a llama-family GGUF of any shape and weight type
// with seeded random weights (for tests and benchmarks).

#include "llm_commands.h"

#include "gguf/gguf_types.h"
#include "synth/model_synthesizer.h"

#include <QFileInfo>

#include <tuple>

namespace bioforge::llm::cli {

int cmdSynthModel(const QJsonObject& args, QTextStream& out, QTextStream& err)
{
    SynthSpec spec;
    spec.architecture = args.value(QLatin1String("arch")).toString().toStdString();
    spec.embedding = args.value(QLatin1String("embd")).toInt();
    spec.layers = args.value(QLatin1String("layers")).toInt();
    spec.heads = args.value(QLatin1String("heads")).toInt();
    spec.kvHeads = args.value(QLatin1String("kv-heads")).toInt();
    spec.feedForward = args.value(QLatin1String("ff")).toInt();
    spec.vocab = args.value(QLatin1String("vocab")).toInt(32000); // null: not given
    spec.context = args.value(QLatin1String("ctx")).toInt();
    spec.weightType = args.value(QLatin1String("type")).toString().toStdString();
    spec.seed = uint64_t(args.value(QLatin1String("seed")).toInteger());
    spec.tiedOutput = args.value(QLatin1String("tied")).toBool();
    spec.vocabularyFrom = args.value(QLatin1String("vocab-from")).toString();
    const QString path = args.value(QLatin1String("output")).toString();
    if (QFileInfo::exists(path) && !args.value(QLatin1String("force")).toBool()) {
        err << "bioforge: " << path << " exists (" << QFileInfo(path).size() << " bytes): it is not replaced by random weights unless --force is given"
            << Qt::endl;
        return 5;
    }
    if (!spec.vocabularyFrom.isEmpty() && args.value(QLatin1String("vocab")).isDouble()) {
        err << "bioforge: --vocab and --vocab-from both set the vocabulary: the copied tokenizer's size (" << QFileInfo(spec.vocabularyFrom).fileName()
            << ") is the model's; leave --vocab out" << Qt::endl;
        return 2;
    }
    if (!spec.vocabularyFrom.isEmpty() && !QFileInfo(spec.vocabularyFrom).isFile()) {
        err << "bioforge: --vocab-from: no such file: " << spec.vocabularyFrom << Qt::endl;
        return 6;
    }
    if (core::Status st = ModelSynthesizer::write(spec, path); !st) {
        err << "bioforge: " << st.error().message() << Qt::endl;
        // docs/cli.md: a bad value 2; a file that cannot be read (--vocab-from) or written 5.
        return st.error().kind() == core::Error::Kind::Invalid ? 2 : 5;
    }
    out << "wrote " << path << " (" << QFileInfo(path).size() << " bytes)" << Qt::endl;
    // A quantised matrix whose rows are not whole blocks is written as F16 (as llama.cpp's quantizer
    // falls back): said, so that a benchmark of "Q4_K" knows what it measures.
    for (const auto& [option, columns, tensor] : {std::tuple{"--embd", spec.embedding, "attn_q.weight"}, {"--ff", spec.feedForward, "ffn_down.weight"}}) {
        auto type = ModelSynthesizer::tensorType(spec, tensor, 0);
        if (!type)
            continue;
        const int64_t block = ggmlTypeTraits(uint32_t(*type))->blockElements;
        if (columns % block != 0)
            out << "note: " << option << ' ' << columns << " is not a multiple of " << QString::fromUtf8(ggmlTypeName(*type)) << "'s block of " << block
                << " values: the matrices with " << columns << " columns are stored as F16" << Qt::endl;
    }
    return 0;
}

} // namespace bioforge::llm::cli
