#pragma once

// `bioforge llm <command>`: info, tokenize, generate, chat, bench, synth-model.
// Each command declares its arguments as a VerbSpec (so help and parsing are
// uniform) and returns an exit code of the bioforge command line.

#include "plugin/parameter_spec.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QStringList>
#include <QTextStream>

namespace bioforge::core {
class ModelRegistry;
}

namespace bioforge::llm::cli {

struct Command {
    core::VerbSpec spec;
    int (*run)(const QJsonObject& args, QTextStream& out, QTextStream& err);
};

const QList<Command>& commands();
// `registry` (may be null) resolves model names (gguf_model_source.h).
int runCommand(const QString& name, const QStringList& args, QTextStream& out, QTextStream& err, const core::ModelRegistry* registry);

// Shared pieces of the commands.
int cmdInfo(const QJsonObject& args, QTextStream& out, QTextStream& err);
int cmdTokenize(const QJsonObject& args, QTextStream& out, QTextStream& err);
int cmdGenerate(const QJsonObject& args, QTextStream& out, QTextStream& err);
int cmdChat(const QJsonObject& args, QTextStream& out, QTextStream& err);
int cmdBench(const QJsonObject& args, QTextStream& out, QTextStream& err);
int cmdSynthModel(const QJsonObject& args, QTextStream& out, QTextStream& err);

} // namespace bioforge::llm::cli
