#pragma once

// SHA-256 of files and buffers, as lower-case hex strings.

#include "util/expected.h"

#include <QByteArray>
#include <QString>

#include <functional>

namespace bioforge::core {

class Sha256 {
public:
    static QString ofData(const QByteArray& data);
    // Streams the file in blocks of kBlockBytes; never loads it whole. `progress`, when given, is
    // called after each block with the bytes read so far; returning false stops the hashing, which
    // then fails ("hashing stopped"). Errors name the file: cannot open, read error.
    static Expected<QString> ofFile(const QString& path, const std::function<bool(qint64 bytesRead)>& progress = {});
    static constexpr qint64 kBlockBytes = qint64(4) << 20;
};

} // namespace bioforge::core
