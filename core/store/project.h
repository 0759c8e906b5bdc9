#pragma once

// One project = one folder: project.sqlite, runs/<run>/ (outputs and
// provenance), checkpoints/<checkpoint id>/, reports/, logs/, cache/.

#include "store/project_store.h"
#include "util/expected.h"

#include <QString>

#include <memory>
#include <utility>

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
    // Whether the folder is still where it was opened, holding the database opened (the same file:
    // device and inode, where the system has them). An error (Kind::NotFound) says it was moved,
    // renamed, deleted or replaced while open, and to open it where it is now: run folders made at
    // the old path would split the project (trial 21). A stat of two paths: cheap to ask often.
    Status inPlace() const;

private:
    Project() = default;
    // The database file's identity when opened (st_dev, st_ino; zeros where unknown).
    static std::pair<quint64, quint64> fileIdentity(const QString& path);

    QString m_folder;
    std::pair<quint64, quint64> m_databaseIdentity{0, 0};
    std::unique_ptr<ProjectStore> m_store;
};

} // namespace bioforge::core
