// The desktop as a person uses it (issue 11), offscreen: quitting with a run
// going asks (stay, or pause); after a restart the paused run is preselected
// in the resume dialog, listed in the Jobs dock and resumable there and on
// the Runs page; the continuation names its parent and the parent reads
// "resumed"; Tab leaves the tables; Ctrl+1… opens the pages; Return on a
// run shows its provenance; the Run menu has shortcuts.

#include "checkpoints/checkpoint_inspector_dock.h"
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
#include "support/test_support.h"

#include <QAbstractButton>
#include <QAbstractSpinBox>
#include <QAction>
#include <QComboBox>
#include <QDir>
#include <QDockWidget>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QStackedWidget>
#include <QStandardItemModel>
#include <QStandardPaths>
#include <QTableView>
#include <QtTest>


using namespace bioforge;

namespace {

// A self-test long enough to be paused on purpose.
QJsonObject longSelfTest() { return {{QStringLiteral("units"), 4000}, {QStringLiteral("work"), 4000}}; }

QString stateOf(core::Session& session, const QString& runId)
{
    auto h = session.scheduler().handle(runId);
    return h ? core::runStateName(h->state()) : QString();
}

} // namespace

class TstWindowResume : public QObject {
    Q_OBJECT
    QTemporaryDir m_dir;
    QString m_paused;
    double m_pausedAt = 0.0; // its progress when it paused

