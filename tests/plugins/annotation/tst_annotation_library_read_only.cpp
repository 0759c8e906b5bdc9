// An annotation library this user cannot write (imported once by its owner into a
// read-only mount or a folder others can only read) through the real program:
// `sources` lists it, an offline annotate uses it, nothing is written beside it,
// and an import into it is refused naming the library as read-only (5). The
// trial found such a library unusable, and called "not an SQLite database".
// As root nothing is read-only by permissions, so root runs the program as user
// nobody (setpriv); the test skips where neither can be arranged.

#include "annotation_test_support.h"
#include "support/other_user.h"
#include "support/test_support.h"

#include <QDir>
#include <QTemporaryDir>
#include <QtTest>

using namespace bioforge::test;

class TstAnnotationLibraryReadOnly : public QObject {
    Q_OBJECT
    QTemporaryDir m_dir;
    QStringList m_prefix; // the program run as another user, when this one is root

    using Result = ProgramRun;
    QString path(const QString& name) const { return m_dir.filePath(name); }
    QString library() const { return path(QStringLiteral("shared/library.sqlite")); }

    // bioforge as this user (`asOther` false) or as the other one, whose home is other-home.
    Result run(const QStringList& args, bool asOther)
    {
        return runProgram(asOther ? m_prefix : QStringList(), binPath(QStringLiteral("bioforge")), args,
                          isolatedEnvironment(path(asOther ? QStringLiteral("other-home") : QStringLiteral("home"))));
    }

private slots:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        bool ok = false;
        if (const QString skip = prepareOtherUser(m_dir.path(), path(QStringLiteral("other-home")), &m_prefix, &ok); !skip.isEmpty())
            QSKIP(qPrintable(skip));
        QVERIFY(ok); // the other user reaches the temporary folder and writes only its own home
    }

    // A library named that is not there (a typo) is said to be missing, not made and listed empty.
    void aLibraryThatIsNotThereIsNotMade()
    {
        const QString typo = path(QStringLiteral("no-such-folder/librray.sqlite"));
        const Result r = run({QStringLiteral("annotation"), QStringLiteral("sources"), QStringLiteral("--library"), typo}, false);
        QVERIFY2(r.code == 6 && r.err.contains(QStringLiteral("no such annotation library")), qPrintable(r.err));
        QVERIFY(!QFileInfo::exists(path(QStringLiteral("no-such-folder"))));
    }

    void cleanupTestCase() { setTreeWritable(path(QStringLiteral("shared")), true); }

    void aSharedLibraryIsReadAndNeverWritten()
    {
        for (const auto& [source, file] : {std::pair{"hgnc", "hgnc_complete_set.panel.txt"}, std::pair{"gnomad", "demo_gnomad_constraint_metrics.tsv"}}) {
            const Result r = run({QStringLiteral("annotation"), QStringLiteral("import-bulk"), QLatin1String(source), annotationDemoPath(QLatin1String(file)),
                                  QStringLiteral("--library"), library()},
                                 false);
            QVERIFY2(r.code == 0, qPrintable(r.err));
        }
        setTreeWritable(path(QStringLiteral("shared")), false);
        if (const Result probe = run({QStringLiteral("--version")}, true); probe.code != 0)
            QSKIP(qPrintable(QStringLiteral("the program cannot be run as the other user here (its folder is not theirs to read): ") + probe.err));
        const QStringList before = treeListing(path(QStringLiteral("shared")));

        const Result sources = run({QStringLiteral("annotation"), QStringLiteral("sources"), QStringLiteral("--library"), library()}, true);
        QVERIFY2(sources.code == 0 && sources.out.contains(QStringLiteral("genes: HGNC complete set")), qPrintable(sources.out + sources.err));
        const Result annotate = run({QStringLiteral("--project"), path(QStringLiteral("other-home/project")), QStringLiteral("run"), QStringLiteral("annotation"),
                                     QStringLiteral("annotate"), QStringLiteral("--genes_text"), QStringLiteral("PKD1 PKD2"), QStringLiteral("--offline"),
                                     QStringLiteral("true"), QStringLiteral("--library"), library()},
                                    true);
        QVERIFY2(annotate.code == 0, qPrintable(annotate.err));
        // An import into it: refused, naming the library as read-only, before anything is read or written.
        const Result import = run({QStringLiteral("annotation"), QStringLiteral("import-bulk"), QStringLiteral("hgnc"),
                                   annotationDemoPath(QStringLiteral("withdrawn.panel.txt")), QStringLiteral("--library"), library()},
                                  true);
        QVERIFY2(import.code == 5 && import.err.contains(QStringLiteral("the annotation library is read-only here")), qPrintable(import.err));
        // A download meant for it: refused before any transfer (nothing listens at this address).
        const Result download = run({QStringLiteral("annotation"), QStringLiteral("download"), QStringLiteral("gnomad"), QStringLiteral("--url"),
                                     QStringLiteral("http://127.0.0.1:9/constraint.tsv"), QStringLiteral("--dir"), path(QStringLiteral("other-home/dl")),
                                     QStringLiteral("--library"), library()},
                                    true);
        QVERIFY2(download.code == 5 && download.err.contains(QStringLiteral("the annotation library is read-only here")), qPrintable(download.err));
        QCOMPARE(treeListing(path(QStringLiteral("shared"))), before); // no -shm, -wal or import lock made
    }

    // Refusals say their cause and nothing else: a write-ahead log left beside the library (Qt added
    // "removeDatabase: connection … is still in use" to the message), a library this user may not
    // read ("unable to open database file Error opening database").
    void refusalsSayTheirCauseAlone()
    {
        if (!QFileInfo::exists(library()) || run({QStringLiteral("--version")}, true).code != 0)
            QSKIP("the shared library was not made, or the program cannot be run as the other user here");
        setTreeWritable(path(QStringLiteral("shared")), true);
        QVERIFY(writeAll(library() + QStringLiteral("-wal"), QByteArray(4096, 'w')));
        const QString secret = path(QStringLiteral("shared/secret.sqlite"));
        QVERIFY(QFile::copy(library(), secret));
        QVERIFY(QFile::setPermissions(secret, QFile::ReadOwner | QFile::WriteOwner));
        setTreeWritable(path(QStringLiteral("shared")), false);
        QVERIFY(QFile::setPermissions(secret, QFile::ReadOwner));
        const Result wal = run({QStringLiteral("annotation"), QStringLiteral("sources"), QStringLiteral("--library"), library()}, true);
        QVERIFY2(wal.code == 5 && wal.err.contains(QStringLiteral("may hold changes not yet in the database")), qPrintable(wal.err));
        QVERIFY2(!wal.err.contains(QStringLiteral("removeDatabase")), qPrintable(wal.err));
        const Result unreadable = run({QStringLiteral("annotation"), QStringLiteral("sources"), QStringLiteral("--library"), secret}, true);
        QVERIFY2(unreadable.code == 5 && unreadable.err.contains(QStringLiteral("this user may not read it (permission denied")), qPrintable(unreadable.err));
        QVERIFY2(!unreadable.err.contains(QStringLiteral("removeDatabase")), qPrintable(unreadable.err));
        // A library that is not there, in a folder this user cannot write: refused before a run is recorded.
        const Result none = run({QStringLiteral("--project"), path(QStringLiteral("other-home/project")), QStringLiteral("run"), QStringLiteral("annotation"),
                                 QStringLiteral("annotate"), QStringLiteral("--genes_text"), QStringLiteral("PKD1"), QStringLiteral("--library"),
                                 path(QStringLiteral("shared/none.sqlite"))},
                                true);
        QVERIFY2(none.code == 5 && none.err.contains(QStringLiteral("no annotation library at")) && !none.err.contains(QStringLiteral("started in")),
                 qPrintable(none.err));
        setTreeWritable(path(QStringLiteral("shared")), true);
        QVERIFY(QFile::remove(library() + QStringLiteral("-wal")));
    }
};

QTEST_GUILESS_MAIN(TstAnnotationLibraryReadOnly)
#include "tst_annotation_library_read_only.moc"
