// Provenance records as the project store and provenance.json hold them:
// JSON → RunRecord. Invariants: a record that parses re-serialises and
// parses again to the same JSON; an error has a message.

#include "fuzz_support.h"
#include "provenance/run_record.h"

#include <QJsonDocument>
#include <QJsonObject>

using namespace bioforge;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    const QJsonDocument doc = QJsonDocument::fromJson(QByteArray::fromRawData(reinterpret_cast<const char*>(data), qsizetype(size)));
    if (!doc.isObject())
        return 0;
    auto record = core::RunRecord::fromJson(doc.object());
    if (!record) {
        fuzz::require(!record.error().message().trimmed().isEmpty(), "an error without a message");
        return 0;
    }
    const QJsonObject once = record->toJson();
    auto again = core::RunRecord::fromJson(once);
    fuzz::require(bool(again), "a record that does not parse after re-serialising", again ? QString() : again.error().message());
    fuzz::require(again->toJson() == once, "a record that changes on a second round trip", QString::fromUtf8(QJsonDocument(once).toJson(QJsonDocument::Compact)));
    return 0;
}
