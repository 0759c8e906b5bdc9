#include "store/project_recovery.h"

#include "io/json_file.h"
#include "store/project.h"
#include "store/project_store.h"

#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QUuid>

#include <algorithm>
#include <optional>

namespace bioforge::core {
namespace {

constexpr auto kDatabase = "project.sqlite";

// Whether SQLite reads the database as sound (PRAGMA quick_check says "ok"); the damage found, or
// nullopt where the file is sound. An error for a failure that is no damage (permissions).
Expected<std::optional<QString>> damageOf(const QString& path)
{
    const QString connection = QStringLiteral("bioforge-recovery-%1").arg(QUuid::createUuid().toString(QUuid::Id128));
    std::optional<QString> damage;
    QString failure;
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), connection);
        db.setDatabaseName(path);
        db.setConnectOptions(QStringLiteral("QSQLITE_OPEN_READONLY"));
        if (!db.open()) {
            failure = db.lastError().text();
        } else {
            QSqlQuery q(db);
            if (!q.exec(QStringLiteral("PRAGMA quick_check"))) {
                const int primary = q.lastError().nativeErrorCode().toInt() & 0xff;
                if (primary == 11 || primary == 26) // SQLITE_CORRUPT, SQLITE_NOTADB
                    damage = q.lastError().databaseText();
                else
                    failure = q.lastError().text();
            } else {
                QStringList problems;
                while (q.next() && problems.size() < 3)
                    if (q.value(0).toString() != QLatin1String("ok"))
                        problems << q.value(0).toString();
                if (!problems.isEmpty())
                    damage = problems.join(QStringLiteral("; "));
            }
        }
        db.close();
    }
    QSqlDatabase::removeDatabase(connection);
    if (!failure.isEmpty())
        return Error(QStringLiteral("%1: cannot read the project database (%2)").arg(path, failure), Error::Kind::Io);
    return damage;
}

// Each runs/<id>/provenance.json that reads as a run record of that id.
void readRecords(const QString& folder, ProjectRecovery& r)
{
    const QDir runs(QDir(folder).filePath(QStringLiteral("runs")));
    for (const QString& id : runs.entryList(QDir::Dirs | QDir::NoDotAndDotDot, QDir::Name)) {
        const QString file = runs.filePath(id + QStringLiteral("/provenance.json"));
        if (!QFileInfo::exists(file)) {
            r.unreadable << QStringLiteral("%1: no provenance.json (a run of an earlier version killed before it ended)").arg(id);
            continue;
        }
        auto json = readJsonObjectFile(file);
        auto record = json ? RunRecord::fromJson(*json) : Expected<RunRecord>(json.error());
        const QJsonObject owner = json ? json->value(QLatin1String("owner")).toObject() : QJsonObject();
        if (!record) {
            r.unreadable << QStringLiteral("%1: %2").arg(id, record.error().message());
            continue;
        }
        if (record->runId != id) {
            r.unreadable << QStringLiteral("%1: provenance.json is the record of run %2").arg(id, record->runId);
            continue;
        }
        if (record->state == RunState::Queued || record->state == RunState::Running) {
            const RunOwner by{owner.value(QLatin1String("pid")).toInteger(), owner.value(QLatin1String("host")).toString(),
                              owner.value(QLatin1String("process_start")).toString()};
            if (by.pid > 0 && by.isAlive())
                r.live << QStringLiteral("%1 (process %2 on %3)").arg(id, QString::number(by.pid), by.host);
            record->state = RunState::Interrupted;
            record->error = QStringLiteral("interrupted: its process ended before the run did; found again from runs/%1/provenance.json").arg(id);
            r.interrupted << id;
        }
        r.runs << *record;
    }
    // Parents before the runs that resume them (a chain's runs were created one after another).
    std::stable_sort(r.runs.begin(), r.runs.end(), [](const RunRecord& a, const RunRecord& b) { return a.createdAt < b.createdAt; });
}

Status addRuns(ProjectStore& store, const QList<RunRecord>& runs)
{
    for (const RunRecord& run : runs)
        if (Status st = store.insertRecoveredRun(run); !st)
            return st;
    return okStatus();
}

} // namespace

