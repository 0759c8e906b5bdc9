#pragma once

// Helpers the llm commands share: opening a model with its tokenizer, and the
// sampling options every generating command takes.

#include "gguf/gguf_file.h"
#include "model/llama_model.h"
#include "plugin/parameter_spec.h"
#include "sampling/sampler.h"
#include "tokenizer/tokenizer.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QTextStream>

#include <memory>

namespace bioforge::llm::cli {

struct OpenModel {
    std::shared_ptr<const GgufFile> file;
    std::unique_ptr<Tokenizer> tokenizer;
    std::unique_ptr<LlamaModel> model; // null when only the vocabulary was asked for
    int failureCode = 0;                // set when the failure was not the file's: 2 bad --device, 6 no such device
};

// Prints the error and returns false on failure. `device`: cpu, cuda[:N] or
// hip[:N] (compute/device_choice.h).
bool openModel(const QString& path, bool withWeights, int threads, OpenModel& out, QTextStream& err,
               const QString& device = QStringLiteral("cpu"), KernelPath kernels = bestKernelPath());
// The --device parameter of the commands that run a model.
core::ParameterSpec deviceParameter();
// --ctx, for the commands and the recorded generate run: 0 (the default) is the model's own
// context length, at most kDefaultContext tokens (a KV cache of 32k positions is rarely wanted
// for a one-off prompt; ask for it with --ctx).
constexpr int64_t kDefaultContext = 4096;
core::ParameterSpec contextParameter();
// The context a run uses for --ctx `requested` on a model trained for `modelLength` tokens: 0
// gives min(modelLength, kDefaultContext); more than modelLength gives modelLength, and `note`
// says so. Errors (Invalid): a context below LlamaModel::kMinContext.
core::Expected<int64_t> chosenContext(int64_t requested, int64_t modelLength, QString* note);
// The context of a command's --ctx for `model` (its note on `err`), checked to fit in memory; 0
// after printing why not.
int64_t commandContext(const QJsonObject& args, const LlamaModel& model, QTextStream& err);
QList<core::ParameterSpec> samplingParameters();
SamplingSettings samplingFrom(const QJsonObject& args);
int defaultThreads();
// Exit code for a model that could not be opened: 6 when the file is missing, 5 otherwise.
int openFailureCode(const QString& path);
// The exit code after openModel failed.
int openFailureCode(const QString& path, const OpenModel& attempt);

// The prompt of a generating command, as bytes (the tokenizer's input): `--prompt TEXT` or
// `--prompt-file FILE` (`textKey`, `fileKey` in `args`; llama.cpp's -p and -f), one of the two. A
// file is read verbatim, its final newline included, at most kMaxPromptFileBytes; "-" reads
// standard input where `stdinAllowed` (a recorded run reads its inputs again on resume: not there).
// Errors: Invalid for neither or both given, or a file too large; NotFound for a file missing.
inline constexpr qint64 kMaxPromptFileBytes = 16 << 20;
core::Expected<std::string> promptFrom(const QJsonObject& args, const QString& textKey, const QString& fileKey, bool stdinAllowed);
core::ParameterSpec promptFileParameter(const QString& name);

} // namespace bioforge::llm::cli
