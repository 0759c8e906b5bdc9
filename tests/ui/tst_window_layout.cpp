// The window's pages at the first start's size (1280 px, the docks beside):
// none needs a sideways scroll bar (the results go under a form that does not
// fit beside them), and the mouse wheel scrolls a page rather than changing
// the setting under the pointer. Saves a screenshot of each page.

#include "jobs/job_list_model.h"
#include "jobs/jobs_dock.h"
#include "layout/stacking_splitter.h"
#include "plugin/plugin_manager.h"
#include "settings/page_memory.h"
#include "runs/session.h"
#include "shell/main_window.h"
#include "shell/runs_page.h"
#include "store/project.h"
#include "store/project_store.h"
#include "window_fixture.h"

#include <QAbstractScrollArea>
#include <QApplication>
#include <QComboBox>
#include <QHeaderView>
#include <QLayout>
#include <QListWidget>
#include <QScrollArea>
#include <QScreen>
#include <QScrollBar>
#include <QTableView>
#include <QTemporaryDir>
#include <QWheelEvent>
#include <QtTest>

using namespace bioforge;
using namespace bioforge::test;

namespace {

QAbstractScrollArea* nearestScrollArea(QWidget* w)
{
    for (QWidget* up = w->parentWidget(); up; up = up->parentWidget())
        if (auto* area = qobject_cast<QAbstractScrollArea*>(up))
            return area;
    return nullptr;
}

} // namespace

class TstWindowLayout : public QObject {
    Q_OBJECT

    QTemporaryDir m_dir;
    WindowFixture m_fixture;
    std::unique_ptr<ui::MainWindow>& m_window = m_fixture.window;

private slots:
    void initTestCase()
    {
        QVERIFY(m_fixture.open(m_dir.filePath(QStringLiteral("project")), [] {
            for (const char* key : {"geometry", "state"}) // a first start, whatever an earlier run left
                ui::PageMemory(QStringLiteral("window")).setValue(QLatin1String(key), QByteArray());
        }));
        QDir().mkpath(QStringLiteral(BIOFORGE_BUILD_DIR "/screenshots"));
    }

    void cleanupTestCase() { m_fixture.close(); }

    // At the first start's size every page fits beside the docks (Viral's and Chat's buttons were off
    // screen beside the Provenance dock: a page-wide horizontal scroll bar).
    void everyPageFitsBesideTheDocksAtTheFirstStart()
    {
        QStringList wide;
        const int shown = m_window->navigation()->currentRow();
        for (int i = 0; i < m_window->navigation()->count(); ++i) {
            m_window->navigation()->setCurrentRow(i);
            QCoreApplication::processEvents();
            QScrollArea* scroll = nullptr;
            for (QScrollArea* s : m_window->findChildren<QScrollArea*>(QStringLiteral("pageScroll")))
                scroll = s->isVisible() ? s : scroll;
            QVERIFY(scroll);
            const int needed = scroll->widget()->minimumSizeHint().width();
            // A person can look at each page (build/screenshots).
            m_window->grab().save(QStringLiteral(BIOFORGE_BUILD_DIR "/screenshots/first-start-page-%1.png").arg(i));
            const QString page = m_window->navigation()->item(i)->text();
            if (needed > scroll->viewport()->width() || scroll->horizontalScrollBar()->isVisible())
                wide << QStringLiteral("%1: %2 px in %3 px").arg(page).arg(needed).arg(scroll->viewport()->width());
            // Each pane is as tall as its layout needs at its width (wrapped labels counted): a pane
            // given less drew its widgets over each other (the age form's check summary over its
            // mapping: trial 20).
            for (const ui::StackingSplitter* s : scroll->widget()->findChildren<ui::StackingSplitter*>()) {
                for (int p = 0; s->isVisible() && p < s->count(); ++p) {
                    const QWidget* pane = s->widget(p);
                    if (pane->isHidden() || !pane->layout())
                        continue;
                    const int needs = pane->layout()->hasHeightForWidth() ? pane->layout()->totalMinimumHeightForWidth(pane->width())
                                                                          : pane->layout()->totalMinimumSize().height();
                    if (pane->height() < needs)
                        wide << QStringLiteral("%1: pane %2 is %3 px tall, its layout needs %4 at %5 px wide").arg(page).arg(p).arg(pane->height()).arg(needs).arg(pane->width());
                }
            }
            // The age page's people and mapping tables show ten rows or more (one row and four of the
            // mapping's twenty fields: trial 20).
            for (const char* name : {"peopleTable", "mappingTable"})
                if (const auto* table = scroll->widget()->findChild<QTableView*>(QLatin1String(name)); table && table->isVisible()
                    && table->viewport()->height() < 10 * table->verticalHeader()->defaultSectionSize())
                    wide << QStringLiteral("%1: %2 is %3 px tall, under ten rows").arg(page, QLatin1String(name)).arg(table->viewport()->height());
            // The page's minimum is its widest pane's: side by side, each pane must have its own.
            for (const ui::StackingSplitter* s : scroll->widget()->findChildren<ui::StackingSplitter*>()) {
                if (!s->isVisible() || s->orientation() != Qt::Horizontal)
                    continue;
                if (s->width() < s->sideBySideWidth())
                    wide << QStringLiteral("%1: %2 side by side in %3 px of the %4 px they need").arg(page, s->objectName()).arg(s->width()).arg(s->sideBySideWidth());
                // Measured twice: by the splitter's own rule, and by Qt's minimum size hint of the
                // pane's layout (a mistake in the rule would pass its own check).
                for (int p = 0; p < s->count(); ++p) {
                    const QWidget* pane = s->widget(p);
                    if (pane->isHidden())
                        continue;
                    if (pane->width() < ui::StackingSplitter::paneMinimum(pane).width())
                        wide << QStringLiteral("%1: pane %2 squeezed to %3 px of %4").arg(page).arg(p).arg(pane->width()).arg(ui::StackingSplitter::paneMinimum(pane).width());
                    if (pane->sizePolicy().horizontalPolicy() != QSizePolicy::Ignored && pane->layout()
                        && pane->width() < pane->layout()->totalMinimumSize().width())
                        wide << QStringLiteral("%1: pane %2 is %3 px, its layout's minimum %4").arg(page).arg(p).arg(pane->width()).arg(pane->layout()->totalMinimumSize().width());
                }
            }
        }
        m_window->navigation()->setCurrentRow(shown);
        QVERIFY2(wide.isEmpty(), qPrintable(wide.join(QStringLiteral("; "))));
        // Every plugin built beside the test loaded (its page checked above, not silently absent).
        for (const QString& id : QStringLiteral(BIOFORGE_BUILT_PLUGINS).split(QLatin1Char(','), Qt::SkipEmptyParts)) {
            const core::PluginEntry* entry = m_fixture.session->plugins().entry(id);
            QVERIFY2(entry && entry->state == core::PluginEntry::State::Loaded, qPrintable(id));
        }
    }

