// The window's dialogs and the page it starts on, offscreen: a file dialog
// starts where the user last chose, About names the plugins that loaded and
// the libraries' versions, the resume dialog preselects the runs to continue,
// broken plugins show on the empty-state page, and the next start opens on
// the page last chosen. The window's docks and runs: tst_main_window.

#include "about/about_dialog.h"
#include "plugin/plugin_manager.h"
#include "runs/session.h"
#include "settings/page_memory.h"
#include "shell/main_window.h"
#include "shell/resume_dialog.h"
#include "support/test_support.h"
#include "window_fixture.h"

#include <QDir>
#include <QFileInfo>
#include <QLabel>
#include <QListWidget>
#include <QScreen>
#include <QSettings>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QtTest>

using namespace bioforge;
using namespace bioforge::test;

class TstWindowDialogs : public QObject {
    Q_OBJECT

    QTemporaryDir m_dir;
    WindowFixture m_fixture;
    std::unique_ptr<core::Session>& m_session = m_fixture.session;
    std::unique_ptr<ui::MainWindow>& m_window = m_fixture.window;

private slots:
    void initTestCase() { QVERIFY(m_fixture.open(m_dir.filePath(QStringLiteral("project")))); }

    void cleanupTestCase() { m_fixture.close(); }

    // A file dialog starts in the folder last chosen in a dialog of its purpose, else the home folder
    // (the FASTA dialog opened in the working directory a desktop start leaves arbitrary).
    void fileDialogsStartWhereTheUserLastChose()
    {
        const QString purpose = QStringLiteral("test-%1").arg(QCoreApplication::applicationPid());
        QCOMPARE(ui::PageMemory::dialogFolder(purpose), QDir::homePath());
        const QString file = m_dir.filePath(QStringLiteral("chosen.fa"));
        QVERIFY(writeAll(file, ">a\nACGT\n"));
        ui::PageMemory::rememberDialogChoice(purpose, file);
        QCOMPARE(ui::PageMemory::dialogFolder(purpose), QFileInfo(file).absolutePath());
        ui::PageMemory::rememberDialogChoice(purpose, QString()); // cancelled: kept as it was
        QCOMPARE(ui::PageMemory::dialogFolder(purpose), QFileInfo(file).absolutePath());
        const QString folder = m_dir.filePath(QStringLiteral("a-folder"));
        QVERIFY(QDir().mkpath(folder));
        ui::PageMemory::rememberDialogChoice(purpose, folder); // a folder dialog's choice is the folder itself
        QCOMPARE(ui::PageMemory::dialogFolder(purpose), QFileInfo(folder).absoluteFilePath());
        QVERIFY(QDir(folder).removeRecursively()); // gone since: the home folder again
        QCOMPARE(ui::PageMemory::dialogFolder(purpose), QDir::homePath());
        QSettings(QStringLiteral("BioForge"), QStringLiteral("Workbench")).remove(QStringLiteral("pages/file-dialogs/") + purpose);
    }

    void brokenPluginsShowOnTheEmptyStatePageAndTheWindowStillStarts()
    {
        core::Session::Options options;
        options.pluginPaths = {QStringLiteral(BIOFORGE_BUILD_DIR "/tests/fixture-plugins")};
        core::Session session(options);
        ui::MainWindow window(session);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        QWidget* empty = window.findChild<QWidget*>(QStringLiteral("emptyStatePage"));
        QVERIFY(empty);
        QString text;
        for (QLabel* label : empty->findChildren<QLabel*>())
            text += label->text();
        QVERIFY2(text.contains(QStringLiteral("bioforge_fixture_missing_symbol")), qPrintable(text));
        QVERIFY(text.contains(QStringLiteral("lower-case identifier")));
    }

