// The age page, offscreen (its mapping editor alone: tst_age_mapping_editor):
// a table is checked against the mapping (columns
// offered, problems listed by line and column), the mapping edited on the
// page is saved with the project and offered again, "Compute clocks" and
// "Evaluate against mortality" (with HENAW trained on the spot) start
// recorded runs whose people and comparison fill the results. Saves a
// screenshot.

#include "age_page.h"
#include "age_results_panel.h"
#include "age_setup_panel.h"
#include "io/json_file.h"
#include "log/logging.h"
#include "mapping_editor.h"
#include "runs/run_service.h"
#include "runs/session.h"
#include "store/project.h"
#include "store/project_store.h"
#include "support/test_support.h"
#include "synthetic_cohort.h"

#include <QApplication>
#include <QComboBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSpinBox>
#include <QStandardPaths>
#include <QAbstractItemView>
#include <QTabBar>
#include <QTabWidget>
#include <QTableView>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QTimer>
#include <QtTest>

using namespace bioforge;
using namespace bioforge::age;
using namespace bioforge::test;

class TstAgePage : public QObject {
    Q_OBJECT
    QTemporaryDir m_dir;
    std::unique_ptr<core::Session> m_session;
    std::unique_ptr<AgePage> m_page;
    QString m_table;

    void runFromButton(const char* button)
    {
        QSignalSpy ended(m_session->runs(), &core::RunService::runEnded);
        QSignalSpy loaded(m_page->results(), &AgeResultsPanel::loaded);
        QTest::mouseClick(m_page->findChild<QPushButton*>(QLatin1String(button)), Qt::LeftButton);
        const QString status = m_page->findChild<QLabel*>(QStringLiteral("status"))->text();
        QVERIFY2(status.startsWith(QStringLiteral("Running")), qPrintable(status)); // the run started (else the reason is here)
        QTRY_COMPARE_WITH_TIMEOUT(ended.count(), 1, 300000);
        QVERIFY2(ended.first().at(1).toBool(), qPrintable(m_page->findChild<QLabel*>(QStringLiteral("status"))->text()));
        // This run's results shown (a read of an earlier run's, ending meanwhile, was taken for them).
        const QString runDir = m_session->project()->runDir(ended.first().at(0).toString());
        QTRY_VERIFY_WITH_TIMEOUT(loaded.count() >= 1 && m_page->results()->shownRunDir() == runDir, 30000);
    }

private slots:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        core::Logging::initialize(core::Logging::Console::Off);
        m_session = std::make_unique<core::Session>(core::Session::Options{});
        QVERIFY(m_session->openProject(m_dir.filePath(QStringLiteral("project")), true));
        m_page = std::make_unique<AgePage>(ui::PageContext{m_session.get()});
        m_page->resize(1400, 900);
        m_page->show();
        m_table = m_dir.filePath(QStringLiteral("people.csv"));
        QByteArray cohort = bioforge::age::test::syntheticCohort(500, 5);
        // PhenoAge's other markers, so the clocks run has values to show (a run without any fails).
        QList<QByteArray> lines = cohort.split('\n');
        for (qsizetype i = 0; i < lines.size(); ++i)
            if (!lines[i].isEmpty())
                lines[i] += i == 0 ? QByteArray(",lymphocyte_percent,mcv_fL,alp_U_per_L,wbc_1000_cells_per_uL") : QByteArray(",30,90,70,6");
        cohort = lines.join('\n');
        cohort.replace("\np7,", "\np7x,"); // ids stay distinct; one age made unreadable below
        const qsizetype line = cohort.indexOf("\np9,");
        cohort.replace(cohort.indexOf(',', line + 1) + 1, 0, "?");
        QVERIFY(writeAll(m_table, cohort));
    }

    void checkingTheTableFillsTheMappingAndNamesProblems()
    {
        AgeSetupPanel* setup = m_page->setup();
        setup->setTable(m_table);
        QSignalSpy checked(setup, &AgeSetupPanel::checked);
        QTest::mouseClick(m_page->findChild<QPushButton*>(QStringLiteral("checkButton")), Qt::LeftButton);
        QTRY_COMPARE_WITH_TIMEOUT(checked.count(), 1, 30000);
        QVERIFY2(setup->checkSummary()->text().contains(QStringLiteral("500 rows")), qPrintable(setup->checkSummary()->text()));
        QCOMPARE(setup->problems()->rowCount(), 1);
        QCOMPARE(setup->problems()->item(0, 0)->text(), QStringLiteral("11")); // p9 is on line 11 (header is line 1)
        QCOMPARE(setup->problems()->item(0, 1)->text(), QStringLiteral("age_years"));
        // The table's columns are offered; the mapping reads albumin as the table has it.
        const QJsonObject mapping = setup->currentMapping();
        QCOMPARE(mapping.value(QLatin1String("biomarkers")).toObject().value(QLatin1String("albumin")).toObject().value(QLatin1String("column")).toString(),
                 QStringLiteral("albumin_g_per_L"));
        // FEV1 is mapped but this table has no such column: the editor says so.
        QTableWidget* rows = setup->mappingEditor()->table();
        bool flagged = false;
        for (int r = 0; r < rows->rowCount(); ++r)
            if (rows->item(r, 0)->text().contains(QStringLiteral("(fev1)")))
                flagged = qobject_cast<QComboBox*>(rows->cellWidget(r, 1))->currentText().contains(QStringLiteral("missing from this table"));
        QVERIFY(flagged);
        // Another table chosen: the check shown was the last one's, and says so (it stayed as if it
        // were this one's: trial 20).
        setup->setTable(m_dir.filePath(QStringLiteral("other.csv")));
        QVERIFY2(setup->checkSummary()->text().contains(QStringLiteral("changed since the check")), qPrintable(setup->checkSummary()->text()));
        QCOMPARE(setup->problems()->rowCount(), 0);
        setup->setTable(m_table);
        QTest::mouseClick(m_page->findChild<QPushButton*>(QStringLiteral("checkButton")), Qt::LeftButton);
        setup->setTable(m_dir.filePath(QStringLiteral("other.csv"))); // while the check runs
        QTRY_COMPARE_WITH_TIMEOUT(checked.count(), 1, 30000);
        QTRY_VERIFY2_WITH_TIMEOUT(setup->checkSummary()->text().contains(QStringLiteral("changed during the check")), qPrintable(setup->checkSummary()->text()), 30000);
        QCOMPARE(setup->problems()->rowCount(), 0);
        // A path typed and left (Return, Tab) is checked at once, its columns offered (every column
        // read "missing from this table" until Check: trial 23 T23-15).
        auto* path = setup->findChild<QLineEdit*>(QStringLiteral("tablePath"));
        path->setText(m_table);
        const qsizetype before = checked.count();
        emit path->editingFinished();
        QTRY_COMPARE_WITH_TIMEOUT(checked.count(), before + 1, 30000);
        QVERIFY2(setup->checkSummary()->text().contains(QStringLiteral("500 rows")), qPrintable(setup->checkSummary()->text()));
    }

    // A mapping from a file: the dialog starts beside the table, the box then names the file, and a
    // cancelled choice puts the box back on the mapping the editor still holds (trial 20).
    void aMappingFromAFileIsNamedAndACancelledChoiceGoesBack()
    {
        AgeSetupPanel* setup = m_page->setup();
        auto* choice = setup->findChild<QComboBox*>(QStringLiteral("mappingChoice"));
        QVERIFY(choice);
        const int before = choice->currentIndex();
        const QString file = m_dir.filePath(QStringLiteral("lab-map.json"));
        QVERIFY(writeAll(file, R"js({"format": "bioforge-age-mapping/1", "name": "my lab", "age": {"column": "Age"},
                                     "biomarkers": {"crp": {"column": "CRP (mg/L)", "unit": "mg/L"}}})js"));
        const auto answer = [this](const QString& pick, QString* startedIn) {
            QTimer::singleShot(0, this, [pick, startedIn] {
                auto* dialog = qobject_cast<QFileDialog*>(QApplication::activeModalWidget());
                if (!dialog)
                    return;
                *startedIn = dialog->directory().absolutePath();
                if (pick.isEmpty()) {
                    dialog->reject();
                    return;
                }
                dialog->selectFile(pick);
                QMetaObject::invokeMethod(dialog, "accept");
            });
        };
        const int fromFile = choice->findData(QStringLiteral(":file"));
        QString startedIn;
        answer(file, &startedIn);
        choice->setCurrentIndex(fromFile);
        emit choice->activated(fromFile);
        QCOMPARE(startedIn, QFileInfo(m_table).absolutePath());
        QCOMPARE(choice->currentText(), QStringLiteral("From a file: lab-map.json (another…)"));
        QCOMPARE(setup->currentMapping().value(QLatin1String("age")).toObject().value(QLatin1String("column")).toString(), QStringLiteral("Age"));
        // Back to a shipped one, then a file choice cancelled: the box shows the shipped one again.
        choice->setCurrentIndex(before);
        emit choice->activated(before);
        answer(QString(), &startedIn);
        choice->setCurrentIndex(fromFile);
        emit choice->activated(fromFile);
        QCOMPARE(choice->currentIndex(), before);
        QVERIFY(setup->currentMapping().value(QLatin1String("age")).toObject().value(QLatin1String("column")).toString() != QLatin1String("Age"));
    }

    // The reference tables' own mapping is a choice of the page, given to the run.
    void theReferencesMappingIsAParameter()
    {
        AgeSetupPanel* setup = m_page->setup();
        auto* choice = setup->findChild<QComboBox*>(QStringLiteral("referenceMappingChoice"));
        QVERIFY(choice);
        QVERIFY(!setup->parameters(QStringLiteral("clocks"), QStringLiteral("m.json")).contains(QStringLiteral("reference_map")));
        choice->setCurrentIndex(choice->findData(QStringLiteral("nhanes-bioage")));
        QCOMPARE(setup->parameters(QStringLiteral("evaluate"), QStringLiteral("m.json")).value(QLatin1String("reference_map")).toString(), QStringLiteral("nhanes-bioage"));
        // Kept with the page's other settings, for the next start (trial 23 T23-17).
        setup->remember();
        {
            AgeSetupPanel next;
            QCOMPARE(next.findChild<QComboBox*>(QStringLiteral("referenceMappingChoice"))->currentData().toString(), QStringLiteral("nhanes-bioage"));
        }
        choice->setCurrentIndex(0);
        setup->remember();
        // HD, a trained model and the bootstrap are the page's too (they were command-line only: trial 23 T23-6).
        auto* hd = setup->findChild<QLineEdit*>(QStringLiteral("hdReference"));
        auto* model = setup->findChild<QLineEdit*>(QStringLiteral("henawModel"));
        auto* bootstrap = setup->findChild<QSpinBox*>(QStringLiteral("bootstrap"));
        QVERIFY(hd && model && bootstrap && setup->findChild<QSpinBox*>(QStringLiteral("seed")));
        hd->setText(QStringLiteral("young.csv"));
        model->setText(QStringLiteral("run/henaw-model"));
        bootstrap->setValue(0);
        const QJsonObject evaluate = setup->parameters(QStringLiteral("evaluate"), QStringLiteral("m.json"));
        QCOMPARE(evaluate.value(QLatin1String("hd_reference")).toString(), QStringLiteral("young.csv"));
        QCOMPARE(evaluate.value(QLatin1String("henaw")).toString(), QStringLiteral("run/henaw-model"));
        QCOMPARE(evaluate.value(QLatin1String("bootstrap")).toInt(), 0);
        QCOMPARE(evaluate.value(QLatin1String("seed")).toInt(), 1);
        QCOMPARE(setup->parameters(QStringLiteral("clocks"), QStringLiteral("m.json")).value(QLatin1String("hd_reference")).toString(), QStringLiteral("young.csv"));
        const QJsonObject predict = setup->parameters(QStringLiteral("predict"), QStringLiteral("m.json"));
        QCOMPARE(predict, (QJsonObject{{QStringLiteral("table"), setup->table()}, {QStringLiteral("map"), QStringLiteral("m.json")},
                                       {QStringLiteral("model"), QStringLiteral("run/henaw-model")}}));
        hd->clear();
        model->clear();
        bootstrap->setValue(200);
    }

    void clocksFromThePageFillThePeopleTable()
    {
        runFromButton("clocksButton");
        QTableView* people = m_page->results()->people();
        QCOMPARE(people->model()->rowCount(), 500);
        QCOMPARE(people->model()->headerData(1, Qt::Horizontal).toString(), QStringLiteral("phenoage"));
        // In the table's order (the last person was listed first, sorted by the id column descending: trial 16).
        QCOMPARE(people->model()->index(0, 0).data().toString(), QStringLiteral("p0"));
        QCOMPARE(people->model()->index(499, 0).data().toString(), QStringLiteral("p499"));
        // An empty clock cell says why (clock_notes.tsv; it gave no reason: trial 23 T23-20): p9's age is unreadable.
        const QModelIndex p9 = people->model()->index(9, 1);
        QCOMPARE(people->model()->index(9, 0).data().toString(), QStringLiteral("p9"));
        QCOMPARE(p9.data().toString(), QStringLiteral("—"));
        QVERIFY2(p9.data(Qt::ToolTipRole).toString().startsWith(QStringLiteral("No phenoage value: no usable age")), qPrintable(p9.data(Qt::ToolTipRole).toString()));
        QVERIFY(m_page->results()->tabs()->count() >= 2);
        QVERIFY(QFileInfo::exists(m_page->projectMappingFile())); // the mapping as edited, saved with the project
        // The run reads its own copy, named by its content: a later run's edits leave it as it was
        // (they rewrote the one file a paused run had pinned: trial 21).
        const auto runMapping = [this](const QString& id) {
            auto run = m_session->project()->store().run(id);
            return run ? run->parameters.value(QLatin1String("map")).toString() : QString();
        };
        auto runs = m_session->project()->store().runs();
        QVERIFY(runs && runs->size() == 1);
        const QString first = runMapping(runs->first().runId);
        QVERIFY2(first.contains(QStringLiteral("/age/mappings/mapping-")), qPrintable(first));
        const QByteArray firstBytes = readAll(first);
        QCOMPARE(firstBytes, readAll(m_page->projectMappingFile()));
        QTableWidget* rows = m_page->setup()->mappingEditor()->table();
        QComboBox* albuminUnit = nullptr;
        for (int r = 0; r < rows->rowCount(); ++r)
            if (rows->item(r, 0)->text().endsWith(QLatin1String("(albumin)")))
                albuminUnit = qobject_cast<QComboBox*>(rows->cellWidget(r, 2));
        QVERIFY(albuminUnit && albuminUnit->count() > 1);
        const int unitAsSet = albuminUnit->currentIndex();
        albuminUnit->setCurrentIndex((unitAsSet + 1) % albuminUnit->count());
        const auto restore = qScopeGuard([&] { albuminUnit->setCurrentIndex(unitAsSet); }); // the later tests' mapping
        QSignalSpy ended(m_session->runs(), &core::RunService::runEnded);
        const QString id = m_page->start(QStringLiteral("clocks"));
        QVERIFY(!id.isEmpty());
        QTRY_COMPARE_WITH_TIMEOUT(ended.count(), 1, 300000); // it may fail on the albumin's values: its mapping is what is checked
        const QString second = runMapping(id);
        QVERIFY2(second != first && second.contains(QStringLiteral("/age/mappings/mapping-")), qPrintable(second));
        QCOMPARE(readAll(first), firstBytes);
        auto edited = core::readJsonObjectFile(second);
        QVERIFY(edited && edited->value(QLatin1String("name")).toString().endsWith(QLatin1String(" (edited)")));
        // A second page on the project offers it.
        AgePage again(ui::PageContext{m_session.get()});
        QCOMPARE(again.setup()->findChild<QComboBox*>(QStringLiteral("mappingChoice"))->itemData(0).toString(), QStringLiteral(":project"));
        // ... and the table the last run read, as the Viral page offers its FASTA files (trial 21).
        QCOMPARE(again.setup()->table(), m_table);
    }

    void evaluationWithHenawShowsTheComparison()
    {
        m_page->setup()->findChild<QLineEdit*>(QStringLiteral("henawTrain"))->setText(m_table);
        runFromButton("evaluateButton");
        QTabWidget* tabs = m_page->results()->tabs();
        int comparison = -1;
        for (int i = 0; i < tabs->count(); ++i)
            if (tabs->tabText(i) == QLatin1String("Against mortality"))
                comparison = i;
        QVERIFY(comparison > 0);
        tabs->setCurrentIndex(comparison);
        const QList<QTableWidget*> tables = tabs->widget(comparison)->findChildren<QTableWidget*>();
        QVERIFY(!tables.isEmpty());
        QStringList clocks;
        for (int r = 0; r < tables.first()->rowCount(); ++r)
            clocks << tables.first()->item(r, 0)->text();
        QVERIFY2(clocks.contains(QStringLiteral("henaw")) && clocks.contains(QStringLiteral("phenoage")) && clocks.contains(QStringLiteral("chronological age")),
                 qPrintable(clocks.join(QLatin1Char(','))));
        QVERIFY(m_page->grab().save(QStringLiteral(BIOFORGE_BUILD_DIR "/tests/age_page.png")));
        // Tab from the tab bar goes into the tab shown (its tables were out of the keyboard's reach: trial 23 T23-8).
        QWidget* next = tabs->tabBar()->nextInFocusChain();
        while (next && !((next->focusPolicy() & Qt::TabFocus) && next->isVisible() && next->isEnabled()))
            next = next->nextInFocusChain();
        QVERIFY(next && (next == tabs->widget(comparison) || tabs->widget(comparison)->isAncestorOf(next)));
    }

    // With results shown, the page fits the width a 1024-px window leaves beside its docks (about
    // 470 px): it stacks and scrolls down, never sideways (trial 23 T23-11).
    void thePageFitsANarrowWindowWithItsResults()
    {
        QVERIFY(!m_page->results()->shownRunDir().isEmpty());
        QVERIFY2(m_page->minimumSizeHint().width() <= 470, qPrintable(QString::number(m_page->minimumSizeHint().width())));
    }

    // The model that evaluation trained, applied to the table from the page (predict was
    // command-line only: trial 23 T23-6): its people's HENAW ages are shown.
    void aTrainedModelIsAppliedFromThePage()
    {
        const QString model = QDir(m_page->results()->shownRunDir()).filePath(QStringLiteral("henaw-model"));
        QVERIFY2(QFileInfo::exists(QDir(model).filePath(QStringLiteral("model.json"))), qPrintable(model));
        auto* chosen = m_page->setup()->findChild<QLineEdit*>(QStringLiteral("henawModel"));
        chosen->clear();
        QTest::mouseClick(m_page->findChild<QPushButton*>(QStringLiteral("predictButton")), Qt::LeftButton); // no model: said, nothing started
        QVERIFY2(m_page->findChild<QLabel*>(QStringLiteral("status"))->text().startsWith(QStringLiteral("Choose the trained model first")),
                 qPrintable(m_page->findChild<QLabel*>(QStringLiteral("status"))->text()));
        chosen->setText(model);
        runFromButton("predictButton");
        QVERIFY(QFileInfo::exists(QDir(m_page->results()->shownRunDir()).filePath(QStringLiteral("henaw.csv"))));
        chosen->clear();
    }

    // A training that fails gives the chooser back to the run shown before it (it jumped to the
    // latest run, whose results were then shown under the failed one's message: trial 23 T23-15).
    void aFailedTrainingGivesBackTheRunShown()
    {
        QComboBox* runs = m_page->runChoice();
        QVERIFY(runs->count() >= 2);
        runs->setCurrentIndex(runs->count() - 1); // the oldest
        const QString shown = runs->currentData(Qt::UserRole + 1).toString();
        const QString few = m_dir.filePath(QStringLiteral("few.csv"));
        QVERIFY(writeAll(few, bioforge::age::test::syntheticCohort(30, 9))); // too few people for HENAW
        auto* train = m_page->setup()->findChild<QLineEdit*>(QStringLiteral("henawTrain"));
        const QString kept = train->text();
        train->setText(few);
        QSignalSpy ended(m_session->runs(), &core::RunService::runEnded);
        QTest::mouseClick(m_page->findChild<QPushButton*>(QStringLiteral("trainButton")), Qt::LeftButton);
        if (m_page->findChild<QLabel*>(QStringLiteral("status"))->text().startsWith(QStringLiteral("Running"))) {
            QTRY_COMPARE_WITH_TIMEOUT(ended.count(), 1, 120000);
            QVERIFY(!ended.first().at(1).toBool());
        }
        QTRY_COMPARE(runs->currentData(Qt::UserRole + 1).toString(), shown);
        train->setText(kept);
    }

    // Another project opened (File ▸ Open project): the page shows nothing of the last one — not
    // its run's status line, not its runs (review 60 F12; the status said the last project's run).
    void anotherProjectShowsNoneOfTheLastOnesRuns()
    {
        const QLabel* status = m_page->findChild<QLabel*>(QStringLiteral("status"));
        QVERIFY(!status->text().isEmpty() && m_page->runChoice()->count() > 0);
        // Another page's run ending re-lists the runs: the people shown stay shown (they were emptied
        // until the same run's files were read again).
        const int people = m_page->results()->people()->model()->rowCount();
        QVERIFY(people > 0);
        emit m_session->runs()->runEnded(QStringLiteral("a-run-of-another-page"), true);
        QCOMPARE(m_page->results()->people()->model()->rowCount(), people);
        QVERIFY(m_session->openProject(m_dir.filePath(QStringLiteral("second project")), true));
        QCOMPARE(status->text(), QString());
        QCOMPARE(m_page->runChoice()->count(), 0);
    }
};

QTEST_MAIN(TstAgePage)
#include "tst_age_page.moc"
