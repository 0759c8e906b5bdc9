#pragma once

// Reads a cohort table (CSV or TSV, plain or gzip, any line ends, through
// core::CsvReader) with a column mapping, checking every value: a value
// that is not a number, outside the biomarker's plausible range, an
// impossible age, an unknown sex code or a repeated id is reported with its
// line and column and kept out of the computations (the row stays). The
// report counts every kind, so nothing is dropped silently.

#include "table/cohort.h"
#include "table/cohort_read_report.h"
#include "table/column_mapping.h"
#include "util/expected.h"

#include <QList>
#include <QMap>
#include <QString>

#include <functional>
#include <memory>

namespace bioforge::age {

struct CohortReadOptions {
    QStringList markers;  // read only these (empty: every mapped marker)
    std::function<bool(qint64 rowsRead)> progress; // return false to stop (the read fails as cancelled)
};

core::Expected<Cohort> readCohort(const QString& path, const ColumnMapping& mapping, const BiomarkerSchema& schema,
                                  CohortReadReport* report, const CohortReadOptions& options = {});

// The same table in chunks of rows, for tables too large to hold: memory is
// one chunk plus ~60 bytes a person (ids are remembered as hashes to find
// repeats). `report` must outlive the stream; it accumulates as rows come.
class CohortStream {
public:
    static core::Expected<CohortStream> open(const QString& path, const ColumnMapping& mapping, const BiomarkerSchema& schema,
                                             CohortReadReport* report, const CohortReadOptions& options = {});
    CohortStream(CohortStream&&) noexcept;
    ~CohortStream();
    // The next rows (at most maxRows) into `chunk`; false at the end of the table.
    core::Expected<bool> next(Cohort& chunk, qsizetype maxRows);
    qint64 bytesRead() const;
    qint64 fileSize() const;

private:
    CohortStream();
    struct Impl;
    std::unique_ptr<Impl> d;
};
void appendCohort(Cohort& to, Cohort&& from);

} // namespace bioforge::age
