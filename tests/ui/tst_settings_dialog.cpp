// The settings dialog keeps the cluster options only when sbatch would read
// them as meant: a malformed time limit is refused with the reason shown and
// nothing saved; well-formed options are saved and read back.

#include "settings/settings_dialog.h"
#include "settings/workbench_settings.h"

#include <QJsonArray>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QSpinBox>
#include <QtTest>

using namespace bioforge;

class TstSettingsDialog : public QObject {
    Q_OBJECT
private slots:
    void clusterOptionsAreCheckedThenKept()
    {
        ui::SettingsDialog dialog;
        auto* error = dialog.findChild<QLabel*>(QStringLiteral("settingsError"));
        QVERIFY(error);
        const QList<QLineEdit*> edits = dialog.findChildren<QLineEdit*>();
        QLineEdit* time = nullptr;
        QLineEdit* partition = nullptr;
        for (QLineEdit* e : edits) {
            if (e->placeholderText().contains(QLatin1String("12:00:00")))
                time = e;
            if (e->placeholderText().contains(QLatin1String("default")))
                partition = e;
        }
        QVERIFY(time && partition);
        time->setText(QStringLiteral("tomorrow"));
        QVERIFY(!dialog.save());
        QVERIFY2(error->text().contains(QLatin1String("time 'tomorrow'")), qPrintable(error->text()));
        QVERIFY(!core::WorkbenchSettings().clusterOptions().contains(QLatin1String("time")));

        time->setText(QStringLiteral("2-00:00:00"));
        partition->setText(QStringLiteral("gpu"));
        dialog.findChild<QPlainTextEdit*>()->setPlainText(QStringLiteral("--qos=long\n\n--constraint=h200\n"));
        QVERIFY(dialog.save());
        QVERIFY(error->text().isEmpty());
        const QJsonObject kept = core::WorkbenchSettings().clusterOptions();
        QCOMPARE(kept.value(QLatin1String("time")).toString(), QStringLiteral("2-00:00:00"));
        QCOMPARE(kept.value(QLatin1String("partition")).toString(), QStringLiteral("gpu"));
        QCOMPARE(kept.value(QLatin1String("sbatch_lines")).toArray(), (QJsonArray{QStringLiteral("--qos=long"), QStringLiteral("--constraint=h200")}));
        ui::SettingsDialog again; // shows what was kept
        bool shown = false;
        for (QLineEdit* e : again.findChildren<QLineEdit*>())
            shown = shown || e->text() == QLatin1String("2-00:00:00");
        QVERIFY(shown);
    }
};

QTEST_MAIN(TstSettingsDialog)
#include "tst_settings_dialog.moc"
