#include "contig_results.h"

#include "io/json_file.h"

#include <QJsonArray>

#include <QDir>
#include <QFile>

namespace bioforge::viral {

namespace {

core::Expected<QList<QStringList>> readTable(const QString& path, int columns, QStringList& header)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return core::Error(QStringLiteral("%1: cannot read: %2").arg(path, file.errorString()));
    QList<QStringList> rows;
    qint64 line = 0;
    while (!file.atEnd()) {
        ++line;
        const QString text = QString::fromUtf8(file.readLine()).chopped(1);
        const QStringList cells = text.split(QLatin1Char('\t'));
        if (line > 1 && text.isEmpty())
            continue;
        // The header too: the caller drops header cells by position.
        if (cells.size() < columns)
            return core::Error(QStringLiteral("%1:%2: %3 columns, %4 expected").arg(path, QString::number(line), QString::number(cells.size()),
                                                                                    QString::number(columns)));
        if (line == 1)
            header = cells;
        else
            rows << cells;
    }
    if (line == 0)
        return core::Error(QStringLiteral("%1: empty; a header line with %2 columns was expected").arg(path, QString::number(columns)));
    return rows;
}

double scoreOf(const QString& text) { return text == QLatin1String("NA") ? -1 : text.toDouble(); }

} // namespace

core::Expected<ContigResults> ContigResults::load(const QString& runDir)
{
    ContigResults r;
    r.runDir = runDir;
    const QDir dir(runDir);
    QStringList contigHeader;
    auto contigs = readTable(dir.filePath(QStringLiteral("contigs.tsv")), 11, contigHeader);
    if (!contigs)
        return contigs.error();
    for (const QStringList& c : *contigs)
        r.contigs << ContigRow{c[0], c[1], c[9], c[2].toLongLong(), c[3].toInt(), c[4].toInt(), c[5].toInt(),
                               scoreOf(c[6]), scoreOf(c[7]), scoreOf(c[8]), c[10] == QLatin1String("yes")};
    auto chunks = readTable(dir.filePath(QStringLiteral("chunks.tsv")), 7, r.chunkHeader);
    if (!chunks)
        return chunks.error();
    for (const QStringList& c : *chunks)
        r.chunks[c[0]] << DetailRow{c.mid(1)};
    r.chunkHeader = r.chunkHeader.mid(1);
    auto frames = readTable(dir.filePath(QStringLiteral("frames.tsv")), 9, r.frameHeader);
    if (!frames)
        return frames.error();
    for (const QStringList& f : *frames) {
        QStringList cells = f;
        cells.removeAt(2); // file
        cells.removeAt(1); // contig
        r.frames[f[1]] << DetailRow{cells};
    }
    r.frameHeader.removeAt(2);
    r.frameHeader.removeAt(1);
    if (auto summary = core::readJsonObjectFile(dir.filePath(QStringLiteral("summary.json"))))
        for (const QJsonValue& w : summary->value(QLatin1String("warnings")).toArray())
            r.warnings << w.toString();
    return r;
}

} // namespace bioforge::viral
