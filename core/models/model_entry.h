#pragma once

// One registered model: a name that configuration refers to, its kind, the
// revision, where its files live and each file's size and SHA-256.

#include "provenance/run_record.h"
#include "util/expected.h"

#include <QDateTime>
#include <QJsonObject>
#include <QList>
#include <QString>

namespace bioforge::core {

struct ModelFile {
    QString path; // relative to the model's root folder
    qint64 size = 0;
    QString sha256;
    QString url;  // where it was downloaded from, if it was
    // The file's modification time (ms since the epoch) when its SHA-256 was computed; 0 when
    // not known (entries registered before the times were kept). See ModelEntry::verifyFiles.
    qint64 modifiedMs = 0;
};

struct ModelEntry {
    QString name;
    QString kind;     // "esm2", "dnabert-s", "gguf", "classifier", …
    QString revision;
    QString root;     // folder holding the files
    QString source;   // "import:<folder>" or a URL
    QDateTime added;
    QList<ModelFile> files;
    // A test model (random weights, made by a demo or a test): its results
    // mean nothing, and every place that offers or uses it says so.
    bool testModel = false;

    // One checksum for the whole model: SHA-256 over "path sha256\n" lines sorted by path.
    QString combinedSha256() const;
    // The files as provenance lists them (ModelRef::files): name = path in the model, absolute path,
    // SHA-256 and size as registered.
    QList<FileRef> provenanceFiles() const;
    QString filePath(const QString& relative) const;
    const ModelFile* file(const QString& relative) const;
    // Each file against the disk: it exists with its registered size and its SHA-256 is the
    // registered one. quick: a file whose modification time is still the one recorded when it
    // was hashed is taken as unchanged without reading it (the check make, rsync and git's index
    // make); the others are read. Errors (Failed; NotFound for a missing file) name the model, the
    // file and both values. `hashed`, when given, receives the paths of the files read that matched,
    // with their times now (ModelRegistry::verify records them).
    Status verifyFiles(bool quick, QList<ModelFile>* hashed = nullptr) const;
    // "name" or "name — TEST model (random weights)": how lists show it.
    QString displayName() const;

    QJsonObject toJson() const;
    static Expected<ModelEntry> fromJson(const QJsonObject& json);
};

} // namespace bioforge::core
