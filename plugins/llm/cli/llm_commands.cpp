#include "llm_commands.h"

#include "command_support.h"

#include "plugin/gguf_model_source.h"

namespace bioforge::llm::cli {

using T = core::ParameterSpec::Type;

namespace {

// A file, a folder holding one .gguf file, or a registry name (NAME or NAME/FILE.gguf): gguf_model_source.h.
core::ParameterSpec modelPath()
{
    return {QStringLiteral("model"), T::String, QStringLiteral("the .gguf model: a file, or a registry name (kind gguf)"), QJsonValue::Undefined, {}, 0, 0, false, true};
}
core::ParameterSpec threads() { return {QStringLiteral("threads"), T::Integer, QStringLiteral("CPU threads (0: every core)"), defaultThreads(), {}, 0, 1024}; }
core::ParameterSpec context() { return contextParameter(); }

core::VerbSpec spec(const char* name, const char* description, QList<core::ParameterSpec> parameters)
{
    return {QLatin1String(name), QString::fromUtf8(description), std::move(parameters)};
}

} // namespace

const QList<Command>& commands()
{
    static const QList<Command> table{
        {spec("info", "metadata, tensors and model card of a GGUF file",
              {modelPath(), {QStringLiteral("all"), T::Boolean, QStringLiteral("show whole arrays"), false, {}, 0, 1},
               {QStringLiteral("tensors"), T::Boolean, QStringLiteral("list every tensor"), false, {}, 0, 1},
               {QStringLiteral("sha256"), T::Boolean, QStringLiteral("hash the file"), false, {}, 0, 1}}),
         cmdInfo},
        {spec("tokenize", "token ids of a text",
              {modelPath(), {QStringLiteral("text"), T::String, QStringLiteral("the text"), QJsonValue::Undefined, {}, 0, 0},
               {QStringLiteral("no-bos"), T::Boolean, QStringLiteral("do not add BOS/EOS"), false, {}, 0, 1},
               {QStringLiteral("special"), T::Boolean, QStringLiteral("parse special tokens in the text"), false, {}, 0, 1},
               {QStringLiteral("ids-only"), T::Boolean, QStringLiteral("print only the ids"), false, {}, 0, 1}}),
         cmdTokenize},
        {spec("generate", "complete a prompt (BOS added as the model asks)",
              QList<core::ParameterSpec>{modelPath(), {QStringLiteral("prompt"), T::String, QStringLiteral("the prompt (or --prompt-file)"), QString(), {}, 0, 0},
                                         promptFileParameter(QStringLiteral("prompt-file")),
                                         {QStringLiteral("n"), T::Integer, QStringLiteral("tokens to generate"), 128, {}, 0, 1 << 20},
                                         {QStringLiteral("ids"), T::Boolean, QStringLiteral("print prompt and generated token ids instead of text"), false, {}, 0, 1},
                                         {QStringLiteral("special"), T::Boolean, QStringLiteral("parse special-token texts in the prompt as special tokens"), false, {}, 0, 1},
                                         threads(), deviceParameter(), context()}
                  + samplingParameters()),
         cmdGenerate},
        {spec("chat", "interactive chat in the terminal",
              QList<core::ParameterSpec>{modelPath(), {QStringLiteral("system"), T::String, QStringLiteral("system prompt"), QString(), {}, 0, 0},
                                         {QStringLiteral("template"), T::String, QStringLiteral("chat template override (JSON)"), QString(), {}, 0, 0},
                                         {QStringLiteral("n"), T::Integer, QStringLiteral("most tokens per reply"), 512, {}, 1, 1 << 20},
                                         threads(), deviceParameter(), context()}
                  + samplingParameters()),
         cmdChat},
        {spec("bench", "prompt processing and generation speed (like llama-bench)",
              {modelPath(), {QStringLiteral("p"), T::Integer, QStringLiteral("prompt tokens (ppN)"), 512, {}, 0, 1 << 16},
               {QStringLiteral("n"), T::Integer, QStringLiteral("generated tokens (tgN)"), 128, {}, 0, 1 << 16},
               {QStringLiteral("r"), T::Integer, QStringLiteral("repetitions"), 5, {}, 1, 1000}, threads(), deviceParameter(),
               {QStringLiteral("kernels"), T::Choice, QStringLiteral("CPU kernels: the best this CPU runs, or one path to compare"),
                QStringLiteral("auto"), {QStringLiteral("auto"), QStringLiteral("amx"), QStringLiteral("avx512"), QStringLiteral("avx2"), QStringLiteral("reference")}, 0, 0}}),
         cmdBench},
        {spec("synth-model", "write a llama-family GGUF with seeded random weights",
              {{QStringLiteral("output"), T::Path, QStringLiteral("the .gguf file to write"), QJsonValue::Undefined, {}, 0, 0},
               {QStringLiteral("arch"), T::Choice, QStringLiteral("architecture"), QStringLiteral("llama"), {QStringLiteral("llama"), QStringLiteral("mistral"), QStringLiteral("qwen2")}, 0, 0},
               {QStringLiteral("embd"), T::Integer, QStringLiteral("embedding width"), 256, {}, 8, 1 << 16},
               {QStringLiteral("layers"), T::Integer, QStringLiteral("blocks"), 2, {}, 1, 1024},
               {QStringLiteral("heads"), T::Integer, QStringLiteral("attention heads"), 4, {}, 1, 1024},
               {QStringLiteral("kv-heads"), T::Integer, QStringLiteral("key/value heads"), 2, {}, 1, 1024},
               {QStringLiteral("ff"), T::Integer, QStringLiteral("feed-forward width"), 512, {}, 8, 1 << 18},
               // Null: not given (32000), so that beside --vocab-from a given size is refused, not ignored.
               {QStringLiteral("vocab"), T::Integer, QStringLiteral("vocabulary size of a synthetic vocabulary (default 32000; not with --vocab-from)"), QJsonValue(QJsonValue::Null), {}, 300, 1 << 20},
               {QStringLiteral("ctx"), T::Integer, QStringLiteral("context length"), 2048, {}, 16, 1 << 20},
               {QStringLiteral("type"), T::Choice, QStringLiteral("weight type"), QStringLiteral("Q8_0"),
                {QStringLiteral("F32"), QStringLiteral("F16"), QStringLiteral("BF16"), QStringLiteral("Q8_0"), QStringLiteral("Q4_0"),
                 QStringLiteral("Q4_K"), QStringLiteral("Q5_K"), QStringLiteral("Q6_K"), QStringLiteral("Q4_K_M"), QStringLiteral("Q5_K_M")}, 0, 0},
               {QStringLiteral("seed"), T::Integer, QStringLiteral("random seed"), 1, {}, 0, 9e15},
               {QStringLiteral("tied"), T::Boolean, QStringLiteral("tie the output matrix to the embedding"), false, {}, 0, 1},
               {QStringLiteral("force"), T::Boolean, QStringLiteral("replace an existing output file (else refused: it may be a real model)"), false, {}, 0, 1},
               {QStringLiteral("vocab-from"), T::String, QStringLiteral("copy the tokenizer of this GGUF (a file or a registry name)"), QString(), {}, 0, 0, false, true}}),
         cmdSynthModel},
    };
    return table;
}

int runCommand(const QString& name, const QStringList& args, QTextStream& out, QTextStream& err, const core::ModelRegistry* registry)
{
    for (const Command& c : commands()) {
        if (c.spec.name != name)
            continue;
        if (args.contains(QStringLiteral("--help"))) {
            out << c.spec.helpText();
            return 0;
        }
        auto parsed = c.spec.parseArguments(args);
        if (!parsed) {
            err << "bioforge: " << parsed.error().message() << Qt::endl << c.spec.helpText();
            return 2;
        }
        // Model names become the .gguf file they name; the registry's name is kept for `info`.
        for (const char* key : {"model", "vocab-from"}) {
            const QString given = parsed->value(QLatin1String(key)).toString();
            if (given.isEmpty())
                continue;
            auto source = resolveGgufModel(given, registry);
            if (!source) {
                err << "bioforge: --" << key << ": " << source.error().message() << Qt::endl;
                return resolveFailureCode(source.error());
            }
            parsed->insert(QLatin1String(key), source->path);
            if (!source->name.isEmpty() && QLatin1String(key) == QLatin1String("model"))
                parsed->insert(QStringLiteral("registry-name"), QStringLiteral("%1%2%3").arg(source->name, source->revision.isEmpty() ? QString() : QStringLiteral(", revision ") + source->revision,
                                                                                            source->testModel ? QStringLiteral(", TEST model (random weights)") : QString()));
        }
        try {
            return c.run(*parsed, out, err);
        } catch (const std::exception& e) { // a last line: errors are reported as values, but nothing may abort
            err << "bioforge: llm " << name << " failed: " << e.what() << Qt::endl;
            return 1;
        }
    }
    err << "bioforge: llm has no command '" << name << "'" << Qt::endl;
    return 2;
}

} // namespace bioforge::llm::cli
