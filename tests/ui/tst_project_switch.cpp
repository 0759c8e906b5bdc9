// Another project opened in the same window (File ▸ Open project, Recent
// projects): the Jobs dock, the Provenance dock and the pages show nothing of
// the last one (its finished run stayed in the Jobs dock, and Export report of
// the run still in the Provenance dock wrote into the new project, calling the
// run's outputs missing: trial 17); the project shown follows what a terminal's
// `bioforge run` records in it (trial 18).

#include "jobs/job_list_model.h"
#include "jobs/job_scheduler.h"
#include "jobs/jobs_dock.h"
#include "log/logging.h"
#include "provenance/provenance_dock.h"
#include "runs/run_service.h"
#include "runs/session.h"
#include "shell/main_window.h"
#include "shell/resume_dialog.h"
#include "shell/runs_page.h"
#include "store/project.h"
#include "store/project_store.h"

#include <QAction>
#include <QApplication>
#include <QFileDialog>
#include <QFileInfo>
#include <QLabel>
#include <QListWidget>
#include <QMenu>
#include <QPushButton>
#include <QStatusBar>
#include <QStandardPaths>
#include <QTableView>
#include <QTemporaryDir>
#include <QTimer>
#include <QTreeWidget>
#include <QSqlQuery>
#include <QtTest>

using namespace bioforge;

