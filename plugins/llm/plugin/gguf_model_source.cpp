#include "gguf_model_source.h"

#include "models/model_registry.h"
#include "util/closest_match.h"
#include "util/short_list.h"

#include <QDir>
#include <QFileInfo>

namespace bioforge::llm {

namespace {

bool isGguf(const QString& path) { return path.endsWith(QLatin1String(".gguf"), Qt::CaseInsensitive); }

QString listed(const QStringList& names) { return core::shortList(names, QStringLiteral(", ")); }

core::Expected<GgufModelSource> fromFolder(const QString& folder)
{
    const QStringList files = QDir(folder).entryList({QStringLiteral("*.gguf"), QStringLiteral("*.GGUF")}, QDir::Files, QDir::Name);
    if (files.size() == 1)
        return GgufModelSource{QDir(folder).filePath(files.front()), {}, {}, {}, false};
    if (files.isEmpty())
        return core::Error(QStringLiteral("%1: the folder holds no .gguf file (give the model's .gguf file)").arg(folder), core::Error::Kind::Invalid);
    QStringList paths;
    for (const QString& f : files)
        paths << QDir(folder).filePath(f);
    return core::Error(QStringLiteral("%1 holds %2 .gguf files; give one: %3").arg(folder, QString::number(files.size()), listed(paths)),
                       core::Error::Kind::Invalid);
}

core::Expected<GgufModelSource> fromEntry(const core::ModelEntry& entry, const QString& chosen)
{
    if (entry.kind != QLatin1String("gguf"))
        return core::Error(QStringLiteral("the model '%1' is registered with kind '%2', not 'gguf' (a language model is registered with "
                                          "`bioforge models import NAME gguf FILE.gguf`)")
                               .arg(entry.name, entry.kind.isEmpty() ? QStringLiteral("(none)") : entry.kind),
                           core::Error::Kind::Invalid);
    QList<const core::ModelFile*> ggufs;
    for (const core::ModelFile& f : entry.files)
        if (isGguf(f.path))
            ggufs << &f;
    const core::ModelFile* file = nullptr;
    if (!chosen.isEmpty()) {
        file = entry.file(chosen);
        if (!file || !isGguf(file->path)) {
            QStringList names;
            for (const core::ModelFile* f : ggufs)
                names << entry.name + QLatin1Char('/') + f->path;
            return core::Error(QStringLiteral("the model '%1' has no .gguf file '%2'%3").arg(entry.name, chosen,
                                                                                            names.isEmpty() ? QString() : QStringLiteral("; it has ") + listed(names)),
                               core::Error::Kind::NotFound);
        }
    } else if (ggufs.size() == 1) {
        file = ggufs.front();
    } else {
        QStringList names;
        for (const core::ModelFile* f : ggufs)
            names << entry.name + QLatin1Char('/') + f->path;
        if (names.isEmpty())
            return core::Error(QStringLiteral("the model '%1' has no .gguf file among its %2 registered files").arg(entry.name, QString::number(entry.files.size())),
                               core::Error::Kind::Invalid);
        return core::Error(QStringLiteral("the model '%1' holds %2 .gguf files; give one as NAME/FILE: %3").arg(entry.name, QString::number(names.size()), listed(names)),
                           core::Error::Kind::Invalid);
    }
    // The registered size, checked now (hashing a multi-GB file is the job's, and `models verify`'s).
    const QString path = entry.filePath(file->path);
    const QFileInfo info(path);
    if (!info.isFile())
        return core::Error(QStringLiteral("model '%1': %2 is missing (registered from %3)").arg(entry.name, path, entry.source), core::Error::Kind::NotFound);
    if (info.size() != file->size)
        return core::Error(QStringLiteral("model '%1': %2 has %3 bytes, the registry recorded %4: the file changed since it was registered "
                                          "(bioforge models verify %1; import it again if the change is wanted)")
                               .arg(entry.name, path, QString::number(info.size()), QString::number(file->size)),
                           core::Error::Kind::Failed);
    return GgufModelSource{path, chosen.isEmpty() ? entry.name : entry.name + QLatin1Char('/') + chosen, entry.revision, file->sha256,
                           entry.testModel};
}

} // namespace

core::Expected<GgufModelSource> resolveGgufModel(const QString& nameOrPath, const core::ModelRegistry* registry, bool nameFirst)
{
    if (nameOrPath.isEmpty())
        return core::Error(QStringLiteral("no model given (a .gguf file or a registry name)"), core::Error::Kind::Invalid);
    const QFileInfo info(nameOrPath);
    // A recorded run's relative value names a registered model (NAME or NAME/FILE) even where a
    // file or folder of that name is at hand.
    const bool registered = registry && (registry->find(nameOrPath) || registry->find(nameOrPath.section(QLatin1Char('/'), 0, 0)));
    if (info.exists() && !(nameFirst && registered && QDir::isRelativePath(nameOrPath))) {
        if (!info.isDir() && !info.isFile()) // refused before a run is recorded: a pipe's open waits for a writer
            return core::Error(QStringLiteral("%1: not a regular file (a named pipe, a device or a socket): give the model's .gguf file").arg(nameOrPath),
                               core::Error::Kind::Invalid);
        auto source = info.isDir() ? fromFolder(nameOrPath) : core::Expected<GgufModelSource>(GgufModelSource{nameOrPath, {}, {}, {}, false});
        if (source && registry)
            source->testModel = registry->testModelFor(QFileInfo(source->path).absoluteFilePath()).has_value();
        return source;
    }
    if (registry) {
        if (auto entry = registry->find(nameOrPath))
            return fromEntry(*entry, {});
        // NAME/FILE: the first part a registered name, the rest a file of it.
        for (qsizetype slash = nameOrPath.indexOf(QLatin1Char('/')); slash > 0; slash = nameOrPath.indexOf(QLatin1Char('/'), slash + 1))
            if (auto entry = registry->find(nameOrPath.left(slash)))
                return fromEntry(*entry, nameOrPath.mid(slash + 1));
    }
    if (registry && !registry->loadProblem().isEmpty())
        return core::Error(QStringLiteral("%1: no such file or folder, and the model registry could not be read (%2)").arg(nameOrPath, registry->loadProblem()),
                           core::Error::Kind::NotFound);
    const QStringList names = registry ? registry->namesOfKind(QStringLiteral("gguf")) : QStringList(); // for "did you mean"
    return core::Error(registry ? QStringLiteral("%1: no such file or folder, and no model of that name in the model registry%2 (`bioforge models list` "
                                                 "shows them; `bioforge models import NAME gguf FILE.gguf` adds one)")
                                      .arg(nameOrPath, core::didYouMean(nameOrPath, names))
                                : QStringLiteral("%1: no such file or folder").arg(nameOrPath),
                       core::Error::Kind::NotFound);
}

int resolveFailureCode(const core::Error& error)
{
    switch (error.kind()) {
    case core::Error::Kind::NotFound: return 6;
    case core::Error::Kind::Invalid: return 2;
    default: return 5; // there, but not the file registered
    }
}

} // namespace bioforge::llm
