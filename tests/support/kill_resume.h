#pragma once

// The kill -9 property (docs/reliability.md, issue 13): a job run from the
// command line is killed with SIGKILL at seeded random points, resumed with
// `bioforge resume` (each resume killed the same way) until one finishes; the
// finished run's outputs must be byte-identical to an uninterrupted run's,
// and the project database must pass PRAGMA integrity_check. Points are
// counted in the job's own durable progress (checkpoint entries, stored
// rows), never in time, so a round is reproducible from its seed.

#include <QByteArray>
#include <QProcessEnvironment>
#include <QString>
#include <QStringList>

#include <functional>

namespace bioforge::test {

struct KillResumeSpec {
    QString name;                 // for messages: "viral predict"
    QString workDir;              // projects are made below it
    QProcessEnvironment environment;
    // The bioforge arguments that start the run in `project`.
    std::function<QStringList(const QString& project)> start;
    // Durable progress so far in `project` (0 before anything is stored).
    std::function<int(const QString& project)> progress;
    // The run's outputs, concatenated, to compare.
    std::function<QByteArray(const QString& project, const QString& runId)> outputs;
    QByteArray expected;          // the uninterrupted run's outputs
    int rounds = 2;               // BIOFORGE_KILL_ROUNDS overrides (200 for the property run)
    int maxStep = 10;             // a kill comes after 0..maxStep-1 further progress units
    quint32 seed = 20261201;
};

struct KillResumeOutcome {
    int rounds = 0;
    int kills = 0;
    QString failure; // empty when every round finished identical and intact
};

// The uninterrupted run's outputs, or an empty array with *error.
QByteArray referenceOutputs(const KillResumeSpec& spec, QString* error);
KillResumeOutcome killResumeProperty(const KillResumeSpec& spec);
// PRAGMA integrity_check of an SQLite file: "ok", or what it found.
QString sqliteIntegrity(const QString& databasePath);
// The run id a `bioforge run`/`resume` names on stderr ("run … started", "resumed as run …").
QString runIdIn(const QString& stderrText);
QString finishedRunIdIn(const QString& stderrText);

} // namespace bioforge::test
