#include "command_support.h"

#include "compute/device_choice.h"
#include "io/text_decoding.h"
#include "util/terminal_text.h"

#include <QFile>
#include <QFileInfo>

namespace bioforge::llm::cli {

using T = core::ParameterSpec::Type;

int defaultThreads() { return core::availableCpuThreads(); }

core::ParameterSpec deviceParameter()
{
    return {QStringLiteral("device"), T::String, QStringLiteral("where the model runs: cpu, cuda[:N] or hip[:N]"), QStringLiteral("cpu"), {}, 0, 0};
}

core::ParameterSpec contextParameter()
{
    return {QStringLiteral("ctx"), T::Integer, QStringLiteral("context size in tokens (0: the model's own, at most %1)").arg(kDefaultContext), 0, {}, 0, 1 << 20};
}

core::Expected<int64_t> chosenContext(int64_t requested, int64_t modelLength, QString* note)
{
    if (requested == 0)
        return std::min(modelLength, kDefaultContext);
    if (requested < LlamaModel::kMinContext)
        return core::Error(QStringLiteral("--ctx %1: a context holds at least %2 tokens (0: the model's own)").arg(QString::number(requested),
                                                                                                                 QString::number(LlamaModel::kMinContext)),
                           core::Error::Kind::Invalid);
    if (requested > modelLength) {
        if (note)
            *note = QStringLiteral("--ctx %1 is more than the model's context length (%2 tokens, from its metadata): %2 used")
                        .arg(QString::number(requested), QString::number(modelLength));
        return modelLength;
    }
    return requested;
}

int64_t commandContext(const QJsonObject& args, const LlamaModel& model, QTextStream& err)
{
    QString note;
    const auto chosen = chosenContext(args.value(QLatin1String("ctx")).toInt(), model.config().contextLength, &note);
    if (!chosen) {
        err << "bioforge: " << chosen.error().message() << Qt::endl;
        return 0;
    }
    if (!note.isEmpty())
        err << "bioforge: note: " << note << Qt::endl;
    if (core::Status st = model.checkCache(*chosen); !st) {
        err << "bioforge: --ctx " << *chosen << ": " << st.error().message() << Qt::endl;
        return 0;
    }
    return *chosen;
}

bool openModel(const QString& path, bool withWeights, int threads, OpenModel& out, QTextStream& err, const QString& device,
               KernelPath kernels)
{
    const auto choice = parseDevice(device);
    if (!choice) {
        err << "bioforge: " << choice.error().message() << Qt::endl;
        out.failureCode = 2;
        return false;
    }
    auto file = GgufFile::open(path);
    if (!file) {
        err << "bioforge: " << file.error().message() << Qt::endl;
        return false;
    }
    out.file = std::move(*file);
    auto vocab = Vocab::fromGguf(*out.file);
    if (!vocab) {
        err << "bioforge: " << vocab.error().message() << Qt::endl;
        return false;
    }
    out.tokenizer = std::make_unique<Tokenizer>(*vocab);
    if (!withWeights)
        return true;
    // Random weights write random text (the demo's models, `llm synth-model`'s): said before it is read.
    if (const std::string name = out.file->stringOr("general.name", ""); name.rfind("bioforge-synthetic-", 0) == 0)
        err << "bioforge: note: " << core::shownOnTerminal(QFileInfo(path).fileName()) << " is a TEST model with random weights (general.name "
            << core::shownOnTerminal(QString::fromStdString(name)) << "): its text means nothing" << Qt::endl; // a GGUF's text: no terminal escapes
    QString note;
    threads = usableThreads(threads, &note);
    if (!note.isEmpty())
        err << "bioforge: --threads: " << note << Qt::endl;
    auto options = backendOptions(*choice, threads, *out.file, kernels);
    if (!options) {
        err << "bioforge: " << options.error().message() << Qt::endl;
        out.failureCode = 6;
        return false;
    }
    auto model = LlamaModel::load(out.file, *options);
    if (!model) {
        err << "bioforge: " << model.error().message() << Qt::endl;
        return false;
    }
    out.model = std::move(*model);
    return true;
}

QList<core::ParameterSpec> samplingParameters()
{
    return {
        {QStringLiteral("temp"), T::Number, QStringLiteral("temperature (0 = greedy)"), 0.8, {}, 0, 10},
        {QStringLiteral("top-k"), T::Integer, QStringLiteral("keep the k most likely tokens (0 = all)"), 40, {}, 0, 1e9},
        {QStringLiteral("top-p"), T::Number, QStringLiteral("nucleus: smallest set with this probability (1 = off)"), 0.95, {}, 0, 1},
        {QStringLiteral("min-p"), T::Number, QStringLiteral("drop tokens below this fraction of the top one (0 = off)"), 0.05, {}, 0, 1},
        {QStringLiteral("repeat-penalty"), T::Number, QStringLiteral("penalty for recent tokens (1 = off; above 0)"), 1.0, {}, 0.01, 10},
        {QStringLiteral("repeat-last-n"), T::Integer, QStringLiteral("how many recent tokens the penalty looks at"), 64, {}, -1, 1e9},
        {QStringLiteral("seed"), T::Integer, QStringLiteral("random seed"), 42, {}, 0, 9e15},
    };
}

SamplingSettings samplingFrom(const QJsonObject& a)
{
    SamplingSettings s;
    s.temperature = float(a.value(QLatin1String("temp")).toDouble());
    s.topK = a.value(QLatin1String("top-k")).toInt();
    s.topP = float(a.value(QLatin1String("top-p")).toDouble());
    s.minP = float(a.value(QLatin1String("min-p")).toDouble());
    s.repeatPenalty = float(a.value(QLatin1String("repeat-penalty")).toDouble());
    s.repeatLastN = a.value(QLatin1String("repeat-last-n")).toInt();
    s.seed = uint64_t(a.value(QLatin1String("seed")).toInteger());
    return s;
}

int openFailureCode(const QString& path)
{
    return QFileInfo::exists(path) ? 5 : 6;
}

} // namespace bioforge::llm::cli

