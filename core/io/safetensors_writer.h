#pragma once

// Builds a safetensors file in memory and writes it atomically. Tensors keep
// the order in which they were added; the header is padded with spaces to a
// multiple of 8 bytes, as the reference implementation does.

#include "io/tensor_dtype.h"
#include "util/expected.h"

#include <QByteArray>
#include <QList>
#include <QMap>
#include <QString>

#include <vector>

namespace bioforge::core {

class SafetensorsWriter {
public:
    void setMetadata(const QString& key, const QString& value) { m_metadata.insert(key, value); }
    Status add(const QString& name, DType dtype, const std::vector<qint64>& shape, QByteArray bytes);
    Status addF32(const QString& name, const std::vector<qint64>& shape, const std::vector<float>& values);
    Status addI64(const QString& name, const std::vector<qint64>& shape, const std::vector<qint64>& values);

    QByteArray serialize() const;
    Status writeAtomic(const QString& path) const;

private:
    struct Entry {
        QString name;
        DType dtype;
        std::vector<qint64> shape;
        QByteArray bytes;
    };
    QList<Entry> m_entries;
    QMap<QString, QString> m_metadata;
};

} // namespace bioforge::core
