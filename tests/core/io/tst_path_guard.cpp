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
};

QTEST_GUILESS_MAIN(TstPathGuard)
#include "tst_path_guard.moc"
