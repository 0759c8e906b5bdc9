// `bioforge recover` (core/store/project_recovery.h): a damaged, empty or lost
// project.sqlite rebuilt from runs/*/provenance.json — every run back with its
// record, a chain of resumes whole, a run that was under way interrupted, the
// damaged file kept aside; a sound database given the runs it lacks; a dry run
// changes nothing; a folder without a readable record is named, not guessed
// at (trial 24 T24-3).

#include "io/atomic_file.h"
#include "provenance/run_record.h"
#include "sample_run.h"
#include "store/project.h"
#include "store/project_recovery.h"
#include "store/project_store.h"
#include "support/test_support.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonObject>
#include <QJsonDocument>
#include <QTemporaryDir>
#include <QtTest>

using namespace bioforge::core;
using bioforge::core::test::sampleRun;

namespace {

// A project of four runs: one finished, one paused and resumed by a third that finished, one
// running (its process died with the database); each with its provenance.json, as the run service writes them.
QList<RunRecord> makeProject(const QString& folder)
{
    auto project = Project::open(folder, true);
    if (!project)
        return {};
    QList<RunRecord> runs;
    const QDateTime t0 = QDateTime::fromString(QStringLiteral("2026-12-01T10:00:00Z"), Qt::ISODate);
    RunRecord finished = sampleRun(QStringLiteral("r1-finished"));
    finished.createdAt = t0;
    finished.state = RunState::Finished;
    finished.endedAt = t0.addSecs(60);
    finished.outputs = {{QStringLiteral("table"), QStringLiteral("out.tsv"), QString(64, QLatin1Char('a')), 12}};
    finished.inputs = {{QStringLiteral("table"), QStringLiteral("/data/in.csv"), QString(64, QLatin1Char('b')), 99}};
    RunRecord paused = sampleRun(QStringLiteral("r2-paused"));
    paused.createdAt = t0.addSecs(120);
    paused.state = RunState::Paused;
    paused.endedAt = t0.addSecs(150);
    RunRecord resumed = sampleRun(QStringLiteral("r3-resumes"));
    resumed.createdAt = t0.addSecs(180);
    resumed.parentRunId = paused.runId;
    resumed.checkpointId = paused.runId;
    resumed.state = RunState::Finished;
    resumed.endedAt = t0.addSecs(200);
    RunRecord running = sampleRun(QStringLiteral("r4-running"));
    running.createdAt = t0.addSecs(240);
    running.state = RunState::Running;
    for (RunRecord* r : {&finished, &paused, &resumed, &running}) {
        RunRecord queued = *r;
        queued.state = RunState::Queued;
        if (!(*project)->store().insertRun(queued) || !(*project)->store().updateRun(*r))
            return {};
        QDir().mkpath((*project)->runDir(r->runId));
        if (!AtomicFile::write((*project)->runDir(r->runId) + QStringLiteral("/provenance.json"), QJsonDocument(r->toJson()).toJson()))
            return {};
        runs << *r;
    }
    return runs;
}

void damage(const QString& database)
{
    QFile f(database);
    QVERIFY(f.open(QIODevice::ReadWrite) && f.size() >= 4096);
    QVERIFY(f.seek(100)); // after the file header: page 1's schema table
    QVERIFY(f.write(QByteArray(4096 - 100, '\xA5')) > 0);
}

} // namespace

