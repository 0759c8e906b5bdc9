#pragma once

// Which .gguf file a model argument names: a file, a folder holding one .gguf
// file, or a model registry name of kind `gguf` (`bioforge models import NAME
// gguf FOLDER`, `models download NAME gguf URL SHA256`), optionally with the
// file in it (`NAME/model-q4_k_m.gguf`) when the registered folder holds more
// than one. The same rules for `bioforge llm …` and the recorded generate run.

#include "util/expected.h"

#include <QString>

namespace bioforge::core {
class ModelRegistry;
}

namespace bioforge::llm {

struct GgufModelSource {
    QString path;     // the .gguf file: as given (a file, or in the folder given), or in the registered folder
    QString name;     // the registry name (and "/file" when chosen so), empty when given by path
    QString revision; // the registry's revision, if any
    QString sha256;   // the registry's SHA-256 of the file, empty when given by path
    bool testModel = false; // a registered test model (random weights): its text means nothing
};

// Errors: NotFound for no such file, folder or registry name, a registered file that is missing
// or not the size the registry recorded; Invalid for a registry entry of another kind, a folder
// or entry holding no or several .gguf files without one chosen (the message lists them).
core::Expected<GgufModelSource> resolveGgufModel(const QString& nameOrPath, const core::ModelRegistry* registry);

// Exit code of `bioforge llm …` for a resolve error: 6 for NotFound, else 2 (docs/cli.md).
int resolveFailureCode(const core::Error& error);

} // namespace bioforge::llm
