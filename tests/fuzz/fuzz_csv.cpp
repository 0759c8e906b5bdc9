// CSV/TSV (RFC 4180 quoting, gzip by name; the first byte picks the suffix).
// Invariants: every row has a header's worth of fields or the read is an
// error naming the file; rows come with increasing line numbers.

#include "fuzz_support.h"
#include "io/csv_reader.h"

using namespace bioforge;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    static const char* suffixes[] = {".csv", ".tsv", ".csv.gz", ".txt"};
    const QString path = fuzz::writeInput(data, size, suffixes[size > 0 ? data[0] % 4 : 0]);
    auto reader = core::CsvReader::open(path);
    if (!reader) {
        fuzz::requireNamesFile(reader.error().message(), path);
        return 0;
    }
    if (auto st = (*reader)->readHeader(); !st) {
        fuzz::requireNamesFile(st.error().message(), path);
        return 0;
    }
    qint64 lastLine = 0;
    for (int n = 0; n < 1'000'000; ++n) {
        auto row = (*reader)->next();
        if (!row) {
            fuzz::requireNamesFile(row.error().message(), path);
            break;
        }
        if (!*row)
            break;
        fuzz::require((*row)->size() == (*reader)->header().size(), "a row whose width differs from the header's");
        fuzz::require((*reader)->rowLine() > lastLine, "rows out of line order");
        lastLine = (*reader)->rowLine();
    }
    return 0;
}
