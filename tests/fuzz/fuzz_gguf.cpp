// GGUF: header, metadata (every value type, nested arrays), tensor table,
// under small limits. Invariants: every tensor's data lies inside the file;
// an error names the file.

#include "fuzz_support.h"
#include "gguf/gguf_file.h"

using namespace bioforge;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    const QString path = fuzz::writeInput(data, size, ".gguf");
    llm::GgufFile::Limits limits;
    limits.maxStringBytes = 1 << 16;
    limits.maxArrayElements = 1 << 16;
    limits.maxTensors = 1 << 12;
    limits.maxKeyValues = 1 << 12;
    auto file = llm::GgufFile::open(path, limits);
    if (!file) {
        fuzz::requireNamesFile(file.error().message(), path);
        return 0;
    }
    for (const llm::GgufTensorInfo& t : (*file)->tensors())
        fuzz::require((*file)->dataOffset() + t.offset + t.bytes <= (*file)->fileSize(), "a tensor past the end of the file", QString::fromStdString(t.name));
    for (const auto& [key, value] : (*file)->metadata())
        fuzz::require(!key.empty(), "an empty metadata key");
    (void)(*file)->getString("general.architecture");
    return 0;
}
