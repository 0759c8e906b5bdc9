#include "llm_plugin.h"

#include "compute/device_choice.h"

#include "cli/command_support.h"
#include "compute/device_discovery.h"
#include "cli/llm_commands.h"
#include "generate_job.h"
#include "gguf_model_source.h"
#include "model/llama_model.h"
#include "models/model_kinds.h"
#include "models/model_registry.h"
#include "provenance/run_record.h"
#include "synth/model_synthesizer.h"
#include "ui/chat_page.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QStandardPaths>
#include <QStyle>
#include <QApplication>

namespace bioforge::llm {

using T = core::ParameterSpec::Type;

bool LlmPlugin::initialize(const core::PluginContext& context, QString*)
{
    m_context = context;
    return true;
}

QList<core::VerbSpec> LlmPlugin::verbs() const
{
    core::VerbSpec generate;
    generate.name = QStringLiteral("generate");
    generate.description = QStringLiteral("Complete a prompt with a local GGUF model, recorded with provenance");
    generate.parameters = {
        {QStringLiteral("model"), T::String, QStringLiteral("the .gguf model: a file, or a registry name (kind gguf; NAME/FILE.gguf for one of several)"),
         QJsonValue::Undefined, {}, 0, 0, false, true},
        {QStringLiteral("prompt"), T::String, QStringLiteral("the prompt (or --prompt_file)"), QString(), {}, 0, 0},
        // A file, pinned by its SHA-256 as every run's input (a resume reads it again).
        {QStringLiteral("prompt_file"), T::Path, QStringLiteral("a file holding the prompt, read verbatim (instead of --prompt)"), QString(), {}, 0, 0, true},
        {QStringLiteral("n"), T::Integer, QStringLiteral("tokens to generate"), 128, {}, 0, 1 << 20},
        {QStringLiteral("temp"), T::Number, QStringLiteral("temperature (0 = greedy)"), 0.8, {}, 0, 10},
        {QStringLiteral("top_k"), T::Integer, QStringLiteral("top-k"), 40, {}, 0, 1e9},
        {QStringLiteral("top_p"), T::Number, QStringLiteral("top-p"), 0.95, {}, 0, 1},
        {QStringLiteral("min_p"), T::Number, QStringLiteral("min-p"), 0.05, {}, 0, 1},
        {QStringLiteral("repeat_penalty"), T::Number, QStringLiteral("repetition penalty (1 = off; above 0)"), 1.0, {}, 0.01, 10},
        {QStringLiteral("repeat_last_n"), T::Integer, QStringLiteral("how many recent tokens the penalty looks at"), 64, {}, -1, 1e9},
        {QStringLiteral("seed"), T::Integer, QStringLiteral("random seed"), 42, {}, 0, 9e15},
        // The same as `bioforge llm generate`'s (command_support.h): one command, recorded or not.
        cli::contextParameter(),
        {QStringLiteral("special"), T::Boolean, QStringLiteral("special-token texts in the prompt become control tokens"), false, {}, 0, 0},
        {QStringLiteral("threads"), T::Integer, QStringLiteral("CPU threads (0: every core)"), 2, {}, 0, 1024},
        {QStringLiteral("device"), T::String, QStringLiteral("where the model runs: cpu, cuda[:N] or hip[:N]"), QStringLiteral("cpu"), {}, 0, 0},
        {QStringLiteral("checkpoint_every"), T::Integer,
         QStringLiteral("seconds between checkpoints of the generation (its tokens and KV cache), so that a crash loses only what came after; "
                        "0: at a pause only"),
         60, {}, 0, 86400},
    };
    return {generate};
}

core::Expected<std::unique_ptr<core::Job>> LlmPlugin::createJob(const QString& verb, const QJsonObject& parameters)
{
    if (verb != QLatin1String("generate"))
        return core::Error(QStringLiteral("llm: unknown verb '%1'").arg(verb));
    // The run's paths were made absolute at its start: a relative value is a registry name.
    // One prompt, given as text or as a file, before a run is recorded (a usage error, 2).
    if (auto prompt = cli::promptFrom(parameters, QStringLiteral("prompt"), QStringLiteral("prompt_file"), false); !prompt)
        return prompt.error().withContext(QStringLiteral("llm generate"));
    auto model = resolveGgufModel(parameters.value(QLatin1String("model")).toString(), m_context.models, true);
    if (!model)
        return model.error().withContext(QStringLiteral("llm generate: --model"));
    return std::unique_ptr<core::Job>(std::make_unique<GenerateJob>(parameters, *model));
}

QString LlmPlugin::titleNote(const QString& verb, const QJsonObject& parameters) const
{
    if (verb != QLatin1String("generate"))
        return {};
    auto model = resolveGgufModel(parameters.value(QLatin1String("model")).toString(), m_context.models, true);
    if (!model)
        return {};
    const auto kind = core::findModelKind(QStringLiteral("gguf"));
    // A synthesized file given by path: its general.name says so.
    const bool test = model->testModel || (kind && core::fileHoldsTestModelMark(*kind, model->path));
    return test ? QStringLiteral("with a TEST model (random weights: its text means nothing)") : QString();
}

core::Status LlmPlugin::checkLocalRun(const QString&, const QJsonObject& parameters) const
{
    // A malformed device is a usage error before any run. A GPU the discovery (cached, as `bioforge
    // devices` shows it) did not find is refused before the run is recorded (a saved `device` made
    // every run fail after it was recorded: trial 19); opening one that is there, and whether the
    // model fits it, is the job's (seconds, not for the thread that starts runs).
    auto device = parseDevice(parameters.value(QLatin1String("device")).toString(QStringLiteral("cpu")));
    if (!device)
        return core::Error(device.error().message(), core::Error::Kind::Invalid);
    if (device->kind != DeviceChoice::Kind::Cpu && !core::DeviceDiscovery::report().find(device->label())) {
        const QString vendor = device->kind == DeviceChoice::Kind::Cuda ? QStringLiteral("CUDA: ") : QStringLiteral("HIP: ");
        QStringList why;
        for (const QString& note : core::DeviceDiscovery::report().notes)
            if (note.startsWith(vendor))
                why << note.mid(vendor.size());
        return core::Error(QStringLiteral("device %1: not on this machine (%2; `bioforge devices` lists what is)")
                               .arg(device->label(), why.isEmpty() ? QStringLiteral("no such device") : why.join(QStringLiteral("; "))),
                           core::Error::Kind::NotFound);
    }
    // --ctx below the least context a run holds (0 is the model's own): refused before the model is read.
    if (auto context = cli::chosenContext(parameters.value(QLatin1String("ctx")).toInt(0), LlamaModel::kMinContext, nullptr); !context)
        return context.error();
    return core::okStatus();
}

std::optional<int> LlmPlugin::runCommand(const QString& verb, const QStringList& args, QTextStream& out, QTextStream& err)
{
    if (!commandVerbs().contains(verb))
        return std::nullopt;
    return cli::runCommand(verb, args, out, err, m_context.models);
}

QStringList LlmPlugin::commandVerbs() const
{
    QStringList names;
    for (const cli::Command& c : cli::commands())
        names << c.spec.name;
    return names;
}

namespace {

// "2048 (64 used)"; a context the prompt and the answer overfilled says that its oldest tokens were
// shifted out of the KV cache ("64 (67 used)" read as a context holding more than its size).
QString contextUse(const QJsonObject& generation)
{
    const qint64 size = generation.value(QLatin1String("context")).toInteger();
    const qint64 used = generation.value(QLatin1String("promptTokens")).toInteger() + generation.value(QLatin1String("generatedTokens")).toInteger();
    if (used <= size)
        return QStringLiteral("%1 (%2 used)").arg(size).arg(used);
    return QStringLiteral("%1 (full: %2 tokens passed through it, the oldest %3 shifted out of the KV cache)").arg(size).arg(used).arg(used - size);
}

} // namespace

core::Expected<core::ReportContent> LlmPlugin::reportContent(const core::RunRecord& run, const QString& runDir) const
{
    QFile file(QDir(runDir).filePath(QStringLiteral("generation.json")));
    if (!file.open(QIODevice::ReadOnly))
        return core::Error(QStringLiteral("%1: cannot read the generation").arg(file.fileName()));
    const QJsonObject g = QJsonDocument::fromJson(file.readAll()).object();
    core::ReportContent report;
    report.title = QStringLiteral("Text generation with %1").arg(g.value(QLatin1String("model")).toString());
    report.summary = QStringLiteral("A local language model completed the prompt below. Generated text can be wrong; check it before use.");
    core::ReportSection text;
    text.heading = QStringLiteral("Prompt and response");
    // The prompt as the run read it (from --prompt_file too); runs before it was kept: their parameter.
    // A long one (a prompt file holds up to 16 MiB) is cut for the page; generation.json keeps it whole.
    QString prompt = g.value(QLatin1String("prompt")).toString(run.parameters.value(QLatin1String("prompt")).toString());
    constexpr qsizetype kShownPrompt = 20000;
    if (prompt.size() > kShownPrompt)
        prompt = prompt.left(kShownPrompt) + QStringLiteral(" … (%1 more characters: generation.json holds the whole prompt)").arg(prompt.size() - kShownPrompt);
    text.paragraphs << QStringLiteral("Prompt: ") + prompt
                    << QStringLiteral("Response: ") + g.value(QLatin1String("text")).toString();
    core::ReportTable stats;
    stats.caption = QStringLiteral("Generation");
    stats.header = {QStringLiteral("quantity"), QStringLiteral("value")};
    stats.rows = {{QStringLiteral("prompt tokens"), QString::number(g.value(QLatin1String("promptTokens")).toInt())},
                  {QStringLiteral("generated tokens"), QString::number(g.value(QLatin1String("generatedTokens")).toInt())},
                  {QStringLiteral("stopped by"), g.value(QLatin1String("stop")).toString()},
                  // The context allocated, and how much of it the prompt and the answer filled (it said
                  // "context used 2048" of a run that used 64).
                  {QStringLiteral("context size (tokens)"), contextUse(g)}};
    // The sampling as the run was given it (the command line's names), so that it can be made again.
    for (const char* key : {"temp", "top_k", "top_p", "min_p", "repeat_penalty", "repeat_last_n", "seed", "n"})
        if (run.parameters.contains(QLatin1String(key)))
            stats.rows.append({QString::fromLatin1(key).replace(QLatin1Char('_'), QLatin1Char('-')), QString::number(run.parameters.value(QLatin1String(key)).toDouble(), 'g', 12)});
    text.tables << stats;
    // How fast, from timings.json (it varies from run to run, so it is kept apart): the report had no
    // speed, and a run continued after a pause did not say so (trial 21).
    QFile timingsFile(QDir(runDir).filePath(QStringLiteral("timings.json")));
    if (timingsFile.open(QIODevice::ReadOnly)) {
        const QJsonObject t = QJsonDocument::fromJson(timingsFile.readAll()).object();
        const double promptSeconds = t.value(QLatin1String("promptSeconds")).toDouble(), generationSeconds = t.value(QLatin1String("generationSeconds")).toDouble();
        const qint64 continued = t.value(QLatin1String("continuedAfterTokens")).toInteger();
        const qint64 generatedHere = g.value(QLatin1String("generatedTokens")).toInteger() - continued;
        const auto rate = [](double count, double seconds) { return seconds > 0 ? QString::number(count / seconds, 'f', 1) : QStringLiteral("–"); };
        core::ReportTable speed{QStringLiteral("Speed (varies from run to run; timings.json)"), {QStringLiteral("quantity"), QStringLiteral("value")}, {}};
        // A continuation reads no prompt: its KV cache comes from the checkpoint (it gave "9560229.4
        // prompt tokens/s": trial 22).
        const QString restored = QStringLiteral("– (the KV cache was read from the checkpoint)");
        speed.rows = {{QStringLiteral("prompt read in (s)"), continued > 0 ? restored : QString::number(promptSeconds, 'f', 3)},
                      {QStringLiteral("prompt tokens/s"), continued > 0 ? restored : rate(g.value(QLatin1String("promptTokens")).toDouble(), promptSeconds)},
                      {QStringLiteral("generation (s)"), QString::number(generationSeconds, 'f', 3)},
                      {QStringLiteral("generated tokens/s"), rate(double(generatedHere), generationSeconds)},
                      {QStringLiteral("back-end"), t.value(QLatin1String("backend")).toString()},
                      {QStringLiteral("threads"), QString::number(t.value(QLatin1String("threads")).toInt())}};
        if (continued > 0)
            speed.rows.append({QStringLiteral("continued after a pause"),
                               QStringLiteral("the first %1 tokens were generated before it and read back from the checkpoint with its KV cache; the rates are this run's")
                                   .arg(continued)});
        text.tables << speed;
    }
    if (g.contains(QLatin1String("architecture"))) { // generation.json of runs before it was kept has none
        core::ReportTable model{QStringLiteral("Model"), {QStringLiteral("property"), QStringLiteral("value")}, {}};
        model.rows = {{QStringLiteral("name"), g.value(QLatin1String("model")).toString()},
                      {QStringLiteral("architecture"), g.value(QLatin1String("architecture")).toString()}};
        for (const auto& [key, label] : {std::pair{"trainedContext", "context length in its metadata (tokens)"}, {"layers", "layers"}, {"embedding", "embedding width"},
                                         {"vocabulary", "vocabulary (tokens)"}})
            model.rows.append({QLatin1String(label), QString::number(g.value(QLatin1String(key)).toInteger())});
        text.tables << model;
    }
    report.sections << text;
    return report;
}

QList<core::DemoRun> LlmPlugin::demoRuns() const
{
    // A tiny synthetic model (random weights: its text is gibberish, by design).
    const QString dir = m_context.dataDir.isEmpty() ? QStandardPaths::writableLocation(QStandardPaths::AppDataLocation) : m_context.dataDir;
    const QString path = QDir(dir).filePath(QStringLiteral("demo-models/llm-test-tiny/tiny-synthetic-q8_0.gguf"));
    if (!QFileInfo::exists(path)) {
        QDir().mkpath(QFileInfo(path).absolutePath());
        SynthSpec spec;
        spec.embedding = 128;
        spec.feedForward = 256;
        spec.vocab = 2000;
        spec.weightType = "Q8_0";
        if (auto st = ModelSynthesizer::write(spec, path); !st)
            return {{QStringLiteral("generate"), {}, QStringLiteral("Text generation with a tiny synthetic model"),
                     QStringLiteral("the demo model could not be written: %1").arg(st.error().message())}};
    }
    // Registered as a test model: the Chat page lists it afterwards, labelled.
    if (m_context.models)
        if (auto entry = m_context.models->registerTestModel(QStringLiteral("llm-test-tiny-q8_0"), QStringLiteral("gguf"), QFileInfo(path).absolutePath()); !entry)
            return {{QStringLiteral("generate"), {}, QStringLiteral("Text generation with a tiny synthetic model"),
                     QStringLiteral("the demo model could not be registered: %1").arg(entry.error().message())}};
    return {{QStringLiteral("generate"),
             QJsonObject{{QStringLiteral("model"), path}, {QStringLiteral("prompt"), QStringLiteral("Describe the viral genome")},
                         {QStringLiteral("n"), 48}, {QStringLiteral("temp"), 0.7}, {QStringLiteral("seed"), 7}},
             QStringLiteral("Text generation with a tiny synthetic model (random weights: gibberish by design)"), QString()}};
}

QIcon LlmPlugin::pageIcon() const
{
    return QApplication::style() ? QApplication::style()->standardIcon(QStyle::SP_MessageBoxQuestion) : QIcon();
}

QWidget* LlmPlugin::createPage(const ui::PageContext& context, QWidget* parent)
{
    return new ChatPage(context, parent);
}

// The engine's format and reference implementation (the report's "Methods and references").
QStringList LlmPlugin::references(const core::RunRecord&) const
{
    return {QStringLiteral("GGUF file format and llama.cpp, the reference implementation the engine follows (tokenizer, quantised kernels, "
                           "sampling): https://github.com/ggml-org/llama.cpp"),
            QStringLiteral("LLaMA architecture: Touvron H, Lavril T, Izacard G, et al. LLaMA: open and efficient foundation language models. "
                           "arXiv:2302.13971, 2023"),
            QStringLiteral("The model: the file named under Inputs and models, by its SHA-256; cite the model's own paper or card")};
}

} // namespace bioforge::llm
