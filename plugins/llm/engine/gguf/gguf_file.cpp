#include "gguf/gguf_file.h"

#include "io/content_sniffer.h"
#include "util/terminal_text.h"

#include <QFile>
#include <QFileInfo>

#include <algorithm>
#include <cstring>

namespace bioforge::llm {

using core::Error;
using core::Expected;
using core::Status;

// Reads little-endian fields from the mapping; every read is checked against
// the end of the file (the bound all pointer arithmetic below relies on).
class GgufFile::Cursor {
public:
    Cursor(const uint8_t* base, uint64_t size) : m_base(base), m_size(size) {}

    uint64_t position() const { return m_pos; }
    uint64_t remaining() const { return m_size - m_pos; }

    template <typename T>
    bool read(T* out)
    {
        if (remaining() < sizeof(T))
            return false;
        std::memcpy(out, m_base + m_pos, sizeof(T));
        m_pos += sizeof(T);
        return true;
    }

    bool readString(std::string* out, uint64_t maxBytes, QString* why)
    {
        uint64_t length = 0;
        if (!read(&length)) {
            *why = QStringLiteral("string length runs past the end of the file");
            return false;
        }
        if (length > maxBytes) {
            *why = QStringLiteral("string length %1 exceeds the limit of %2 bytes").arg(QString::number(length), QString::number(maxBytes));
            return false;
        }
        if (length > remaining()) {
            *why = QStringLiteral("string of %1 bytes runs past the end of the file").arg(length);
            return false;
        }
        out->assign(reinterpret_cast<const char*>(m_base + m_pos), size_t(length));
        m_pos += length;
        return true;
    }

private:
    const uint8_t* m_base;
    uint64_t m_size;
    uint64_t m_pos = 0;
};

namespace {

constexpr uint32_t kMagic = 0x46554747; // "GGUF" read as little-endian u32

bool readScalar(GgufFile::Cursor&, GgufType, GgufValue*);

} // namespace

int64_t GgufTensorInfo::elementCount() const
{
    int64_t n = 1;
    for (int64_t d : shape)
        n *= d;
    return n;
}

int64_t GgufTensorInfo::rows() const
{
    int64_t n = 1;
    for (size_t i = 1; i < shape.size(); ++i)
        n *= shape[i];
    return n;
}

GgufFile::~GgufFile() = default;

Expected<std::unique_ptr<GgufFile>> GgufFile::open(const QString& path, Limits limits)
{
    std::unique_ptr<GgufFile> file(new GgufFile);
    file->m_path = path;
    // A named pipe, a device or a socket: opening one waited for a writer for ever (trial 19).
    if (const QFileInfo info(path); info.exists() && !info.isFile() && !info.isDir())
        return Error(QStringLiteral("%1: not a regular file (a named pipe, a device or a socket): a model is read from a .gguf file").arg(path),
                     Error::Kind::Invalid);
    file->m_file = std::make_unique<QFile>(path);
    if (!file->m_file->open(QIODevice::ReadOnly))
        return Error(QStringLiteral("%1: cannot open: %2").arg(path, file->m_file->errorString()));
    file->m_fileSize = uint64_t(file->m_file->size());
    if (file->m_fileSize < 24)
        return Error(QStringLiteral("%1: %2 bytes is too small for a GGUF header (24 bytes)").arg(path, QString::number(file->m_fileSize)));
    file->m_base = file->m_file->map(0, qint64(file->m_fileSize));
    if (!file->m_base)
        return Error(QStringLiteral("%1: cannot map the file: %2").arg(path, file->m_file->errorString()));
    if (Status st = file->parse(limits); !st) {
        // Described by its internals only ("array … does not fit in the 99331 bytes left"), a file cut
        // short reads as a broken format: said for what it most likely is.
        const QString& why = st.error().message();
        if ((why.contains(QLatin1String("past the end")) || why.contains(QLatin1String("bytes left")) || why.contains(QLatin1String("cannot fit in a")))
            && !why.contains(QLatin1String("truncated")))
            return Error(QStringLiteral("%1: %2; the file ends early at %3 bytes: an incomplete download or copy?")
                             .arg(path, why, QString::number(file->m_fileSize)));
        return st.error().withContext(path);
    }
    return file;
}

namespace {

bool readValue(GgufFile::Cursor& c, GgufType type, GgufValue* out, const GgufFile::Limits& limits, int depth, QString* why);

bool readArray(GgufFile::Cursor& c, GgufValue* out, const GgufFile::Limits& limits, int depth, QString* why)
{
    if (depth >= limits.maxArrayDepth) {
        *why = QStringLiteral("arrays nested deeper than %1 levels").arg(limits.maxArrayDepth);
        return false;
    }
    uint32_t rawType = 0;
    uint64_t count = 0;
    if (!c.read(&rawType) || !c.read(&count)) {
        *why = QStringLiteral("array header runs past the end of the file");
        return false;
    }
    if (!ggufTypeValid(rawType)) {
        *why = QStringLiteral("array element type %1 is not a GGUF type").arg(rawType);
        return false;
    }
    const auto elemType = GgufType(rawType);
    // Every element takes at least its scalar size (strings and arrays at least 8 bytes):
    // the count is bounded by the bytes left, so no huge allocation happens.
    const uint64_t minElementBytes = ggufScalarSize(elemType) ? ggufScalarSize(elemType) : (elemType == GgufType::Array ? 12 : 8);
    if (count > limits.maxArrayElements || count > c.remaining() / minElementBytes) {
        *why = QStringLiteral("array of %1 %2 elements does not fit in the %3 bytes left").arg(QString::number(count),
                                                                                               QLatin1String(ggufTypeName(elemType)),
                                                                                               QString::number(c.remaining()));
        return false;
    }
    auto array = std::make_shared<GgufArray>();
    array->elementType = elemType;
    if (elemType == GgufType::String) {
        // Grown as elements parse: a corrupt count costs no more memory than the elements really there.
        array->strings.reserve(size_t(std::min<uint64_t>(count, 1 << 16)));
        for (uint64_t i = 0; i < count; ++i) {
            std::string text;
            if (!c.readString(&text, limits.maxStringBytes, why)) {
                *why = QStringLiteral("element %1: %2").arg(i).arg(*why);
                return false;
            }
            array->strings.push_back(std::move(text));
        }
    } else if (elemType == GgufType::Array) {
        for (uint64_t i = 0; i < count; ++i) {
            GgufValue nested;
            nested.type = GgufType::Array;
            if (!readArray(c, &nested, limits, depth + 1, why))
                return false;
            array->arrays.push_back(std::move(nested));
        }
    } else {
        GgufValue scalar;
        const bool isFloat = elemType == GgufType::Float32 || elemType == GgufType::Float64;
        (isFloat ? array->floats.reserve(size_t(count)) : array->integers.reserve(size_t(count)));
        for (uint64_t i = 0; i < count; ++i) {
            if (!readScalar(c, elemType, &scalar)) {
                *why = QStringLiteral("element %1 runs past the end of the file").arg(i);
                return false;
            }
            if (isFloat)
                array->floats.push_back(scalar.real);
            else
                array->integers.push_back(scalar.integer);
        }
    }
    out->type = GgufType::Array;
    out->array = std::move(array);
    return true;
}

bool readScalar(GgufFile::Cursor& c, GgufType type, GgufValue* out)
{
    out->type = type;
    switch (type) {
    case GgufType::UInt8: { uint8_t v; if (!c.read(&v)) return false; out->integer = v; return true; }
    case GgufType::Int8: { int8_t v; if (!c.read(&v)) return false; out->integer = v; return true; }
    case GgufType::UInt16: { uint16_t v; if (!c.read(&v)) return false; out->integer = v; return true; }
    case GgufType::Int16: { int16_t v; if (!c.read(&v)) return false; out->integer = v; return true; }
    case GgufType::UInt32: { uint32_t v; if (!c.read(&v)) return false; out->integer = v; return true; }
    case GgufType::Int32: { int32_t v; if (!c.read(&v)) return false; out->integer = v; return true; }
    case GgufType::UInt64: { uint64_t v; if (!c.read(&v)) return false; out->integer = int64_t(v); return true; }
    case GgufType::Int64: { int64_t v; if (!c.read(&v)) return false; out->integer = v; return true; }
    case GgufType::Float32: { float v; if (!c.read(&v)) return false; out->real = v; return true; }
    case GgufType::Float64: { double v; if (!c.read(&v)) return false; out->real = v; return true; }
    case GgufType::Bool: { uint8_t v; if (!c.read(&v)) return false; out->integer = v ? 1 : 0; return v <= 1; }
    default: return false;
    }
}

bool readValue(GgufFile::Cursor& c, GgufType type, GgufValue* out, const GgufFile::Limits& limits, int depth, QString* why)
{
    if (type == GgufType::String) {
        out->type = type;
        return c.readString(&out->string, limits.maxStringBytes, why);
    }
    if (type == GgufType::Array)
        return readArray(c, out, limits, depth, why);
    if (!readScalar(c, type, out)) {
        *why = type == GgufType::Bool ? QStringLiteral("bool value is not 0 or 1, or runs past the end")
                                      : QStringLiteral("value runs past the end of the file");
        return false;
    }
    return true;
}

} // namespace

Status GgufFile::parse(const Limits& limits)
{
    Cursor c(m_base, m_fileSize);
    uint32_t magic = 0;
    c.read(&magic);
    if (magic != kMagic) {
        const QByteArray head(reinterpret_cast<const char*>(m_base), int(std::min<qint64>(m_fileSize, core::kSniffBytes)));
        if (const core::CompressionGuess packed = core::sniffCompression(head); packed.kind != core::Compression::None) {
            // An office file is no packed model: named without the advice to make text of it.
            if (!packed.document().isEmpty())
                return Error(QStringLiteral("not a GGUF file: it is %1").arg(packed.document()));
            return Error(QStringLiteral("not a GGUF file: it is %1; %2")
                             .arg(packed.description(),
                                  packed.kind == core::Compression::Gzip ? QStringLiteral("gunzip it first") : packed.decompressHint));
        }
        // safetensors: an 8-byte little-endian header length, then the JSON header (the viral plugin's model format).
        if (m_fileSize > 9 && m_base[8] == '{') {
            uint64_t headerBytes = 0;
            std::memcpy(&headerBytes, m_base, sizeof headerBytes);
            if (headerBytes >= 2 && headerBytes <= uint64_t(m_fileSize) - 8)
                return Error(QStringLiteral("not a GGUF file: it is a safetensors file (tensors for PyTorch, as the viral plugin's models are); the llm "
                                            "plugin reads GGUF, which llama.cpp's convert_hf_to_gguf.py makes of a Hugging Face model folder"));
        }
        if (const QString what = core::describeBinary(head); !what.startsWith(QLatin1String("binary data")))
            return Error(QStringLiteral("not a GGUF file: it is %1").arg(what));
        if (!core::looksBinary(head)) { // a text file given as the model: what kind, or how it starts
            QString what = core::describeText(head.trimmed());
            if (what.isEmpty())
                what = QStringLiteral("text starting '%1'")
                           .arg(core::shownOnTerminal(QString::fromUtf8(head.trimmed().left(400)).section(QLatin1Char('\n'), 0, 0).trimmed().left(40)));
            return Error(QStringLiteral("not a GGUF file: it is %1").arg(what));
        }
        return Error(QStringLiteral("not a GGUF file (magic bytes %1, expected \"GGUF\")").arg(QString::fromLatin1(head.left(4).toHex())));
    }
    c.read(&m_version);
    if (m_version != 2 && m_version != 3) {
        const uint32_t swapped = __builtin_bswap32(m_version);
        if (swapped == 2 || swapped == 3)
            return Error(QStringLiteral("big-endian GGUF (version %1 stored big-endian) is not supported; convert it on a little-endian machine").arg(swapped));
        if (m_version == 1)
            return Error(QStringLiteral("GGUF version 1 is obsolete; only versions 2 and 3 are read"));
        return Error(QStringLiteral("field 'version': %1 is not a GGUF version this build reads (2 or 3)").arg(m_version));
    }
    uint64_t tensorCount = 0, kvCount = 0;
    c.read(&tensorCount);
    c.read(&kvCount);
    // Each tensor info takes at least 8 + 4 + 4 + 8 bytes, each key/value at least 8 + 4 + 1.
    if (tensorCount > limits.maxTensors || tensorCount > c.remaining() / 24)
        return Error(QStringLiteral("field 'tensor_count': %1 tensors cannot fit in a %2-byte file").arg(QString::number(tensorCount),
                                                                                                         QString::number(m_fileSize)));
    if (kvCount > limits.maxKeyValues || kvCount > c.remaining() / 13)
        return Error(QStringLiteral("field 'metadata_kv_count': %1 entries cannot fit in a %2-byte file")
                .arg(QString::number(kvCount), QString::number(m_fileSize)));

    QString why;
    m_metadata.reserve(size_t(kvCount));
    for (uint64_t i = 0; i < kvCount; ++i) {
        std::string key;
        if (!c.readString(&key, 1 << 16, &why))
            return Error(QStringLiteral("metadata entry %1: key: %2").arg(i).arg(why));
        if (key.empty()) // the GGUF spec: keys are non-empty, lower_snake_case, dot-separated
            return Error(QStringLiteral("metadata entry %1: empty key").arg(i));
        uint32_t rawType = 0;
        if (!c.read(&rawType))
            return Error(QStringLiteral("metadata '%1': value type runs past the end of the file").arg(QString::fromStdString(key)));
        if (!ggufTypeValid(rawType))
            return Error(QStringLiteral("metadata '%1': value type %2 is not a GGUF type").arg(QString::fromStdString(key), QString::number(rawType)));
        GgufValue value;
        if (!readValue(c, GgufType(rawType), &value, limits, 0, &why))
            return Error(QStringLiteral("metadata '%1': %2").arg(QString::fromStdString(key), why));
        if (m_metadataIndex.count(key))
            return Error(QStringLiteral("metadata '%1' appears twice").arg(QString::fromStdString(key)));
        m_metadataIndex[key] = m_metadata.size();
        m_metadata.emplace_back(std::move(key), std::move(value));
    }

    if (const GgufValue* align = find("general.alignment")) {
        if (!align->isInteger() || align->integer <= 0 || align->integer > (1 << 20) || (align->integer & (align->integer - 1)) != 0)
            return Error(QStringLiteral("metadata 'general.alignment': %1 is not a power of two up to 1 MiB")
                             .arg(QString::fromStdString(align->describe())));
        m_alignment = uint32_t(align->integer);
    }

    m_tensors.reserve(size_t(tensorCount));
    for (uint64_t i = 0; i < tensorCount; ++i) {
        GgufTensorInfo t;
        if (!c.readString(&t.name, 1 << 16, &why))
            return Error(QStringLiteral("tensor %1: name: %2").arg(i).arg(why));
        const QString where = QStringLiteral("tensor '%1'").arg(QString::fromStdString(t.name));
        uint32_t nDims = 0;
        if (!c.read(&nDims))
            return Error(QStringLiteral("%1: dimension count runs past the end of the file").arg(where));
        if (nDims == 0 || nDims > uint32_t(kMaxDims))
            return Error(QStringLiteral("%1: %2 dimensions, expected 1 to %3").arg(where, QString::number(nDims), QString::number(kMaxDims)));
        int64_t elements = 1;
        for (uint32_t d = 0; d < nDims; ++d) {
            uint64_t dim = 0;
            if (!c.read(&dim))
                return Error(QStringLiteral("%1: shape runs past the end of the file").arg(where));
            // Bound: no tensor can hold more elements than the file has bytes x 8 (1-bit types are the densest).
            if (dim == 0 || dim > m_fileSize * 8 || uint64_t(elements) > (m_fileSize * 8) / dim)
                return Error(QStringLiteral("%1: dimension %2 = %3 is zero or larger than the file can hold").arg(where, QString::number(d), QString::number(dim)));
            elements *= int64_t(dim);
            t.shape.push_back(int64_t(dim));
        }
        uint32_t rawType = 0;
        if (!c.read(&rawType) || !c.read(&t.offset))
            return Error(QStringLiteral("%1: type and offset run past the end of the file").arg(where));
        const auto traits = ggmlTypeTraits(rawType);
        if (!traits)
            return Error(QStringLiteral("%1: type %2 is not a ggml tensor type").arg(where, QString::number(rawType)));
        t.type = traits->type;
        if (t.shape[0] % traits->blockElements != 0)
            return Error(QStringLiteral("%1: row length %2 is not a multiple of the %3 block size %4")
                             .arg(where, QString::number(t.shape[0]), QLatin1String(traits->name), QString::number(traits->blockElements)));
        t.bytes = size_t(elements / traits->blockElements) * traits->blockBytes;
        if (t.offset % m_alignment != 0)
            return Error(QStringLiteral("%1: data offset %2 is not aligned to %3 bytes").arg(where, QString::number(t.offset), QString::number(m_alignment)));
        if (m_tensorIndex.count(t.name))
            return Error(QStringLiteral("%1 appears twice").arg(where));
        m_tensorIndex[t.name] = m_tensors.size();
        m_tensors.push_back(std::move(t));
    }

    m_dataOffset = (c.position() + m_alignment - 1) / m_alignment * m_alignment;
    if (m_dataOffset > m_fileSize && !m_tensors.empty())
        return Error(QStringLiteral("the data section starts at byte %1, past the end of the file (%2 bytes)")
                .arg(QString::number(m_dataOffset), QString::number(m_fileSize)));
    const uint64_t dataSize = m_fileSize > m_dataOffset ? m_fileSize - m_dataOffset : 0;
    for (const GgufTensorInfo& t : m_tensors) {
        if (t.offset > dataSize || t.bytes > dataSize - t.offset)
            return Error(QStringLiteral("tensor '%1': bytes %2 to %3 lie past the end of the data section (%4 bytes): the file is truncated")
                             .arg(QString::fromStdString(t.name), QString::number(t.offset), QString::number(t.offset + t.bytes), QString::number(dataSize)));
    }
    return core::okStatus();
}

} // namespace bioforge::llm
