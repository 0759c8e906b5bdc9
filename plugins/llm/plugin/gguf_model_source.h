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

// Errors: NotFound for no such file, folder or registry name, or a registered file that is
// missing; Failed for a registered file of another size than the registry recorded (changed
// since); Invalid for a registry entry of another kind, a folder or entry holding no or several
// .gguf files without one chosen (the message lists them). A file or folder of the name, where
// the program runs, comes before a registry name, unless `nameFirst` (a recorded run's value: its
// paths were made absolute when it started, so a relative one is a name, whatever folder the run
// is resumed from holds).
core::Expected<GgufModelSource> resolveGgufModel(const QString& nameOrPath, const core::ModelRegistry* registry, bool nameFirst = false);

// Exit code of `bioforge llm …` for a resolve error: 6 NotFound, 2 Invalid, 5 Failed (docs/cli.md).
int resolveFailureCode(const core::Error& error);

} // namespace bioforge::llm
