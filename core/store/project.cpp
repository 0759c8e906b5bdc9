#include "store/project.h"

#include "cluster/slurm_options.h"
#include "io/folder.h"
#include "store/sqlite_read_only.h"
#include "util/short_list.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>

#ifdef Q_OS_UNIX
#include <sys/stat.h>
#endif

namespace bioforge::core {
namespace {
constexpr auto kDatabaseName = "project.sqlite";
const char* const kSubFolders[] = {"runs", "checkpoints", "reports", "logs"};

// What a creation killed before the database existed leaves: some of the
// project's own sub-folders, all empty, and nothing else.
bool interruptedCreation(const QString& folder)
{
    const QFileInfoList entries = QDir(folder).entryInfoList(QDir::AllEntries | QDir::NoDotAndDotDot | QDir::Hidden);
    for (const QFileInfo& e : entries) {
        bool ours = false;
        for (const char* sub : kSubFolders)
            ours = ours || e.fileName() == QLatin1String(sub);
        if (!ours || !e.isDir() || !QDir(e.absoluteFilePath()).isEmpty(QDir::AllEntries | QDir::NoDotAndDotDot | QDir::Hidden))
            return false;
    }
    return true;
}
} // namespace

bool Project::looksLikeProject(const QString& folder)
{
    return QFileInfo::exists(QDir(folder).filePath(QLatin1String(kDatabaseName)));
}

Expected<std::unique_ptr<Project>> Project::open(const QString& folder, bool create)
{
    const QString absolute = QDir(folder).absolutePath();
    if (!QFileInfo::exists(absolute)) {
        if (!create)
            return Error(QStringLiteral("%1: no such project folder (a project is created by the first run in it: `bioforge --project %2 run …`, "
                                        "or the window's File ▸ New project)").arg(absolute, shellWord(absolute)),
                         Error::Kind::NotFound);
        if (Status made = makeFolder(absolute); !made)
            return made.error();
    } else if (!QFileInfo(absolute).isDir()) {
        return Error(QStringLiteral("%1: not a folder").arg(absolute));
    }
    if (!looksLikeProject(absolute)) {
        if (!create)
            return Error(QStringLiteral("%1: not a BioForge project (no %2)").arg(absolute, QLatin1String(kDatabaseName)));
        // A new project gets a folder of its own: never spread runs/, checkpoints/… into a home or data folder.
        // (A creation that was killed before its database existed is finished now.)
        if (!interruptedCreation(absolute))
            return Error(QStringLiteral("%1: the folder is not empty and is not a BioForge project; choose a new or empty folder for a project")
                             .arg(absolute));
    }
    // An empty database beside run folders is a database that was lost (a copy cut short, a full
    // disk): SQLite would take it for a new project and the run history would look gone.
    const QFileInfo database(QDir(absolute).filePath(QLatin1String(kDatabaseName)));
    if (database.exists() && database.size() == 0) {
        const QStringList runs = QDir(QDir(absolute).filePath(QStringLiteral("runs"))).entryList(QDir::Dirs | QDir::NoDotAndDotDot);
        if (!runs.isEmpty())
            return Error(QStringLiteral("%1 is empty (0 bytes) but runs/ holds %2 run folder(s) (%3): the project's database was lost (a copy cut "
                                        "short, a full disk). `bioforge recover` rebuilds it from runs/*/provenance.json, or put back a copy of project.sqlite "
                                        "(with its -wal file, if any); to start the project anew, move runs/ and checkpoints/ away first")
                             .arg(database.filePath())
                             .arg(runs.size())
                             .arg(shortList(runs, QStringLiteral(", "), 3)),
                         Error::Kind::Failed);
    }
    std::unique_ptr<Project> project(new Project);
    project->m_folder = absolute;
    // A project on a read-only mount (an archive, a colleague's share) is opened to read: its runs listed, shown, reported.
    const bool readOnly = readOnlyFile(database.filePath());
    for (const char* sub : kSubFolders)
        if (!readOnly && !QDir(absolute).mkpath(QLatin1String(sub)))
            return Error(QStringLiteral("%1: cannot create sub-folder %2").arg(absolute, QLatin1String(sub)));
    auto store = ProjectStore::open(project->databasePath(), readOnly);
    if (!store)
        return store.error();
    project->m_store = std::move(*store);
    project->m_databaseIdentity = fileIdentity(project->databasePath());
    return project;
}

std::pair<quint64, quint64> Project::fileIdentity(const QString& path)
{
#ifdef Q_OS_UNIX
    struct stat st {};
    if (::stat(QFile::encodeName(path).constData(), &st) == 0)
        return {quint64(st.st_dev), quint64(st.st_ino)};
#else
    Q_UNUSED(path);
#endif
    return {0, 0};
}

Status Project::inPlace() const
{
    const QString reopen = QStringLiteral("open it again where it is now (File ▸ Open project…, or bioforge --project FOLDER); nothing is written at "
                                          "the old place, which would split the project in two");
    if (!QFileInfo(m_folder).isDir())
        return Error(QStringLiteral("the project folder %1 is gone: it was moved, renamed or deleted while open; %2").arg(m_folder, reopen),
                     Error::Kind::NotFound);
    if (!QFileInfo::exists(databasePath()))
        return Error(QStringLiteral("%1 no longer holds the project's database (%2): the project was moved, renamed or deleted while open; %3")
                         .arg(m_folder, QLatin1String(kDatabaseName), reopen),
                     Error::Kind::NotFound);
    if (m_databaseIdentity != std::pair<quint64, quint64>{0, 0} && fileIdentity(databasePath()) != m_databaseIdentity)
        return Error(QStringLiteral("%1 now holds another %2 than the one opened: the project folder was replaced while open; %3")
                         .arg(m_folder, QLatin1String(kDatabaseName), reopen),
                     Error::Kind::NotFound);
    return okStatus();
}

QString Project::name() const { return QFileInfo(m_folder).fileName(); }
QString Project::databasePath() const { return QDir(m_folder).filePath(QLatin1String(kDatabaseName)); }
QString Project::runDir(const QString& runId) const { return QDir(m_folder).filePath(QStringLiteral("runs/") + runId); }
QString Project::checkpointDir(const QString& checkpointId) const
{
    return QDir(m_folder).filePath(QStringLiteral("checkpoints/") + checkpointId);
}
QString Project::reportsDir() const { return QDir(m_folder).filePath(QStringLiteral("reports")); }
QString Project::logsDir() const { return QDir(m_folder).filePath(QStringLiteral("logs")); }
QString Project::cacheDir() const { return QDir(m_folder).filePath(QStringLiteral("cache")); }

} // namespace bioforge::core
