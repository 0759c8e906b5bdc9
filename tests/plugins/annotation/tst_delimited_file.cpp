// A provider table's bytes that are not UTF-8 are named by their place in the line, as every
// reader of the workbench names them (a '#' header's byte was one short, a field's counted from the
// field's start: review 62's F15, the sibling of review 61's F4 in the FASTA reader).

#include "io/delimited_file.h"
#include "support/test_support.h"

#include <QTemporaryDir>
#include <QtTest>

using namespace bioforge;
using namespace bioforge::annotation;

class TstDelimitedFile : public QObject {
    Q_OBJECT
    QTemporaryDir m_dir;

private slots:
    void aByteIsCountedFromTheLinesStart()
    {
        const QString header = m_dir.filePath(QStringLiteral("header.tsv"));
        QVERIFY(bioforge::test::writeAll(header, "#g\xe9ne\tname\nPKD1\tpolycystin 1\n"));
        auto file = DelimitedFile::open(header, {});
        QVERIFY(file);
        const core::Status read = (*file)->readHeader();
        QVERIFY2(!read && read.error().message().contains(QStringLiteral(":1: byte 3 (0xe9)")), read ? "read" : qPrintable(read.error().message()));

        const QString row = m_dir.filePath(QStringLiteral("row.tsv"));
        const QByteArray second = "PKD1\tpolycystin caf\xe9\tx";
        QVERIFY(bioforge::test::writeAll(row, "#gene\tname\tnote\n" + second + "\n"));
        file = DelimitedFile::open(row, {});
        QVERIFY(file && (*file)->readHeader());
        QCOMPARE((*file)->header(), (QStringList{QStringLiteral("gene"), QStringLiteral("name"), QStringLiteral("note")}));
        auto fields = (*file)->next();
        QVERIFY(fields && *fields);
        QCOMPARE(*(*file)->text((**fields)[0]), QStringLiteral("PKD1"));
        const auto name = (*file)->text((**fields)[1]);
        const QString expected = QStringLiteral(":2: byte %1 (0xe9)").arg(second.indexOf('\xe9') + 1);
        QVERIFY2(!name && name.error().message().contains(expected), name ? "decoded" : qPrintable(name.error().message() + QStringLiteral(" / ") + expected));
    }
};

QTEST_GUILESS_MAIN(TstDelimitedFile)
#include "tst_delimited_file.moc"
