#pragma once

// One project = one folder: project.sqlite, runs/<run>/ (outputs and
// provenance), checkpoints/<checkpoint id>/, reports/, logs/, cache/.

#include "store/project_store.h"
#include "util/expected.h"

#include <QString>

#include <memory>

namespace bioforge::core {

class Project {
public:
    // Opens a project folder; creates it when `create` is set and it does not exist.
    static Expected<std::unique_ptr<Project>> open(const QString& folder, bool create);
    static bool looksLikeProject(const QString& folder);

    const QString& folder() const { return m_folder; }
    QString name() const;
    QString databasePath() const;
    QString runDir(const QString& runId) const;
    QString checkpointDir(const QString& checkpointId) const;
    QString reportsDir() const;
    QString logsDir() const;
    QString cacheDir() const; // results a plugin reuses across runs (cache/<plugin>/…)
    ProjectStore& store() const { return *m_store; }

private:
    Project() = default;
    QString m_folder;
    std::unique_ptr<ProjectStore> m_store;
};

} // namespace bioforge::core
