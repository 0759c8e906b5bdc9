#pragma once

// HGNC's complete set (https://www.genenames.org/download/archive/: the
// JSON `hgnc_complete_set.json`, envelope {"response": {"docs": [...]}} as the
// REST API answers, or the TSV `hgnc_complete_set.txt` whose list fields
// are "|"-separated and double-quoted), plain or gzip, read as a stream:
// the JSON is parsed one doc at a time (nlohmann::json's parser callback),
// so memory does not grow with the file. And `withdrawn.txt` (HGNC_ID,
// STATUS, WITHDRAWN_SYMBOL, MERGED_INTO_REPORT(S) with reports
// "HGNC:n|SYMBOL|Status").

#include "identity/gene_record.h"
#include "io/stream_control.h"
#include "util/expected.h"

#include <functional>

namespace bioforge::annotation {

// Every record of the file; `each` may fail to stop the read. Returns the
// newest date_modified seen (HGNC publishes no release number: this dates
// the file's content).
core::Expected<QString> readHgncCompleteSet(const QString& path, const std::function<core::Status(const GeneRecord&)>& each,
                                            const StreamControl& control = {});
core::Status readHgncWithdrawn(const QString& path, const std::function<core::Status(const WithdrawnSymbol&)>& each);

// One HGNC JSON doc (as in the bulk file or a REST `fetch` answer) as a record.
GeneRecord geneFromHgncDoc(const QJsonObject& doc);

} // namespace bioforge::annotation
