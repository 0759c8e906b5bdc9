#pragma once

// A GGUF file (versions 2 and 3), memory-mapped. Every count, length,
// offset, shape and type is checked against the file size and sane limits
// before use; a truncated, hostile or big-endian file is an error naming the
// field, never a crash or a huge allocation. Tensor data stays in the mapping.

#include "gguf/gguf_types.h"
#include "gguf/gguf_value.h"
#include "util/expected.h"

#include <QString>

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

class QFile;

namespace bioforge::llm {

struct GgufTensorInfo {
    std::string name;
    GgmlType type = GgmlType::F32;
    std::vector<int64_t> shape; // ggml order: shape[0] is the row length
    uint64_t offset = 0;        // from the start of the data section
    size_t bytes = 0;
    int64_t elementCount() const;
    int64_t rows() const;       // product of shape[1..]
};

class GgufFile {
public:
    struct Limits {
        uint64_t maxStringBytes = uint64_t(1) << 26;     // 64 MiB for one string (chat templates can be long)
        uint64_t maxArrayElements = uint64_t(1) << 26;   // 67 M (vocabularies have ~150 k)
        uint64_t maxTensors = 1 << 20;
        uint64_t maxKeyValues = 1 << 20;
        int maxArrayDepth = 4;
    };
    static constexpr int kMaxDims = 4;
    class Cursor; // bounds-checked reader over the mapping (gguf_file.cpp)

    ~GgufFile();
    static core::Expected<std::unique_ptr<GgufFile>> open(const QString& path, Limits limits);
    static core::Expected<std::unique_ptr<GgufFile>> open(const QString& path) { return open(path, Limits{}); }

    const QString& path() const { return m_path; }
    uint32_t version() const { return m_version; }
    uint32_t alignment() const { return m_alignment; }
    uint64_t fileSize() const { return m_fileSize; }
    // The mapping of the whole file (fileSize() bytes).
    const uint8_t* mappedData() const { return m_base; }
    uint64_t dataOffset() const { return m_dataOffset; }

    const std::vector<std::pair<std::string, GgufValue>>& metadata() const { return m_metadata; }
    const GgufValue* find(const std::string& key) const;
    const std::vector<GgufTensorInfo>& tensors() const { return m_tensors; }
    const GgufTensorInfo* tensor(const std::string& name) const;
    // Start of a tensor's bytes inside the mapping (bounds were checked at open).
    const uint8_t* tensorData(const GgufTensorInfo& info) const { return m_base + m_dataOffset + info.offset; }

    // Typed metadata access; errors name the key and the type found.
    core::Expected<std::string> getString(const std::string& key) const;
    core::Expected<int64_t> getInteger(const std::string& key) const;
    core::Expected<double> getReal(const std::string& key) const; // floats, or integers converted
    core::Expected<bool> getBool(const std::string& key) const;
    core::Expected<const GgufArray*> getArray(const std::string& key, GgufType elementType) const;
    std::string stringOr(const std::string& key, const std::string& fallback) const;
    int64_t integerOr(const std::string& key, int64_t fallback) const;
    double realOr(const std::string& key, double fallback) const;
    bool boolOr(const std::string& key, bool fallback) const;

private:
    GgufFile() = default;
    core::Status parse(const Limits& limits);

    QString m_path;
    std::unique_ptr<QFile> m_file;
    const uint8_t* m_base = nullptr;
    uint64_t m_fileSize = 0;
    uint32_t m_version = 0;
    uint32_t m_alignment = 32;
    uint64_t m_dataOffset = 0;
    std::vector<std::pair<std::string, GgufValue>> m_metadata;
    std::map<std::string, size_t> m_metadataIndex;
    std::vector<GgufTensorInfo> m_tensors;
    std::map<std::string, size_t> m_tensorIndex;
};

} // namespace bioforge::llm