namespace bioforge::llm::cli {

int openFailureCode(const QString& path, const OpenModel& attempt)
{
    return attempt.failureCode ? attempt.failureCode : openFailureCode(path);
}

core::ParameterSpec promptFileParameter(const QString& name)
{
    return {name, core::ParameterSpec::Type::String, QStringLiteral("a file holding the prompt, read verbatim (instead of --prompt; - reads standard input)"),
            QString(), {}, 0, 0};
}

core::Expected<std::string> promptFrom(const QJsonObject& args, const QString& textKey, const QString& fileKey, bool stdinAllowed)
{
    const QString text = args.value(textKey).toString(), file = args.value(fileKey).toString();
    if (!text.isEmpty() && !file.isEmpty())
        return core::Error(QStringLiteral("give the prompt as --prompt TEXT or --prompt-file FILE, not both"), core::Error::Kind::Invalid);
    if (file.isEmpty()) {
        if (text.isEmpty())
            return core::Error(QStringLiteral("no prompt: give --prompt TEXT or --prompt-file FILE%1").arg(stdinAllowed ? QStringLiteral(" (- reads standard input)") : QString()),
                               core::Error::Kind::Invalid);
        return core::encodeArgument(text).toStdString();
    }
    QFile in;
    if (file == QLatin1String("-")) {
        if (!stdinAllowed)
            return core::Error(QStringLiteral("--prompt-file -: a recorded run reads its prompt file again when resumed; save the prompt to a file"),
                               core::Error::Kind::Invalid);
        if (!in.open(stdin, QIODevice::ReadOnly))
            return core::Error(QStringLiteral("--prompt-file -: cannot read standard input: %1").arg(in.errorString()));
    } else {
        const QFileInfo info(file);
        if (!info.exists())
            return core::Error(QStringLiteral("%1: no such prompt file").arg(file), core::Error::Kind::NotFound);
        if (!info.isFile())
            return core::Error(QStringLiteral("%1: the prompt file is not a regular file").arg(file), core::Error::Kind::Invalid);
        in.setFileName(file);
        if (!in.open(QIODevice::ReadOnly))
            return core::Error(QStringLiteral("%1: cannot read the prompt file: %2").arg(file, in.errorString()));
    }
    const QByteArray bytes = in.read(kMaxPromptFileBytes + 1);
    if (bytes.size() > kMaxPromptFileBytes)
        return core::Error(QStringLiteral("%1: a prompt file holds at most %2 MiB").arg(file, QString::number(kMaxPromptFileBytes >> 20)), core::Error::Kind::Invalid);
    if (bytes.isEmpty())
        return core::Error(QStringLiteral("%1: the prompt file is empty").arg(file), core::Error::Kind::Invalid);
    return bytes.toStdString();
}

} // namespace bioforge::llm::cli
