// The project store: migrations, a newer schema refused cleanly, runs and
// their files, orphaned runs, caches and plugin schemas.

#include "store/project.h"
#include "store/project_store.h"
#include "store/migrations.h"
#include "sample_run.h"
#include "support/test_support.h"

#include <QDir>
#include <QFile>
#include <QScopeGuard>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QtTest>

#include <latch>
#include <limits>
#include <thread>

#include <csignal>
#include <sys/wait.h>
#include <unistd.h>

using namespace bioforge::core;
using bioforge::core::test::sampleRun;

class TstProjectStore : public QObject {
    Q_OBJECT
    QTemporaryDir m_dir;

private slots:
    void newProjectHasFoldersAndLatestSchema()
    {
        auto project = Project::open(m_dir.filePath(QStringLiteral("p1")), true);
        QVERIFY2(project, project ? "" : qPrintable(project.error().message()));
        for (const char* sub : {"runs", "checkpoints", "reports", "logs"})
            QVERIFY(QDir((*project)->folder()).exists(QLatin1String(sub)));
        QCOMPARE((*project)->store().schemaVersion(), qint64(Migrations::latest()));
        QSqlQuery q((*project)->store().database());
        QVERIFY(q.exec(QStringLiteral("PRAGMA journal_mode")) && q.next());
        QCOMPARE(q.value(0).toString(), QStringLiteral("wal"));
        QVERIFY(q.exec(QStringLiteral("PRAGMA foreign_keys")) && q.next());
        QCOMPARE(q.value(0).toInt(), 1);
    }

    // A creation killed between its sub-folders and its database (found by the chat
    // store's kill -9 property) is finished by the next creation; a folder with
    // anything else in it is still refused.
    void anInterruptedCreationIsFinishedNotRefused()
    {
        const QString folder = m_dir.filePath(QStringLiteral("interrupted"));
        for (const char* sub : {"runs", "checkpoints"})
            QVERIFY(QDir().mkpath(QDir(folder).filePath(QLatin1String(sub))));
        auto project = Project::open(folder, true);
        QVERIFY2(project, project ? "" : qPrintable(project.error().message()));
        QCOMPARE((*project)->store().schemaVersion(), qint64(Migrations::latest()));
        const QString other = m_dir.filePath(QStringLiteral("not-ours"));
        QVERIFY(QDir().mkpath(QDir(other).filePath(QStringLiteral("runs"))));
        QVERIFY(bioforge::test::writeAll(QDir(other).filePath(QStringLiteral("runs/thesis.docx")), "x"));
        auto refused = Project::open(other, true);
        QVERIFY(!refused);
        QVERIFY(refused.error().message().contains(QStringLiteral("not empty")));
    }

    // An empty project.sqlite beside run folders is a lost database, not a new project (the run
    // history would look gone and new runs would be recorded over it); alone, it is a creation.
    void anEmptyDatabaseBesideRunsIsRefused()
    {
        const QString folder = m_dir.filePath(QStringLiteral("lost-database"));
        QVERIFY(QDir().mkpath(QDir(folder).filePath(QStringLiteral("runs/20261201-101010-abcdef12"))));
        QVERIFY(bioforge::test::writeAll(QDir(folder).filePath(QStringLiteral("project.sqlite")), QByteArray()));
        for (bool create : {false, true}) {
            auto refused = Project::open(folder, create);
            QVERIFY(!refused);
            QVERIFY2(refused.error().message().contains(QStringLiteral("is empty (0 bytes) but runs/ holds 1 run folder(s) (20261201-101010-abcdef12)")),
                     qPrintable(refused.error().message()));
        }
        QCOMPARE(QFileInfo(QDir(folder).filePath(QStringLiteral("project.sqlite"))).size(), qint64(0));
        const QString fresh = m_dir.filePath(QStringLiteral("empty-database-only"));
        QVERIFY(QDir().mkpath(fresh));
        QVERIFY(bioforge::test::writeAll(QDir(fresh).filePath(QStringLiteral("project.sqlite")), QByteArray()));
        auto opened = Project::open(fresh, false);
        QVERIFY2(opened, opened ? "" : qPrintable(opened.error().message()));
    }

