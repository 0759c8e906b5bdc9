#include "gguf/gguf_value.h"

#include <sstream>

namespace bioforge::llm {

size_t GgufArray::size() const
{
    switch (elementType) {
    case GgufType::String: return strings.size();
    case GgufType::Float32: case GgufType::Float64: return floats.size();
    case GgufType::Array: return arrays.size();
    default: return integers.size();
    }
}

bool GgufValue::isInteger() const
{
    switch (type) {
    case GgufType::UInt8: case GgufType::Int8: case GgufType::UInt16: case GgufType::Int16:
    case GgufType::UInt32: case GgufType::Int32: case GgufType::UInt64: case GgufType::Int64:
        return true;
    default:
        return false;
    }
}

std::string GgufValue::describe(size_t maxItems) const
{
    std::ostringstream out;
    switch (type) {
    case GgufType::String: {
        const std::string shown = string.size() > 120 ? string.substr(0, 120) + "…" : string;
        out << '"' << shown << '"';
        break;
    }
    case GgufType::Bool: out << (integer ? "true" : "false"); break;
    case GgufType::Float32: case GgufType::Float64: out << real; break;
    case GgufType::UInt64: out << uint64_t(integer); break;
    case GgufType::Array: {
        const GgufArray& a = *array;
        out << '[' << ggufTypeName(a.elementType) << " x " << a.size() << "]";
        if (a.size() > 0 && a.elementType != GgufType::Array) {
            out << " {";
            for (size_t i = 0; i < a.size() && i < maxItems; ++i) {
                if (i)
                    out << ", ";
                if (a.elementType == GgufType::String)
                    out << '"' << a.strings[i] << '"';
                else if (a.elementType == GgufType::Float32 || a.elementType == GgufType::Float64)
                    out << a.floats[i];
                else
                    out << a.integers[i];
            }
            if (a.size() > maxItems)
                out << ", …";
            out << '}';
        }
        break;
    }
    default: out << integer; break;
    }
    return out.str();
}

} // namespace bioforge::llm
