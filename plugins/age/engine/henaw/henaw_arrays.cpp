#include "henaw/henaw_arrays.h"

namespace bioforge::age {

core::Status addArrays(core::SafetensorsWriter& writer, const std::vector<NamedArray>& arrays, const QString& prefix)
{
    for (const NamedArray& a : arrays) {
        std::vector<qint64> shape(a.shape.begin(), a.shape.end());
        if (shape.empty())
            shape = {qint64(a.values.size())};
        if (core::Status st = writer.addF32(prefix + QString::fromStdString(a.name), shape, a.values); !st)
            return st;
    }
    return core::okStatus();
}

core::Expected<std::vector<NamedArray>> readArrays(const core::SafetensorsReader& reader, const QString& prefix)
{
    std::vector<NamedArray> out;
    for (const core::TensorInfo& t : reader.tensors()) {
        if (!t.name.startsWith(prefix))
            continue;
        auto values = reader.toFloat(t.name);
        if (!values)
            return values.error();
        out.push_back({t.name.mid(prefix.size()).toStdString(), std::vector<int64_t>(t.shape.begin(), t.shape.end()), std::move(*values)});
    }
    return out;
}

} // namespace bioforge::age
