#include "gguf/gguf_writer.h"

#include "io/atomic_file.h"

#include <QSaveFile>

#include <cstring>

namespace bioforge::llm {
namespace {

template <typename T>
void put(QByteArray& out, T value)
{
    out.append(reinterpret_cast<const char*>(&value), sizeof(T));
}

void putString(QByteArray& out, const std::string& s)
{
    put<uint64_t>(out, s.size());
    out.append(s.data(), qsizetype(s.size()));
}

void putScalar(QByteArray& out, GgufType type, int64_t integer, double real)
{
    switch (type) {
    case GgufType::UInt8: put<uint8_t>(out, uint8_t(integer)); break;
    case GgufType::Int8: put<int8_t>(out, int8_t(integer)); break;
    case GgufType::UInt16: put<uint16_t>(out, uint16_t(integer)); break;
    case GgufType::Int16: put<int16_t>(out, int16_t(integer)); break;
    case GgufType::UInt32: put<uint32_t>(out, uint32_t(integer)); break;
    case GgufType::Int32: put<int32_t>(out, int32_t(integer)); break;
    case GgufType::UInt64: put<uint64_t>(out, uint64_t(integer)); break;
    case GgufType::Int64: put<int64_t>(out, integer); break;
    case GgufType::Float32: put<float>(out, float(real)); break;
    case GgufType::Float64: put<double>(out, real); break;
    case GgufType::Bool: put<uint8_t>(out, integer ? 1 : 0); break;
    default: break;
    }
}

void putValue(QByteArray& out, const GgufValue& v)
{
    if (v.type == GgufType::String) {
        putString(out, v.string);
    } else if (v.type == GgufType::Array) {
        const GgufArray& a = *v.array;
        put<uint32_t>(out, uint32_t(a.elementType));
        put<uint64_t>(out, a.size());
        for (size_t i = 0; i < a.size(); ++i) {
            if (a.elementType == GgufType::String)
                putString(out, a.strings[i]);
            else if (a.elementType == GgufType::Array)
                putValue(out, a.arrays[i]);
            else if (a.elementType == GgufType::Float32 || a.elementType == GgufType::Float64)
                putScalar(out, a.elementType, 0, a.floats[i]);
            else
                putScalar(out, a.elementType, a.integers[i], 0);
        }
    } else {
        putScalar(out, v.type, v.integer, v.real);
    }
}

} // namespace

void GgufWriter::set(const std::string& key, GgufValue value)
{
    for (auto& [k, v] : m_metadata)
        if (k == key) {
            v = std::move(value);
            return;
        }
    m_metadata.emplace_back(key, std::move(value));
}

void GgufWriter::setString(const std::string& key, const std::string& value)
{
    GgufValue v;
    v.type = GgufType::String;
    v.string = value;
    set(key, std::move(v));
}

void GgufWriter::setUInt32(const std::string& key, uint32_t value)
{
    GgufValue v;
    v.type = GgufType::UInt32;
    v.integer = value;
    set(key, std::move(v));
}

void GgufWriter::setInt32(const std::string& key, int32_t value)
{
    GgufValue v;
    v.type = GgufType::Int32;
    v.integer = value;
    set(key, std::move(v));
}

void GgufWriter::setFloat32(const std::string& key, float value)
{
    GgufValue v;
    v.type = GgufType::Float32;
    v.real = value;
    set(key, std::move(v));
}

void GgufWriter::setBool(const std::string& key, bool value)
{
    GgufValue v;
    v.type = GgufType::Bool;
    v.integer = value ? 1 : 0;
    set(key, std::move(v));
}

void GgufWriter::setStringArray(const std::string& key, std::vector<std::string> values)
{
    GgufValue v;
    v.type = GgufType::Array;
    v.array = std::make_shared<GgufArray>();
    v.array->elementType = GgufType::String;
    v.array->strings = std::move(values);
    set(key, std::move(v));
}

void GgufWriter::setFloat32Array(const std::string& key, const std::vector<float>& values)
{
    GgufValue v;
    v.type = GgufType::Array;
    v.array = std::make_shared<GgufArray>();
    v.array->elementType = GgufType::Float32;
    v.array->floats.assign(values.begin(), values.end());
    set(key, std::move(v));
}

void GgufWriter::setInt32Array(const std::string& key, const std::vector<int32_t>& values)
{
    GgufValue v;
    v.type = GgufType::Array;
    v.array = std::make_shared<GgufArray>();
    v.array->elementType = GgufType::Int32;
    v.array->integers.assign(values.begin(), values.end());
    set(key, std::move(v));
}

core::Status GgufWriter::addTensor(const std::string& name, GgmlType type, const std::vector<int64_t>& shape, QByteArray data)
{
    const auto traits = ggmlTypeTraits(uint32_t(type));
    if (!traits || shape.empty() || shape.size() > 4)
        return core::Error(QStringLiteral("gguf writer: tensor '%1' has an unknown type or bad rank").arg(QString::fromStdString(name)));
    int64_t elements = 1;
    for (int64_t d : shape)
        elements *= d;
    if (shape[0] % traits->blockElements != 0)
        return core::Error(QStringLiteral("gguf writer: tensor '%1' row length is not a multiple of the block size").arg(QString::fromStdString(name)));
    const size_t bytes = size_t(elements / traits->blockElements) * traits->blockBytes;
    if (size_t(data.size()) != bytes)
        return core::Error(QStringLiteral("gguf writer: tensor '%1' has %2 bytes, its type and shape need %3")
                               .arg(QString::fromStdString(name), QString::number(data.size()), QString::number(bytes)));
    m_tensors.push_back({name, type, shape, std::move(data)});
    return core::okStatus();
}

QByteArray GgufWriter::header() const
{
    QByteArray out;
    put<uint32_t>(out, 0x46554747);
    put<uint32_t>(out, 3);
    put<uint64_t>(out, m_tensors.size());
    put<uint64_t>(out, m_metadata.size());
    for (const auto& [key, value] : m_metadata) {
        putString(out, key);
        put<uint32_t>(out, uint32_t(value.type));
        putValue(out, value);
    }
    uint64_t offset = 0;
    for (const Tensor& t : m_tensors) {
        putString(out, t.name);
        put<uint32_t>(out, uint32_t(t.shape.size()));
        for (int64_t d : t.shape)
            put<uint64_t>(out, uint64_t(d));
        put<uint32_t>(out, uint32_t(t.type));
        put<uint64_t>(out, offset);
        offset += (uint64_t(t.data.size()) + m_alignment - 1) / m_alignment * m_alignment;
    }
    while (out.size() % m_alignment != 0)
        out.append('\0');
    return out;
}

QByteArray GgufWriter::serialize() const
{
    QByteArray out = header();
    for (const Tensor& t : m_tensors) {
        out.append(t.data);
        while (out.size() % m_alignment != 0)
            out.append('\0');
    }
    return out;
}

core::Status GgufWriter::write(const QString& path) const
{
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly))
        return core::Error(QStringLiteral("%1: cannot write: %2").arg(path, file.errorString()));
    const QByteArray head = header();
    bool ok = file.write(head) == head.size();
    qint64 written = head.size();
    for (const Tensor& t : m_tensors) {
        ok = ok && file.write(t.data) == t.data.size();
        written += t.data.size();
        const qint64 pad = (m_alignment - written % m_alignment) % m_alignment;
        ok = ok && file.write(QByteArray(pad, '\0')) == pad;
        written += pad;
    }
    if (!ok) {
        file.cancelWriting();
        return core::Error(QStringLiteral("%1: write failed: %2").arg(path, core::AtomicFile::failureReason(file)));
    }
    if (core::Status done = core::AtomicFile::commit(file); !done)
        return done;
    return core::okStatus();
}

} // namespace bioforge::llm
