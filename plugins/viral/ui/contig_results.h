#pragma once

// The results of one prediction run, read from its folder (contigs.tsv,
// chunks.tsv, frames.tsv) for the page: contigs with their scores, and each
// contig's chunks and frames for the drill-down. Loading is plain file work,
// done off the UI thread (ViralPage runs it with QtConcurrent).

#include "util/expected.h"

#include <QHash>
#include <QList>
#include <QString>
#include <QStringList>

namespace bioforge::viral {

struct ContigRow {
    QString contig, file, call; // call: viral, non-viral, unscored
    qint64 length = 0;
    int chunks = 0, scoredChunks = 0, frames = 0;
    double meanScore = -1, maxScore = -1, viralFraction = -1; // -1: not scored
    bool reused = false;
};

struct DetailRow {  // a chunk or a frame, as the drill-down shows it
    QStringList cells;
};

struct ContigResults {
    QString runDir;
    QStringList chunkHeader, frameHeader;
    QList<ContigRow> contigs;
    QHash<QString, QList<DetailRow>> chunks; // by contig
    QHash<QString, QList<DetailRow>> frames; // by contig
    QStringList warnings;                     // skipped or renamed input records (summary.json)

    static core::Expected<ContigResults> load(const QString& runDir);
};

} // namespace bioforge::viral
