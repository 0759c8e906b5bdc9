#pragma once

// A gene model as the Ensembl source keeps it (from the GTF or from the REST
// API): the gene's coordinates and transcripts with their exons, and the
// canonical transcript chosen by rule — MANE Select tag, then Ensembl
// canonical, then the longest protein-coding span, then the first listed —
// with its exons in transcript order (exon 1 is the 5' one: on the minus
// strand, the one with the highest coordinates).

#include <QHash>
#include <QJsonObject>
#include <QList>
#include <QSet>
#include <QString>

namespace bioforge::annotation {

struct Exon {
    QString id;
    int number = 0;
    qint64 start = 0, end = 0;
};

struct Transcript {
    QString id, name, biotype;
    qint64 start = 0, end = 0;
    QSet<QString> tags;
    QList<Exon> exons;
    int order = 0;
};

struct Gene {
    QString id, symbol, biotype, chromosome, strand;
    qint64 start = 0, end = 0;
    QList<Transcript> transcripts;
    QHash<QString, int> index; // transcript id -> position
};

QJsonObject geneValue(Gene& gene);

} // namespace bioforge::annotation
