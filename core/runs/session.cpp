#include "runs/session.h"

#include "compute/device_discovery.h"
#include "compute/device_lease.h"
#include "diagnostics/workbench_plugin.h"
#include "jobs/clock.h"
#include "jobs/job_scheduler.h"
#include "log/log.h"
#include "log/logging.h"
#include "models/model_registry.h"
#include "plugin/plugin_manager.h"
#include "provenance/environment_info.h"
#include "runs/run_service.h"
#include "settings/workbench_settings.h"
#include "store/project.h"

#include <QDir>
#include <QFileInfo>
#include <QFileSystemWatcher>
#include <QStandardPaths>

namespace bioforge::core {

Session::Session(Options options, QObject* parent) : QObject(parent)
{
    m_models = std::make_unique<ModelRegistry>(options.modelRegistryFile.isEmpty() ? ModelRegistry::defaultRegistryFile()
                                                                                   : options.modelRegistryFile);
    if (Status st = m_models->load(); !st)
        log::error(QStringLiteral("model registry not loaded: %1").arg(st.error().message()));
    m_plugins = std::make_unique<PluginManager>();
    if (!options.pluginPaths.isEmpty())
        m_plugins->setSearchPaths(options.pluginPaths);
    m_plugins->addBuiltin(new WorkbenchPlugin, WorkbenchPlugin::metadata());
    PluginContext context;
    context.applicationVersion = EnvironmentInfo::applicationVersion();
    context.dataDir = QStandardPaths::writableLocation(QStandardPaths::AppDataLocation);
    context.models = m_models.get();
    context.settingsOf = [](const QString& pluginId) { return WorkbenchSettings().pluginSettings(pluginId); };
    m_plugins->loadAll(context);
    m_devices = std::make_unique<DeviceLeasePool>(DeviceDiscovery::report().devices);
    m_scheduler = std::make_unique<JobScheduler>(*m_devices, SteadyClock::instance(), options.maxConcurrentJobs);
    if (options.watchModelRegistry)
        watchModelRegistry();
}

namespace {
// The file's modification and status-change times (an atomic write renames a new file over it)
// and its size.
std::tuple<QDateTime, QDateTime, qint64> stampOf(const QString& file)
{
    const QFileInfo info(file);
    return info.exists() ? std::tuple{info.lastModified(), info.metadataChangeTime(), info.size()} : std::tuple{QDateTime(), QDateTime(), qint64(-1)};
}
} // namespace

void Session::watchModelRegistry()
{
    const QString folder = QFileInfo(m_models->file()).absolutePath();
    if (!QDir().mkpath(folder)) { // where a first import will write it
        log::warn(QStringLiteral("%1: the model registry's folder cannot be made: models imported by another program are seen after a restart").arg(folder));
        return;
    }
    m_registryStamp = stampOf(m_models->file());
    m_registryWatcher = new QFileSystemWatcher(QStringList{folder}, this);
    connect(m_registryWatcher, &QFileSystemWatcher::directoryChanged, this, &Session::reloadModelRegistryIfChanged);
}

void Session::reloadModelRegistryIfChanged()
{
    const auto stamp = stampOf(m_models->file());
    if (stamp == m_registryStamp)
        return;
    if (Status st = m_models->load(); !st) { // tried again at the next change (a write half done is never seen: it is atomic)
        log::warn(QStringLiteral("the model registry changed on disk and could not be read again: %1").arg(st.error().message()));
        return;
    }
    m_registryStamp = stamp;
    emit modelsChanged();
}

Session::~Session()
{
    m_scheduler->pauseAllAndWait(); // pause = checkpoint and stop: no work is lost on exit
    m_runs.reset();
    m_project.reset();
    m_plugins->shutdown();
    Logging::detachFile();
}

Status Session::openProject(const QString& folder, bool create)
{
    auto project = Project::open(folder, create);
    if (!project)
        return project.error();
    closeProject();
    m_project = std::move(*project);
    // Said once where it cannot be written (a runs' failures are otherwise kept there); a read-only project is not written at all.
    if (QString why; !Logging::attachFile(m_project->logsDir(), &why) && !m_project->store().readOnly())
        log::warn(QStringLiteral("%1: the project log cannot be written (%2): this session's messages are not kept in it").arg(m_project->logsDir(), why));
    m_runs = std::make_unique<RunService>(*m_project, *m_plugins, *m_scheduler);
    log::info(QStringLiteral("project opened: %1").arg(m_project->folder()));
    emit projectChanged();
    return okStatus();
}

void Session::closeProject()
{
    if (!m_project)
        return;
    m_scheduler->pauseAllAndWait();
    m_scheduler->forgetEnded(); // its runs, all ended now: not listed beside the next project's
    m_runs.reset();
    m_project.reset();
    Logging::detachFile();
    emit projectChanged();
}

} // namespace bioforge::core
