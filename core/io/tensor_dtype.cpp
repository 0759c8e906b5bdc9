#include "io/tensor_dtype.h"

#include <array>
#include <utility>

namespace bioforge::core {
namespace {

struct DTypeRow {
    DType type;
    const char* name;
    int size;
    bool isFloat;
};

constexpr std::array<DTypeRow, 15> kTypes{{
    {DType::F64, "F64", 8, true},    {DType::F32, "F32", 4, true},       {DType::F16, "F16", 2, true},
    {DType::BF16, "BF16", 2, true},  {DType::I64, "I64", 8, false},      {DType::I32, "I32", 4, false},
    {DType::I16, "I16", 2, false},   {DType::I8, "I8", 1, false},        {DType::U64, "U64", 8, false},
    {DType::U32, "U32", 4, false},   {DType::U16, "U16", 2, false},      {DType::U8, "U8", 1, false},
    {DType::Bool, "BOOL", 1, false}, {DType::F8E4M3, "F8_E4M3", 1, true}, {DType::F8E5M2, "F8_E5M2", 1, true},
}};

const DTypeRow& row(DType type)
{
    for (const auto& r : kTypes)
        if (r.type == type)
            return r;
    return kTypes[0]; // unreachable: every enumerator is in the table
}

} // namespace

QString dtypeName(DType type) { return QString::fromLatin1(row(type).name); }
int dtypeSize(DType type) { return row(type).size; }
bool dtypeIsFloat(DType type) { return row(type).isFloat; }

std::optional<DType> dtypeFromName(const QString& name)
{
    for (const auto& r : kTypes)
        if (name == QLatin1String(r.name))
            return r.type;
    return std::nullopt;
}

} // namespace bioforge::core
