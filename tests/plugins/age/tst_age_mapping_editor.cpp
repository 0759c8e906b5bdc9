// The age page's mapping editor alone, offscreen: a column found by its case,
// units and codes kept as the mapping file writes them (numbers too), age and
// follow-up units, and the table as one Tab stop whose choices open by key.

#include "mapping_editor.h"
#include "schema/biomarker_schema.h"
#include "table/column_mapping.h"

#include <QAbstractItemView>
#include <QComboBox>
#include <QJsonArray>
#include <QJsonDocument>
#include <QTableWidget>
#include <QtTest>

using namespace bioforge;
using namespace bioforge::age;

class TstAgeMappingEditor : public QObject {
    Q_OBJECT

private slots:
    // A header that differs from the mapping only in case is the column the reader takes: the
    // editor shows it chosen, not "missing from this table".
    void aColumnDifferingOnlyInCaseIsShownAsFound()
    {
        MappingEditor editor;
        editor.setColumns({QStringLiteral("SAMPLE_ID"), QStringLiteral("AGE_YEARS")});
        editor.setMapping(QJsonObject{{QStringLiteral("age"), QJsonObject{{QStringLiteral("column"), QStringLiteral("age_years")}}}});
        QTableWidget* rows = editor.table();
        QString shown;
        for (int r = 0; r < rows->rowCount(); ++r)
            if (rows->item(r, 0)->text() == QLatin1String("age"))
                shown = qobject_cast<QComboBox*>(rows->cellWidget(r, 1))->currentText();
        QCOMPARE(shown, QStringLiteral("AGE_YEARS"));
        // Its name is the mapping's while nothing is changed, also for another table's header; a
        // choice changed makes it "(edited)" (trial 21: an edited mapping was recorded under the
        // shipped one's name).
        editor.setMapping(QJsonObject{{QStringLiteral("name"), QStringLiteral("lab")},
                                      {QStringLiteral("age"), QJsonObject{{QStringLiteral("column"), QStringLiteral("age_years")}}}});
        QCOMPARE(editor.mapping().value(QLatin1String("name")).toString(), QStringLiteral("lab"));
        editor.setColumns({QStringLiteral("age_years"), QStringLiteral("id")});
        QCOMPARE(editor.mapping().value(QLatin1String("name")).toString(), QStringLiteral("lab"));
        for (int r = 0; r < rows->rowCount(); ++r)
            if (rows->item(r, 0)->text() == QLatin1String("age"))
                qobject_cast<QComboBox*>(rows->cellWidget(r, 1))->setCurrentText(QStringLiteral("id"));
        QCOMPARE(editor.mapping().value(QLatin1String("name")).toString(), QStringLiteral("lab (edited)"));
    }

