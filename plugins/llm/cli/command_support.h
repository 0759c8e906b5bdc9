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
QList<core::ParameterSpec> samplingParameters();
SamplingSettings samplingFrom(const QJsonObject& args);
int defaultThreads();
// Exit code for a model that could not be opened: 6 when the file is missing, 5 otherwise.
int openFailureCode(const QString& path);
// The exit code after openModel failed.
int openFailureCode(const QString& path, const OpenModel& attempt);

} // namespace bioforge::llm::cli
