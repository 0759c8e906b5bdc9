#pragma once

// JSON read from files users supply (model configs, tokenizer.json,
// templates): a UTF-8 byte-order mark is skipped, and a parse error names the
// file, line and column (counted over LF, CRLF or CR line ends) instead of a
// byte offset.

#include "util/expected.h"

#include <QByteArray>
#include <QJsonObject>
#include <QJsonValue>
#include <QString>

#include <optional>

namespace bioforge::core {

// The top-level object of JSON text; `source` names it in errors (a path).
Expected<QJsonObject> parseJsonObject(QByteArray json, const QString& source);
// The same for a file, refusing files above `maxBytes`.
Expected<QJsonObject> readJsonObjectFile(const QString& path, qint64 maxBytes = qint64(512) << 20);

// `v` as a whole number from `lo` to `hi` (inclusive), or nullopt when it is no JSON number, not
// whole, or out of range. Checked on the double before any narrowing: 2^32 + 3 must not pass as 3,
// and casting an out-of-range double to an integer is undefined behaviour. Callers decide what an
// absent value (`v.isUndefined()`) means and word their own errors (with jsonText).
// Requires lo <= hi and both within +-2^53 (exactly representable as doubles).
std::optional<qint64> wholeNumberIn(const QJsonValue& v, qint64 lo, qint64 hi);

// `v` as compact JSON text for an error message: 2.5, "8", [1,2], null; nothing for undefined.
QString jsonText(const QJsonValue& v);

} // namespace bioforge::core