    void openingWithoutCreateNeedsAProject()
    {
        QVERIFY(!Project::open(m_dir.filePath(QStringLiteral("missing")), false));
        QDir().mkpath(m_dir.filePath(QStringLiteral("plain")));
        auto p = Project::open(m_dir.filePath(QStringLiteral("plain")), false);
        QVERIFY(!p);
        QVERIFY(p.error().message().contains(QStringLiteral("not a BioForge project")));
    }

    void newerSchemaIsRefusedAndLeftUntouched()
    {
        const QString path = m_dir.filePath(QStringLiteral("newer.sqlite"));
        {
            auto store = ProjectStore::open(path);
            QVERIFY(store);
            QSqlQuery q((*store)->database());
            QVERIFY(q.exec(QStringLiteral("PRAGMA user_version = %1").arg(Migrations::latest() + 5)));
        }
        auto again = ProjectStore::open(path);
        QVERIFY(!again);
        QVERIFY2(again.error().message().contains(QStringLiteral("newer BioForge")), qPrintable(again.error().message()));
        QVERIFY(again.error().message().contains(path));
    }

    // PRAGMA user_version is any signed 32-bit value another program or a damaged file
    // left; a negative one once indexed the migration list before its start (found by
    // fuzz_project_db, tests/fuzz/corpus/project_db/regress-negative-user-version).
    void invalidSchemaNumberIsRefusedAndLeftUntouched_data()
    {
        QTest::addColumn<qint64>("version");
        QTest::newRow("-1") << qint64(-1);
        QTest::newRow("-2") << qint64(-2);
        QTest::newRow("int32 min") << qint64(std::numeric_limits<qint32>::min());
    }
    void invalidSchemaNumberIsRefusedAndLeftUntouched()
    {
        QFETCH(qint64, version);
        const QString path = m_dir.filePath(QStringLiteral("negative%1.sqlite").arg(QTest::currentDataTag()));
        {
            auto store = ProjectStore::open(path);
            QVERIFY(store);
            QSqlQuery q((*store)->database());
            QVERIFY(q.exec(QStringLiteral("PRAGMA user_version = %1").arg(version)));
        }
        QFile before(path);
        QVERIFY(before.open(QIODevice::ReadOnly));
        const QByteArray bytes = before.readAll();
        before.close();
        auto again = ProjectStore::open(path);
        QVERIFY(!again);
        QVERIFY2(again.error().message().contains(QStringLiteral("not a valid schema number")), qPrintable(again.error().message()));
        QVERIFY(again.error().message().contains(path));
        QFile after(path);
        QVERIFY(after.open(QIODevice::ReadOnly));
        QCOMPARE(after.readAll(), bytes);
    }

    void otherSqliteFilesAreRefused()
    {
        const QString path = m_dir.filePath(QStringLiteral("other.sqlite"));
        {
            auto store = ProjectStore::open(path);
            QSqlQuery q((*store)->database());
            QVERIFY(q.exec(QStringLiteral("PRAGMA application_id = 12345")));
        }
        QVERIFY(!ProjectStore::open(path));
        // A file that is no database is named so; a damaged one (a good header, pages overwritten)
        // is "damaged", not "not an SQLite database", which reads as another kind of file.
        const QString text = m_dir.filePath(QStringLiteral("text.sqlite"));
        QVERIFY(bioforge::test::writeAll(text, QByteArray("runs,state\n").repeated(500)));
        auto notDb = ProjectStore::open(text);
        QVERIFY(!notDb);
        QVERIFY2(notDb.error().message().contains(QStringLiteral("not an SQLite database")), qPrintable(notDb.error().message()));
        const QString damaged = m_dir.filePath(QStringLiteral("damaged.sqlite"));
        {
            auto made = ProjectStore::open(damaged);
            QVERIFY(made);
        }
        QFile f(damaged);
        QVERIFY(f.open(QIODevice::ReadWrite) && f.size() >= 4096);
        QVERIFY(f.seek(100)); // after the file header: page 1's schema table
        QVERIFY(f.write(QByteArray(4096 - 100, '\xA5')) > 0);
        f.close();
        QFile::remove(damaged + QStringLiteral("-wal"));
        QFile::remove(damaged + QStringLiteral("-shm"));
        auto broken = ProjectStore::open(damaged);
        QVERIFY(!broken);
        QVERIFY2(broken.error().message().contains(QStringLiteral("the database is damaged")), qPrintable(broken.error().message()));
    }

