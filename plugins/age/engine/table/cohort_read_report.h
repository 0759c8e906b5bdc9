#pragma once

// What reading a cohort table found wrong (table/cohort_reader.h): every
// problem counted by kind, the first kMaxIssues of each kind in each column
// named by line and column (validation.tsv; a column that fails throughout
// does not crowd out the others), and each kind tallied by column, so that a problem that
// fills a column (a sex coded M/F where the mapping says 1/2, a unit or a
// decimal comma throughout) is said once, with the values the column holds
// and what to change, instead of hundreds of lines about its rows.

#include "table/column_mapping.h"
#include "util/expected.h"

#include <QList>
#include <QMap>
#include <QString>
#include <QStringList>

#include <utility>

namespace bioforge::age {

struct TableIssue {
    qint64 line = 0;
    QString column;
    QString problem;
    QString kind; // as counted in CohortReadReport::counts
};

// The problems of one kind in one column: how many, the first, and the distinct values met.
struct ColumnTally {
    qint64 count = 0;
    qint64 firstLine = 0;
    QString firstProblem;
    QMap<QString, qint64> values; // the first kMaxValues distinct values, with their counts
    qint64 otherValues = 0;       // rows whose value is none of those
    qint64 kept = 0;              // of them in CohortReadReport::issues
    static constexpr int kMaxValues = 8;
};

struct CohortReadReport {
    qint64 rows = 0;
    QMap<QString, qint64> counts;   // by kind: "not a number", "out of range", "missing", "impossible age", "unknown sex", "duplicate id"
    QMap<QString, qint64> missingByMarker;
    QStringList absentMarkers;      // mapped, but the table has no such column
    QList<TableIssue> issues;       // the first kMaxIssues of each (kind, column), each with line and column
    static constexpr int kMaxIssues = 2000;
    static constexpr int kMaxIssuesInAll = 50000; // a table with problems in every column stays a bounded report
    QMap<std::pair<QString, QString>, ColumnTally> byColumn; // (kind, column) -> every such problem, tallied
    // Names the header holds twice, or in two variants of case or spacing where none is exact (AGE
    // and Age for age): neither is taken. Mapping's name -> "'AGE' (column 2)", … .
    QMap<QString, QStringList> caseAmbiguous;
    // How the table was read, said once each (a run's warnings, the check's lines): decimal commas
    // taken as points, a column whose name gives another unit than the mapping, a name the header
    // holds twice.
    QStringList notes;
    qint64 decimalCommas = 0; // values read with a decimal comma
    qint64 unreadNotUtf8 = 0;  // fields of columns the mapping does not read holding bytes that are not UTF-8

    // `value`: the field as written (tallied by column, to say what a whole column holds).
    void add(const QString& kind, qint64 line, const QString& column, const QString& problem, const QString& value = {});
    // A kind of problem that fills a column (at least kColumnWideMinimum rows and half of those
    // read: a sex coded M/F, a unit or decimal comma throughout) is one finding about the column,
    // not hundreds about its rows: its (kind, column) pairs.
    QList<std::pair<QString, QString>> columnWide() const;
    static constexpr qint64 kColumnWideMinimum = 20;
    // " (the header has 'AGE', 'Age', …)" when `name` is caseAmbiguous; empty otherwise.
    QString caseAmbiguityNote(const QString& name) const;
    QString summary() const; // one line: "18825 rows; 12 not a number, 3 out of range, …"
    // validation.tsv: a header (line, column, problem) and each kept issue, tab-separated, atomically.
    core::Status saveIssues(const QString& path) const;
};

// One line for a column-wide problem (CohortReadReport::columnWide): the column, how many rows,
// the values it holds, and what to change (the mapping's sex codes, its unit, a decimal point).
QString describeColumnWide(const CohortReadReport& report, const std::pair<QString, QString>& kindAndColumn, const ColumnMapping& mapping);
// Every column-wide problem, described.
QStringList columnWideProblems(const CohortReadReport& report, const ColumnMapping& mapping);

} // namespace bioforge::age
