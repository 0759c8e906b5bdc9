#pragma once

// Reads safetensors files: 8-byte little-endian header length, a JSON header
// (name -> dtype, shape, data_offsets; optional __metadata__), then the data.
// The file is memory-mapped; every length, offset and shape is checked against
// the file size before use, so a truncated or hostile file is an error.

#include "io/tensor_dtype.h"
#include "util/expected.h"

#include <QFile>
#include <QList>
#include <QMap>
#include <QString>

#include <memory>
#include <vector>

namespace bioforge::core {

// Dimensions as text, outermost first: "[8, 131, 64]" ("[]" for a scalar).
QString shapeText(const std::vector<qint64>& shape);

struct TensorInfo {
    QString name;
    DType dtype = DType::F32;
    std::vector<qint64> shape;
    qint64 offset = 0; // from the start of the data section
    qint64 byteSize = 0;

    qint64 elementCount() const;
    QString shapeText() const; // "[8, 131, 64]"
};

class SafetensorsReader {
public:
    static constexpr qint64 kMaxHeaderBytes = 100'000'000;

    static Expected<std::unique_ptr<SafetensorsReader>> open(const QString& path);

    const QString& path() const { return m_path; }
    const QList<TensorInfo>& tensors() const { return m_tensors; }
    const TensorInfo* find(const QString& name) const;
    const QMap<QString, QString>& metadata() const { return m_metadata; }

    // Raw little-endian bytes of a tensor, inside the mapping.
    const uchar* data(const TensorInfo& info) const { return m_data + info.offset; }
    // Values converted to float (from F32, F64, F16, BF16 and integer types).
    Expected<std::vector<float>> toFloat(const QString& name) const;
    Expected<std::vector<qint64>> toInt64(const QString& name) const;

private:
    SafetensorsReader() = default;
    Status parseHeader(const QByteArray& header, qint64 dataSize);

    QString m_path;
    std::unique_ptr<QFile> m_file;
    const uchar* m_data = nullptr;
    QList<TensorInfo> m_tensors;
    QMap<QString, QString> m_metadata;
};

} // namespace bioforge::core