    void runsAreStoredUpdatedAndListed()
    {
        auto store = ProjectStore::open(m_dir.filePath(QStringLiteral("runs.sqlite")));
        QVERIFY(store);
        RunRecord r = sampleRun(QStringLiteral("run-1"));
        QVERIFY((*store)->insertRun(r));
        QVERIFY(!(*store)->insertRun(r)); // same id twice
        r.state = RunState::Finished;
        r.outputs = {{QStringLiteral("table"), QStringLiteral("out.tsv"), QString(64, QLatin1Char('a')), 12}};
        QVERIFY((*store)->updateRun(r));
        auto back = (*store)->run(QStringLiteral("run-1"));
        QVERIFY(back);
        QCOMPARE(back->state, RunState::Finished);
        QCOMPARE(back->outputs.size(), 1);
        QCOMPARE(back->parameters.value(QStringLiteral("units")).toInt(), 3);
        QSqlQuery q((*store)->database());
        QVERIFY(q.exec(QStringLiteral("SELECT count(*) FROM run_files WHERE run_id = 'run-1' AND role = 'output'")) && q.next());
        QCOMPARE(q.value(0).toInt(), 1);
        QVERIFY(!(*store)->run(QStringLiteral("nope")));
        QVERIFY(!(*store)->updateRun(sampleRun(QStringLiteral("nope"))));
        // Progress, of one run and of all: never above 100 % whatever was written.
        QVERIFY((*store)->updateProgress(QStringLiteral("run-1"), 0.25));
        QCOMPARE(*(*store)->runProgress(QStringLiteral("run-1")), 0.25);
        QVERIFY((*store)->updateProgress(QStringLiteral("run-1"), 1.5));
        QCOMPARE(*(*store)->runProgress(QStringLiteral("run-1")), 1.0);
        QCOMPARE((*store)->runProgress()->value(QStringLiteral("run-1")), 1.0);
        const auto none = (*store)->runProgress(QStringLiteral("nope"));
        QVERIFY(!none);
        QCOMPARE(none.error().kind(), Error::Kind::NotFound);
    }

