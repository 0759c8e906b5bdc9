// Path validation refuses traversal out of the chosen folder.

#include "io/path_guard.h"

#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QtTest>

using namespace bioforge::core;

class TstPathGuard : public QObject {
    Q_OBJECT
private slots:
    void relativePathsInsideAreResolved()
    {
        QTemporaryDir dir;
        auto p = PathGuard::resolveInside(dir.path(), QStringLiteral("a/b/../c.txt"));
        QVERIFY(p);
        QCOMPARE(*p, QDir::cleanPath(dir.path() + QStringLiteral("/a/c.txt")));
    }

    void traversalAndAbsolutePathsAreRefused()
    {
        QTemporaryDir dir;
        QVERIFY(!PathGuard::resolveInside(dir.path(), QStringLiteral("../escape")));
        QVERIFY(!PathGuard::resolveInside(dir.path(), QStringLiteral("a/../../escape")));
        QVERIFY(!PathGuard::resolveInside(dir.path(), QStringLiteral("/etc/passwd")));
        QVERIFY(!PathGuard::resolveInside(dir.path(), QString()));
    }

    void symlinkLeadingOutsideIsRefused()
    {
        QTemporaryDir dir, outside;
        QVERIFY(QFile::link(outside.path(), dir.filePath(QStringLiteral("link"))));
        QVERIFY(!PathGuard::resolveInside(dir.path(), QStringLiteral("link/file")));
    }

    void safeComponents()
    {
        QVERIFY(PathGuard::isSafeComponent(QStringLiteral("unit-0001")));
        QVERIFY(!PathGuard::isSafeComponent(QStringLiteral("..")));
        QVERIFY(!PathGuard::isSafeComponent(QStringLiteral("a/b")));
        QVERIFY(!PathGuard::isSafeComponent(QString()));
    }

    void namesThatWouldBecomePathsAreChecked_data()
    {
        QTest::addColumn<QString>("name");
        QTest::addColumn<QString>("why"); // empty: accepted
        QTest::newRow("plain") << QStringLiteral("esm2_t36_3B_UR50D") << QString();
        QTest::newRow("unicode") << QStringLiteral("Modèle ß 1.0") << QString();
        QTest::newRow("traversal") << QStringLiteral("../../../../escape-test") << QStringLiteral("'/'");
        QTest::newRow("dot dot") << QStringLiteral("..") << QStringLiteral("names a folder");
        QTest::newRow("dot") << QStringLiteral(".") << QStringLiteral("names a folder");
        QTest::newRow("absolute") << QStringLiteral("/etc/passwd") << QStringLiteral("'/'");
        QTest::newRow("backslash") << QStringLiteral("..\\x") << QStringLiteral("'\\'");
        QTest::newRow("drive") << QStringLiteral("C:evil") << QStringLiteral("':'");
        QTest::newRow("control") << QStringLiteral("a\nb") << QStringLiteral("control character");
        QTest::newRow("NUL") << QString(QStringLiteral("a") + QChar(0) + QStringLiteral("b")) << QStringLiteral("control character");
        QTest::newRow("spaces only") << QStringLiteral("   ") << QStringLiteral("space");
        QTest::newRow("trailing space") << QStringLiteral("model ") << QStringLiteral("space");
        QTest::newRow("empty") << QString() << QStringLiteral("empty");
        QTest::newRow("too long") << QString(256, QLatin1Char('x')) << QStringLiteral("255 bytes");
    }
    void namesThatWouldBecomePathsAreChecked()
    {
        QFETCH(QString, name);
        QFETCH(QString, why);
        const Status st = PathGuard::checkName(name, QStringLiteral("model name"));
        QCOMPARE(st.hasValue(), why.isEmpty());
        if (!st)
            QVERIFY2(st.error().message().startsWith(QStringLiteral("model name")) && st.error().message().contains(why), qPrintable(st.error().message()));
    }

    void childOfStaysInsideItsRoot()
    {
        QTemporaryDir dir, outside;
        auto inside = PathGuard::childOf(dir.path(), QStringLiteral("model-a"), QStringLiteral("model name"));
        QVERIFY(inside);
        QCOMPARE(*inside, dir.filePath(QStringLiteral("model-a")));
        QVERIFY(!PathGuard::childOf(dir.path(), QStringLiteral("../x"), QStringLiteral("model name")));
        QVERIFY(QFile::link(outside.path(), dir.filePath(QStringLiteral("sneaky"))));
        auto link = PathGuard::childOf(dir.path(), QStringLiteral("sneaky"), QStringLiteral("model name"));
        QVERIFY(!link);
        QVERIFY(link.error().message().contains(QStringLiteral("leads outside")));
    }

    void suggestedFileNamesAreSafe()
    {
        QCOMPARE(PathGuard::fileNameFrom(QStringLiteral("../../etc/passwd"), QStringLiteral("x")), QStringLiteral("_.._etc_passwd"));
        QCOMPARE(PathGuard::fileNameFrom(QStringLiteral("Chat: viral\ngenes?"), QStringLiteral("x")), QStringLiteral("Chat_ viral genes_"));
        QCOMPARE(PathGuard::fileNameFrom(QStringLiteral(".."), QStringLiteral("conversation")), QStringLiteral("conversation"));
        QVERIFY(PathGuard::isSafeComponent(PathGuard::fileNameFrom(QString(500, QLatin1Char('a')), QStringLiteral("x"))));
    }
};

QTEST_GUILESS_MAIN(TstPathGuard)
#include "tst_path_guard.moc"
