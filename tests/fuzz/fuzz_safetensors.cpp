// safetensors: the JSON header, then every tensor read as float and int64
// where its dtype allows. Invariants: a tensor's bytes lie inside the file
// (the reader checks before any allocation proportional to a shape); an
// error names the file.

#include "fuzz_support.h"
#include "io/safetensors_reader.h"

#include <QFileInfo>

using namespace bioforge;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    const QString path = fuzz::writeInput(data, size, ".safetensors");
    auto reader = core::SafetensorsReader::open(path);
    if (!reader) {
        fuzz::requireNamesFile(reader.error().message(), path);
        return 0;
    }
    const qint64 fileSize = QFileInfo(path).size();
    for (const core::TensorInfo& t : (*reader)->tensors()) {
        fuzz::require(t.offset >= 0 && t.byteSize >= 0 && t.offset + t.byteSize <= fileSize, "a tensor outside the file", t.name);
        if (auto f = (*reader)->toFloat(t.name))
            fuzz::require(qint64(f->size()) == t.elementCount(), "a float view of another size than the shape", t.name);
        (void)(*reader)->toInt64(t.name);
    }
    return 0;
}
