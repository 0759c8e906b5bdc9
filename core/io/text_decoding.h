#pragma once

// Turning bytes read from a text file into text, strictly: bytes that are not
// valid UTF-8 (RFC 3629: no overlong forms, no surrogates, nothing above
// U+10FFFF) are an error naming the file, the line and the byte, never
// replaced silently.

#include "util/expected.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QString>

namespace bioforge::core {

// Offset of the first byte that is not part of valid UTF-8, or -1.
qsizetype firstInvalidUtf8(QByteArrayView bytes);

// `bytes` as text; an error "path:line: byte N (0xHH) is not valid UTF-8 …"
// (N is 1-based within the line).
Expected<QString> decodeUtf8Line(const QByteArray& bytes, const QString& path, qint64 line);

// Command-line arguments are bytes. decodeArgument() keeps bytes that are not
// UTF-8 as lone surrogates U+DC80..U+DCFF (Python's "surrogateescape", PEP
// 383), so that encodeArgument() gives back exactly the bytes typed; a text
// argument meant as data (e.g. `llm tokenize --text`) is passed on as given.
QString decodeArgument(const QByteArray& bytes);
QByteArray encodeArgument(const QString& text);

} // namespace bioforge::core
