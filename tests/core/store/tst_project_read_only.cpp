// A project on a read-only mount (an archive, a colleague's share): its store
// opens to read (SQLite's immutable mode — WAL would write beside the file even
// to read), every write is refused naming the project as read-only, nothing is
// written beside the database, and a write-ahead log still holding changes (a
// writer that was killed, or one still at work) is refused with the reason.
// The trial found every command refused on such a project, `runs` included.
// (As root nothing is read-only by permissions: the store is asked for read-only.)

#include "provenance/run_record.h"
#include "store/project.h"
#include "store/project_store.h"
#include "store/sqlite_read_only.h"
#include "sample_run.h"

#include <QDir>
#include <QFileInfo>
#include <QScopeGuard>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QtTest>

#include <unistd.h>

using namespace bioforge::core;
using bioforge::core::test::sampleRun;

class TstProjectReadOnly : public QObject {
    Q_OBJECT
    QTemporaryDir m_dir;

private slots:
    void aClosedProjectIsReadAndNeverWritten()
    {
        const QString folder = m_dir.filePath(QStringLiteral("closed"));
        QVERIFY(QDir().mkpath(folder));
        const QString path = QDir(folder).filePath(QStringLiteral("project.sqlite"));
        {
            auto writer = ProjectStore::open(path);
            QVERIFY(writer);
            QVERIFY((*writer)->insertRun(sampleRun(QStringLiteral("run-1"))));
            QVERIFY((*writer)->cachePut(QStringLiteral("k"), "v"));
        } // its last connection closed: the log is folded into the database
        const QStringList before = QDir(folder).entryList(QDir::Files);
        const QByteArray bytes = [&] {
            QFile f(path);
            return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
        }();
        auto reader = ProjectStore::open(path, true);
        QVERIFY2(reader, reader ? "" : qPrintable(reader.error().message()));
        QVERIFY((*reader)->readOnly());
        auto runs = (*reader)->runs();
        QVERIFY(runs && runs->size() == 1 && runs->first().runId == QStringLiteral("run-1"));
        QCOMPARE((*reader)->cacheGet(QStringLiteral("k"))->value_or(QByteArray()), QByteArray("v"));
        for (const Status& st : {(*reader)->insertRun(sampleRun(QStringLiteral("run-2"))), (*reader)->updateRun(runs->first()),
                                 (*reader)->updateProgress(QStringLiteral("run-1"), 0.5), (*reader)->cachePut(QStringLiteral("k"), "w"),
                                 (*reader)->ensurePluginSchema(QStringLiteral("demo"), {{QStringLiteral("CREATE TABLE demo (x)")}})}) {
            QVERIFY(!st);
            QVERIFY2(st.error().message().contains(folder + QStringLiteral(": the project is read-only here")), qPrintable(st.error().message()));
        }
        QVERIFY((*reader)->run(QStringLiteral("run-1")));
        reader->reset();
        QCOMPARE(QDir(folder).entryList(QDir::Files), before); // no -wal, no -shm made
        QFile f(path);
        QVERIFY(f.open(QIODevice::ReadOnly));
        QCOMPARE(f.readAll(), bytes);
    }

    void pathsWithUriCharactersAreReadAsGiven()
    {
        // The database is named by a file: URI in immutable mode: %, ?, #, spaces and letters beyond ASCII stay the path's own.
        const QString folder = m_dir.filePath(QStringLiteral("odd %3F?#name é"));
        QVERIFY(QDir().mkpath(folder));
        const QString path = QDir(folder).filePath(QStringLiteral("project.sqlite"));
        {
            auto writer = ProjectStore::open(path);
            QVERIFY(writer);
            QVERIFY((*writer)->insertRun(sampleRun(QStringLiteral("odd-run"))));
        }
        auto reader = ProjectStore::open(path, true);
        QVERIFY2(reader, reader ? "" : qPrintable(reader.error().message()));
        QVERIFY((*reader)->run(QStringLiteral("odd-run")));
    }

    void aFolderThisUserCannotWriteOpensToRead()
    {
        if (::geteuid() == 0)
            QSKIP("root writes anywhere: the store's read-only mode is tested by asking for it");
        const QString folder = m_dir.filePath(QStringLiteral("archived"));
        {
            auto project = Project::open(folder, true);
            QVERIFY(project);
            QVERIFY((*project)->store().insertRun(sampleRun(QStringLiteral("kept"))));
        }
        QVERIFY(QFile::setPermissions(folder, QFileDevice::ReadOwner | QFileDevice::ExeOwner));
        const auto restore = qScopeGuard([&] { QFile::setPermissions(folder, QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner); });
        auto project = Project::open(folder, false);
        QVERIFY2(project, project ? "" : qPrintable(project.error().message()));
        QVERIFY((*project)->store().readOnly() && (*project)->store().run(QStringLiteral("kept")));
        QVERIFY(!(*project)->store().writable());
    }

