#pragma once

// A gene list as a user gives it: pasted text or a file (plain or gzip),
// one or several ids per line separated by commas, semicolons, tabs or
// spaces (no-break spaces too; zero-width characters are dropped; Unicode
// hyphens are '-', compatibility forms such as full-width letters their
// plain ones, NFKC); '#' starts a comment; a list's bullet or number before
// one name ("- WT1", "1. PKD2") is dropped; a first line that is a column
// title (made only of title words: "Gene stable ID", "HGNC symbol", "GeneID",
// "gene_name", "Gene.symbol", …) is skipped. Each entry keeps its line so
// the resolution table can point at it.
//
// A table is read as a table, not as ids: fields split at tabs, commas or
// semicolons,
//  - a first line with several fields, one of them a column title ("gene\tlog2FC\tpadj"):
//    the genes are that column's values (of several titles, symbols before names, names
//    before genes, genes before ids), the header and the other columns are skipped;
//  - no such header, but every line the same number (≥ 2) of fields, every field after the
//    first a number (or NA, NaN, Inf, -, empty) and some first field not a number or some
//    other field not an integer ("PKD1\t2.5\t0.01"; a differential-expression table, a
//    symbol and its score): the genes are the first column.
//  - lines without tabs, commas or semicolons whose fields are apart by spaces ("PKD1  2.5",
//    "PKD1 2"): the same numbers rule, column 1 (a first line whose first word is a title is
//    skipped).
// Otherwise ("5310,5311" on every line) every token is an id. Without these rules a score
// of 2 became NCBI gene 2 (A2M) and was annotated beside the genes the user listed.

#include "util/expected.h"

#include <QList>
#include <QString>

namespace bioforge::annotation {

struct GeneListEntry {
    QString text;
    qint64 line = 0;
    // Why this entry cannot be a gene whatever the identity holds, or empty: a file's line that is
    // not valid UTF-8 is read with U+FFFD for its bad bytes, and each of its entries that holds one
    // says "byte N (0xHH) of line L is not valid UTF-8 …" (resolution.tsv lists it unknown; the
    // rest of the list is annotated).
    QString problem;
};

// layout, when given, receives how a table was read ("genes from column 1 ('gene') of 3, …"),
// or stays empty for a plain list.
QList<GeneListEntry> parseGeneList(const QString& text, QString* layout = nullptr);
// Read with the shared line reader: other compressions, binary files and a list without a gene are
// errors naming the file; bytes that are not UTF-8 mark the entries they fall in (`problem`).
core::Expected<QList<GeneListEntry>> readGeneList(const QString& path, QString* layout = nullptr);

} // namespace bioforge::annotation