    // A mapping's units and codes as the file writes them: a marker's unit in another case (mg/dl)
    // stays as written, not the first choice (creatinine in mg/dL had been read as µmol/L: trial 23
    // T23-4); age and follow-up units are shown and chosen; every code list round-trips (T23-5).
    void theMappingsUnitsAndCodesAreKeptAsWritten()
    {
        const QJsonObject given = QJsonDocument::fromJson(R"js({"format": "bioforge-age-mapping/1", "name": "lab",
            "age": {"column": "age", "unit": "months"}, "followup": {"column": "fu", "unit": "days"},
            "pregnant": {"column": "preg", "yes": [1], "no": 2}, "event": {"column": "dead", "yes": ["died"], "no": ["alive"]},
            "sex": {"column": "sex", "male": ["M"], "female": ["F"]},
            "biomarkers": {"creatinine": {"column": "creat", "unit": "mg/dl"}, "glucose": {"column": "glu", "unit": "mmol/L"},
                           "albumin": {"column": "alb", "unit": "furlongs"}}})js").object();
        MappingEditor editor;
        editor.setColumns({QStringLiteral("age"), QStringLiteral("fu"), QStringLiteral("preg"), QStringLiteral("dead"), QStringLiteral("sex"),
                           QStringLiteral("creat"), QStringLiteral("glu"), QStringLiteral("alb")});
        editor.setMapping(given);
        const QJsonObject shown = editor.mapping();
        QCOMPARE(shown.value(QLatin1String("name")).toString(), QStringLiteral("lab")); // nothing changed
        const QJsonObject markers = shown.value(QLatin1String("biomarkers")).toObject();
        QCOMPARE(markers.value(QLatin1String("creatinine")).toObject().value(QLatin1String("unit")).toString(), QStringLiteral("mg/dl"));
        QCOMPARE(markers.value(QLatin1String("glucose")).toObject().value(QLatin1String("unit")).toString(), QStringLiteral("mmol/L"));
        QCOMPARE(markers.value(QLatin1String("albumin")).toObject().value(QLatin1String("unit")).toString(), QStringLiteral("furlongs")); // refused by the run, by name
        QCOMPARE(shown.value(QLatin1String("age")).toObject().value(QLatin1String("unit")).toString(), QStringLiteral("months"));
        QCOMPARE(shown.value(QLatin1String("followup")).toObject().value(QLatin1String("unit")).toString(), QStringLiteral("days"));
        QCOMPARE(shown.value(QLatin1String("pregnant")).toObject().value(QLatin1String("yes")).toArray(), QJsonArray{QStringLiteral("1")}); // numbers kept (review 67 R67-5)
        QCOMPARE(shown.value(QLatin1String("pregnant")).toObject().value(QLatin1String("no")).toArray(), QJsonArray{QStringLiteral("2")});
        QCOMPARE(shown.value(QLatin1String("event")).toObject().value(QLatin1String("no")).toArray(), QJsonArray{QStringLiteral("alive")});
        // It reads as the command line reads the file.
        auto read = ColumnMapping::fromJson(shown, BiomarkerSchema::builtIn(), QStringLiteral("shown"));
        QVERIFY(!read); // the albumin unit
        QJsonObject fixed = shown;
        QJsonObject fixedMarkers = markers;
        fixedMarkers.remove(QStringLiteral("albumin"));
        fixed.insert(QStringLiteral("biomarkers"), fixedMarkers);
        read = ColumnMapping::fromJson(fixed, BiomarkerSchema::builtIn(), QStringLiteral("shown"));
        QVERIFY2(read, read ? "" : qPrintable(read.error().message()));
        QCOMPARE(read->followupToMonths, 12.0 / 365.25);
        QCOMPARE(read->biomarkers.value(QStringLiteral("creatinine")).toCanonical.factor, 88.4017);
        // The follow-up unit chosen on the page is the mapping's (and makes it "(edited)").
        QTableWidget* rows = editor.table();
        for (int r = 0; r < rows->rowCount(); ++r)
            if (rows->item(r, 0)->text() == QLatin1String("followup"))
                qobject_cast<QComboBox*>(rows->cellWidget(r, 2))->setCurrentText(QStringLiteral("years"));
        QCOMPARE(editor.mapping().value(QLatin1String("followup")).toObject().value(QLatin1String("unit")).toString(), QStringLiteral("years"));
        QCOMPARE(editor.mapping().value(QLatin1String("name")).toString(), QStringLiteral("lab (edited)"));
    }

    // A marker the mapping gives no unit for starts on "choose the unit…": mapping a column to it
    // writes no unit, which the run refuses by name, until a unit is chosen (the canonical unit had
    // been taken silently: review 67 R67-13). Age keeps its default.
    void aNewlyMappedMarkerHasNoUnitUntilOneIsChosen()
    {
        MappingEditor editor;
        editor.setColumns({QStringLiteral("age"), QStringLiteral("creat")});
        editor.setMapping(QJsonObject{{QStringLiteral("format"), QStringLiteral("bioforge-age-mapping/1")}, {QStringLiteral("name"), QStringLiteral("lab")},
                                      {QStringLiteral("age"), QJsonObject{{QStringLiteral("column"), QStringLiteral("age")}}}});
        QTableWidget* rows = editor.table();
        int creatinine = -1, age = -1;
        for (int r = 0; r < rows->rowCount(); ++r) {
            if (rows->item(r, 0)->data(Qt::UserRole).toString() == QLatin1String("creatinine"))
                creatinine = r;
            if (rows->item(r, 0)->text() == QLatin1String("age"))
                age = r;
        }
        QVERIFY(creatinine >= 0 && age >= 0);
        auto* unit = qobject_cast<QComboBox*>(rows->cellWidget(creatinine, 2));
        QVERIFY(unit);
        QCOMPARE(unit->currentIndex(), -1);
        QVERIFY(!unit->placeholderText().isEmpty());
        QCOMPARE(qobject_cast<QComboBox*>(rows->cellWidget(age, 2))->currentText(), QStringLiteral("years"));
        qobject_cast<QComboBox*>(rows->cellWidget(creatinine, 1))->setCurrentText(QStringLiteral("creat"));
        QJsonObject shown = editor.mapping();
        QCOMPARE(shown.value(QLatin1String("biomarkers")).toObject().value(QLatin1String("creatinine")).toObject().value(QLatin1String("unit")).toString(),
                 QString());
        auto read = ColumnMapping::fromJson(shown, BiomarkerSchema::builtIn(), QStringLiteral("shown"));
        QVERIFY(!read);
        QVERIFY2(read.error().message().contains(QStringLiteral("'creatinine' (column 'creat') gives no \"unit\"")), qPrintable(read.error().message()));
        unit->setCurrentText(QStringLiteral("mg/dL"));
        shown = editor.mapping();
        read = ColumnMapping::fromJson(shown, BiomarkerSchema::builtIn(), QStringLiteral("shown"));
        QVERIFY2(read, read ? "" : qPrintable(read.error().message()));
        QCOMPARE(read->biomarkers.value(QStringLiteral("creatinine")).toCanonical.factor, 88.4017);
    }

    // The mapping table is one Tab stop, whatever mapping rebuilt its combos (they went to the end
    // of the Tab order: trial 23 T23-7); F2 (or Space, Return, Alt+Down) opens the current cell's choice.
    void theMappingTableIsOneTabStopAndOpensItsChoices()
    {
        MappingEditor editor;
        editor.setColumns({QStringLiteral("age"), QStringLiteral("creat")});
        editor.setMapping(QJsonObject{{QStringLiteral("age"), QJsonObject{{QStringLiteral("column"), QStringLiteral("age")}}}});
        editor.show();
        QVERIFY(QTest::qWaitForWindowExposed(&editor));
        QTableWidget* rows = editor.table();
        QVERIFY(rows->focusPolicy() & Qt::TabFocus);
        QComboBox* column = nullptr;
        for (int r = 0; r < rows->rowCount(); ++r) {
            for (int c = 1; c < 3; ++c)
                if (auto* box = qobject_cast<QComboBox*>(rows->cellWidget(r, c)))
                    QVERIFY2(!(box->focusPolicy() & Qt::TabFocus), qPrintable(rows->item(r, 0)->text()));
            if (rows->item(r, 0)->text() == QLatin1String("age"))
                column = qobject_cast<QComboBox*>(rows->cellWidget(r, 1));
        }
        QVERIFY(column);
        rows->setFocus();
        rows->setCurrentCell(rows->row(rows->findItems(QStringLiteral("age"), Qt::MatchExactly).first()), 1);
        QTest::keyClick(rows, Qt::Key_F2);
        QTRY_VERIFY(column->view()->isVisible());
        column->hidePopup();
        QCOMPARE(rows->editTriggers(), QAbstractItemView::NoEditTriggers); // the field names stay
    }
};

QTEST_MAIN(TstAgeMappingEditor)
#include "tst_age_mapping_editor.moc"