    void aLogHoldingChangesIsRefusedWithTheReason()
    {
        const QString path = m_dir.filePath(QStringLiteral("busy.sqlite"));
        auto writer = ProjectStore::open(path);
        QVERIFY(writer);
        QVERIFY((*writer)->insertRun(sampleRun(QStringLiteral("in-the-log"))));
        QVERIFY(QFileInfo(path + QStringLiteral("-wal")).size() > 0);
        auto reader = ProjectStore::open(path, true);
        QVERIFY(!reader);
        QVERIFY2(reader.error().message().contains(QStringLiteral("write-ahead log (busy.sqlite-wal"))
                     && reader.error().message().contains(QStringLiteral("may hold changes not yet in the database")),
                 qPrintable(reader.error().message()));
        // Checkpointed while the writer still has it open (the log stays, every frame in the database):
        // read, the run in it included.
        {
            QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("checkpointer"));
            db.setDatabaseName(path);
            QVERIFY(db.open());
            QSqlQuery q(db);
            QVERIFY(q.exec(QStringLiteral("PRAGMA wal_checkpoint(FULL)")) && q.next());
            QCOMPARE(q.value(0).toInt(), 0); // not busy
            QCOMPARE(q.value(1).toInt(), q.value(2).toInt()); // every frame checkpointed
        }
        QSqlDatabase::removeDatabase(QStringLiteral("checkpointer"));
        QVERIFY(QFileInfo(path + QStringLiteral("-wal")).size() > 0 && walFullyCheckpointed(path));
        {
            auto checkpointed = ProjectStore::open(path, true);
            QVERIFY2(checkpointed, checkpointed ? "" : qPrintable(checkpointed.error().message()));
            QVERIFY((*checkpointed)->run(QStringLiteral("in-the-log")));
        }
        // A later write lands in the log again: refused again.
        QVERIFY((*writer)->insertRun(sampleRun(QStringLiteral("after"))));
        QVERIFY(!walFullyCheckpointed(path));
        QVERIFY(!ProjectStore::open(path, true));
    }

    void aMissingDatabaseIsNotMadeReadOnly()
    {
        auto reader = ProjectStore::open(m_dir.filePath(QStringLiteral("none.sqlite")), true);
        QVERIFY(!reader);
        QCOMPARE(reader.error().kind(), Error::Kind::NotFound);
        QVERIFY(!QFileInfo::exists(m_dir.filePath(QStringLiteral("none.sqlite"))));
    }
    // Whether anything can be made in a folder, asked of the folder or, where it is yet to be made,
    // of its nearest existing ancestor: a file in the way is read-only, a file inside is no matter.
    void readOnlyFolderLooksAtWhereItWouldBeMade()
    {
        const QString here = m_dir.filePath(QStringLiteral("places"));
        QVERIFY(QDir().mkpath(here));
        QVERIFY(!readOnlyFolder(here));
        QVERIFY(!readOnlyFolder(here + QStringLiteral("/not/yet/made")));
        QFile x(here + QStringLiteral("/x")); // a read-only file of the probe's name does not make the folder read-only
        QVERIFY(x.open(QIODevice::WriteOnly));
        x.close();
        QVERIFY(QFile::setPermissions(x.fileName(), QFileDevice::ReadOwner));
        QVERIFY(!readOnlyFolder(here));
        QFile file(here + QStringLiteral("/a-file"));
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.close();
        QVERIFY(readOnlyFolder(file.fileName() + QStringLiteral("/sub"))); // a file where a folder would be made
        if (::geteuid() == 0)
            QSKIP("root writes anywhere: a folder read-only by its permissions is tested as another user");
        const QString locked = m_dir.filePath(QStringLiteral("locked"));
        QVERIFY(QDir().mkpath(locked) && QFile::setPermissions(locked, QFileDevice::ReadOwner | QFileDevice::ExeOwner));
        const auto restore = qScopeGuard([&] { QFile::setPermissions(locked, QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner); });
        QVERIFY(readOnlyFolder(locked));
        QVERIFY(readOnlyFolder(locked + QStringLiteral("/new/library")));
    }

};

QTEST_GUILESS_MAIN(TstProjectReadOnly)
#include "tst_project_read_only.moc"