class TstProjectRecovery : public QObject {
    Q_OBJECT
    QTemporaryDir m_dir;

private slots:
    void aDamagedDatabaseIsRebuiltFromTheRunsRecords()
    {
        const QString folder = m_dir.filePath(QStringLiteral("damaged"));
        const QList<RunRecord> made = makeProject(folder);
        QCOMPARE(made.size(), 4);
        QVERIFY(bioforge::test::writeAll(folder + QStringLiteral("/runs/r5-garbage/provenance.json"), QByteArray("{not json")));
        const QString database = folder + QStringLiteral("/project.sqlite");
        damage(database);
        QVERIFY(!Project::open(folder, false));
        const QByteArray damagedBytes = bioforge::test::readAll(database);

        // A dry run says what it would do and changes nothing.
        auto dry = recoverProjectRuns(folder, true);
        QVERIFY2(dry, dry ? "" : qPrintable(dry.error().message()));
        QCOMPARE(dry->database, ProjectRecovery::Database::Damaged);
        QCOMPARE(dry->runs.size(), 4);
        QCOMPARE(bioforge::test::readAll(database), damagedBytes);

        auto r = recoverProjectRuns(folder, false);
        QVERIFY2(r, r ? "" : qPrintable(r.error().message()));
        QCOMPARE(r->database, ProjectRecovery::Database::Damaged);
        QVERIFY(!r->damage.isEmpty());
        QCOMPARE(r->interrupted, QStringList{QStringLiteral("r4-running")});
        QCOMPARE(r->unreadable.size(), 1);
        QVERIFY2(r->unreadable.first().startsWith(QStringLiteral("r5-garbage: ")), qPrintable(r->unreadable.first()));
        QCOMPARE(bioforge::test::readAll(r->setAside), damagedBytes); // kept whole

        auto project = Project::open(folder, false);
        QVERIFY2(project, project ? "" : qPrintable(project.error().message()));
        auto runs = (*project)->store().runs();
        QVERIFY(runs);
        QCOMPARE(runs->size(), 4);
        for (const RunRecord& want : made) {
            auto got = (*project)->store().run(want.runId);
            QVERIFY2(got, qPrintable(want.runId));
            if (want.state == RunState::Running) {
                QCOMPARE(got->state, RunState::Interrupted);
                QVERIFY(got->resumable());
                continue;
            }
            QCOMPARE(got->toJson(), want.toJson());
        }
        // The chain of resumes is whole: the paused run's continuation is found.
        const RunRecord* continuation = continuationOf(*runs, QStringLiteral("r2-paused"));
        QVERIFY(continuation && continuation->runId == QStringLiteral("r3-resumes"));
        // The rebuilt database takes new runs.
        QVERIFY((*project)->store().insertRun(sampleRun(QStringLiteral("r6-new"))));
    }

    void anEmptyOrMissingDatabaseIsRebuilt()
    {
        for (const bool empty : {true, false}) {
            const QString folder = m_dir.filePath(empty ? QStringLiteral("empty") : QStringLiteral("missing"));
            QCOMPARE(makeProject(folder).size(), 4);
            const QString database = folder + QStringLiteral("/project.sqlite");
            for (const char* suffix : {"", "-wal", "-shm"})
                QFile::remove(database + QLatin1String(suffix));
            if (empty)
                QVERIFY(bioforge::test::writeAll(database, QByteArray()));
            auto r = recoverProjectRuns(folder, false);
            QVERIFY2(r, r ? "" : qPrintable(r.error().message()));
            QCOMPARE(r->database, empty ? ProjectRecovery::Database::Empty : ProjectRecovery::Database::Missing);
            QCOMPARE(r->setAside.isEmpty(), !empty);
            auto project = Project::open(folder, false);
            QVERIFY2(project, project ? "" : qPrintable(project.error().message()));
            QCOMPARE((*project)->store().runs()->size(), 4);
        }
    }

