#include "provenance/provenance_recorder.h"

#include "io/sha256.h"
#include "provenance/environment_info.h"

#include <QDir>
#include <QFileInfo>

namespace bioforge::core {

void ProvenanceRecorder::knownDigest(const QString& absolutePath, const QString& sha256, qint64 size, const QDateTime& modified)
{
    std::lock_guard lock(m_mutex);
    m_known.insert(absolutePath, {sha256, size, modified});
}

QString ProvenanceRecorder::knownSha256(const QString& path) const
{
    const QFileInfo info(path); // asked before the lock: a stat of a slow file system holds no other thread up
    const QString absolute = info.absoluteFilePath();
    const qint64 size = info.size();
    const QDateTime modified = info.lastModified();
    std::lock_guard lock(m_mutex);
    const auto known = m_known.constFind(absolute);
    return known != m_known.constEnd() && known->size == size && known->modified == modified ? known->sha256 : QString();
}

Status ProvenanceRecorder::addInputFile(const QString& name, const QString& path)
{
    const QFileInfo info(path);
    const qint64 size = info.size(); // before it is read (QFileInfo asks once, when first asked)
    const QDateTime modified = info.lastModified();
    QString sha = knownSha256(path);
    if (sha.isEmpty()) {
        auto digest = Sha256::ofFile(path);
        if (!digest)
            return digest.error();
        sha = *digest;
        // Known from now on only when it did not change while it was read.
        if (const QFileInfo after(path); after.size() == size && after.lastModified() == modified)
            knownDigest(info.absoluteFilePath(), sha, size, modified);
    }
    std::lock_guard lock(m_mutex);
    m_inputs.append({name, info.absoluteFilePath(), sha, size});
    return okStatus();
}

void ProvenanceRecorder::addInputData(const QString& name, const QByteArray& data)
{
    const QString sha = Sha256::ofData(data);
    std::lock_guard lock(m_mutex);
    for (const FileRef& f : std::as_const(m_inputs))
        if (f.path.isEmpty() && f.name == name && f.sha256 == sha)
            return; // recorded already (one mapping read by two stages of a run)
    m_inputs.append({name, QString(), sha, data.size()});
}

void ProvenanceRecorder::addInput(const FileRef& input)
{
    std::lock_guard lock(m_mutex);
    m_inputs.append(input);
}

void ProvenanceRecorder::setCluster(const QJsonObject& cluster)
{
    std::lock_guard lock(m_mutex);
    m_cluster = cluster;
}

void ProvenanceRecorder::addModel(const ModelRef& model)
{
    std::lock_guard lock(m_mutex);
    m_models.append(model);
}

void ProvenanceRecorder::addOutput(const QString& name, const QString& path)
{
    std::lock_guard lock(m_mutex);
    for (FileRef& f : m_outputs)
        if (f.path == path)
            return;
    m_outputs.append({name, path, QString(), 0});
}

void ProvenanceRecorder::setDevice(const DeviceInfo& device)
{
    std::lock_guard lock(m_mutex);
    m_device = EnvironmentInfo::deviceJson(device);
}

void ProvenanceRecorder::addLibrary(const QString& name, const QString& version)
{
    std::lock_guard lock(m_mutex);
    m_libraries.insert(name, version);
}

void ProvenanceRecorder::addWarning(const QString& message)
{
    std::lock_guard lock(m_mutex);
    ++m_warningCount;
    if (m_warnings.size() < kKeptWarnings)
        m_warnings.append(message);
}

QList<FileRef> ProvenanceRecorder::inputs() const
{
    std::lock_guard lock(m_mutex);
    return m_inputs;
}

Status ProvenanceRecorder::finalizeInto(RunRecord& record) const
{
    std::lock_guard lock(m_mutex);
    record.inputs = m_inputs;
    record.models = m_models;
    record.device = m_device;
    if (!m_cluster.isEmpty())
        record.cluster = m_cluster;
    record.warnings = m_warnings;
    record.warningCount = m_warningCount;
    for (auto it = m_libraries.begin(); it != m_libraries.end(); ++it)
        record.libraries.insert(it.key(), it.value());
    record.outputs.clear();
    for (FileRef out : m_outputs) {
        const QString absolute = QDir::isAbsolutePath(out.path) ? out.path : QDir(m_runDir).filePath(out.path);
        auto sha = Sha256::ofFile(absolute);
        if (!sha)
            return sha.error().withContext(QStringLiteral("output '%1'").arg(out.name));
        out.sha256 = *sha;
        out.size = QFileInfo(absolute).size();
        record.outputs.append(out);
    }
    return okStatus();
}

} // namespace bioforge::core
