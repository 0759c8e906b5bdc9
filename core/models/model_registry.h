#pragma once

// The model registry: name -> files, revision, SHA-256, kept in one JSON file
// written atomically. Configuration names the model a plugin uses; code never
// does. Models come in by importing a local (Hugging Face style) folder, which
// is hashed and referenced in place, or by download (ModelDownloader).

#include "models/model_entry.h"
#include "util/expected.h"

#include <QList>
#include <QReadWriteLock>
#include <QString>

#include <functional>
#include <optional>

namespace bioforge::core {

class ModelRegistry {
public:
    explicit ModelRegistry(QString registryFile) : m_file(std::move(registryFile)) {}
    static QString defaultRegistryFile();

    const QString& file() const { return m_file; }
    // Reads the file (none: no models). One that is damaged leaves the models as they were, and its
    // error says the way back: the copy save() keeps of the file before each change
    // (`<file>.bak`), else moving it away and importing again (trial 24 T24-11).
    Status load();
    // Why the last load() failed (its error's message), empty after one that read: a model not
    // found is then said to be so because the registry could not be read, not "import it".
    QString loadProblem() const;
    // A copy (implicitly shared: cheap): the window reloads the registry on the UI thread when
    // another program changes the file, while a job reads it on a worker (review 67 R67-1). Every
    // member is thread-safe.
    QList<ModelEntry> models() const;
    std::optional<ModelEntry> find(const QString& name) const;
    // The names of the registered models of `kind` (e.g. "gguf"), in registry order: what a
    // "did you mean" offers for a mistyped name.
    QStringList namesOfKind(const QString& kind) const;

    // Both change the file as it is on disk now (reloaded under a lock, `<file>.lock`), so
    // processes changing it at once keep each other's entries; a file that cannot be read is an
    // error and is never overwritten. add replaces an entry of the same name.
    Status add(const ModelEntry& entry);
    Status remove(const QString& name);
    // Registers the files of `folder` (hidden ones and a download's work files aside; for a kind
    // of one file, ModelKind::oneFile, only the files at its top that its patterns match:
    // *skipped counts the others there), each with its size and SHA-256.
    Expected<ModelEntry> importFolder(const QString& name, const QString& kind, const QString& folder,
                                      const QString& revision = {}, int* skipped = nullptr);
    // Registers one file as a model of a oneFile kind (`models import NAME gguf FILE.gguf`): its
    // folder is the entry's root, the file its only file. Invalid for another kind, or a file its
    // patterns do not match.
    Expected<ModelEntry> importFile(const QString& name, const QString& kind, const QString& file, const QString& revision = {});
    // Registers a demo's or a test's model folder, marked as a test model;
    // an entry of that name already pointing at the same folder is kept as
    // it is (no re-hashing at every start).
    Expected<ModelEntry> registerTestModel(const QString& name, const QString& kind, const QString& folder);
    // The registered test model that a path (its folder, or a file in it)
    // or a name refers to, if any.
    std::optional<ModelEntry> testModelFor(const QString& nameOrPath) const;
    // Sizes and SHA-256 of every file against the registry (every file read); the files' times
    // are recorded then, for the quick check of ModelEntry::verifyFiles.
    Status verify(const QString& name);
    // Records the times of files of `name` that were read and matched (ModelEntry::verifyFiles'
    // `hashed`), where the entry still holds that file (path, size and SHA-256): a later quick
    // check need not read them again.
    Status recordTimes(const QString& name, const QList<ModelFile>& hashed);

private:
    Status change(const std::function<Status()>& edit);
    Status save() const; // under m_lock, written (change)
    QString m_file;
    mutable QReadWriteLock m_lock; // guards m_models and m_loadProblem
    QList<ModelEntry> m_models;
    QString m_loadProblem;
};

} // namespace bioforge::core
