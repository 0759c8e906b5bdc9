#pragma once

// A cohort in memory, column by column: one row per person of the input
// table, in input order (no row is ever dropped from it: a value that cannot
// be used is missing, and the clocks say why a row gets no value). Biomarkers
// are in their canonical units (schema/biomarker_schema.h); NaN = missing.

#include <QString>
#include <QStringList>

#include <cmath>
#include <vector>

namespace bioforge::age {

enum class Sex : int { Unknown = 0, Male = 1, Female = 2 };

struct Cohort {
    QString source;                   // the file it came from
    QStringList ids;                  // as written in the table (the line number when there is no id column)
    std::vector<qint64> lines;        // the table line of each row (1-based, the header is line 1)
    std::vector<double> age;          // years; NaN when missing or impossible
    std::vector<Sex> sex;
    std::vector<int> pregnant;        // 1, 0, -1 unknown (no column, a blank cell), -2 a code the mapping does not know
    std::vector<double> followupMonths; // NaN unknown
    std::vector<int> event;           // 1 died, 0 alive/censored, -1 unknown
    QStringList markerNames;          // the biomarkers the table has (our names)
    std::vector<std::vector<double>> markers; // [marker][row], canonical units
    // --missing impute: per row, what was filled and from whom ("glucose: the median of 12 women aged
    // 70-74"), "; "-joined; empty where nothing was (and the whole vector where no imputation ran).
    std::vector<QString> imputed;
    // Per row: 1 where the row could not be read at all (a width other than the header's: none of
    // its values is used), so that a clock says so instead of "no usable age" (trial 24 T24-8).
    std::vector<char> unread;

    qsizetype rows() const { return ids.size(); }
    int markerIndex(const QString& name) const { return int(markerNames.indexOf(name)); }
    bool has(const QString& name) const { return markerIndex(name) >= 0; }
    // NaN when the table has no such marker or the row lacks it.
    double value(const QString& name, qsizetype row) const
    {
        const int m = markerIndex(name);
        return m < 0 ? std::nan("") : markers[size_t(m)][size_t(row)];
    }
    bool rowUnread(qsizetype row) const { return size_t(row) < unread.size() && unread[size_t(row)] != 0; }
    bool hasSurvival(qsizetype row) const
    {
        return event[size_t(row)] >= 0 && std::isfinite(followupMonths[size_t(row)]) && followupMonths[size_t(row)] >= 0;
    }
};

} // namespace bioforge::age
