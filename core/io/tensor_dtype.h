#pragma once

// Element types of the safetensors format, with their names and sizes.

#include <QString>

#include <optional>

namespace bioforge::core {

enum class DType { F64, F32, F16, BF16, I64, I32, I16, I8, U64, U32, U16, U8, Bool, F8E4M3, F8E5M2 };

QString dtypeName(DType type);
std::optional<DType> dtypeFromName(const QString& name);
int dtypeSize(DType type);
bool dtypeIsFloat(DType type);

} // namespace bioforge::core
