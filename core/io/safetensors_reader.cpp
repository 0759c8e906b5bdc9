#include "io/safetensors_reader.h"

#include <QFloat16>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <algorithm>
#include <cstring>
#include <limits>

namespace bioforge::core {
namespace {

constexpr qint64 kMaxDims = 16;
constexpr double kMaxExactInteger = 9007199254740992.0; // 2^53: JSON numbers are doubles

bool readInteger(const QJsonValue& value, qint64* out)
{
    if (!value.isDouble())
        return false;
    const double d = value.toDouble();
    if (d < 0 || d > kMaxExactInteger || d != static_cast<double>(static_cast<qint64>(d)))
        return false;
    *out = static_cast<qint64>(d);
    return true;
}

template <typename T>
T loadLe(const uchar* p)
{
    T v;
    std::memcpy(&v, p, sizeof(T)); // x86-64 and arm64 are little-endian like the format
    return v;
}

float bf16ToFloat(quint16 bits)
{
    const quint32 wide = quint32(bits) << 16;
    float f;
    std::memcpy(&f, &wide, sizeof f);
    return f;
}

} // namespace

qint64 TensorInfo::elementCount() const
{
    qint64 n = 1;
    for (qint64 d : shape)
        n *= d;
    return n;
}

QString shapeText(const std::vector<qint64>& shape)
{
    QStringList parts;
    for (qint64 d : shape)
        parts << QString::number(d);
    return QLatin1Char('[') + parts.join(QStringLiteral(", ")) + QLatin1Char(']');
}

QString TensorInfo::shapeText() const { return core::shapeText(shape); }

Expected<std::unique_ptr<SafetensorsReader>> SafetensorsReader::open(const QString& path)
{
    std::unique_ptr<SafetensorsReader> reader(new SafetensorsReader);
    reader->m_path = path;
    reader->m_file = std::make_unique<QFile>(path);
    if (!reader->m_file->open(QIODevice::ReadOnly))
        return Error(QStringLiteral("%1: cannot open: %2").arg(path, reader->m_file->errorString()));
    const qint64 fileSize = reader->m_file->size();
    if (fileSize < 8)
        return Error(QStringLiteral("%1: not a safetensors file: %2 bytes, expected at least an 8-byte header length")
                         .arg(path, QString::number(fileSize)));
    const uchar* base = fileSize > 0 ? reader->m_file->map(0, fileSize) : nullptr;
    if (!base)
        return Error(QStringLiteral("%1: cannot map file: %2").arg(path, reader->m_file->errorString()));
    const quint64 headerLen = loadLe<quint64>(base);
    // Bound: the header must fit in the file after the 8-byte length.
    if (headerLen > quint64(kMaxHeaderBytes) || headerLen > quint64(fileSize - 8))
        return Error(QStringLiteral("%1: header length %2 exceeds the file size %3 or the limit of %4 bytes")
                         .arg(path, QString::number(headerLen), QString::number(fileSize), QString::number(kMaxHeaderBytes)));
    const QByteArray header(reinterpret_cast<const char*>(base + 8), qsizetype(headerLen));
    reader->m_data = base + 8 + headerLen;
    const qint64 dataSize = fileSize - 8 - qint64(headerLen);
    if (Status st = reader->parseHeader(header, dataSize); !st)
        return st.error().withContext(path);
    return reader;
}

Status SafetensorsReader::parseHeader(const QByteArray& header, qint64 dataSize)
{
    if (header.isEmpty() || header.front() != '{')
        return Error(QStringLiteral("header does not start with '{'"));
    QJsonParseError parseError;
    const QJsonDocument doc = QJsonDocument::fromJson(header, &parseError);
    if (parseError.error != QJsonParseError::NoError || !doc.isObject())
        return Error(QStringLiteral("header is not a JSON object (%1 at byte %2)")
                         .arg(parseError.errorString(), QString::number(parseError.offset)));
    const QJsonObject root = doc.object();
    for (auto it = root.begin(); it != root.end(); ++it) {
        if (it.key() == QLatin1String("__metadata__")) {
            if (!it.value().isObject())
                return Error(QStringLiteral("__metadata__ is not an object"));
            const QJsonObject meta = it.value().toObject();
            for (auto m = meta.begin(); m != meta.end(); ++m) {
                if (!m.value().isString())
                    return Error(QStringLiteral("__metadata__ value of '%1' is not a string").arg(m.key()));
                m_metadata.insert(m.key(), m.value().toString());
            }
            continue;
        }
        const QString where = QStringLiteral("tensor '%1'").arg(it.key());
        if (!it.value().isObject())
            return Error(QStringLiteral("%1: entry is not an object").arg(where));
        const QJsonObject entry = it.value().toObject();
        TensorInfo info;
        info.name = it.key();
        const auto dtype = dtypeFromName(entry.value(QLatin1String("dtype")).toString());
        if (!dtype)
            return Error(QStringLiteral("%1: unknown dtype '%2'").arg(where, entry.value(QLatin1String("dtype")).toString()));
        info.dtype = *dtype;
        const QJsonArray shape = entry.value(QLatin1String("shape")).toArray();
        if (!entry.value(QLatin1String("shape")).isArray() || shape.size() > kMaxDims)
            return Error(QStringLiteral("%1: shape must be an array of at most %2 dimensions").arg(where, QString::number(kMaxDims)));
        qint64 elements = 1;
        for (const QJsonValue& v : shape) {
            qint64 dim = 0;
            if (!readInteger(v, &dim))
                return Error(QStringLiteral("%1: shape has a non-integer or negative dimension").arg(where));
            // Bound: the product never exceeds the data size, so it cannot overflow.
            if (dim != 0 && elements > dataSize / dim)
                return Error(QStringLiteral("%1: shape %2 is larger than the file's data").arg(where, QString::fromUtf8(QJsonDocument(shape).toJson(QJsonDocument::Compact))));
            elements *= dim;
            info.shape.push_back(dim);
        }
        const QJsonArray offsets = entry.value(QLatin1String("data_offsets")).toArray();
        qint64 begin = 0, end = 0;
        if (offsets.size() != 2 || !readInteger(offsets[0], &begin) || !readInteger(offsets[1], &end) || end < begin)
            return Error(QStringLiteral("%1: data_offsets must be [begin, end] with begin <= end").arg(where));
        if (end > dataSize)
            return Error(QStringLiteral("%1: data_offsets end %2 is past the data section (%3 bytes)").arg(where, QString::number(end), QString::number(dataSize)));
        if (end - begin != elements * dtypeSize(info.dtype))
            return Error(QStringLiteral("%1: %2 bytes in data_offsets, but shape %3 of %4 needs %5")
                             .arg(where, QString::number(end - begin), info.shapeText(), dtypeName(info.dtype), QString::number(elements * dtypeSize(info.dtype))));
        info.offset = begin;
        info.byteSize = end - begin;
        m_tensors.push_back(info);
    }
    // The data section must be covered exactly, without holes or overlaps.
    QList<TensorInfo> sorted = m_tensors;
    std::sort(sorted.begin(), sorted.end(), [](const TensorInfo& a, const TensorInfo& b) {
        return a.offset != b.offset ? a.offset < b.offset : a.byteSize < b.byteSize;
    });
    qint64 cursor = 0;
    for (const TensorInfo& t : sorted) {
        if (t.offset != cursor)
            return Error(QStringLiteral("tensor '%1' starts at byte %2 of the data, expected %3 (hole or overlap)")
                             .arg(t.name, QString::number(t.offset), QString::number(cursor)));
        cursor += t.byteSize;
    }
    if (cursor != dataSize)
        return Error(QStringLiteral("the tensors cover %1 bytes but the data section has %2").arg(QString::number(cursor), QString::number(dataSize)));
    return okStatus();
}

const TensorInfo* SafetensorsReader::find(const QString& name) const
{
    for (const TensorInfo& t : m_tensors)
        if (t.name == name)
            return &t;
    return nullptr;
}

Expected<std::vector<float>> SafetensorsReader::toFloat(const QString& name) const
{
    const TensorInfo* info = find(name);
    if (!info)
        return Error(QStringLiteral("%1: no tensor named '%2'").arg(m_path, name));
    const qint64 n = info->elementCount();
    const uchar* p = data(*info);
    std::vector<float> out(static_cast<size_t>(n));
    for (qint64 i = 0; i < n; ++i) {
        switch (info->dtype) {
        case DType::F32: out[i] = loadLe<float>(p + 4 * i); break;
        case DType::F64: out[i] = float(loadLe<double>(p + 8 * i)); break;
        case DType::F16: out[i] = float(loadLe<qfloat16>(p + 2 * i)); break;
        case DType::BF16: out[i] = bf16ToFloat(loadLe<quint16>(p + 2 * i)); break;
        case DType::I64: out[i] = float(loadLe<qint64>(p + 8 * i)); break;
        case DType::I32: out[i] = float(loadLe<qint32>(p + 4 * i)); break;
        case DType::I16: out[i] = float(loadLe<qint16>(p + 2 * i)); break;
        case DType::I8: out[i] = float(loadLe<qint8>(p + i)); break;
        case DType::U8: case DType::Bool: out[i] = float(p[i]); break;
        default:
            return Error(QStringLiteral("%1: tensor '%2' has dtype %3, which cannot be read as float")
                             .arg(m_path, name, dtypeName(info->dtype)));
        }
    }
    return out;
}

Expected<std::vector<qint64>> SafetensorsReader::toInt64(const QString& name) const
{
    const TensorInfo* info = find(name);
    if (!info)
        return Error(QStringLiteral("%1: no tensor named '%2'").arg(m_path, name));
    const qint64 n = info->elementCount();
    const uchar* p = data(*info);
    std::vector<qint64> out(static_cast<size_t>(n));
    for (qint64 i = 0; i < n; ++i) {
        switch (info->dtype) {
        case DType::I64: out[i] = loadLe<qint64>(p + 8 * i); break;
        case DType::I32: out[i] = loadLe<qint32>(p + 4 * i); break;
        case DType::I16: out[i] = loadLe<qint16>(p + 2 * i); break;
        case DType::I8: out[i] = loadLe<qint8>(p + i); break;
        case DType::U8: case DType::Bool: out[i] = p[i]; break;
        case DType::U16: out[i] = loadLe<quint16>(p + 2 * i); break;
        case DType::U32: out[i] = loadLe<quint32>(p + 4 * i); break;
        default:
            return Error(QStringLiteral("%1: tensor '%2' has dtype %3, which cannot be read as integers")
                             .arg(m_path, name, dtypeName(info->dtype)));
        }
    }
    return out;
}

} // namespace bioforge::core