class TstProjectSwitch : public QObject {
    Q_OBJECT
    QTemporaryDir m_dir;

private slots:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        core::Logging::initialize(core::Logging::Console::Off);
    }

    void anotherProjectShowsNoneOfTheLastOnesRuns()
    {
        core::Session session(core::Session::Options{});
        ui::MainWindow window(session);
        QVERIFY(window.openProject(m_dir.filePath(QStringLiteral("first")), true));
        window.show();
        auto id = session.runs()->start(QStringLiteral("workbench"), QStringLiteral("selftest"), {{QStringLiteral("units"), 3}, {QStringLiteral("work"), 1}});
        QVERIFY2(id, id ? "" : qPrintable(id.error().message()));
        QTRY_VERIFY_WITH_TIMEOUT(session.scheduler().handle(*id) && session.scheduler().handle(*id)->state() == core::RunState::Finished, 30000);
        window.provenanceDock()->showRun(*id);
        QCOMPARE(window.provenanceDock()->runId(), *id);
        auto* exportReport = window.provenanceDock()->findChild<QPushButton*>(QStringLiteral("exportReportButton"));
        QVERIFY(exportReport && exportReport->isEnabled());
        QTRY_COMPARE(window.jobsDock()->table()->model()->rowCount(), 1);

        QVERIFY(window.openProject(m_dir.filePath(QStringLiteral("second")), true));
        QVERIFY(session.scheduler().handles().isEmpty());
        QCOMPARE(window.jobsDock()->table()->model()->rowCount(), 0);
        QVERIFY(window.provenanceDock()->runId().isEmpty());
        QVERIFY(!exportReport->isEnabled());
        QCOMPARE(window.provenanceDock()->tree()->topLevelItemCount(), 0);
    }

    // File ▸ New project… takes the name of a folder that is not there yet and makes it (a folder
    // chooser said "Directory not found"); a project opened again from Recent projects offers the
    // runs the switch paused, as the question before the switch said (nothing was offered: trial 19).
    void aNewFolderIsMadeAndAReopenedProjectOffersItsPausedRuns()
    {
        core::Session session(core::Session::Options{});
        ui::MainWindow window(session);
        QVERIFY(window.openProject(m_dir.filePath(QStringLiteral("before-new")), true));
        window.show();
        auto paused = session.runs()->start(QStringLiteral("workbench"), QStringLiteral("selftest"), {{QStringLiteral("units"), 100000}});
        QVERIFY(paused);
        window.setSwitchQuestion([](int) { return true; });
        const QString made = m_dir.filePath(QStringLiteral("made/by the dialog"));
        QVERIFY(QDir().mkpath(QFileInfo(made).path()));
        QString shown;
        QTimer::singleShot(0, this, [&shown, made] {
            auto* dialog = qobject_cast<QFileDialog*>(QApplication::activeModalWidget());
            if (!dialog)
                return;
            shown = dialog->windowTitle();
            dialog->selectFile(made);
            QMetaObject::invokeMethod(dialog, "accept"); // as its Save button
        });
        window.findChild<QAction*>(QStringLiteral("newProjectAction"))->trigger();
        QVERIFY2(shown.startsWith(QStringLiteral("New project")), qPrintable(shown));
        QVERIFY(QFileInfo(made).isDir());
        QCOMPARE(QFileInfo(session.project()->folder()).canonicalFilePath(), QFileInfo(made).canonicalFilePath());
        QCOMPARE(session.project()->store().run(*paused).error().kind(), core::Error::Kind::NotFound); // another project's run

        QStringList offered;
        QTimer::singleShot(0, this, [&offered] {
            auto* dialog = qobject_cast<ui::ResumeDialog*>(QApplication::activeModalWidget());
            if (!dialog)
                return;
            for (int i = 0; i < dialog->list()->count(); ++i)
                offered << dialog->list()->item(i)->text();
            dialog->reject();
        });
        QAction* reopen = nullptr;
        for (QAction* a : window.findChild<QMenu*>(QStringLiteral("recentProjectsMenu"))->actions())
            reopen = a->text() == QFileInfo(m_dir.filePath(QStringLiteral("before-new"))).absoluteFilePath() ? a : reopen;
        QVERIFY(reopen);
        reopen->trigger();
        QVERIFY2(offered.size() == 1 && offered.first().contains(*paused), qPrintable(offered.join(QLatin1Char('|'))));

        // An empty folder that is there: Open project makes it a project (New project's save dialog
        // opens a folder that exists instead of returning it).
        const QString empty = m_dir.filePath(QStringLiteral("an empty folder"));
        QVERIFY(QDir().mkpath(empty));
        QTimer::singleShot(0, this, [empty] {
            if (auto* dialog = qobject_cast<QFileDialog*>(QApplication::activeModalWidget())) {
                dialog->selectFile(empty);
                QMetaObject::invokeMethod(dialog, "accept");
            }
        });
        QTimer::singleShot(0, this, [] { // the resume offer after it, if any (an empty project has none)
            if (auto* dialog = qobject_cast<ui::ResumeDialog*>(QApplication::activeModalWidget()))
                dialog->reject();
        });
        window.findChild<QAction*>(QStringLiteral("openProjectAction"))->trigger();
        QVERIFY(session.project());
        QCOMPARE(QFileInfo(session.project()->folder()).canonicalFilePath(), QFileInfo(empty).canonicalFilePath());
    }

    // A run going when another project is opened: asked first (it was paused without a word, and
    // then nothing in the window showed it), kept going where the user stays, said paused after.
    void aRunGoingIsAskedAboutAndSaidPaused()
    {
        core::Session session(core::Session::Options{});
        ui::MainWindow window(session);
        QVERIFY(window.openProject(m_dir.filePath(QStringLiteral("third")), true));
        window.show();
        auto id = session.runs()->start(QStringLiteral("workbench"), QStringLiteral("selftest"), {{QStringLiteral("units"), 4000}, {QStringLiteral("work"), 4000}});
        QVERIFY(id);
        QTRY_VERIFY_WITH_TIMEOUT(session.scheduler().handle(*id)->state() == core::RunState::Running, 30000);
        int asked = 0;
        window.setSwitchQuestion([&](int active) {
            asked = active;
            return false;
        });
        QVERIFY(!window.openProject(m_dir.filePath(QStringLiteral("fourth")), true));
        QCOMPARE(asked, 1);
        QCOMPARE(session.project()->folder(), QFileInfo(m_dir.filePath(QStringLiteral("third"))).absoluteFilePath());
        QCOMPARE(session.scheduler().handle(*id)->state(), core::RunState::Running);
        window.setSwitchQuestion([](int) { return true; });
        QVERIFY(window.openProject(m_dir.filePath(QStringLiteral("fourth")), true));
        const QString said = window.statusBar()->currentMessage();
        QVERIFY2(said.startsWith(QStringLiteral("1 run of %1 paused; opened again, it offers to resume it").arg(QFileInfo(m_dir.filePath(QStringLiteral("third"))).absoluteFilePath())),
                 qPrintable(said));
    }

    // A run another process records in the project the window shows (a `bioforge run` in a terminal)
    // appears on the Runs page as it is recorded and as it ends, also after a switch of project (it
    // showed only after a restart: trial 18).
    void aTerminalsRunShowsInTheOpenWindow()
    {
        core::Session session(core::Session::Options{});
        ui::MainWindow window(session);
        QVERIFY(window.openProject(m_dir.filePath(QStringLiteral("fifth")), true));
        QVERIFY(window.openProject(m_dir.filePath(QStringLiteral("sixth")), true));
        window.show();
        auto* page = window.findChild<ui::RunsPage*>();
        QVERIFY(page);
        QCOMPARE(page->table()->model()->rowCount(), 0);
        auto other = core::ProjectStore::open(session.project()->store().path()); // the terminal's own connection
        QVERIFY(other);
        core::RunRecord record;
        record.runId = record.checkpointId = QStringLiteral("from-a-terminal");
        record.pluginId = QStringLiteral("workbench");
        record.verb = QStringLiteral("selftest");
        record.title = QStringLiteral("a terminal's self-test");
        record.state = core::RunState::Running;
        record.createdAt = QDateTime::currentDateTimeUtc();
        QVERIFY((*other)->insertRun(record));
        QTRY_COMPARE_WITH_TIMEOUT(page->table()->model()->rowCount(), 1, 10000);
        QCOMPARE(page->table()->model()->index(0, 0).data().toString().isEmpty(), false);
        // The Jobs dock follows it too: going on there, paused there, resumed there (it showed none
        // of it, and offered a Resume of a run the terminal had resumed: trial 21).
        ui::JobListModel* jobs = window.jobsDock()->model();
        QTRY_VERIFY_WITH_TIMEOUT(jobs->rowOf(record.runId) >= 0, 10000);
        QCOMPARE(jobs->stateAt(jobs->rowOf(record.runId)), core::RunState::Running);
        QVERIFY(!jobs->canResume(jobs->rowOf(record.runId)));
        record.state = core::RunState::Paused;
        QVERIFY((*other)->updateRun(record));
        QTRY_VERIFY_WITH_TIMEOUT(jobs->rowOf(record.runId) >= 0 && jobs->canResume(jobs->rowOf(record.runId)), 10000);
        core::RunRecord resumed = record;
        resumed.runId = QStringLiteral("its-resume-in-a-terminal");
        resumed.parentRunId = record.runId;
        resumed.state = core::RunState::Running;
        QVERIFY((*other)->insertRun(resumed));
        QTRY_VERIFY_WITH_TIMEOUT(jobs->rowOf(record.runId) < 0 && jobs->rowOf(resumed.runId) >= 0, 10000);
        QVERIFY(!jobs->canResume(jobs->rowOf(resumed.runId)));
        // The terminal's continuation ends: gone from the dock; the status bar still names the project.
        record = resumed;
        record.state = core::RunState::Finished;
        QVERIFY((*other)->updateRun(record));
        QTRY_COMPARE_WITH_TIMEOUT(jobs->rowOf(record.runId), -1, 10000);
        QVERIFY(window.projectStatus()->text().startsWith(QStringLiteral("Project ") + session.project()->folder()));
        const auto shownState = [&] {
            QStringList row;
            for (int c = 0; c < page->table()->model()->columnCount(); ++c)
                row << page->table()->model()->index(0, c).data().toString();
            return row.join(u'|');
        };
        QTRY_VERIFY2_WITH_TIMEOUT(shownState().contains(QStringLiteral("finished")), qPrintable(shownState()), 10000);
        // A terminal's run whose process died (kill -9: nothing more committed) becomes interrupted,
        // to be resumed here (it stayed "running elsewhere" with no way on: review 66 R66-4).
        core::RunRecord killed = record;
        killed.runId = killed.checkpointId = QStringLiteral("killed-in-a-terminal");
        killed.parentRunId.clear();
        killed.state = core::RunState::Running;
        QVERIFY((*other)->insertRun(killed));
        QTRY_VERIFY_WITH_TIMEOUT(jobs->rowOf(killed.runId) >= 0, 10000);
        QSqlQuery dead((*other)->database());
        QVERIFY(dead.exec(QStringLiteral("UPDATE runs SET owner_pid = 2147483000, owner_start = 'gone' WHERE id = 'killed-in-a-terminal'")));
        QTRY_VERIFY_WITH_TIMEOUT(jobs->rowOf(killed.runId) >= 0 && jobs->stateAt(jobs->rowOf(killed.runId)) == core::RunState::Interrupted
                                     && jobs->canResume(jobs->rowOf(killed.runId)),
                                 20000);
        QTRY_VERIFY2_WITH_TIMEOUT(shownState().contains(QStringLiteral("killed-in-a-terminal")) && shownState().contains(QStringLiteral("interrupted")),
                                  qPrintable(shownState()), 10000); // the Runs page too
    }

    // A message shown for a while hides the project's folder in the status bar, which comes back
    // after (an error's message left the bar empty for good: trial 21).
    void theStatusBarNamesTheProjectAgainAfterAMessage()
    {
        core::Session session(core::Session::Options{});
        ui::MainWindow window(session);
        QVERIFY(window.openProject(m_dir.filePath(QStringLiteral("seventh")), true));
        window.show();
        QVERIFY(window.projectStatus()->text().startsWith(QStringLiteral("Project ") + session.project()->folder()));
        QTRY_VERIFY(window.projectStatus()->isVisible());
        window.statusBar()->showMessage(QStringLiteral("Run x is running in another program"), 50);
        QVERIFY(!window.projectStatus()->isVisible());
        QTRY_VERIFY(window.statusBar()->currentMessage().isEmpty());
        QVERIFY(window.projectStatus()->isVisible());

        // The folder moved away while open: said in the status bar's red line, and the self-test is
        // refused (the window made a half project at the old path: trial 21); opened again, it goes.
        const QString moved = m_dir.filePath(QStringLiteral("seventh-moved"));
        QVERIFY(QDir().rename(session.project()->folder(), moved));
        QTRY_VERIFY_WITH_TIMEOUT(window.projectProblem()->isVisible(), 10000);
        QVERIFY2(window.projectProblem()->text().contains(QStringLiteral("moved")), qPrintable(window.projectProblem()->text()));
        QVERIFY(window.jobsDock()->runSelfTest().isEmpty());
        QVERIFY(!QFileInfo::exists(m_dir.filePath(QStringLiteral("seventh"))));
        QVERIFY(window.openProject(moved, false));
        QVERIFY(!window.projectProblem()->isVisible());
    }

    // A project whose database was lost (emptied, as a full disk leaves it): the window offers to
    // rebuild its run list from the runs' records, and opens it with its runs (trial 24 T24-3: it was
    // refused with no way back); declined, nothing is changed.
    void aProjectWithALostDatabaseIsRebuiltWhenTheUserAgrees()
    {
        const QString folder = m_dir.filePath(QStringLiteral("lost database"));
        QString runId;
        {
            core::Session session(core::Session::Options{});
            ui::MainWindow window(session);
            QVERIFY(window.openProject(folder, true));
            auto id = session.runs()->start(QStringLiteral("workbench"), QStringLiteral("selftest"), {{QStringLiteral("units"), 3}});
            QVERIFY(id);
            QVERIFY(session.scheduler().waitForIdle(60000));
            runId = *id;
        }
        const QString database = folder + QStringLiteral("/project.sqlite");
        for (const char* suffix : {"", "-wal", "-shm"})
            QFile::remove(database + QLatin1String(suffix));
        QVERIFY(QFile(database).open(QIODevice::WriteOnly));
        for (const bool agree : {false, true}) {
            core::Session session(core::Session::Options{});
            ui::MainWindow window(session);
            QString asked;
            window.setRecoverQuestion([&](const QString& question) {
                asked = question;
                return agree;
            });
            QCOMPARE(window.openProject(folder, false), agree);
            QVERIFY2(asked.contains(QStringLiteral("rebuilt from the records of its 1 run(s)")), qPrintable(asked));
            if (!agree) {
                QCOMPARE(QFileInfo(database).size(), 0);
                continue;
            }
            auto record = session.project()->store().run(runId);
            QVERIFY(record && record->state == core::RunState::Finished);
        }
    }
};

QTEST_MAIN(TstProjectSwitch)
#include "tst_project_switch.moc"
