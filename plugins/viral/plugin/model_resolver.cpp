#include "model_resolver.h"

#include "models/model_kinds.h"
#include "models/model_registry.h"
#include "io/content_sniffer.h"
#include "io/safetensors_reader.h"
#include "util/closest_match.h"
#include "util/short_list.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>

namespace bioforge::viral {

namespace {

// Per role: the registry kind and the verb's parameter.
struct RoleNames {
    const char* kind;
    const char* option;
};

RoleNames namesOf(ModelRole role)
{
    switch (role) {
    case ModelRole::Dnabert: return {"dnabert-s", "dnabert"};
    case ModelRole::Esm: return {"esm2", "esm"};
    case ModelRole::Classifier: return {"virnucpro-classifier", "classifier"};
    }
    return {"", ""};
}

// A model given by its path, checked as a registered one is before a run is recorded: a folder
// holds the files its kind needs (6); a classifier is a safetensors file (2: a GGUF model, a
// gene list) with its .json beside it (6). (It failed inside the run, naming a .json the user never gave.)
core::Status checkGivenModel(const QFileInfo& info, ModelRole role)
{
    if (role != ModelRole::Classifier) {
        if (core::Status complete = core::checkModelFolder(*core::findModelKind(QLatin1String(modelKind(role))), info.absoluteFilePath()); !complete)
            return core::Error(QStringLiteral("--%1: %2").arg(QLatin1String(optionName(role)), complete.error().message()), core::Error::Kind::NotFound);
        return core::okStatus();
    }
    // The reader checks the header as the loader will (a classifier is small).
    if (const auto reader = core::SafetensorsReader::open(info.absoluteFilePath()); !reader) {
        // What it is where that is known (a GGUF model, a text file such as its .json), else the
        // reader's reason (a damaged header).
        QFile f(info.absoluteFilePath());
        const QByteArray head = f.open(QIODevice::ReadOnly) ? f.read(core::kSniffBytes) : QByteArray();
        QString what;
        if (core::looksBinary(head) || head.startsWith("PK\x03\x04") || head.startsWith("\x80")) {
            if (what = core::describeBinary(head); what.startsWith(QLatin1String("binary data")))
                what.clear();
        } else if (!head.trimmed().isEmpty()) {
            if (what = core::describeText(head.trimmed()); what.isEmpty())
                what = QStringLiteral("a text file");
        }
        // The published VirNucPro classifier is a .pth: converted once (docs/viral.md), never unpickled.
        const bool pytorch = what.contains(QLatin1String("PyTorch")) || what.contains(QLatin1String("pickle"));
        return core::Error(QStringLiteral("--classifier %1 is not a safetensors file (%2): give the classifier's .safetensors (with its .json beside it)%3")
                               .arg(info.filePath(), what.isEmpty() ? reader.error().message() : QStringLiteral("it is %1").arg(what),
                                    pytorch ? QStringLiteral("; convert the .pth once with the script in docs/viral.md, \"Converting the published classifier\"")
                                            : QString()),
                           core::Error::Kind::Invalid);
    }
    const QString json = info.absoluteDir().filePath(info.completeBaseName() + QStringLiteral(".json"));
    if (!QFileInfo(json).isFile())
        return core::Error(QStringLiteral("--classifier %1: its %2 is not beside it; a classifier is NAME.safetensors with NAME.json (its input width, "
                                          "classes and chunk length) in one folder")
                               .arg(info.filePath(), QFileInfo(json).fileName()),
                           core::Error::Kind::NotFound);
    return core::okStatus();
}

} // namespace

const char* modelKind(ModelRole role) { return namesOf(role).kind; }
const char* optionName(ModelRole role) { return namesOf(role).option; }

core::Expected<ModelSource> resolveModel(const QString& nameOrPath, ModelRole role, const core::ModelRegistry* registry)
{
    const QFileInfo info(nameOrPath);
    const bool wantFile = role == ModelRole::Classifier;
    if (!nameOrPath.isEmpty() && info.exists()) {
        // A name that is also registered, met as a file or folder in the current folder (the command
        // line has made it a path by now): that comes first (viral.md), which a refusal says, or the
        // user looks for a fault in the model just imported.
        const auto shadowed = [&](core::Error error) {
            const std::optional<core::ModelEntry> same = registry && info.absolutePath() == QDir::currentPath() ? registry->find(info.fileName()) : std::nullopt;
            if (same && same->kind == QLatin1String(modelKind(role)))
                error = core::Error(QStringLiteral("%1 (the %2 '%3' in this folder shadows the registered model '%3': run from another folder, "
                                                   "or rename it)")
                                        .arg(error.message(), info.isDir() ? QStringLiteral("folder") : QStringLiteral("file"), info.fileName()),
                                    error.kind());
            return error;
        };
        if (wantFile != info.isFile())
            return shadowed(core::Error(QStringLiteral("%1: the %2 model must be %3").arg(nameOrPath, QLatin1String(modelKind(role)),
                                                                                          wantFile ? QStringLiteral("a .safetensors file") : QStringLiteral("a folder")),
                                        core::Error::Kind::Invalid));
        if (core::Status usable = checkGivenModel(info, role); !usable)
            return shadowed(usable.error());
        return ModelSource{nameOrPath, info.absoluteFilePath(), QString(), QString(), std::nullopt, QString()};
    }
    const std::optional<core::ModelEntry> entry = registry ? registry->find(nameOrPath) : std::nullopt;
    if (!entry && registry && !registry->loadProblem().isEmpty())
        return core::Error(QStringLiteral("no model named '%1' can be found: the model registry could not be read (%2)").arg(nameOrPath, registry->loadProblem()),
                           core::Error::Kind::NotFound);
    if (!entry) {
        const QStringList names = registry ? registry->namesOfKind(QLatin1String(modelKind(role))) : QStringList(); // for "did you mean"
        QString registered = core::didYouMean(nameOrPath, names);
        if (registered.isEmpty() && !names.isEmpty()) // the demo's test models, say: named with the ways to use one (trial 18)
            registered = QStringLiteral(" (registered %1 models: %2; give one with --%3, or make it the default: bioforge settings set viral.%4 NAME%5)")
                             .arg(QLatin1String(modelKind(role)), core::shortList(names, QStringLiteral(", "), 4), QLatin1String(optionName(role)),
                                  role == ModelRole::Classifier ? QStringLiteral("classifier_model_300") : QLatin1String(optionName(role)) + QStringLiteral("_model"),
                                  role == ModelRole::Classifier ? QStringLiteral(", viral.classifier_model_500 for --chunk_length 500") : QString());
        return core::Error(QStringLiteral("no model named '%1' in the model registry%3 and no such file or folder; import it with "
                                          "`bioforge models import %1 %2 <folder>`")
                               .arg(nameOrPath, QLatin1String(modelKind(role)), registered),
                           core::Error::Kind::NotFound);
    }
    // A registry entry says what it is: a model of another kind would fail later on an internal
    // detail of its config (or, worse, load), so it is refused here by name.
    const QString kind = QLatin1String(modelKind(role));
    if (entry->kind != kind)
        return core::Error(QStringLiteral("the %1 model '%2' is registered with kind '%3', not '%4' (give --%1 a %4 model, or, if it is one, "
                                          "register it again: bioforge models import %2 %4 <folder>)")
                               .arg(QLatin1String(optionName(role)), nameOrPath, entry->kind.isEmpty() ? QStringLiteral("(none)") : entry->kind, kind),
                           core::Error::Kind::Invalid);
    // Its files, as the loader will open them (a `models download` of one file registers an incomplete folder).
    if (core::Status complete = core::checkModelFolder(*core::findModelKind(kind), entry->root); !complete)
        return core::Error(QStringLiteral("model '%1': %2").arg(nameOrPath, complete.error().message()), core::Error::Kind::NotFound);
    QString path = entry->root;
    if (wantFile) {
        path.clear();
        for (const core::ModelFile& f : entry->files)
            if (f.path.endsWith(QLatin1String(".safetensors")) && QFileInfo::exists(entry->filePath(f.path.chopped(12) + QStringLiteral(".json"))))
                path = entry->filePath(f.path);
        if (path.isEmpty())
            return core::Error(QStringLiteral("model '%1' has no .safetensors file with its .json beside it (a classifier is weights.safetensors + weights.json)")
                                   .arg(nameOrPath),
                               core::Error::Kind::NotFound);
    }
    return ModelSource{entry->name, path, entry->combinedSha256(), entry->revision, *entry, registry->file()};
}

} // namespace bioforge::viral
