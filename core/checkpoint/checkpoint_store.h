#pragma once

// Crash-safe checkpoints of one run: one folder per key ("stage/shard-0003"),
// holding state.json, optional tensors (safetensors) and optional blobs, and
// a manifest.json written last that lists every file with its size and
// SHA-256. The manifest is the commit point: a key without a valid manifest
// does not exist. A key saved again writes its files under the other
// generation's names (".g1" appended, or not) beside the committed ones,
// switches the manifest, then removes the old files, so a crash anywhere in
// a rewrite leaves the old entry or the new one. Every load verifies the manifest's format and schema and
// each file's size and checksum; an empty, truncated, bit-flipped or
// wrong-version entry is reported (log + error) and dropped so the stage is
// recomputed, never loaded. No pickle anywhere: JSON and safetensors only.

#include "io/safetensors_reader.h"
#include "util/expected.h"

#include <QByteArray>
#include <QJsonObject>
#include <QMap>
#include <QString>
#include <QStringList>

#include <memory>
#include <optional>

namespace bioforge::core {

class SafetensorsWriter;

struct LoadedCheckpoint {
    QString key;
    QJsonObject state;
    std::unique_ptr<SafetensorsReader> tensors; // null when the entry has none
    QMap<QString, QByteArray> blobs;
};

class CheckpointStore {
public:
    static constexpr int kFormatVersion = 1;

    // `jobSchema`: the job's own checkpoint layout version (Job::checkpointSchema()).
    CheckpointStore(QString rootDir, int jobSchema);

    const QString& rootDir() const { return m_root; }
    int jobSchema() const { return m_jobSchema; }

    Status save(const QString& key, const QJsonObject& state, const SafetensorsWriter* tensors = nullptr,
                const QMap<QString, QByteArray>& blobs = {});
    // Verified load; an error names the key, the file and what is wrong.
    Expected<LoadedCheckpoint> load(const QString& key) const;
    // load(), but a bad entry is logged, removed and reported as absent so the
    // caller recomputes it.
    std::optional<LoadedCheckpoint> loadOrDiscard(const QString& key);

    bool hasManifest(const QString& key) const;
    QStringList keys() const; // every key with a manifest, sorted
    Status remove(const QString& key);

    static constexpr const char* kManifestName = "manifest.json";
    static constexpr const char* kStateName = "state.json";
    static constexpr const char* kTensorsName = "tensors.safetensors";

    Expected<QString> entryDir(const QString& key) const;
    // Verifies an entry's manifest and files (what the inspector shows).
    Expected<QJsonObject> verifiedManifest(const QString& key) const;

private:
    QString m_root;
    int m_jobSchema;
};

} // namespace bioforge::core