    // A sound database (one put back from an older copy) gets the runs of runs/ it lacks, and
    // nothing else changes; asked again, there is nothing to add.
    void aSoundDatabaseGetsTheRunsItLacks()
    {
        const QString folder = m_dir.filePath(QStringLiteral("sound"));
        QCOMPARE(makeProject(folder).size(), 4);
        {
            auto project = Project::open(folder, false);
            QVERIFY(project);
            QVERIFY((*project)->store().deleteRuns({QStringLiteral("r1-finished")}));
        }
        auto r = recoverProjectRuns(folder, false);
        QVERIFY2(r, r ? "" : qPrintable(r.error().message()));
        QCOMPARE(r->database, ProjectRecovery::Database::Sound);
        QCOMPARE(r->runs.size(), 1);
        QCOMPARE(r->runs.first().runId, QStringLiteral("r1-finished"));
        QCOMPARE(r->present.size(), 3);
        QVERIFY(r->interrupted.isEmpty()); // r4 is in the database: its state there is left to `runs`
        // The database as an older copy had it: the resumed run not yet finished. Its file's later end is taken.
        {
            auto project = Project::open(folder, false);
            QVERIFY(project);
            auto stale = (*project)->store().run(QStringLiteral("r3-resumes"));
            QVERIFY(stale);
            stale->state = RunState::Running;
            stale->endedAt = QDateTime();
            QVERIFY((*project)->store().updateRun(*stale));
        }
        auto again = recoverProjectRuns(folder, false);
        QVERIFY(again && again->runs.isEmpty() && again->present.size() == 4);
        QVERIFY2(again->updated == QStringList{QStringLiteral("r3-resumes")}, qPrintable(again->updated.join(QLatin1Char(','))));
        {
            auto project = Project::open(folder, false);
            QVERIFY(project);
            QCOMPARE((*project)->store().run(QStringLiteral("r3-resumes"))->state, RunState::Finished);
        }
        auto third = recoverProjectRuns(folder, false);
        QVERIFY(third && third->runs.isEmpty() && third->updated.isEmpty());
        auto project = Project::open(folder, false);
        QVERIFY(project);
        QCOMPARE((*project)->store().run(QStringLiteral("r1-finished"))->state, RunState::Finished);
    }

    // A run whose process still runs (its provenance.json names it) is not put back as interrupted
    // while it runs: resumed from here, it would run twice on its checkpoints (review 69 R69-1).
    void aRunStillGoingIsNotRecoveredUnlessTold()
    {
        const QString folder = m_dir.filePath(QStringLiteral("live"));
        QCOMPARE(makeProject(folder).size(), 4);
        const QString file = folder + QStringLiteral("/runs/r4-running/provenance.json");
        QJsonObject json = QJsonDocument::fromJson(bioforge::test::readAll(file)).object();
        const RunOwner me = RunOwner::current();
        json.insert(QStringLiteral("owner"), QJsonObject{{QStringLiteral("pid"), me.pid}, {QStringLiteral("host"), me.host},
                                                         {QStringLiteral("process_start"), me.processStart}});
        QVERIFY(AtomicFile::write(file, QJsonDocument(json).toJson()));
        // A -wal left without its database goes aside with it, not replayed over the rebuilt one (R69-3).
        const QString database = folder + QStringLiteral("/project.sqlite");
        QFile::remove(database);
        QVERIFY(bioforge::test::writeAll(database + QStringLiteral("-wal"), QByteArray(100, 'w')));
        auto refused = recoverProjectRuns(folder, false);
        QVERIFY(!refused);
        QCOMPARE(refused.error().kind(), Error::Kind::Failed);
        QVERIFY2(refused.error().message().contains(QStringLiteral("r4-running (process %1").arg(me.pid)), qPrintable(refused.error().message()));
        QVERIFY(!QFileInfo::exists(database));
        auto dry = recoverProjectRuns(folder, true);
        QVERIFY(dry && dry->live.size() == 1);
        auto told = recoverProjectRuns(folder, false, true);
        QVERIFY2(told, told ? "" : qPrintable(told.error().message()));
        QVERIFY(!told->setAside.isEmpty() && QFileInfo::exists(told->setAside + QStringLiteral("-wal")));
        auto project = Project::open(folder, false);
        QVERIFY2(project, project ? "" : qPrintable(project.error().message()));
        QCOMPARE((*project)->store().runs()->size(), 4);
    }

    void aFolderWithoutRunsIsRefused()
    {
        auto r = recoverProjectRuns(m_dir.filePath(QStringLiteral("nothing-here")), false);
        QVERIFY(!r);
        QCOMPARE(r.error().kind(), Error::Kind::NotFound);
    }
};

QTEST_GUILESS_MAIN(TstProjectRecovery)
#include "tst_project_recovery.moc"
