#pragma once

// Everything a workbench process holds while it runs, wired once for the GUI
// and the command line alike: logging, plugins (with the built-in one), the
// model registry, devices, the job scheduler and the open project with its
// RunService.

#include "util/expected.h"

#include <QDateTime>
#include <QObject>
#include <QString>
#include <QStringList>

#include <memory>
#include <tuple>

class QFileSystemWatcher;

namespace bioforge::core {

class DeviceLeasePool;
class JobScheduler;
class ModelRegistry;
class PluginManager;
class Project;
class RunService;

class Session : public QObject {
    Q_OBJECT
public:
    struct Options {
        int maxConcurrentJobs = 2;
        QString modelRegistryFile; // empty: the default location
        QStringList pluginPaths;   // empty: the default search paths
        // The window: the registry file is watched, and a change another program made (a terminal's
        // `bioforge models import`) reloads it and emits modelsChanged.
        bool watchModelRegistry = false;
    };

    explicit Session(Options options, QObject* parent = nullptr);
    ~Session() override;

    // Opens (or creates) a project; running jobs of the previous one are paused first.
    Status openProject(const QString& folder, bool create);
    void closeProject();

    Project* project() const { return m_project.get(); }
    RunService* runs() const { return m_runs.get(); }
    JobScheduler& scheduler() const { return *m_scheduler; }
    PluginManager& plugins() const { return *m_plugins; }
    ModelRegistry& models() const { return *m_models; }
    DeviceLeasePool& devices() const { return *m_devices; }

    // Whoever changes the model registry (an import, the demo registering
    // its test models) says so; pages that list models reload them.
    void notifyModelsChanged() { emit modelsChanged(); }

signals:
    void projectChanged();
    void modelsChanged();

private:
    std::unique_ptr<PluginManager> m_plugins;
    std::unique_ptr<ModelRegistry> m_models;
    std::unique_ptr<DeviceLeasePool> m_devices;
    std::unique_ptr<JobScheduler> m_scheduler;
    std::unique_ptr<Project> m_project;
    std::unique_ptr<RunService> m_runs;

    // Options::watchModelRegistry: the registry file's folder is watched (an atomic write renames a
    // new file over it); the file's time and size tell a change from the lock file's comings and goings.
    void watchModelRegistry();
    void reloadModelRegistryIfChanged();
    QFileSystemWatcher* m_registryWatcher = nullptr;
    std::tuple<QDateTime, QDateTime, qint64> m_registryStamp;
};

} // namespace bioforge::core
