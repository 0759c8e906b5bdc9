#include "gguf/gguf_types.h"

#include <array>

namespace bioforge::llm {
namespace {

constexpr std::array<GgmlTypeTraits, 30> kTraits{{
    {GgmlType::F32, "F32", 1, 4},        {GgmlType::F16, "F16", 1, 2},          {GgmlType::Q4_0, "Q4_0", 32, 18},
    {GgmlType::Q4_1, "Q4_1", 32, 20},    {GgmlType::Q5_0, "Q5_0", 32, 22},      {GgmlType::Q5_1, "Q5_1", 32, 24},
    {GgmlType::Q8_0, "Q8_0", 32, 34},    {GgmlType::Q8_1, "Q8_1", 32, 36},      {GgmlType::Q2_K, "Q2_K", 256, 84},
    {GgmlType::Q3_K, "Q3_K", 256, 110},  {GgmlType::Q4_K, "Q4_K", 256, 144},    {GgmlType::Q5_K, "Q5_K", 256, 176},
    {GgmlType::Q6_K, "Q6_K", 256, 210},  {GgmlType::Q8_K, "Q8_K", 256, 292},    {GgmlType::IQ2_XXS, "IQ2_XXS", 256, 66},
    {GgmlType::IQ2_XS, "IQ2_XS", 256, 74}, {GgmlType::IQ3_XXS, "IQ3_XXS", 256, 98}, {GgmlType::IQ1_S, "IQ1_S", 256, 50},
    {GgmlType::IQ4_NL, "IQ4_NL", 32, 18}, {GgmlType::IQ3_S, "IQ3_S", 256, 110},  {GgmlType::IQ2_S, "IQ2_S", 256, 82},
    {GgmlType::IQ4_XS, "IQ4_XS", 256, 136}, {GgmlType::I8, "I8", 1, 1},         {GgmlType::I16, "I16", 1, 2},
    {GgmlType::I32, "I32", 1, 4},        {GgmlType::I64, "I64", 1, 8},          {GgmlType::F64, "F64", 1, 8},
    {GgmlType::IQ1_M, "IQ1_M", 256, 56}, {GgmlType::BF16, "BF16", 1, 2},        {GgmlType::TQ2_0, "TQ2_0", 256, 66},
}};

} // namespace

const char* ggufTypeName(GgufType type)
{
    switch (type) {
    case GgufType::UInt8: return "u8";
    case GgufType::Int8: return "i8";
    case GgufType::UInt16: return "u16";
    case GgufType::Int16: return "i16";
    case GgufType::UInt32: return "u32";
    case GgufType::Int32: return "i32";
    case GgufType::Float32: return "f32";
    case GgufType::Bool: return "bool";
    case GgufType::String: return "string";
    case GgufType::Array: return "array";
    case GgufType::UInt64: return "u64";
    case GgufType::Int64: return "i64";
    case GgufType::Float64: return "f64";
    }
    return "?";
}

bool ggufTypeValid(uint32_t raw) { return raw <= uint32_t(GgufType::Float64); }

size_t ggufScalarSize(GgufType type)
{
    switch (type) {
    case GgufType::UInt8: case GgufType::Int8: case GgufType::Bool: return 1;
    case GgufType::UInt16: case GgufType::Int16: return 2;
    case GgufType::UInt32: case GgufType::Int32: case GgufType::Float32: return 4;
    case GgufType::UInt64: case GgufType::Int64: case GgufType::Float64: return 8;
    default: return 0;
    }
}

std::optional<GgmlTypeTraits> ggmlTypeTraits(uint32_t raw)
{
    for (const GgmlTypeTraits& t : kTraits)
        if (uint32_t(t.type) == raw)
            return t;
    return std::nullopt;
}

const char* ggmlTypeName(GgmlType type)
{
    const auto t = ggmlTypeTraits(uint32_t(type));
    return t ? t->name : "unknown";
}

size_t ggmlRowBytes(GgmlType type, int64_t elements)
{
    const auto t = ggmlTypeTraits(uint32_t(type));
    return t ? size_t(elements / t->blockElements) * t->blockBytes : 0;
}

bool ggmlTypeSupported(GgmlType type)
{
    switch (type) {
    case GgmlType::F32: case GgmlType::F16: case GgmlType::BF16: case GgmlType::Q8_0: case GgmlType::Q4_0:
    case GgmlType::Q4_K: case GgmlType::Q5_K: case GgmlType::Q6_K:
        return true;
    default:
        return false;
    }
}

} // namespace bioforge::llm