    QString project() const { return m_dir.filePath(QStringLiteral("project")); }

private slots:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        core::Logging::initialize(core::Logging::Console::Off);
    }

    // A project that cannot be opened (here a damaged project.sqlite) leaves no project open: the
    // status bar keeps saying so and why, the title says it, and the Run menu's actions that need
    // a project are disabled — not an empty-looking project with Resume enabled.
    void aProjectThatCannotBeOpenedIsSaidSoAndItsActionsAreOff()
    {
        const QString broken = m_dir.filePath(QStringLiteral("broken-project"));
        QVERIFY(QDir().mkpath(broken));
        QVERIFY(test::writeAll(QDir(broken).filePath(QStringLiteral("project.sqlite")), QByteArray(8192, 'x')));
        core::Session session(core::Session::Options{});
        ui::MainWindow window(session);
        QVERIFY(!window.openProject(broken, false));
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        QVERIFY(window.projectProblem()->isVisible());
        const QString said = window.projectProblem()->text();
        QVERIFY2(said.startsWith(QStringLiteral("No project open")) && said.contains(QStringLiteral("project.sqlite")), qPrintable(said));
        QVERIFY2(window.windowTitle().startsWith(QStringLiteral("No project")), qPrintable(window.windowTitle()));
        for (const char* name : {"pauseAction", "resumeAction", "cancelAction", "exportReportAction"}) {
            auto* action = window.findChild<QAction*>(QLatin1String(name));
            QVERIFY2(action && !action->isEnabled(), name);
        }
        // A good project then: the line goes, the actions come back.
        QVERIFY(window.openProject(m_dir.filePath(QStringLiteral("good-project")), true));
        QVERIFY(!window.projectProblem()->isVisible());
        QVERIFY(window.findChild<QAction*>(QStringLiteral("resumeAction"))->isEnabled());
    }

    void quittingWithARunGoingAsks()
    {
        core::Session session(core::Session::Options{});
        ui::MainWindow window(session);
        QVERIFY(window.openProject(project(), true));
        window.show();
        auto id = session.runs()->start(QStringLiteral("workbench"), QStringLiteral("selftest"), longSelfTest());
        QVERIFY(id);
        QTRY_COMPARE_WITH_TIMEOUT(stateOf(session, *id), QStringLiteral("running"), 30000);
        QTRY_VERIFY_WITH_TIMEOUT(session.scheduler().handle(*id)->snapshot().fraction > 0.0, 30000); // a pause with work done
        int asked = 0, askedOnCluster = -1;
        window.setQuitQuestion([&](int active, int onCluster) {
            asked = active;
            askedOnCluster = onCluster;
            return ui::MainWindow::QuitChoice::Stay;
        });
        QVERIFY(!window.close()); // "Keep working": the window stays, the run goes on
        QCOMPARE(asked, 1);
        QCOMPARE(askedOnCluster, 0); // a local run: no "leave the cluster jobs going"
        QVERIFY(window.isVisible());
        QCOMPARE(stateOf(session, *id), QStringLiteral("running"));
        window.setQuitQuestion([](int, int) { return ui::MainWindow::QuitChoice::PauseAndQuit; });
        QVERIFY(window.close());
        QTRY_COMPARE_WITH_TIMEOUT(stateOf(session, *id), QStringLiteral("paused"), 60000);
        m_paused = *id;
        m_pausedAt = session.scheduler().handle(*id)->snapshot().fraction;
        QVERIFY(m_pausedAt > 0.0 && m_pausedAt < 1.0);
        session.scheduler().pauseAllAndWait();
    }

    void afterARestartThePausedRunIsOfferedAndResumable()
    {
        QVERIFY(!m_paused.isEmpty());
        core::Session session(core::Session::Options{});
        ui::MainWindow window(session);
        QVERIFY(window.openProject(project(), false));
        window.setQuitQuestion([](int, int) { return ui::MainWindow::QuitChoice::CancelAndQuit; });
        window.show();
        // The resume dialog preselects it; with nothing ticked its button is off.
        auto resumable = session.runs()->resumableRuns();
        QVERIFY(resumable && resumable->size() == 1);
        ui::ResumeDialog dialog(*resumable);
        QCOMPARE(dialog.selectedRunIds(), QStringList{m_paused});
        QVERIFY(dialog.resumeButton()->isEnabled());
        dialog.list()->item(0)->setCheckState(Qt::Unchecked);
        QVERIFY(!dialog.resumeButton()->isEnabled());
        // "Later": the Jobs dock still lists it, and resumes it.
        ui::JobsDock* jobs = window.jobsDock();
        const int row = jobs->model()->rowOf(m_paused);
        QVERIFY(row >= 0);
        QCOMPARE(jobs->model()->data(jobs->model()->index(row, ui::JobListModel::State), Qt::DisplayRole).toString(), QStringLiteral("paused"));
        // Its bar starts where the pause left it (not an empty bar until it is resumed).
        QCOMPARE(jobs->model()->data(jobs->model()->index(row, ui::JobListModel::Progress), ui::JobListModel::kFractionRole).toDouble(), m_pausedAt);
        QCOMPARE(jobs->model()->data(jobs->model()->index(row, ui::JobListModel::Progress), Qt::DisplayRole).toString(),
                 QStringLiteral("%1 %").arg(int(m_pausedAt * 100)));
        jobs->table()->selectRow(row);
        auto* resume = jobs->findChild<QPushButton*>(QStringLiteral("resumeButton"));
        QTRY_VERIFY(resume->isEnabled());
        QTest::mouseClick(resume, Qt::LeftButton);
        QString child;
        for (const auto& h : session.scheduler().handles())
            if (h->record().parentRunId == m_paused)
                child = h->runId();
        QVERIFY(!child.isEmpty());
        QVERIFY(jobs->model()->data(jobs->model()->index(jobs->model()->rowOf(child), ui::JobListModel::Name), Qt::DisplayRole).toString().contains(QStringLiteral("(continues %1)").arg(m_paused))); // the whole id: runs started in one second share its time
        QVERIFY(jobs->model()->rowOf(m_paused) < 0); // no longer waiting
        // The Runs page: the parent reads "resumed" and offers no second Resume.
        ui::RunsPage* runs = window.runsPage();
        runs->reload();
        QStandardItemModel* model = qobject_cast<QStandardItemModel*>(runs->table()->model());
        int parentRow = -1;
        for (int r = 0; r < model->rowCount(); ++r)
            if (model->item(r, 0)->text() == m_paused)
                parentRow = r;
        QVERIFY(parentRow >= 0);
        QVERIFY(model->item(parentRow, 3)->text().contains(QStringLiteral("resumed")));
        runs->table()->selectRow(parentRow);
        QVERIFY(!runs->findChild<QPushButton*>(QStringLiteral("resumeRunButton"))->isEnabled());
        session.runs()->cancel(child);
        QTRY_VERIFY_WITH_TIMEOUT(stateOf(session, child) == QLatin1String("cancelled"), 60000);
        // A cancelled run is not resumable: the Runs page's Resume stays off for it, on for nothing else here.
        runs->reload();
        for (int r = 0; r < model->rowCount(); ++r)
            if (model->item(r, 0)->text() == child) {
                runs->table()->selectRow(r);
                QVERIFY(!runs->findChild<QPushButton*>(QStringLiteral("resumeRunButton"))->isEnabled());
            }
    }

    void fitsASmallScreenWithEveryDock()
    {
        core::Session session(core::Session::Options{});
        ui::MainWindow window(session);
        QVERIFY(window.openProject(project(), false));
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        const QList<QDockWidget*> docks = window.findChildren<QDockWidget*>();
        QVERIFY(docks.size() >= 4);
        for (const QSize screen : {QSize(1280, 720), QSize(1024, 700)})
            for (int page = 0; page < window.navigation()->count(); ++page) {
                window.navigation()->setCurrentRow(page);
                for (QDockWidget* dock : docks) { // each dock shown and in front, the others as they are
                    dock->show();
                    dock->raise();
                    window.resize(screen);
                    QApplication::processEvents();
                    QVERIFY2(window.width() <= screen.width() && window.height() <= screen.height(),
                             qPrintable(QStringLiteral("page %1 with %2: %3x%4 on a %5x%6 screen")
                                            .arg(window.navigation()->item(page)->text(), dock->objectName())
                                            .arg(window.width()).arg(window.height()).arg(screen.width()).arg(screen.height())));
                }
            }
        // The Jobs dock's buttons stay on screen.
        window.resize(1280, 720);
        QApplication::processEvents();
        auto* cancel = window.jobsDock()->findChild<QPushButton*>(QStringLiteral("cancelButton"));
        const QPoint corner = cancel->mapTo(&window, QPoint(cancel->width(), cancel->height()));
        QVERIFY2(QRect(QPoint(0, 0), window.size()).contains(corner - QPoint(1, 1)), qPrintable(QStringLiteral("%1,%2").arg(corner.x()).arg(corner.y())));
        const QString shots = QStringLiteral(BIOFORGE_BUILD_DIR "/screenshots");
        QDir().mkpath(shots);
        window.navigation()->setCurrentRow(0);
        window.grab().save(QDir(shots).filePath(QStringLiteral("main-window-1280x720.png")));
    }

    // The right-hand docks showing a run (a long checkpoint folder path, long run titles, long values)
    // can still be narrowed: the pages keep their room (a Checkpoints dock once held the right area at
    // ~560 px, for good).
    void theDocksCanBeNarrowedWhateverTheyShow()
    {
        QVERIFY(!m_paused.isEmpty());
        core::Session session(core::Session::Options{});
        ui::MainWindow window(session);
        QVERIFY(window.openProject(project(), false)); // no run going: closing asks nothing
        window.show();
        QSignalSpy inspected(window.checkpointDock(), &ui::CheckpointInspectorDock::inspected);
        window.checkpointDock()->show();
        window.checkpointDock()->inspectRun(m_paused);
        QTRY_COMPARE_WITH_TIMEOUT(inspected.count(), 1, 30000);
        window.provenanceDock()->showRun(m_paused);
        QApplication::processEvents();
        for (QDockWidget* dock : {static_cast<QDockWidget*>(window.checkpointDock()), static_cast<QDockWidget*>(window.provenanceDock())})
            QVERIFY2(dock->minimumSizeHint().width() <= 320, qPrintable(QStringLiteral("%1: %2 px").arg(dock->objectName()).arg(dock->minimumSizeHint().width())));
    }

    void theWindowRemembersItsLayout()
    {
        core::Session session(core::Session::Options{});
        {
            ui::MainWindow first(session);
            first.show();
            first.resize(1111, 666);
            QApplication::processEvents();
            QVERIFY(first.close()); // no run going: closes at once, and keeps the layout
        }
        ui::MainWindow second(session);
        second.show();
        QApplication::processEvents();
        QCOMPARE(second.size(), QSize(1111, 666));
    }

    void theKeyboardReachesPagesAndLeavesTables()
    {
        core::Session session(core::Session::Options{});
        ui::MainWindow window(session);
        QVERIFY(window.openProject(project(), false));
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        window.activateWindow();
        // Ctrl+2 opens the second page, Ctrl+1 the first.
        QVERIFY(window.navigation()->count() >= 2);
        QTest::keyClick(&window, Qt::Key_2, Qt::ControlModifier);
        QCOMPARE(window.navigation()->currentRow(), 1);
        QTest::keyClick(&window, Qt::Key_1, Qt::ControlModifier);
        QCOMPARE(window.navigation()->currentRow(), 0);
        // Tab from the rail enters the page, not a dock.
        window.navigation()->setFocus();
        QTest::keyClick(window.navigation(), Qt::Key_Tab);
        QWidget* focus = QApplication::focusWidget();
        QVERIFY(focus && window.pages()->currentWidget()->isAncestorOf(focus));
        // Tab leaves the Runs table (it does not walk its cells), and the Jobs table likewise.
        for (QTableView* table : {window.runsPage()->table(), window.jobsDock()->table()}) {
            table->setFocus();
            QTest::keyClick(table, Qt::Key_Tab);
            QVERIFY2(QApplication::focusWidget() != table, qPrintable(table->objectName()));
        }
        // Return on a run shows its provenance.
        window.runsPage()->reload();
        QTableView* runs = window.runsPage()->table();
        QVERIFY(runs->model()->rowCount() > 0);
        runs->setFocus();
        runs->setCurrentIndex(runs->model()->index(0, 0));
        runs->selectRow(0);
        QTest::keyClick(runs, Qt::Key_Return);
        QTRY_VERIFY(window.provenanceDock()->findChild<QLabel*>()->text().contains(runs->model()->index(0, 0).data().toString()));
        // The Run menu's main actions have shortcuts.
        for (const char* name : {"pauseAction", "resumeAction", "cancelAction", "exportReportAction", "userGuideAction"}) {
            auto* action = window.findChild<QAction*>(QLatin1String(name));
            QVERIFY2(action && !action->shortcut().isEmpty(), name);
        }
    }

    // Every control a page shows (buttons, fields, lists, tables) is reached
    // with Tab from the navigation rail, on every page, at 1280×720: no
    // control only reachable backwards, no field that traps Tab.
    void tabReachesEveryControlOfEveryPage()
    {
        core::Session session(core::Session::Options{});
        ui::MainWindow window(session);
        QVERIFY(window.openProject(project(), false));
        window.resize(1280, 720);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        window.activateWindow();
        QVERIFY(QTest::qWaitForWindowActive(&window));
        // The control a focused widget belongs to (a combo's or spin box's own line edit).
        auto control = [](QWidget* w) -> QWidget* {
            if (w && w->parentWidget() && (qobject_cast<QComboBox*>(w->parentWidget()) || qobject_cast<QAbstractSpinBox*>(w->parentWidget())))
                return w->parentWidget();
            if (w && w->parentWidget() && w->parentWidget()->parentWidget() && qobject_cast<QAbstractScrollArea*>(w->parentWidget()->parentWidget())
                && w->objectName() == QLatin1String("qt_scrollarea_viewport"))
                return w->parentWidget()->parentWidget();
            return w;
        };
        for (int page = 0; page < window.navigation()->count(); ++page) {
            window.navigation()->setCurrentRow(page);
            QApplication::processEvents();
            QWidget* current = window.pages()->currentWidget();
            QSet<QWidget*> wanted;
            for (QWidget* w : current->findChildren<QWidget*>()) {
                const bool kind = qobject_cast<QAbstractButton*>(w) || qobject_cast<QComboBox*>(w) || qobject_cast<QAbstractSpinBox*>(w)
                                  || qobject_cast<QAbstractItemView*>(w) || qobject_cast<QPlainTextEdit*>(w)
                                  || (qobject_cast<QLineEdit*>(w) && control(w) == w);
                if (kind && w->isVisibleTo(&window) && w->isEnabled() && (w->focusPolicy() & Qt::TabFocus))
                    wanted.insert(w);
            }
            QVERIFY2(!wanted.isEmpty(), qPrintable(window.navigation()->item(page)->text()));
            window.navigation()->setFocus();
            QSet<QWidget*> reached;
            for (int i = 0; i < 300 && !(wanted - reached).isEmpty(); ++i) {
                QWidget* before = QApplication::focusWidget();
                QVERIFY(before);
                QTest::keyClick(before, Qt::Key_Tab);
                reached.insert(control(QApplication::focusWidget()));
            }
            QStringList missing;
            for (QWidget* w : wanted - reached)
                missing << QStringLiteral("%1 '%2' (%3)").arg(QLatin1String(w->metaObject()->className()), w->objectName(),
                                                              qobject_cast<QAbstractButton*>(w) ? qobject_cast<QAbstractButton*>(w)->text() : QString());
            QVERIFY2(missing.isEmpty(), qPrintable(window.navigation()->item(page)->text() + QStringLiteral(": ") + missing.join(QStringLiteral(", "))));
        }
    }

    // A run that failed on what it was given (RunRecord::newRunNeeded) is not offered a resume on
    // the Runs page, and the button says why; another failed run is.
    void aRunThatFailedOnItsInputIsNotOfferedAResume()
    {
        core::Session session(core::Session::Options{});
        ui::MainWindow window(session);
        QVERIFY(window.openProject(m_dir.filePath(QStringLiteral("input-failures")), true));
        for (const bool onInput : {true, false}) {
            core::RunRecord r;
            r.runId = onInput ? QStringLiteral("20261206-120000-0000000a") : QStringLiteral("20261206-120000-0000000b");
            r.checkpointId = r.runId;
            r.pluginId = QStringLiteral("workbench");
            r.verb = QStringLiteral("selftest");
            r.state = core::RunState::Failed;
            r.error = onInput ? QStringLiteral("the input changed; start a new run") : QStringLiteral("disk full");
            r.newRunNeeded = onInput;
            r.createdAt = QDateTime::currentDateTimeUtc();
            QVERIFY(session.project()->store().insertRun(r));
        }
        ui::RunsPage* runs = window.runsPage();
        runs->reload();
        auto* resume = runs->findChild<QPushButton*>(QStringLiteral("resumeRunButton"));
        QStandardItemModel* model = qobject_cast<QStandardItemModel*>(runs->table()->model());
        for (int r = 0; r < model->rowCount(); ++r) {
            runs->table()->selectRow(r);
            const bool onInput = model->item(r, 0)->text().endsWith(QLatin1Char('a'));
            QCOMPARE(resume->isEnabled(), !onInput);
            QCOMPARE(resume->toolTip().contains(QStringLiteral("Start a new run")), onInput);
        }
        QCOMPARE(session.runs()->resumableRuns()->size(), 1); // the window's resume dialog offers the other only
    }
};

QTEST_MAIN(TstWindowResume)
#include "tst_window_resume.moc"
