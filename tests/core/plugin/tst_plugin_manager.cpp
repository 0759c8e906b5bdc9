// Loading plugins: good ones load in dependency order; every broken one is
// listed with its reason and none stops the rest.

#include "diagnostics/workbench_plugin.h"
#include "log/logging.h"
#include "plugin/plugin_manager.h"

#include <QtTest>

using namespace bioforge::core;

class TstPluginManager : public QObject {
    Q_OBJECT

    PluginManager m_manager;

    const PluginEntry* byFile(const QString& fragment) const
    {
        for (const PluginEntry& e : m_manager.entries())
            if (e.filePath.contains(fragment))
                return &e;
        return nullptr;
    }

private slots:
    void initTestCase()
    {
        Logging::initialize(Logging::Console::Off);
        m_manager.setSearchPaths({QStringLiteral(BIOFORGE_BUILD_DIR "/tests/fixture-plugins")});
        m_manager.addBuiltin(new WorkbenchPlugin, WorkbenchPlugin::metadata());
        m_manager.loadAll({});
    }

    void goodPluginsLoadInDependencyOrder()
    {
        QVERIFY(m_manager.plugin(QStringLiteral("good")));
        QVERIFY(m_manager.plugin(QStringLiteral("dependent")));
        QVERIFY(m_manager.plugin(QStringLiteral("workbench")));
        int good = -1, dependent = -1;
        for (int i = 0; i < m_manager.entries().size(); ++i) {
            if (m_manager.entries()[i].metadata.id == QLatin1String("good"))
                good = i;
            if (m_manager.entries()[i].metadata.id == QLatin1String("dependent"))
                dependent = i;
        }
        QVERIFY(good >= 0 && good < dependent);
    }

    void brokenPluginsAreListedWithTheirReason_data()
    {
        QTest::addColumn<QString>("file");
        QTest::addColumn<QString>("reason");
        QTest::newRow("bad metadata") << "fixture_bad_metadata" << "lower-case identifier";
        QTest::newRow("old interface version") << "fixture_old_interface" << "plugin interface 0";
        QTest::newRow("wrong IID") << "fixture_wrong_iid" << "org.bioforge.IPlugin/0";
        QTest::newRow("missing symbol") << "fixture_unresolved" << "bioforge_fixture_missing_symbol";
        QTest::newRow("missing dependency") << "fixture_missing_dep" << "'absent'";
        QTest::newRow("failed initialize") << "fixture_failing_init" << "model folder not configured";
        QTest::newRow("not a plugin") << "fixture_not_a_plugin" << "not a Qt plugin";
    }

    void brokenPluginsAreListedWithTheirReason()
    {
        QFETCH(QString, file);
        QFETCH(QString, reason);
        const PluginEntry* e = byFile(file);
        QVERIFY2(e, qPrintable(file));
        QCOMPARE(e->state, PluginEntry::State::Failed);
        QVERIFY2(e->error.contains(reason), qPrintable(e->error));
    }

    void metadataIsRead()
    {
        const PluginEntry* e = m_manager.entry(QStringLiteral("good"));
        QVERIFY(e);
        QCOMPARE(e->metadata.name, QStringLiteral("Good fixture"));
        QCOMPARE(e->metadata.version, QStringLiteral("1.0.0"));
        QCOMPARE(e->metadata.needsGpu, false);
    }

    void cleanupTestCase() { m_manager.shutdown(); }
};

QTEST_GUILESS_MAIN(TstPluginManager)
#include "tst_plugin_manager.moc"
