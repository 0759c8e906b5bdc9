// RunService::followOtherProcesses: runs another process records, pauses or ends in the project
// (a `bioforge run` or `bioforge cancel` in a terminal while the window is open) are announced;
// this service's own changes are not announced as another's.

#include "compute/device_discovery.h"
#include "compute/device_lease.h"
#include "diagnostics/workbench_plugin.h"
#include "jobs/clock.h"
#include "jobs/job_scheduler.h"
#include "log/logging.h"
#include "plugin/plugin_manager.h"
#include "runs/run_service.h"
#include "core/runs/selftest_record.h"
#include "store/project.h"
#include "store/project_store.h"

#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest>

using namespace bioforge::core;

class TstRunWatch : public QObject {
    Q_OBJECT

    // One process: a project, its plugins, a scheduler and the service over them.
    struct Process {
        std::unique_ptr<Project> project;
        std::unique_ptr<PluginManager> plugins;
        std::unique_ptr<DeviceLeasePool> devices;
        std::unique_ptr<JobScheduler> scheduler;
        std::unique_ptr<RunService> runs;

        ~Process()
        {
            if (scheduler)
                scheduler->pauseAllAndWait();
            runs.reset();
            scheduler.reset();
        }
    };

    QTemporaryDir m_dir;
    Process m_window; // the process that follows the others

    const QJsonObject m_params{{QStringLiteral("units"), 12}, {QStringLiteral("values"), 2048}, {QStringLiteral("work"), 30}};

    QString projectPath() const { return m_dir.filePath(QStringLiteral("project")); }

    static bool openProcess(Process& p, const QString& path)
    {
        auto project = Project::open(path, true);
        if (!project)
            return false;
        p.project = std::move(*project);
        p.plugins = std::make_unique<PluginManager>();
        p.plugins->setSearchPaths({});
        p.plugins->addBuiltin(new WorkbenchPlugin, WorkbenchPlugin::metadata());
        p.plugins->loadAll({});
        p.devices = std::make_unique<DeviceLeasePool>(QList<DeviceInfo>{DeviceDiscovery::cpu()});
        p.scheduler = std::make_unique<JobScheduler>(*p.devices, SteadyClock::instance(), 2);
        p.runs = std::make_unique<RunService>(*p.project, *p.plugins, *p.scheduler);
        return true;
    }

    RunRecord selftestRecord(const QString& id, RunState state) const { return bioforge::test::selftestRecord(id, state, m_params); }

private slots:
    void initTestCase()
    {
        qputenv("XDG_CONFIG_HOME", m_dir.filePath(QStringLiteral("config")).toUtf8()); // this test's settings, before any are read
        Logging::initialize(Logging::Console::Off);
        QVERIFY(openProcess(m_window, projectPath()));
        m_window.runs->followOtherProcesses(20);
    }

    // Runs another process records and ends in the project (a `bioforge run` in a terminal while the
    // window is open) are announced (the window showed them only after a restart: trial 18); this
    // service's own are not announced twice.
    void runsOfAnotherProcessAreAnnounced()
    {
        QSignalSpy elsewhere(m_window.runs.get(), &RunService::runChangedElsewhere);
        QSignalSpy ended(m_window.runs.get(), &RunService::runEnded);
                auto other = ProjectStore::open(m_window.project->store().path()); // its own connection, as another process has
        QVERIFY2(other, other ? "" : qPrintable(other.error().message()));
        RunRecord record = selftestRecord(QStringLiteral("terminal-run"), RunState::Running);
        QVERIFY((*other)->insertRun(record));
        QTRY_VERIFY_WITH_TIMEOUT(elsewhere.count() == 1, 10000);
        QCOMPARE(elsewhere.first().first().toString(), QStringLiteral("terminal-run"));
        QCOMPARE(ended.count(), 0);
        record.state = RunState::Finished;
        QVERIFY((*other)->updateRun(record));
        QTRY_VERIFY_WITH_TIMEOUT(ended.count() == 1, 10000);
        QCOMPARE(ended.first(), (QVariantList{QStringLiteral("terminal-run"), true}));
        QCOMPARE(elsewhere.count(), 1); // its end is said by runEnded alone (a view follows both: one reload)
        // This service's own run: its own signals only.
        auto own = m_window.runs->start(QStringLiteral("workbench"), QStringLiteral("selftest"), {{QStringLiteral("units"), 2}, {QStringLiteral("work"), 1}});
        QVERIFY(own);
        QVERIFY(m_window.scheduler->waitForIdle(60000));
        QTRY_VERIFY_WITH_TIMEOUT(ended.count() == 2, 10000);
        record.runId = QStringLiteral("terminal-run-2"); // something of the other's again, read after the own run's end
        record.checkpointId = record.runId;
        QVERIFY((*other)->insertRun(record));
        QTRY_VERIFY_WITH_TIMEOUT(ended.count() == 3, 10000); // the own run once, terminal-run-2 (finished) once
        QCOMPARE(ended.last(), (QVariantList{QStringLiteral("terminal-run-2"), true}));
        QCOMPARE(elsewhere.count(), 1); // terminal-run's start only: nothing of the own run
    }

