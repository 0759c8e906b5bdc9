#include "settings/workbench_settings.h"

#include <QDir>
#include <QJsonDocument>
#include <QSettings>
#include <QStandardPaths>
#include <QThread>

namespace bioforge::core {
namespace {
const QString kCpuThreads = QStringLiteral("compute/cpuThreads");
const QString kMaxJobs = QStringLiteral("compute/maxConcurrentJobs");
const QString kDevice = QStringLiteral("compute/preferredDevice");
const QString kModels = QStringLiteral("folders/models");
const QString kCache = QStringLiteral("folders/cache");
const QString kRecent = QStringLiteral("projects/recent");
const QString kCluster = QStringLiteral("cluster/options");

QString dataDir() { return QStandardPaths::writableLocation(QStandardPaths::AppDataLocation); }
} // namespace

WorkbenchSettings::WorkbenchSettings() : m_settings(new QSettings(QStringLiteral("BioForge"), QStringLiteral("Workbench"))) {}
WorkbenchSettings::~WorkbenchSettings() { delete m_settings; }

Status WorkbenchSettings::save()
{
    m_settings->sync();
    switch (m_settings->status()) {
    case QSettings::NoError:
        return okStatus();
    case QSettings::AccessError:
        return Error(QStringLiteral("%1: the settings could not be saved: this user cannot write the file or its folder").arg(m_settings->fileName()),
                     Error::Kind::Io);
    case QSettings::FormatError:
        break;
    }
    return Error(QStringLiteral("%1: the settings could not be saved: the file is not in the settings format (move it away)").arg(m_settings->fileName()),
                 Error::Kind::Io);
}

QString WorkbenchSettings::fileName() const { return m_settings->fileName(); }

void WorkbenchSettings::resetToDefault(Setting setting)
{
    switch (setting) {
    case Setting::CpuThreads: m_settings->remove(kCpuThreads); return;
    case Setting::MaxConcurrentJobs: m_settings->remove(kMaxJobs); return;
    case Setting::Device: m_settings->remove(kDevice); return;
    case Setting::ModelFolder: m_settings->remove(kModels); return;
    case Setting::CacheFolder: m_settings->remove(kCache); return;
    case Setting::ClusterOptions: m_settings->remove(kCluster); return;
    }
}

std::optional<int> WorkbenchSettings::savedCpuThreads() const
{
    bool ok = false;
    const int n = m_settings->value(kCpuThreads).toInt(&ok);
    return ok && n >= 1 ? std::optional<int>(n) : std::nullopt;
}

std::optional<QString> WorkbenchSettings::savedDevice() const
{
    const QString device = m_settings->value(kDevice).toString();
    return device.isEmpty() || device == QLatin1String("auto") ? std::nullopt : std::optional<QString>(device);
}

QJsonObject WorkbenchSettings::clusterOptions() const
{
    const QJsonObject saved = QJsonDocument::fromJson(m_settings->value(kCluster).toByteArray()).object();
    return saved.isEmpty() ? QJsonObject{{QStringLiteral("backend"), QStringLiteral("slurm")}, {QStringLiteral("shards"), 4}} : saved;
}

void WorkbenchSettings::setClusterOptions(const QJsonObject& options)
{
    m_settings->setValue(kCluster, QJsonDocument(options).toJson(QJsonDocument::Compact));
}

QJsonObject WorkbenchSettings::pluginSettings(const QString& pluginId) const
{
    return QJsonDocument::fromJson(m_settings->value(QStringLiteral("plugins/%1").arg(pluginId)).toByteArray()).object();
}

void WorkbenchSettings::setPluginSettings(const QString& pluginId, const QJsonObject& settings)
{
    const QString key = QStringLiteral("plugins/%1").arg(pluginId);
    if (settings.isEmpty())
        m_settings->remove(key);
    else
        m_settings->setValue(key, QJsonDocument(settings).toJson(QJsonDocument::Compact));
    m_settings->sync();
}

int WorkbenchSettings::cpuThreads() const
{
    return qMax(1, m_settings->value(kCpuThreads, QThread::idealThreadCount()).toInt());
}
void WorkbenchSettings::setCpuThreads(int n) { m_settings->setValue(kCpuThreads, qMax(1, n)); }

int WorkbenchSettings::maxConcurrentJobs() const { return qMax(1, m_settings->value(kMaxJobs, 2).toInt()); }
void WorkbenchSettings::setMaxConcurrentJobs(int n) { m_settings->setValue(kMaxJobs, qMax(1, n)); }

QString WorkbenchSettings::modelFolder() const
{
    // An empty or relative value would put downloads wherever the program was started: the default instead.
    const QString fallback = QDir(dataDir()).filePath(QStringLiteral("models"));
    const QString value = m_settings->value(kModels, fallback).toString();
    return value.isEmpty() || QDir::isRelativePath(value) ? fallback : QDir::cleanPath(value);
}
void WorkbenchSettings::setModelFolder(const QString& folder) { m_settings->setValue(kModels, folder); }

QString WorkbenchSettings::cacheFolder() const
{
    const QString fallback = QStandardPaths::writableLocation(QStandardPaths::CacheLocation);
    const QString value = m_settings->value(kCache, fallback).toString();
    return value.isEmpty() || QDir::isRelativePath(value) ? fallback : QDir::cleanPath(value);
}
void WorkbenchSettings::setCacheFolder(const QString& folder) { m_settings->setValue(kCache, folder); }

QString WorkbenchSettings::preferredDevice() const { return m_settings->value(kDevice, QStringLiteral("auto")).toString(); }
void WorkbenchSettings::setPreferredDevice(const QString& device) { m_settings->setValue(kDevice, device); }

QStringList WorkbenchSettings::recentProjects() const { return m_settings->value(kRecent).toStringList(); }

void WorkbenchSettings::addRecentProject(const QString& folder)
{
    QStringList list = recentProjects();
    const QString absolute = QDir(folder).absolutePath();
    list.removeAll(absolute);
    list.prepend(absolute);
    while (list.size() > kMaxRecentProjects)
        list.removeLast();
    m_settings->setValue(kRecent, list);
}

void WorkbenchSettings::noteProjectUsed(const QString& folder)
{
    QStringList list = recentProjects();
    const QString absolute = QDir(folder).absolutePath();
    if (list.contains(absolute))
        return;
    while (list.size() >= kMaxRecentProjects)
        list.removeLast();
    list.append(absolute);
    m_settings->setValue(kRecent, list);
}

QString WorkbenchSettings::defaultProjectFolder() const
{
    return QDir(QStandardPaths::writableLocation(QStandardPaths::DocumentsLocation)).filePath(QStringLiteral("BioForge/Default project"));
}

QString WorkbenchSettings::demoProjectFolder() { return QDir(QDir::homePath()).filePath(QStringLiteral("BioForge/demo-project")); }

} // namespace bioforge::core
