#pragma once

// Putting a project's run list back from the runs' own records. Every run
// writes its record (the JSON of RunRecord::toJson) to runs/<id>/provenance.json
// when it is recorded, starts, pins its inputs and ends; the project database
// (project.sqlite) holds the same records. When the database is damaged, lost
// or empty (a full disk, a copy cut short, a crash of the disk), it is rebuilt
// from those files: the damaged file is set aside (project.sqlite.damaged-<time>,
// never deleted) and a new database holds every run whose record reads back.
// When the database is sound, the runs of runs/ it lacks (a database put back
// from an older copy) are added to it, and a run whose file records a later end
// than the database (paused then, finished since) is updated from its file. A run recorded as queued or running
// (its process died with the database) comes back interrupted: resumable from
// its checkpoints, which stay in checkpoints/.

#include "provenance/run_record.h"
#include "util/expected.h"

#include <QString>
#include <QStringList>

namespace bioforge::core {

struct ProjectRecovery {
    enum class Database { Sound, Damaged, Missing, Empty };
    Database database = Database::Sound;
    QString damage;          // what SQLite said of a damaged database
    QString setAside;        // where a rebuilt project's old database went (empty: nothing set aside)
    QList<RunRecord> runs;   // recovered (rebuilt: all; sound: those added), oldest first
    QStringList interrupted; // of them, the runs recorded as queued or running
    QStringList unreadable;  // run folders without a record that reads: "<folder>: why"
    QStringList present;     // sound database: runs of runs/ it holds already
    QStringList updated;     // of them, those whose provenance.json records a later end than the database: taken from the file
    QStringList live;        // queued or running in a process that still runs: "<run> (process P on HOST)"
};

// `folder`: the project folder (its runs/ must exist). `dryRun`: only what would be done. Errors
// (Kind::Io) where the database cannot be read for another reason than damage (a read-only place,
// permissions: the error says which) or the new one cannot be written; (Kind::Failed) where a run
// is still going in a process that runs (this machine's, or one of another machine, which cannot be
// told from here) unless `evenIfRunning` — resumed from here it would run twice on its
// checkpoints. Nothing is changed then.
Expected<ProjectRecovery> recoverProjectRuns(const QString& folder, bool dryRun, bool evenIfRunning = false);

} // namespace bioforge::core
