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
};

// Prints the error and returns false on failure.
bool openModel(const QString& path, bool withWeights, int threads, OpenModel& out, QTextStream& err);
QList<core::ParameterSpec> samplingParameters();
SamplingSettings samplingFrom(const QJsonObject& args);
int defaultThreads();
// Exit code for a model that could not be opened: 6 when the file is missing, 5 otherwise.
int openFailureCode(const QString& path);

} // namespace bioforge::llm::cli