    // The mouse wheel over a setting the pointer passes while scrolling a page scrolls the page; the
    // setting takes the wheel once it has the focus (scrolling down the age form changed its clock
    // settings, the viral form its chunk length: trial 16).
    void theWheelScrollsAPageNotTheSettingUnderThePointer()
    {
        QComboBox* box = nullptr;
        QScrollArea* page = nullptr;
        for (int i = 0; i < m_window->navigation()->count() && !box; ++i) {
            m_window->navigation()->setCurrentRow(i);
            QCoreApplication::processEvents();
            for (QScrollArea* s : m_window->findChildren<QScrollArea*>(QStringLiteral("pageScroll")))
                if (s->isVisible() && s->verticalScrollBar()->maximum() > 0)
                    for (QComboBox* c : s->widget()->findChildren<QComboBox*>())
                        if (!box && c->isVisible() && c->isEnabled() && c->count() > 2 && !c->isEditable() && nearestScrollArea(c) == s) { // not a table's cell
                            box = c;
                            page = s;
                        }
        }
        if (!box)
            QSKIP("no page here scrolls with a combo box on it");
        box->setCurrentIndex(0);
        QCOMPARE(box->focusPolicy(), Qt::StrongFocus); // not WheelFocus: a wheel does not focus it first
        page->verticalScrollBar()->setValue(0);
        const auto wheelDown = [box] {
            QWheelEvent down(QPointF(5, 5), box->mapToGlobal(QPointF(5, 5)), QPoint(), QPoint(0, -120), Qt::NoButton, Qt::NoModifier, Qt::NoScrollPhase, false);
            QApplication::sendEvent(box, &down);
        };
        wheelDown();
        QCOMPARE(box->currentIndex(), 0);
        QVERIFY(page->verticalScrollBar()->value() > 0);
        box->setFocus();
        QTRY_VERIFY(box->hasFocus());
        wheelDown();
        QCOMPARE(box->currentIndex(), 1); // focused: the wheel is its
        box->setCurrentIndex(0);
        m_window->navigation()->setCurrentRow(0);
    }

