// The settings dialog keeps the cluster options only when sbatch would read
// them as meant: a malformed time limit is refused with the reason shown and
// nothing saved; well-formed options are saved and read back. A plugin's own
// settings are offered, checked by the plugin, kept; a secret is never shown
// and can be forgotten.

#include "plugin/iplugin.h"
#include "plugin/plugin_manager.h"
#include "settings/settings_dialog.h"
#include "settings/workbench_settings.h"

#include <QDialogButtonBox>
#include <QJsonArray>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QScreen>
#include <QScrollArea>
#include <QScrollBar>
#include <QTemporaryDir>
#include <QSpinBox>
#include <QtTest>

using namespace bioforge;

// A plugin with a secret and a number among its settings.
class SettingsTestPlugin : public QObject, public core::IPlugin {
    Q_OBJECT
    Q_INTERFACES(bioforge::core::IPlugin)
public:
    bool initialize(const core::PluginContext&, QString*) override { return true; }
    QList<core::VerbSpec> verbs() const override { return {}; }
    core::Expected<std::unique_ptr<core::Job>> createJob(const QString&, const QJsonObject&) override { return core::Error(QStringLiteral("none")); }
    QList<core::PluginSetting> settingSpecs() const override
    {
        return {{QStringLiteral("api_key"), QStringLiteral("a key"), true,
                 [](const QJsonValue& v) { return v.toString().size() >= 8 ? QString() : QStringLiteral("a key has 8 characters or more"); }},
                {QStringLiteral("rate"), QStringLiteral("requests per second"), false,
                 [](const QJsonValue& v) { return v.toDouble() > 0 ? QString() : QStringLiteral("a rate above 0"); }}};
    }
};

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

    void aPluginsSettingsAreOfferedCheckedAndKept()
    {
        QTemporaryDir empty;
        core::PluginManager plugins;
        plugins.setSearchPaths({empty.path()});
        core::PluginMetadata meta;
        meta.id = QStringLiteral("testplug");
        meta.name = QStringLiteral("Test");
        meta.version = QStringLiteral("1");
        meta.interfaceVersion = core::PluginMetadata::kInterfaceVersion;
        plugins.addBuiltin(new SettingsTestPlugin, meta);
        plugins.loadAll({});
        {
            ui::SettingsDialog dialog(nullptr, &plugins);
            auto* key = dialog.findChild<QLineEdit*>(QStringLiteral("plugin:testplug.api_key"));
            auto* rate = dialog.findChild<QLineEdit*>(QStringLiteral("plugin:testplug.rate"));
            QVERIFY(key && rate);
            QCOMPARE(key->echoMode(), QLineEdit::Password);
            rate->setText(QStringLiteral("0"));
            key->setText(QStringLiteral("abcd1234efgh"));
            QVERIFY(!dialog.save()); // the plugin's check: nothing kept
            QVERIFY2(dialog.findChild<QLabel*>(QStringLiteral("settingsError"))->text().contains(QStringLiteral("testplug.rate: a rate above 0")),
                     qPrintable(dialog.findChild<QLabel*>(QStringLiteral("settingsError"))->text()));
            QVERIFY(core::WorkbenchSettings().pluginSettings(QStringLiteral("testplug")).isEmpty());
            rate->setText(QStringLiteral("2.5"));
            QVERIFY(dialog.save());
        }
        QCOMPARE(core::WorkbenchSettings().pluginSettings(QStringLiteral("testplug")),
                 (QJsonObject{{QStringLiteral("api_key"), QStringLiteral("abcd1234efgh")}, {QStringLiteral("rate"), 2.5}}));
        ui::SettingsDialog again(nullptr, &plugins);
        auto* key = again.findChild<QLineEdit*>(QStringLiteral("plugin:testplug.api_key"));
        QVERIFY(key->text().isEmpty() && key->placeholderText().contains(QStringLiteral("set (hidden)"))); // never shown
        QCOMPARE(again.findChild<QLineEdit*>(QStringLiteral("plugin:testplug.rate"))->text(), QStringLiteral("2.5"));
        QVERIFY(again.save()); // an untouched secret is kept
        QCOMPARE(core::WorkbenchSettings().pluginSettings(QStringLiteral("testplug")).value(QLatin1String("api_key")).toString(), QStringLiteral("abcd1234efgh"));
        again.findChild<QPushButton*>(QStringLiteral("forget:testplug.api_key"))->click();
        QVERIFY(again.save());
        QCOMPARE(core::WorkbenchSettings().pluginSettings(QStringLiteral("testplug")), (QJsonObject{{QStringLiteral("rate"), 2.5}}));
    }

    // On a small screen (1280x760 less a title bar, a 768-px laptop) the dialog fits it, and made
    // shorter its settings scroll instead of being crushed (rows 3-5 px high: trial 19); the error
    // line and the buttons stay in view.
    void aShortDialogScrollsItsSettingsWhole()
    {
        ui::SettingsDialog dialog;
        dialog.show();
        QVERIFY(QTest::qWaitForWindowExposed(&dialog));
        QVERIFY2(dialog.height() <= dialog.screen()->availableGeometry().height(),
                 qPrintable(QStringLiteral("%1 px on a screen of %2").arg(dialog.height()).arg(dialog.screen()->availableGeometry().height())));
        dialog.resize(600, 300);
        QCoreApplication::processEvents();
        QStringList crushed;
        const QWidget* body = dialog.findChild<QWidget*>(QStringLiteral("settingsBody"));
        QVERIFY(body);
        for (const QWidget* field : body->findChildren<QWidget*>())
            if ((qobject_cast<const QLineEdit*>(field) || qobject_cast<const QSpinBox*>(field)) && field->isVisible()
                && !qobject_cast<const QSpinBox*>(field->parentWidget()) // a spin box's own line edit
                && field->height() < field->minimumSizeHint().height())
                crushed << QStringLiteral("%1: %2 px of %3").arg(field->objectName()).arg(field->height()).arg(field->minimumSizeHint().height());
        QVERIFY2(crushed.isEmpty(), qPrintable(crushed.join(QStringLiteral("; "))));
        QVERIFY(dialog.findChild<QScrollArea*>(QStringLiteral("settingsScroll"))->verticalScrollBar()->isVisible());
        const auto* buttons = dialog.findChild<QDialogButtonBox*>();
        QVERIFY(buttons && buttons->isVisible() && buttons->geometry().bottom() <= dialog.height());
    }
};

QTEST_MAIN(TstSettingsDialog)
#include "tst_settings_dialog.moc"
