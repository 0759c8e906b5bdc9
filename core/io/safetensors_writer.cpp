#include "io/safetensors_writer.h"

#include "io/atomic_file.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <cstring>

namespace bioforge::core {

Status SafetensorsWriter::add(const QString& name, DType dtype, const std::vector<qint64>& shape, QByteArray bytes)
{
    if (name.isEmpty() || name == QLatin1String("__metadata__"))
        return Error(QStringLiteral("safetensors: invalid tensor name '%1'").arg(name));
    for (const Entry& e : m_entries)
        if (e.name == name)
            return Error(QStringLiteral("safetensors: tensor '%1' added twice").arg(name));
    qint64 elements = 1;
    for (qint64 d : shape) {
        if (d < 0)
            return Error(QStringLiteral("safetensors: tensor '%1' has a negative dimension").arg(name));
        elements *= d;
    }
    if (bytes.size() != elements * dtypeSize(dtype))
        return Error(QStringLiteral("safetensors: tensor '%1' has %2 bytes, its shape needs %3")
                         .arg(name, QString::number(bytes.size()), QString::number(elements * dtypeSize(dtype))));
    m_entries.push_back({name, dtype, shape, std::move(bytes)});
    return okStatus();
}

Status SafetensorsWriter::addF32(const QString& name, const std::vector<qint64>& shape, const std::vector<float>& values)
{
    QByteArray bytes(qsizetype(values.size() * sizeof(float)), Qt::Uninitialized);
    if (!values.empty())
        std::memcpy(bytes.data(), values.data(), values.size() * sizeof(float));
    return add(name, DType::F32, shape, std::move(bytes));
}

Status SafetensorsWriter::addI64(const QString& name, const std::vector<qint64>& shape, const std::vector<qint64>& values)
{
    QByteArray bytes(qsizetype(values.size() * sizeof(qint64)), Qt::Uninitialized);
    if (!values.empty())
        std::memcpy(bytes.data(), values.data(), values.size() * sizeof(qint64));
    return add(name, DType::I64, shape, std::move(bytes));
}

QByteArray SafetensorsWriter::serialize() const
{
    QJsonObject header;
    if (!m_metadata.isEmpty()) {
        QJsonObject meta;
        for (auto it = m_metadata.begin(); it != m_metadata.end(); ++it)
            meta.insert(it.key(), it.value());
        header.insert(QStringLiteral("__metadata__"), meta);
    }
    qint64 offset = 0;
    for (const Entry& e : m_entries) {
        QJsonArray shape;
        for (qint64 d : e.shape)
            shape.append(double(d));
        header.insert(e.name, QJsonObject{{QStringLiteral("dtype"), dtypeName(e.dtype)},
                                          {QStringLiteral("shape"), shape},
                                          {QStringLiteral("data_offsets"), QJsonArray{double(offset), double(offset + e.bytes.size())}}});
        offset += e.bytes.size();
    }
    QByteArray json = QJsonDocument(header).toJson(QJsonDocument::Compact);
    while (json.size() % 8 != 0)
        json.append(' ');
    QByteArray out;
    out.reserve(8 + json.size() + offset);
    const quint64 len = quint64(json.size());
    out.append(reinterpret_cast<const char*>(&len), 8);
    out.append(json);
    for (const Entry& e : m_entries)
        out.append(e.bytes);
    return out;
}

Status SafetensorsWriter::writeAtomic(const QString& path) const
{
    return AtomicFile::write(path, serialize());
}

} // namespace bioforge::core
