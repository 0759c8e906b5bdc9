// Atomic writes replace a file whole, verified reads catch corruption, and a
// folder that cannot be made is said with the reason.

#include "io/atomic_file.h"
#include "io/folder.h"
#include "io/sha256.h"
#include "support/test_support.h"

#include <QDir>
#include <QSaveFile>
#include <QTemporaryDir>
#include <QtTest>

#include <csignal>
#include <sys/resource.h>

using namespace bioforge::core;
using namespace bioforge::test;

class TstAtomicFile : public QObject {
    Q_OBJECT
private slots:
    // A write that fails says why in words a user acts on (the device's, or the free space).
    void aFailedWriteSaysWhy()
    {
        QFile full(QStringLiteral("/dev/full"));
        if (!full.open(QIODevice::WriteOnly))
            QSKIP("no /dev/full here");
        QVERIFY(full.write(QByteArray(1 << 20, 'x')) < 0 || !full.flush());
        const QString reason = AtomicFile::failureReason(full);
        QVERIFY2(reason.contains(QStringLiteral("No space left on device")), qPrintable(reason));
    }

    // Qt 6.4's QSaveFile::commit() reports success when the flush of its buffer fails, leaving a
    // short file in place of the old one. A file-size limit (RLIMIT_FSIZE: the writes past it fail
    // with EFBIG, as on a full disk with ENOSPC) makes that flush fail without root or a full disk.
    void aWriteThatFailsAtTheLastFlushKeepsTheOldFile()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("kept.json"));
        QVERIFY(AtomicFile::write(path, "the old content"));
        rlimit before{};
        QVERIFY(::getrlimit(RLIMIT_FSIZE, &before) == 0);
        const auto oldHandler = std::signal(SIGXFSZ, SIG_IGN); // EFBIG instead of the signal
        rlimit small = before;
        small.rlim_cur = 10;
        QVERIFY(::setrlimit(RLIMIT_FSIZE, &small) == 0);
        const Status st = AtomicFile::write(path, QByteArray(100, 'x')); // one buffered write, flushed at the end
        bool opened = false;
        Status directDone = okStatus();
        {
            QSaveFile direct(dir.filePath(QStringLiteral("direct.txt")));
            opened = direct.open(QIODevice::WriteOnly);
            direct.write(QByteArray(100, 'y'));
            directDone = AtomicFile::commit(direct);
        } // its temporary file (a named one where O_TMPFILE is missing) goes with it
        ::setrlimit(RLIMIT_FSIZE, &before);
        std::signal(SIGXFSZ, oldHandler);
        QVERIFY(!st);
        QVERIFY2(st.error().message().contains(path) && st.error().message().contains(QStringLiteral("File too large")), qPrintable(st.error().message()));
        QCOMPARE(readAll(path), QByteArray("the old content"));
        QVERIFY(opened);
        QVERIFY(!directDone);
        QVERIFY(!QFileInfo::exists(dir.filePath(QStringLiteral("direct.txt"))));
        QCOMPARE(QDir(dir.path()).entryList(QDir::Files), QStringList{QStringLiteral("kept.json")}); // no temporary file left
    }

    void writeCreatesFoldersAndReplacesWhole()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("a/b/c.txt"));
        QVERIFY(AtomicFile::write(path, "first"));
        QVERIFY(AtomicFile::write(path, "second"));
        QCOMPARE(readAll(path), QByteArray("second"));
        // No temporary files are left beside it.
        QCOMPARE(QDir(dir.filePath(QStringLiteral("a/b"))).entryList(QDir::Files), QStringList{QStringLiteral("c.txt")});
    }

    void verifiedReadDetectsAChangedByte()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("d"));
        QVERIFY(AtomicFile::write(path, "hello world"));
        const QString sha = Sha256::ofData("hello world");
        QVERIFY(AtomicFile::readVerified(path, sha));
        QVERIFY(writeAll(path, "hello World"));
        auto bad = AtomicFile::readVerified(path, sha);
        QVERIFY(!bad);
        QVERIFY(bad.error().message().contains(QStringLiteral("checksum mismatch")));
    }

    void sha256MatchesKnownVector()
    {
        QCOMPARE(Sha256::ofData("abc"), QStringLiteral("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"));
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("abc"));
        QVERIFY(writeAll(path, "abc"));
        QCOMPARE(*Sha256::ofFile(path), Sha256::ofData("abc"));
        QVERIFY(!Sha256::ofFile(dir.filePath(QStringLiteral("missing"))));
        // In blocks, with progress; a false answer stops it.
        const QString big = dir.filePath(QStringLiteral("big"));
        QByteArray bytes(Sha256::kBlockBytes * 2 + 5, 'x');
        QVERIFY(writeAll(big, bytes));
        QList<qint64> seen;
        QCOMPARE(*Sha256::ofFile(big, [&](qint64 read) { seen << read; return true; }), Sha256::ofData(bytes));
        QCOMPARE(seen, (QList<qint64>{Sha256::kBlockBytes, 2 * Sha256::kBlockBytes, 2 * Sha256::kBlockBytes + 5}));
        const auto stopped = Sha256::ofFile(big, [](qint64) { return false; });
        QVERIFY(!stopped && stopped.error().message().contains(QStringLiteral("hashing stopped after %1 of").arg(Sha256::kBlockBytes)));
    }

    // A verified copy replaces the target whole only when the bytes copied have the expected sum;
    // on a mismatch or an unreadable source the target stays as it was and nothing is left beside it.
    void verifiedCopyReplacesOnlyOnAMatchingSum()
    {
        QTemporaryDir dir;
        const QString from = dir.filePath(QStringLiteral("merged/out.tsv")), to = dir.filePath(QStringLiteral("run/out.tsv"));
        QByteArray big;
        for (int i = 0; i < 300000; ++i) // several of the copy's blocks
            big += QByteArray::number(i) + '\n';
        QVERIFY(AtomicFile::write(from, big));
        QVERIFY(AtomicFile::write(to, "old"));
        auto mismatch = AtomicFile::copyVerified(from, Sha256::ofData("something else"), to);
        QVERIFY(!mismatch);
        QVERIFY2(mismatch.error().message().contains(from) && mismatch.error().message().contains(QStringLiteral("checksum mismatch"))
                     && mismatch.error().message().contains(Sha256::ofData(big)),
                 qPrintable(mismatch.error().message()));
        QCOMPARE(readAll(to), QByteArray("old"));
        QVERIFY(!AtomicFile::copyVerified(dir.filePath(QStringLiteral("missing")), Sha256::ofData(big), to));
        QVERIFY(!AtomicFile::copyVerified(from, QString(), to)); // no sum: not a check that passes
        QCOMPARE(readAll(to), QByteArray("old"));
        QCOMPARE(readAll(to), QByteArray("old"));
        QVERIFY(AtomicFile::copyVerified(from, Sha256::ofData(big).toUpper(), to));
        QCOMPARE(readAll(to), big);
        QCOMPARE(QDir(dir.filePath(QStringLiteral("run"))).entryList(QDir::Files), QStringList{QStringLiteral("out.tsv")});
        QVERIFY(AtomicFile::copyVerified(from, Sha256::ofData(big), dir.filePath(QStringLiteral("new/folder/out.tsv"))));
        QCOMPARE(readAll(dir.filePath(QStringLiteral("new/folder/out.tsv"))), big);
    }

    // A folder that cannot be made is said with the system's reason (it was "cannot create folder"
    // alone: a run folder, a checkpoint, a project in a place this user cannot write).
    void writeIntoUnwritablePlaceSaysWhy()
    {
        auto st = AtomicFile::write(QStringLiteral("/proc/bioforge-cannot-write-here/x"), "x");
        QVERIFY(!st);
        QTemporaryDir dir;
        const QString file = dir.filePath(QStringLiteral("a-file"));
        QVERIFY(writeAll(file, "x"));
        const auto under = AtomicFile::write(file + QStringLiteral("/sub/out.tsv"), "x");
        QVERIFY(!under);
        QVERIFY2(under.error().message() == QStringLiteral("%1/sub/out.tsv: cannot create the folder %1/sub: Not a directory").arg(file),
                 qPrintable(under.error().message()));
        QCOMPARE(under.error().kind(), Error::Kind::Io);
        QVERIFY(makeFolder(dir.filePath(QStringLiteral("new/deeper"))));
        QVERIFY(makeFolder(dir.filePath(QStringLiteral("new/deeper")))); // there already: fine
        QVERIFY(!makeFolder(file)); // a file of that name is in the way
    }
};

QTEST_GUILESS_MAIN(TstAtomicFile)
#include "tst_atomic_file.moc"
