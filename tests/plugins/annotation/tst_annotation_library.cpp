// The annotation library itself (engine/store/bulk_library.h): made once when
// many open a new one at once, one import of a file two runs import together,
// a failed import that keeps the release in use, a shrinking release said, and
// a schema number outside the known ones refused.

#include "annotation_test_support.h"
#include "pipeline/bulk_import.h"
#include "store/bulk_library.h"
#include "support/test_support.h"

#include <QSqlDatabase>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QtTest>

#include <atomic>
#include <limits>
#include <mutex>
#include <thread>
#include <vector>

using namespace bioforge;
using namespace bioforge::annotation;
using namespace bioforge::test;

class TstAnnotationLibrary : public QObject {
    Q_OBJECT
private slots:
    // Programs opening one new library at once (a script's imports started together) all get it:
    // the schema is made once, under the write lock ("table release already exists" failed some).
    void aNewLibraryOpenedAtOnceByManyIsMadeOnce()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("shared-library.sqlite"));
        std::atomic<int> ready{0};
        QStringList failures;
        std::mutex guard;
        std::vector<std::thread> openers;
        for (int i = 0; i < 6; ++i)
            openers.emplace_back([&] {
                ++ready;
                while (ready.load() < 6) {
                }
                auto library = BulkLibrary::open(path);
                std::lock_guard lock(guard);
                if (!library)
                    failures << library.error().message();
            });
        for (std::thread& t : openers)
            t.join();
        QVERIFY2(failures.isEmpty(), qPrintable(failures.join(QLatin1Char('\n'))));
        QVERIFY(BulkLibrary::open(path));
    }

    // Two runs importing the same provider file into one library at once (each with --orgdb auto,
    // or the same --import_dir): one imports, the other waits and finds it done. The second's
    // import used to drop the first's unfinished release ("FOREIGN KEY constraint failed").
    void theSameFileImportedAtOnceIsImportedOnce()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("shared-import.sqlite"));
        QVERIFY(BulkLibrary::open(path));
        const QString file = dir.filePath(QStringLiteral("kidney_tpm.csv"));
        QByteArray rows;
        for (int i = 0; i < 60000; ++i)
            rows += "GENE" + QByteArray::number(i) + ',' + QByteArray::number(i % 97) + '\n';
        QVERIFY(bioforge::test::writeAll(file, rows));
        std::atomic<int> ready{0};
        QStringList failures;
        int fresh = 0;
        std::mutex guard;
        std::vector<std::thread> importers;
        for (int i = 0; i < 2; ++i)
            importers.emplace_back([&] {
                ++ready;
                while (ready.load() < 2) {
                }
                auto library = BulkLibrary::open(path);
                auto imported = library ? importIfChanged(**library, file) : core::Expected<std::pair<ReleaseInfo, bool>>(library.error());
                std::lock_guard lock(guard);
                if (!imported)
                    failures << imported.error().message();
                else
                    fresh += imported->second ? 1 : 0;
            });
        for (std::thread& t : importers)
            t.join();
        QVERIFY2(failures.isEmpty(), qPrintable(failures.join(QLatin1Char('\n'))));
        QCOMPARE(fresh, 1);
        auto library = BulkLibrary::open(path);
        auto active = (*library)->activeRelease(QStringLiteral("descartes"), QStringLiteral("tpm"));
        QVERIFY(active && *active);
        QCOMPARE((*active)->rows, qint64(60000));
    }

    void aFailedImportKeepsThePreviousRelease()
    {
        TestLibrary lib;
        QVERIFY(lib.importText(QStringLiteral("descartes"), QStringLiteral("kidney_tpm.csv"), "PKD1,12.5\n"));
        auto bad = lib.importText(QStringLiteral("descartes"), QStringLiteral("kidney_tpm2.csv"), "PKD1,13\nUMOD,twelve\n", QStringLiteral("tpm"));
        QVERIFY(!bad);
        QVERIFY2(bad.error().message().contains(QStringLiteral(":2:")), qPrintable(bad.error().message()));
        QCOMPARE(annotate(*lib.library, QStringLiteral("descartes"), gene(QStringLiteral("PKD1"), QString(), QString(), QString())).value.value(QStringLiteral("kidney_tpm")).toDouble(), 12.5);
        // The wrong file for a source says what the source takes.
        auto wrong = lib.importText(QStringLiteral("gnomad"), QStringLiteral("notes.txt"), "hello\n");
        QVERIFY(!wrong);
        QVERIFY2(wrong.error().message().contains(QStringLiteral("constraint")), qPrintable(wrong.error().message()));
    }

    // A release far smaller than the one it replaces (the first lines of a provider file) is
    // said; one of about the same size, or the first import, is not.
    void aShrinkingReleaseIsSaid()
    {
        TestLibrary lib;
        QByteArray full;
        for (int i = 0; i < 10; ++i)
            full += QStringLiteral("GENE%1,%2\n").arg(i).arg(i + 1).toUtf8();
        auto first = lib.importText(QStringLiteral("descartes"), QStringLiteral("kidney_tpm.csv"), full);
        QVERIFY2(first, first ? "" : qPrintable(first.error().message()));
        QCOMPARE(first->replacedRows, qint64(-1));
        QVERIFY(first->shrinkWarning().isEmpty());
        auto same = lib.importText(QStringLiteral("descartes"), QStringLiteral("kidney_tpm2.csv"), full + "UMOD,3\n");
        QVERIFY(same && same->replacedRows == 10 && same->shrinkWarning().isEmpty());
        auto shrunk = lib.importText(QStringLiteral("descartes"), QStringLiteral("kidney_tpm3.csv"), full.left(full.indexOf("GENE3")));
        QVERIFY2(shrunk, shrunk ? "" : qPrintable(shrunk.error().message()));
        QCOMPARE(shrunk->rows, qint64(3));
        QVERIFY2(shrunk->shrinkWarning().contains(QStringLiteral("the new release has 3 rows, the one it replaced")) &&
                     shrunk->shrinkWarning().contains(QStringLiteral("had 11")) && shrunk->shrinkWarning().contains(QStringLiteral("kidney_tpm3.csv")),
                 qPrintable(shrunk->shrinkWarning()));
    }

    // The library's schema number (PRAGMA user_version) is checked both ways before it
    // selects migrations: a negative one indexed the migration list before its start in the
    // project store (fuzz_project_db), and this store had the same check.
    void aLibraryWithAnInvalidSchemaNumberIsRefused()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("library.sqlite"));
        QVERIFY(BulkLibrary::open(path));
        for (const qint64 version : {qint64(-1), qint64(std::numeric_limits<qint32>::min()), qint64(1000)}) {
            {
                QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("raw"));
                db.setDatabaseName(path);
                QVERIFY(db.open());
                QSqlQuery q(db);
                QVERIFY(q.exec(QStringLiteral("PRAGMA user_version = %1").arg(version)));
            }
            QSqlDatabase::removeDatabase(QStringLiteral("raw"));
            auto again = BulkLibrary::open(path);
            QVERIFY(!again);
            const QString message = again.error().message();
            QVERIFY2(message.contains(path) && message.contains(QString::number(version)), qPrintable(message));
            QVERIFY2(message.contains(version < 0 ? QStringLiteral("not a valid schema number") : QStringLiteral("newer BioForge")),
                     qPrintable(message));
        }
    }
};

QTEST_GUILESS_MAIN(TstAnnotationLibrary)
#include "tst_annotation_library.moc"
