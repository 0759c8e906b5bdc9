#pragma once

// The annotation page's gene detail: one gene of annotations.json as HTML, every source's status,
// how it joined, its releases and fetch time, then its values as a person reads them.

#include <QJsonObject>
#include <QJsonValue>
#include <QString>

namespace bioforge::annotation {

// A value as a person reads it in the detail pane (the tables' cells keep cellText's compact form):
// a list with ", " (lines break between GO ids, not inside one), a genomic location
// {seqname, start, end, strand} as "chr19:38,647,648–38,731,589 (+)", another object as
// "key value; key value".
QString detailText(const QJsonValue& v);

// `gene` is one element of annotations.json ({key, symbol, input, gene, sources}, see
// annotation_outputs.h), `key` its gene key; every text is HTML-escaped, each value cut at 600 characters.
QString geneDetailHtml(const QJsonObject& gene, const QString& key);

} // namespace bioforge::annotation