    void aboutNamesTheLoadedPluginsOnly()
    {
        // The window's session: what About promises is what loaded, by name.
        ui::AboutDialog about(&m_session->plugins());
        const QString title = about.findChild<QLabel*>(QStringLiteral("aboutTitle"))->text();
        for (const core::PluginEntry& e : m_session->plugins().entries())
            if (e.state == core::PluginEntry::State::Loaded)
                QVERIFY2(title.contains(e.metadata.name.toHtmlEscaped()), qPrintable(title));
        QVERIFY2(!title.contains(QStringLiteral("gene annotation")), qPrintable(title)); // no fixed sentence
        // A broken plugin is listed as not loaded, with why.
        core::Session::Options options;
        options.pluginPaths = {QStringLiteral(BIOFORGE_BUILD_DIR "/tests/fixture-plugins")};
        core::Session broken(options);
        ui::AboutDialog withBroken(&broken.plugins());
        auto* table = withBroken.findChild<QTableWidget*>(QStringLiteral("versionsTable"));
        bool listed = false;
        for (int r = 0; r < table->rowCount(); ++r)
            listed = listed || (table->item(r, 1)->text().startsWith(QStringLiteral("not loaded: "))
                                && table->item(r, 1)->text().contains(QStringLiteral("bioforge_fixture_missing_symbol")));
        QVERIFY(listed);
        const QString brokenTitle = withBroken.findChild<QLabel*>(QStringLiteral("aboutTitle"))->text();
        int loaded = 0;
        for (const core::PluginEntry& e : broken.plugins().entries())
            if (e.state == core::PluginEntry::State::Loaded && ++loaded)
                QVERIFY2(brokenTitle.contains(e.metadata.name.toHtmlEscaped()), qPrintable(brokenTitle));
        QVERIFY(loaded > 0); // the good fixture
    }

    void aboutListsLibraryVersions()
    {
        ui::AboutDialog about;
        auto* table = about.findChild<QTableWidget*>(QStringLiteral("versionsTable"));
        QVERIFY(table);
        bool qt = false;
        for (int r = 0; r < table->rowCount(); ++r)
            qt = qt || table->item(r, 1)->text() == QString::fromLatin1(qVersion());
        QVERIFY(qt);
    }

    void resumeDialogPreselectsInterruptedAndPausedRuns()
    {
        core::RunRecord a, b;
        a.runId = QStringLiteral("a");
        a.state = core::RunState::Interrupted;
        b.runId = QStringLiteral("b");
        b.state = core::RunState::Paused; // quitting paused it: work to continue too
        ui::ResumeDialog dialog({a, b});
        QCOMPARE(dialog.selectedRunIds(), (QStringList{QStringLiteral("a"), QStringLiteral("b")}));
        // A long title (runs are titled by their inputs) is shown whole where the screen allows.
        b.title = QStringLiteral("VirNucPro prediction — contigs_from_the_sequencing_run_of_2026.fa");
        ui::ResumeDialog wide({a, b});
        wide.show();
        QVERIFY(QTest::qWaitForWindowExposed(&wide));
        const int needed = wide.list()->sizeHintForColumn(0);
        if (needed >= wide.screen()->availableGeometry().width() * 8 / 10)
            QSKIP("the screen is too small for this check");
        QVERIFY2(wide.list()->viewport()->width() >= needed, qPrintable(QStringLiteral("%1 < %2").arg(wide.list()->viewport()->width()).arg(needed)));
        QCOMPARE(wide.list()->item(1)->toolTip(), wide.list()->item(1)->text());
    }

    // The page last chosen is the one the next start opens on (it opened on Runs every time: trial 21).
    void theNextStartOpensOnThePageLastChosen()
    {
        QListWidget* nav = m_window->navigation();
        QVERIFY(nav->count() >= 2);
        const int last = nav->count() - 1;
        nav->setCurrentRow(last);
        {
            ui::MainWindow again(*m_session);
            QCOMPARE(again.navigation()->currentItem()->text(), nav->item(last)->text());
        }
        nav->setCurrentRow(0);
    }
};

QTEST_MAIN(TstWindowDialogs)
#include "tst_window_dialogs.moc"
