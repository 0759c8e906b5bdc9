// Loading plugins: good ones load in dependency order; every broken one is
// listed with its reason and none stops the rest; of two copies of one plugin
// the first that loads is used.

#include "diagnostics/workbench_plugin.h"
#include "log/logging.h"
#include "plugin/plugin_manager.h"

#include <QTemporaryDir>
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
        if (file == QLatin1String("fixture_not_a_plugin")) // named by its file, less "lib": `bioforge NAME …` says why it did not load
            QCOMPARE(m_manager.entry(QStringLiteral("fixture_not_a_plugin")), e);
    }

    void metadataIsRead()
    {
        const PluginEntry* e = m_manager.entry(QStringLiteral("good"));
        QVERIFY(e);
        QCOMPARE(e->metadata.name, QStringLiteral("Good fixture"));
        QCOMPARE(e->metadata.version, QStringLiteral("1.0.0"));
        QCOMPARE(e->metadata.needsGpu, false);
    }

    // Two copies of one plugin (a folder in BIOFORGE_PLUGIN_PATH before the installed one): a broken
    // first copy no longer hides the working one, and says which copy is used instead; a working copy
    // found after the one used is unused, not failed (nor warned about on every command).
    void theFirstCopyThatLoadsIsUsed()
    {
        const QString override = QStringLiteral(BIOFORGE_BUILD_DIR "/tests/fixture-plugins-override");
        const QString installed = QStringLiteral(BIOFORGE_BUILD_DIR "/tests/fixture-plugins");
        const auto copyOf = [](const PluginManager& m, const QString& fragment) -> const PluginEntry* {
            for (const PluginEntry& e : m.entries())
                if (e.filePath.contains(fragment))
                    return &e;
            return nullptr;
        };
        PluginManager brokenFirst;
        brokenFirst.setSearchPaths({override, installed});
        brokenFirst.loadAll({});
        QVERIFY(brokenFirst.plugin(QStringLiteral("good")));
        QVERIFY(brokenFirst.plugin(QStringLiteral("dependent")));
        QVERIFY(brokenFirst.entry(QStringLiteral("good"))->filePath.contains(QStringLiteral("fixture_good.")));
        const PluginEntry* broken = copyOf(brokenFirst, QStringLiteral("fixture_good_failing"));
        QVERIFY(broken && broken->state == PluginEntry::State::Failed);
        QVERIFY2(broken->error.contains(QStringLiteral("initialisation failed"))
                     && broken->error.contains(QStringLiteral("; %1 is used instead").arg(brokenFirst.entry(QStringLiteral("good"))->filePath)),
                 qPrintable(broken->error));
        brokenFirst.shutdown();

        PluginManager workingFirst;
        workingFirst.setSearchPaths({installed, override});
        workingFirst.loadAll({});
        QVERIFY(workingFirst.entry(QStringLiteral("good"))->filePath.contains(QStringLiteral("fixture_good.")));
        const PluginEntry* unused = copyOf(workingFirst, QStringLiteral("fixture_good_failing"));
        QVERIFY(unused && unused->state == PluginEntry::State::Unused);
        QVERIFY2(unused->error.contains(QStringLiteral("another copy is used")), qPrintable(unused->error));
        workingFirst.shutdown();
    }

    // A copy cut short (an interrupted copy or download) ahead of the working one: said to be cut
    // short, not "no embedded metadata", and the copy used is named.
    void aCopyCutShortSaysSoAndNamesTheCopyUsed()
    {
        QTemporaryDir dir;
        QFile good(QStringLiteral(BIOFORGE_BUILD_DIR "/tests/fixture-plugins/libfixture_good.so"));
        QVERIFY(good.open(QIODevice::ReadOnly));
        QFile cut(dir.filePath(QStringLiteral("libgood.so"))); // named as the id it stands for, as libbioforge_NAME.so is
        QVERIFY(cut.open(QIODevice::WriteOnly) && cut.write(good.read(4096)) == 4096);
        cut.close();
        PluginManager manager;
        manager.setSearchPaths({dir.path(), QStringLiteral(BIOFORGE_BUILD_DIR "/tests/fixture-plugins")});
        manager.loadAll({});
        QVERIFY(manager.plugin(QStringLiteral("good")));
        const PluginEntry* shortCopy = nullptr;
        for (const PluginEntry& e : manager.entries())
            if (e.filePath.startsWith(dir.path()))
                shortCopy = &e;
        QVERIFY(shortCopy && shortCopy->state == PluginEntry::State::Failed && shortCopy->metadata.id == QLatin1String("good"));
        QVERIFY2(shortCopy->error.contains(QStringLiteral("the file is cut short (4096 bytes; its ELF headers say it holds at least "))
                     && shortCopy->error.endsWith(QStringLiteral("; %1 is used instead").arg(manager.entry(QStringLiteral("good"))->filePath)),
                 qPrintable(shortCopy->error));
        manager.shutdown();
    }

    void cleanupTestCase() { m_manager.shutdown(); }
};

QTEST_GUILESS_MAIN(TstPluginManager)
#include "tst_plugin_manager.moc"
