#pragma once

// Writes GGUF version 3 files: metadata in the order set, tensor infos, then
// the aligned tensor data. Used by tests, the fuzz corpus and synth-model.
// The file is written through a temporary and renamed into place.

#include "gguf/gguf_types.h"
#include "gguf/gguf_value.h"
#include "util/expected.h"

#include <QByteArray>
#include <QString>

#include <string>
#include <vector>

namespace bioforge::llm {

class GgufWriter {
public:
    void setAlignment(uint32_t alignment) { m_alignment = alignment; }
    void set(const std::string& key, GgufValue value);
    void setString(const std::string& key, const std::string& value);
    void setUInt32(const std::string& key, uint32_t value);
    void setInt32(const std::string& key, int32_t value);
    void setFloat32(const std::string& key, float value);
    void setBool(const std::string& key, bool value);
    void setStringArray(const std::string& key, std::vector<std::string> values);
    void setFloat32Array(const std::string& key, const std::vector<float>& values);
    void setInt32Array(const std::string& key, const std::vector<int32_t>& values);

    // `data` must hold exactly the bytes the type and shape need.
    core::Status addTensor(const std::string& name, GgmlType type, const std::vector<int64_t>& shape, QByteArray data);

    QByteArray serialize() const;
    core::Status write(const QString& path) const;

private:
    QByteArray header() const;

    uint32_t m_alignment = 32;
    std::vector<std::pair<std::string, GgufValue>> m_metadata;
    struct Tensor {
        std::string name;
        GgmlType type;
        std::vector<int64_t> shape;
        QByteArray data;
    };
    std::vector<Tensor> m_tensors;
};

} // namespace bioforge::llm
