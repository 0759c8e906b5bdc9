// A cohort table (CSV/TSV, gzip by name; the first byte picks the suffix)
// read with the built-in NHANES (BioAge) column mapping, as the age plugin
// reads a user's biomarker table. Invariants: an open or read error names the
// file; a table that reads gives one entry per row in every column (ids,
// lines, age, sex, follow-up, event, each marker); rows come in line order
// after the header; every value kept is finite (a bad one is NaN and counted
// in the report, never silently changed); ages are plausible or NaN; the
// report counts the rows read; each issue has a line inside the file (blank
// rows after the last person are reported too).

#include "fuzz_support.h"
#include "schema/biomarker_schema.h"
#include "table/cohort_reader.h"
#include "table/column_mapping.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <limits>

using namespace bioforge;

namespace {

const age::ColumnMapping& mapping()
{
    static const age::ColumnMapping m = [] {
        auto loaded = age::ColumnMapping::load(QStringLiteral("nhanes-bioage"));
        if (!loaded) {
            std::fprintf(stderr, "fuzz: no mapping: %s\n", qPrintable(loaded.error().message()));
            std::abort();
        }
        return *loaded;
    }();
    return m;
}

// The lines of a text as core::LineReader counts them: CR LF, a lone CR and a lone LF each
// end one; a last line without an ending counts.
qint64 physicalLines(const uint8_t* data, size_t size)
{
    qint64 lines = 0;
    for (size_t i = 0; i < size; ++i) {
        if (data[i] == '\n' || data[i] == '\r') {
            ++lines;
            if (data[i] == '\r' && i + 1 < size && data[i + 1] == '\n')
                ++i;
        }
    }
    return lines + (size > 0 && data[size - 1] != '\n' && data[size - 1] != '\r' ? 1 : 0);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    static const char* suffixes[] = {".csv", ".tsv", ".csv.gz", ".txt"};
    const QString path = fuzz::writeInput(size > 0 ? data + 1 : data, size > 0 ? size - 1 : 0, suffixes[size > 0 ? data[0] % 4 : 0]);
    age::CohortReadReport report;
    auto cohort = age::readCohort(path, mapping(), age::BiomarkerSchema::builtIn(), &report);
    if (!cohort) {
        fuzz::requireNamesFile(cohort.error().message(), path);
        return 0;
    }
    const size_t rows = size_t(cohort->rows());
    fuzz::require(cohort->lines.size() == rows && cohort->age.size() == rows && cohort->sex.size() == rows && cohort->pregnant.size() == rows
                      && cohort->followupMonths.size() == rows && cohort->event.size() == rows,
                  "columns of different lengths");
    fuzz::require(size_t(cohort->markerNames.size()) == cohort->markers.size(), "marker names and columns differ in number");
    for (const auto& column : cohort->markers) {
        fuzz::require(column.size() == rows, "a marker column of another length");
        for (double v : column)
            fuzz::require(std::isnan(v) || std::isfinite(v), "an infinite marker value kept");
    }
    qint64 last = 1; // the header
    for (size_t r = 0; r < rows; ++r) {
        fuzz::require(cohort->lines[r] > last, "rows out of line order");
        last = cohort->lines[r];
        fuzz::require(std::isnan(cohort->age[r]) || (cohort->age[r] >= 0 && cohort->age[r] <= 130), "an impossible age kept");
        fuzz::require(std::isnan(cohort->followupMonths[r]) || (std::isfinite(cohort->followupMonths[r]) && cohort->followupMonths[r] >= 0),
                      "a negative or infinite follow-up kept");
        fuzz::require(cohort->event[r] >= -1 && cohort->event[r] <= 1, "an event code other than -1, 0, 1");
    }
    fuzz::require(report.rows == qint64(rows), "a report that counts other rows than were read");
    // Empty rows after the last person are reported too, so the bound is the file's last line
    // (counted as core::LineReader ends lines: CR LF, CR or LF), not the last row read. A
    // gzip table's lines (by name or, as the reader decides, by its first bytes) are not counted
    // here: only the lower bound is checked.
    const bool gzip = size > 0 && (data[0] % 4 == 2 || (size > 2 && data[1] == 0x1f && data[2] == 0x8b));
    const qint64 lines = gzip ? std::numeric_limits<qint64>::max() : physicalLines(size > 0 ? data + 1 : data, size > 0 ? size - 1 : 0);
    for (const age::TableIssue& issue : report.issues)
        fuzz::require(issue.line >= 1 && issue.line <= lines, "an issue outside the table's lines");
    return 0;
}
