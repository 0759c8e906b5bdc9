#pragma once

// JSON read from files users supply (model configs, tokenizer.json,
// templates): a UTF-8 byte-order mark is skipped, and a parse error names the
// file, line and column (counted over LF, CRLF or CR line ends) instead of a
// byte offset.

#include "util/expected.h"

#include <QByteArray>
#include <QJsonObject>
#include <QString>

namespace bioforge::core {

// The top-level object of JSON text; `source` names it in errors (a path).
Expected<QJsonObject> parseJsonObject(QByteArray json, const QString& source);
// The same for a file, refusing files above `maxBytes`.
Expected<QJsonObject> readJsonObjectFile(const QString& path, qint64 maxBytes = qint64(512) << 20);

} // namespace bioforge::core