    // Two programs resuming one run at once, or one cancelling it while another resumes it: the
    // store checks the parent in the statement that writes, so one of them is refused.
    void aRunIsContinuedOnceAndNotCancelledAfterItsResume()
    {
        auto store = ProjectStore::open(m_dir.filePath(QStringLiteral("resumes.sqlite")));
        QVERIFY(store);
        RunRecord paused = sampleRun(QStringLiteral("paused"));
        paused.state = RunState::Paused;
        QVERIFY((*store)->insertRun(paused));
        RunRecord first = sampleRun(QStringLiteral("first"));
        first.parentRunId = paused.runId;
        RunRecord second = sampleRun(QStringLiteral("second"));
        second.parentRunId = paused.runId;
        QVERIFY((*store)->insertRun(first));
        const Status again = (*store)->insertRun(second);
        QVERIFY(!again);
        QCOMPARE(again.error().kind(), Error::Kind::Failed);
        QVERIFY2(again.error().message().contains(QStringLiteral("another program resumed or cancelled it")), qPrintable(again.error().message()));
        QVERIFY(!(*store)->run(second.runId));
        // Resumed: it is no longer cancelled as an idle run.
        RunRecord cancelled = paused;
        cancelled.state = RunState::Cancelled;
        const Status late = (*store)->updateIdleRun(cancelled);
        QVERIFY(!late);
        QVERIFY2(late.error().message().contains(QStringLiteral("changed meanwhile")), qPrintable(late.error().message()));
        QCOMPARE((*store)->run(paused.runId)->state, RunState::Paused);
        // A finished run is neither continued nor cancelled; a paused one without a continuation is cancelled.
        RunRecord done = sampleRun(QStringLiteral("done"));
        done.state = RunState::Finished;
        QVERIFY((*store)->insertRun(done));
        RunRecord ofDone = sampleRun(QStringLiteral("of-done"));
        ofDone.parentRunId = done.runId;
        QVERIFY(!(*store)->insertRun(ofDone));
        RunRecord doneCancelled = done;
        doneCancelled.state = RunState::Cancelled;
        QVERIFY(!(*store)->updateIdleRun(doneCancelled));
        RunRecord idle = sampleRun(QStringLiteral("idle"));
        idle.state = RunState::Interrupted;
        QVERIFY((*store)->insertRun(idle));
        idle.state = RunState::Cancelled;
        QVERIFY((*store)->updateIdleRun(idle));
        QCOMPARE((*store)->run(idle.runId)->state, RunState::Cancelled);
    }

    void runsOfDeadProcessesAreOrphans()
    {
        auto store = ProjectStore::open(m_dir.filePath(QStringLiteral("orphans.sqlite")));
        RunRecord alive = sampleRun(QStringLiteral("alive"));
        alive.state = RunState::Running;
        RunRecord dead = sampleRun(QStringLiteral("dead"));
        dead.state = RunState::Running;
        RunRecord done = sampleRun(QStringLiteral("done"));
        done.state = RunState::Finished;
        QVERIFY((*store)->insertRun(alive));
        RunOwner ghost = RunOwner::current();
        ghost.processStart = QStringLiteral("another-boot:1"); // same pid, different process
        QVERIFY((*store)->insertRun(dead, ghost));
        QVERIFY((*store)->insertRun(done, ghost));
        auto orphans = (*store)->orphanedRuns();
        QVERIFY(orphans);
        QCOMPARE(orphans->size(), 1);
        QCOMPARE(orphans->first().runId, QStringLiteral("dead"));
    }

    // A killed process its parent has not reaped yet (a zombie) no longer runs: its runs are
    // orphans (right after a kill -9, `resume` once said "nothing to resume" and `runs` "running").
    void aZombieOwnerIsNotAlive()
    {
        int gate[2];
        QVERIFY(::pipe(gate) == 0);
        const pid_t child = ::fork();
        QVERIFY(child >= 0);
        if (child == 0) {
            ::close(gate[1]);
            char c;
            (void)!::read(gate[0], &c, 1); // blocks until killed (or the parent's end closes)
            ::_exit(0);
        }
        ::close(gate[0]);
        bool reaped = false;
        const auto cleanup = qScopeGuard([&] { // whatever check fails, the child goes
            ::close(gate[1]);
            if (!reaped) {
                ::kill(child, SIGKILL);
                ::waitpid(child, nullptr, 0);
            }
        });
        const RunOwner owner = RunOwner::of(child);
        QVERIFY(!owner.processStart.isEmpty());
        QVERIFY(owner.isAlive());
        QVERIFY(::kill(child, SIGKILL) == 0);
        // Not reaped: the child stays a zombie until waitpid below.
        const QString stat = QStringLiteral("/proc/%1/stat").arg(child);
        QVERIFY(QTest::qWaitFor([&] { return bioforge::test::readAll(stat).contains(") Z "); }, 10000));
        const bool aliveAsZombie = owner.isAlive();
        ::waitpid(child, nullptr, 0);
        reaped = true;
        QVERIFY(!aliveAsZombie);
        QVERIFY(!owner.isAlive());
    }