    // Long titles at the first start's size: the Jobs dock and the Runs page cut a title in its
    // middle (its end names the inputs, or the run it continues), and the columns after it stay in
    // view (State, Rate and Created were clipped at 1280 px: trial 18's T18-7).
    void titlesGiveWayInTheirMiddleAndTheColumnsAfterThemStayInView()
    {
        const QString title = QStringLiteral("Viral sequence prediction: predict with TEST models (random weights: the calls mean nothing) — "
                                             "contigs-from-the-sequencer.fa, more.fa");
        core::RunRecord paused;
        paused.runId = QStringLiteral("20261207-050948-c1f863e8");
        paused.checkpointId = paused.runId;
        paused.pluginId = QStringLiteral("workbench");
        paused.verb = QStringLiteral("selftest");
        paused.title = title;
        paused.state = core::RunState::Paused;
        paused.createdAt = QDateTime::currentDateTimeUtc();
        core::RunRecord continuation = paused;
        continuation.runId = QStringLiteral("20261207-051023-34296ef5");
        continuation.parentRunId = paused.runId;
        continuation.state = core::RunState::Finished;
        QVERIFY(m_fixture.session->project()->store().insertRun(paused));
        QVERIFY(m_fixture.session->project()->store().insertRun(continuation));
        core::RunRecord interrupted = paused; // not resumed: a row of the Jobs dock
        interrupted.runId = QStringLiteral("20261207-052000-0badf00d");
        interrupted.checkpointId = interrupted.runId;
        interrupted.state = core::RunState::Interrupted;
        QVERIFY(m_fixture.session->project()->store().insertRun(interrupted));
        m_window->jobsDock()->reloadDormant();
        m_window->navigation()->setCurrentRow(0); // the Runs page
        m_window->runsPage()->reload();
        QCoreApplication::processEvents();
        m_window->grab().save(QStringLiteral(BIOFORGE_BUILD_DIR "/screenshots/first-start-long-titles.png"));

        QStringList clipped;
        const auto lastColumnInView = [&clipped](const QTableView* table, int column, const QString& what) {
            if (table->isColumnHidden(column))
                return;
            const int right = table->columnViewportPosition(column) + table->columnWidth(column);
            if (right > table->viewport()->width())
                clipped << QStringLiteral("%1 ends at %2 px of %3").arg(what).arg(right).arg(table->viewport()->width());
            if (table->columnWidth(column) < static_cast<const QAbstractItemView*>(table)->sizeHintForColumn(column))
                clipped << QStringLiteral("%1 is %2 px, its text %3").arg(what).arg(table->columnWidth(column)).arg(static_cast<const QAbstractItemView*>(table)->sizeHintForColumn(column));
        };
        const QTableView* jobs = m_window->jobsDock()->table();
        QCOMPARE(jobs->textElideMode(), Qt::ElideMiddle);
        QVERIFY(jobs->model()->rowCount() >= 1);
        lastColumnInView(jobs, ui::JobListModel::State, QStringLiteral("Jobs dock: State"));
        lastColumnInView(jobs, ui::JobListModel::Rate, QStringLiteral("Jobs dock: Rate"));
        const QTableView* runs = m_window->runsPage()->table();
        QCOMPARE(runs->textElideMode(), Qt::ElideMiddle);
        QVERIFY(!runs->wordWrap());
        QVERIFY(runs->model()->rowCount() >= 3);
        for (int column : {0, 3, 4}) // the run id, its state and when it was created
            lastColumnInView(runs, column, QStringLiteral("Runs page: ") + runs->model()->headerData(column, Qt::Horizontal).toString());
        QVERIFY2(clipped.isEmpty(), qPrintable(clipped.join(QStringLiteral("; "))));
    }

    // A place saved below the screen (an X server without a window manager restored the window 20 px
    // lower at each start, its status bar off the screen: trial 16) is brought back onto it.
    void aPlaceSavedOffTheScreenIsBroughtBack()
    {
        const QRect available = m_window->screen()->availableGeometry();
        const QRect before = m_window->geometry();
        m_window->setGeometry(available.left() + 40, available.top() + 100, available.width() / 2, available.height());
        QCoreApplication::processEvents();
        ui::PageMemory(QStringLiteral("window")).setValue(QStringLiteral("geometry"), m_window->saveGeometry());
        m_window->setGeometry(before);
        ui::MainWindow again(*m_fixture.session);
        QVERIFY2(available.contains(again.geometry()), qPrintable(QStringLiteral("%1,%2 %3x%4 in %5x%6")
                                                                      .arg(again.geometry().x()).arg(again.geometry().y())
                                                                      .arg(again.geometry().width()).arg(again.geometry().height())
                                                                      .arg(available.width()).arg(available.height())));
        QCOMPARE(again.geometry().height(), available.height()); // moved up, not shrunk
        QCOMPARE(again.geometry().left(), available.left() + 40);
    }
};

QTEST_MAIN(TstWindowLayout)
#include "tst_window_layout.moc"
