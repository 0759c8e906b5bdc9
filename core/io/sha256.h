#pragma once

// SHA-256 of files and buffers, as lower-case hex strings.

#include "util/expected.h"

#include <QByteArray>
#include <QString>

namespace bioforge::core {

class Sha256 {
public:
    static QString ofData(const QByteArray& data);
    // Streams the file in blocks; never loads it whole.
    static Expected<QString> ofFile(const QString& path);
};

} // namespace bioforge::core