    void cacheEntriesExpire()
    {
        auto store = ProjectStore::open(m_dir.filePath(QStringLiteral("cache.sqlite")));
        QVERIFY((*store)->cachePut(QStringLiteral("gene:1:hgnc:1"), "payload"));
        QCOMPARE(**(*store)->cacheGet(QStringLiteral("gene:1:hgnc:1")), QByteArray("payload"));
        QVERIFY((*store)->cachePut(QStringLiteral("old"), "x", QDateTime::currentDateTimeUtc().addSecs(-10)));
        QVERIFY(!(*store)->cacheGet(QStringLiteral("old"))->has_value());
        QVERIFY(!(*store)->cacheGet(QStringLiteral("absent"))->has_value());
    }

    // Two processes opening the same new project at once (two runs started together by a script
    // or a cluster array) both get it: the migration takes the write lock before it reads the
    // version, so the second waits and finds the tables made instead of failing on "table runs
    // already exists" (a new-user trial saw that in 3 of 15 pairs). Here two threads, released
    // together, on each of 24 new files, with a plugin's tables too.
    void twoOpeningsOfANewProjectAtOnceBothSucceed()
    {
        const QList<QStringList> plugin{{QStringLiteral("CREATE TABLE demo_race (x INTEGER)")}};
        for (int i = 0; i < 24; ++i) {
            const QString path = m_dir.filePath(QStringLiteral("race-%1.sqlite").arg(i));
            QString errors[2];
            std::latch start(2);
            auto open = [&](QString* error) {
                start.arrive_and_wait();
                auto store = ProjectStore::open(path);
                if (!store)
                    *error = store.error().message();
                else if (Status st = (*store)->ensurePluginSchema(QStringLiteral("demo"), plugin); !st)
                    *error = st.error().message();
                else if ((*store)->schemaVersion() != Migrations::latest())
                    *error = QStringLiteral("schema %1").arg((*store)->schemaVersion());
            };
            std::thread a(open, &errors[0]), b(open, &errors[1]);
            a.join();
            b.join();
            QVERIFY2(errors[0].isEmpty() && errors[1].isEmpty(), qPrintable(errors[0] + QStringLiteral(" | ") + errors[1]));
        }
    }

    void pluginSchemasMigrateOnceAndRefuseNewer()
    {
        auto store = ProjectStore::open(m_dir.filePath(QStringLiteral("plugin.sqlite")));
        const QList<QStringList> v1{{QStringLiteral("CREATE TABLE demo_a (x INTEGER)")}};
        const QList<QStringList> v2 = v1 + QList<QStringList>{{QStringLiteral("ALTER TABLE demo_a ADD COLUMN y TEXT")}};
        QVERIFY((*store)->ensurePluginSchema(QStringLiteral("demo"), v1));
        QVERIFY((*store)->ensurePluginSchema(QStringLiteral("demo"), v1)); // idempotent
        QVERIFY((*store)->ensurePluginSchema(QStringLiteral("demo"), v2));
        QSqlQuery q((*store)->database());
        QVERIFY(q.exec(QStringLiteral("INSERT INTO demo_a (x, y) VALUES (1, 'a')")));
        QVERIFY(!(*store)->ensurePluginSchema(QStringLiteral("demo"), v1));
        const QList<QStringList> broken{{QStringLiteral("CREATE TABLE broken (")}};
        QVERIFY(!(*store)->ensurePluginSchema(QStringLiteral("broken"), broken));
        QVERIFY(q.exec(QStringLiteral("UPDATE plugin_schema SET version = -3 WHERE plugin_id = 'demo'")));
        auto negative = (*store)->ensurePluginSchema(QStringLiteral("demo"), v2);
        QVERIFY(!negative);
        QVERIFY2(negative.error().message().contains(QStringLiteral("plugin 'demo' are at schema -3, which is not a valid schema number")),
                 qPrintable(negative.error().message()));
    }
};

QTEST_GUILESS_MAIN(TstProjectStore)
#include "tst_project_store.moc"
