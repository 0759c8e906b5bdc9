#pragma once

// Collects provenance while a job runs: inputs and outputs with SHA-256,
// models, the device, library versions. Thread-safe; hashing happens on the
// calling (worker) thread, never on the UI thread.

#include "compute/device_info.h"
#include "provenance/run_record.h"
#include "util/expected.h"

#include <QDateTime>
#include <QHash>

#include <mutex>

namespace bioforge::core {

class ProvenanceRecorder {
public:
    explicit ProvenanceRecorder(QString runDir) : m_runDir(std::move(runDir)) {}

    // Hashes the file, unless its SHA-256 is known (knownSha256); a digest it computes is known after.
    Status addInputFile(const QString& name, const QString& path);
    // The SHA-256 of the file at `absolutePath` when it had `size` bytes and was last modified
    // at `modified` (hashed already: input_pins.h), for addInputFile.
    void knownDigest(const QString& absolutePath, const QString& sha256, qint64 size, const QDateTime& modified);
    // The SHA-256 knownDigest() or addInputFile() gave the file at `path` while it still has the size
    // and modification time it had then; empty otherwise (the file is to be read). Lets a check of
    // the same file later in the run (a cluster shard's plan) skip reading it again.
    QString knownSha256(const QString& path) const;
    void addInputData(const QString& name, const QByteArray& data); // pasted text, gene lists…; once per name and content
    void addInput(const FileRef& input); // already hashed (e.g. by a cluster task)
    void addModel(const ModelRef& model);
    // Outputs are hashed when the run closes (finalizeOutputs); paths may be
    // relative to the run folder.
    void addOutput(const QString& name, const QString& path);
    void setDevice(const DeviceInfo& device);
    void addLibrary(const QString& name, const QString& version);
    // Where a cluster run ran: back-end, jobs, nodes, devices per task (cluster_run_job.h).
    void setCluster(const QJsonObject& cluster);
    // A skipped or changed record: all are counted, the first kKeptWarnings kept.
    void addWarning(const QString& message);
    static constexpr int kKeptWarnings = 1000;

    // Hashes the outputs and copies everything into `record`.
    Status finalizeInto(RunRecord& record) const;
    QList<FileRef> inputs() const;

private:
    QString m_runDir;
    mutable std::mutex m_mutex;
    QList<FileRef> m_inputs;
    struct KnownDigest {
        QString sha256;
        qint64 size = -1;
        QDateTime modified;
    };
    QHash<QString, KnownDigest> m_known; // by absolute path
    QList<ModelRef> m_models;
    QList<FileRef> m_outputs;
    QJsonObject m_device;
    QJsonObject m_libraries;
    QJsonObject m_cluster;
    QStringList m_warnings;
    int m_warningCount = 0;
};

} // namespace bioforge::core
