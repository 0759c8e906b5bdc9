#pragma once

// The workbench's settings (QSettings), with every default in this one place:
// threads, concurrent jobs, model and cache folders, recent projects.

#include "util/expected.h"

#include <QJsonObject>
#include <QString>
#include <QStringList>

#include <optional>

class QSettings;

namespace bioforge::core {

class WorkbenchSettings {
public:
    WorkbenchSettings();
    ~WorkbenchSettings();

    // The threads and device a run uses where its command does not say (`bioforge settings set
    // threads 4`, Settings ▸ Compute): only what was set, nothing when left at the default.
    std::optional<int> savedCpuThreads() const;
    std::optional<QString> savedDevice() const;
    int cpuThreads() const;          // threads a CPU job may use (default: all cores)
    void setCpuThreads(int n);
    int maxConcurrentJobs() const;   // jobs run at once (default 2)
    void setMaxConcurrentJobs(int n);
    QString modelFolder() const;
    void setModelFolder(const QString& folder);
    QString cacheFolder() const;
    void setCacheFolder(const QString& folder);
    QString preferredDevice() const; // "auto", "cpu", "cuda:0", …
    void setPreferredDevice(const QString& device);

    // Options of runs sent to a Slurm cluster (core/cluster/slurm_options.h, as JSON):
    // the run dialog's "Run on the Slurm cluster" and `bioforge run … --cluster slurm` start from them.
    QJsonObject clusterOptions() const; // default {"backend": "slurm", "shards": 4}
    void setClusterOptions(const QJsonObject& options);

    // The settings above that `resetToDefault` returns to their defaults.
    enum class Setting { CpuThreads, MaxConcurrentJobs, Device, ModelFolder, CacheFolder, ClusterOptions };
    // Forgets the saved value of a setting, which then has its default (`bioforge settings unset`).
    void resetToDefault(Setting setting);

    // A plugin's own settings (IPlugin::settingSpecs), one JSON object per plugin id.
    QJsonObject pluginSettings(const QString& pluginId) const;
    void setPluginSettings(const QString& pluginId, const QJsonObject& settings);

    // The projects opened lately, the window's last first: the window opens the first one.
    QStringList recentProjects() const;
    // A project the window opened: first in the list.
    void addRecentProject(const QString& folder);
    // A project the command line used: in the list, where it is or else last (in place of the
    // oldest when the list is full) — a terminal's `runs` in a colleague's project made the window
    // open that one next (trial 21).
    void noteProjectUsed(const QString& folder);
    QString defaultProjectFolder() const;
    // Where the demo runs when no project is named (`bioforge demo`, `bioforge-workbench --demo`,
    // installer/demo.sh): ~/BioForge/demo-project, apart from the default project real work goes
    // to (trial 21 T21-13).
    static QString demoProjectFolder();

    static constexpr int kMaxRecentProjects = 8;

    // Writes what was set to the settings file now; an error (kind Io) naming the file when it
    // could not be (a folder or file this user cannot write, a file that is not in the settings
    // format): QSettings otherwise drops the change without a word.
    Status save();
    // The settings file's path (~/.config/BioForge/Workbench.conf on Linux).
    QString fileName() const;

private:
    QSettings* m_settings;
};

} // namespace bioforge::core