Expected<ProjectRecovery> recoverProjectRuns(const QString& folder, bool dryRun, bool evenIfRunning)
{
    const QDir dir(folder);
    if (!QFileInfo(dir.filePath(QStringLiteral("runs"))).isDir())
        return Error(QStringLiteral("%1: no runs/ folder: not a BioForge project, or not one with runs to recover").arg(folder), Error::Kind::NotFound);
    ProjectRecovery r;
    const QString database = dir.filePath(QLatin1String(kDatabase));
    const QFileInfo info(database);
    if (!info.exists()) {
        r.database = ProjectRecovery::Database::Missing;
    } else if (info.size() == 0) {
        r.database = ProjectRecovery::Database::Empty;
    } else {
        auto damage = damageOf(database);
        if (!damage)
            return damage.error();
        if (*damage) {
            r.database = ProjectRecovery::Database::Damaged;
            r.damage = **damage;
        }
    }
    readRecords(folder, r);
    const auto refuseLive = [&]() -> std::optional<Error> {
        if (r.live.isEmpty() || dryRun || evenIfRunning)
            return std::nullopt;
        return Error(QStringLiteral("%1: %2 still going: %3; let it end or stop it (Ctrl-C where it runs), then recover (a process of another machine "
                                    "cannot be seen from here: where it is gone, `bioforge recover --even-if-running`)")
                         .arg(folder, r.live.size() == 1 ? QStringLiteral("a run is") : QStringLiteral("%1 runs are").arg(r.live.size()),
                              r.live.join(QStringLiteral(", "))),
                     Error::Kind::Failed);
    };

    if (r.database == ProjectRecovery::Database::Sound) {
        auto project = Project::open(folder, false);
        if (!project)
            return project.error();
        auto known = (*project)->store().runStates();
        if (!known)
            return known.error();
        QList<RunRecord> missing, newer;
        for (const RunRecord& run : r.runs) {
            if (!known->contains(run.runId)) {
                missing << run;
                continue;
            }
            r.present << run.runId;
            // A database put back from an older copy holds a run as it was then (paused, say) where its
            // file says how it ended since: the file's record is taken (review 69 R69-2). A run the file
            // says is under way is left as the database has it.
            if (r.interrupted.contains(run.runId) || !run.endedAt.isValid())
                continue;
            if (auto stored = (*project)->store().run(run.runId); stored && (!stored->endedAt.isValid() || stored->endedAt < run.endedAt))
                newer << run;
        }
        for (const RunRecord& run : newer)
            r.updated << run.runId;
        if (!dryRun)
            for (const RunRecord& run : newer)
                if (Status st = (*project)->store().updateRun(run); !st)
                    return st.error();
        r.interrupted.erase(std::remove_if(r.interrupted.begin(), r.interrupted.end(), [&](const QString& id) { return known->contains(id); }),
                            r.interrupted.end());
        r.runs = missing;
        r.live.erase(std::remove_if(r.live.begin(), r.live.end(), [&](const QString& l) { return known->contains(l.section(QLatin1Char(' '), 0, 0)); }),
                     r.live.end());
        if (auto refused = refuseLive())
            return *refused;
        if (!dryRun)
            if (Status st = addRuns((*project)->store(), r.runs); !st)
                return st.error();
        return r;
    }
    if (auto refused = refuseLive())
        return *refused;
    if (dryRun)
        return r;
    // A new database beside the old one, filled, then put in its place; the old one set aside whole.
    const QString fresh = database + QStringLiteral(".rebuilding");
    for (const char* suffix : {"", "-wal", "-shm"})
        QFile::remove(fresh + QLatin1String(suffix));
    {
        auto store = ProjectStore::open(fresh);
        if (!store)
            return store.error();
        if (Status st = addRuns(**store, r.runs); !st)
            return st.error();
    } // closed: its write-ahead log folded in
    if (QFileInfo(fresh + QStringLiteral("-wal")).size() > 0)
        return Error(QStringLiteral("%1: the rebuilt database's write-ahead log was not folded in; nothing was replaced").arg(fresh), Error::Kind::Io);
    // The old file and its log set aside whole (a log left without its database would be replayed
    // over the rebuilt one: review 69 R69-3).
    static const char* const kParts[] = {"", "-wal", "-shm"};
    if (std::any_of(std::begin(kParts), std::end(kParts), [&](const char* x) { return QFileInfo::exists(database + QLatin1String(x)); })) {
        r.setAside = database + QStringLiteral(".damaged-") + QDateTime::currentDateTimeUtc().toString(QStringLiteral("yyyyMMdd'T'HHmmss'Z'"));
        for (const char* suffix : {"", "-wal", "-shm"})
            if (QFileInfo::exists(database + QLatin1String(suffix)) && !QFile::rename(database + QLatin1String(suffix), r.setAside + QLatin1String(suffix)))
                return Error(QStringLiteral("%1: cannot set the damaged database aside as %2").arg(database + QLatin1String(suffix), r.setAside + QLatin1String(suffix)),
                             Error::Kind::Io);
    }
    if (!QFile::rename(fresh, database))
        return Error(QStringLiteral("%1: cannot put the rebuilt database in place (it is at %2)").arg(database, fresh), Error::Kind::Io);
    return r;
}

} // namespace bioforge::core
