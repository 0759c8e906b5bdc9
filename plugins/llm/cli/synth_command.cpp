// bioforge llm synth-model: a llama-family GGUF of any shape and weight type
// with seeded random weights (for tests and benchmarks).

#include "llm_commands.h"

#include "synth/model_synthesizer.h"

#include <QFileInfo>

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
    spec.vocab = args.value(QLatin1String("vocab")).toInt();
    spec.context = args.value(QLatin1String("ctx")).toInt();
    spec.weightType = args.value(QLatin1String("type")).toString().toStdString();
    spec.seed = uint64_t(args.value(QLatin1String("seed")).toInteger());
    spec.tiedOutput = args.value(QLatin1String("tied")).toBool();
    spec.vocabularyFrom = args.value(QLatin1String("vocab-from")).toString();
    const QString path = args.value(QLatin1String("output")).toArray().first().toString();
    if (core::Status st = ModelSynthesizer::write(spec, path); !st) {
        err << "bioforge: " << st.error().message() << Qt::endl;
        return 1;
    }
    out << "wrote " << path << " (" << QFileInfo(path).size() << " bytes)" << Qt::endl;
    return 0;
}

} // namespace bioforge::llm::cli