    // A run paused in the window and cancelled for good from a terminal (`bioforge cancel`, another
    // process with its own service over the same project): the window hears of its end, once, as
    // not succeeded; a cancel of the window's own is not announced as another's.
    void aTerminalsCancelOfARunPausedHereIsAnnounced()
    {
        QJsonObject long_ = m_params; // as many units as a self-test takes: it is paused long before its end
        long_.insert(QStringLiteral("units"), 100000);
        auto paused = m_window.runs->start(QStringLiteral("workbench"), QStringLiteral("selftest"), long_);
        QVERIFY(paused);
        m_window.runs->pause(*paused);
        QVERIFY(m_window.scheduler->waitForIdle(60000));
        QCOMPARE(m_window.project->store().run(*paused)->state, RunState::Paused);

        QSignalSpy elsewhere(m_window.runs.get(), &RunService::runChangedElsewhere);
        QSignalSpy ended(m_window.runs.get(), &RunService::runEnded);
        {
            Process terminal;
            QVERIFY(openProcess(terminal, projectPath()));
            const auto cancelled = terminal.runs->discard(*paused);
            QVERIFY2(cancelled, cancelled ? "" : qPrintable(cancelled.error().message()));
        }
        QTRY_VERIFY_WITH_TIMEOUT(ended.count() == 1, 10000);
        QCOMPARE(ended.first(), (QVariantList{*paused, false}));
        QCOMPARE(elsewhere.count(), 0); // an end: runEnded alone
        QCOMPARE(m_window.scheduler->handle(*paused)->state(), RunState::Cancelled); // the Jobs dock's row no longer offers Resume

        // The window's own cancel of a paused run: not announced as another's (a record another
        // process adds after it is, and only that).
        auto own = m_window.runs->start(QStringLiteral("workbench"), QStringLiteral("selftest"), long_);
        QVERIFY(own);
        m_window.runs->pause(*own);
        QVERIFY(m_window.scheduler->waitForIdle(60000));
        QVERIFY(m_window.runs->discard(*own));
        QCOMPARE(m_window.scheduler->handle(*own)->state(), RunState::Cancelled);
        auto other = ProjectStore::open(m_window.project->store().path());
        QVERIFY2(other, other ? "" : qPrintable(other.error().message()));
        QVERIFY((*other)->insertRun(selftestRecord(QStringLiteral("terminal-run-3"), RunState::Running)));
        QTRY_VERIFY_WITH_TIMEOUT(elsewhere.count() == 1, 10000);
        QCOMPARE(elsewhere.last().first().toString(), QStringLiteral("terminal-run-3"));
        QCOMPARE(std::count(ended.cbegin(), ended.cend(), QVariantList{*paused, false}), 1); // the terminal's cancel, once
    }

    // A project folder moved (renamed, replaced) while open is said once, and no run is started: the
    // window made runs/<id> at the old path while the record went into the moved database, and the
    // project was split in two (trial 21). Moved back, it is in place again.
    void aProjectMovedWhileOpenIsSaidAndStartsNoRun()
    {
        const QString here = m_dir.filePath(QStringLiteral("moving")), there = m_dir.filePath(QStringLiteral("moved"));
        Process window;
        QVERIFY(openProcess(window, here));
        QVERIFY(window.project->inPlace());
        window.runs->followOtherProcesses(20);
        QSignalSpy said(window.runs.get(), &RunService::projectNotInPlace);
        QVERIFY(QDir().rename(here, there)); // as a file manager moves it
        QTRY_COMPARE_WITH_TIMEOUT(said.count(), 1, 10000);
        QVERIFY2(said.first().first().toString().contains(here) && said.first().first().toString().contains(QStringLiteral("moved")),
                 qPrintable(said.first().first().toString()));
        const auto refused = window.runs->start(QStringLiteral("workbench"), QStringLiteral("selftest"), m_params);
        QVERIFY(!refused);
        QCOMPARE(refused.error().kind(), Error::Kind::NotFound);
        QVERIFY(!QFileInfo::exists(here)); // nothing made at the old place
        QVERIFY((*ProjectStore::open(QDir(there).filePath(QStringLiteral("project.sqlite"))))->runs()->isEmpty());

        // Another project.sqlite at the old place (the folder replaced by a copy): not the one opened.
        QVERIFY(QDir().mkpath(here));
        QVERIFY(QFile::copy(QDir(there).filePath(QStringLiteral("project.sqlite")), QDir(here).filePath(QStringLiteral("project.sqlite"))));
        const Status replaced = window.project->inPlace();
        QVERIFY(!replaced);
        QVERIFY2(replaced.error().message().contains(QStringLiteral("another")), qPrintable(replaced.error().message()));
        QVERIFY(QDir(here).removeRecursively());

        QVERIFY(QDir().rename(there, here)); // back: said (an empty message), runs start again, and a next move is said again
        QVERIFY(window.project->inPlace());
        QTRY_COMPARE_WITH_TIMEOUT(said.count(), 2, 10000);
        QVERIFY(said.last().first().toString().isEmpty());
        const auto started = window.runs->start(QStringLiteral("workbench"), QStringLiteral("selftest"), m_params);
        QVERIFY2(started, started ? "" : qPrintable(started.error().message()));
        QVERIFY(window.scheduler->waitForIdle(60000));
        QVERIFY(QDir().rename(here, there));
        QTRY_COMPARE_WITH_TIMEOUT(said.count(), 3, 10000);
        QVERIFY(!said.last().first().toString().isEmpty());
        QVERIFY(QDir().rename(there, here));
    }
};

QTEST_GUILESS_MAIN(TstRunWatch)
#include "tst_run_watch.moc"
