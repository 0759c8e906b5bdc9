// GgufFile's typed look-ups of metadata and tensors by name (gguf_file.cpp
// parses the file): a missing key or a value of another type is an error
// naming the key; the *Or forms give the fallback instead.

#include "gguf/gguf_file.h"

#include <QString>

namespace bioforge::llm {

using core::Error;
using core::Expected;

const GgufValue* GgufFile::find(const std::string& key) const
{
    const auto it = m_metadataIndex.find(key);
    return it == m_metadataIndex.end() ? nullptr : &m_metadata[it->second].second;
}

const GgufTensorInfo* GgufFile::tensor(const std::string& name) const
{
    const auto it = m_tensorIndex.find(name);
    return it == m_tensorIndex.end() ? nullptr : &m_tensors[it->second];
}

Expected<std::string> GgufFile::getString(const std::string& key) const
{
    const GgufValue* v = find(key);
    if (!v)
        return Error(QStringLiteral("%1: metadata '%2' is missing").arg(m_path, QString::fromStdString(key)));
    if (v->type != GgufType::String)
        return Error(QStringLiteral("%1: metadata '%2' is %3, expected a string").arg(m_path, QString::fromStdString(key), QLatin1String(ggufTypeName(v->type))));
    return v->string;
}

Expected<int64_t> GgufFile::getInteger(const std::string& key) const
{
    const GgufValue* v = find(key);
    if (!v)
        return Error(QStringLiteral("%1: metadata '%2' is missing").arg(m_path, QString::fromStdString(key)));
    if (!v->isInteger())
        return Error(QStringLiteral("%1: metadata '%2' is %3, expected an integer").arg(m_path, QString::fromStdString(key), QLatin1String(ggufTypeName(v->type))));
    return v->integer;
}

Expected<double> GgufFile::getReal(const std::string& key) const
{
    const GgufValue* v = find(key);
    if (!v)
        return Error(QStringLiteral("%1: metadata '%2' is missing").arg(m_path, QString::fromStdString(key)));
    if (v->isFloat())
        return v->real;
    if (v->isInteger())
        return double(v->integer);
    return Error(QStringLiteral("%1: metadata '%2' is %3, expected a number").arg(m_path, QString::fromStdString(key), QLatin1String(ggufTypeName(v->type))));
}

Expected<bool> GgufFile::getBool(const std::string& key) const
{
    const GgufValue* v = find(key);
    if (!v)
        return Error(QStringLiteral("%1: metadata '%2' is missing").arg(m_path, QString::fromStdString(key)));
    if (v->type != GgufType::Bool)
        return Error(QStringLiteral("%1: metadata '%2' is %3, expected a bool").arg(m_path, QString::fromStdString(key), QLatin1String(ggufTypeName(v->type))));
    return v->integer != 0;
}

Expected<const GgufArray*> GgufFile::getArray(const std::string& key, GgufType elementType) const
{
    const GgufValue* v = find(key);
    if (!v)
        return Error(QStringLiteral("%1: metadata '%2' is missing").arg(m_path, QString::fromStdString(key)));
    if (v->type != GgufType::Array)
        return Error(QStringLiteral("%1: metadata '%2' is %3, expected an array").arg(m_path, QString::fromStdString(key), QLatin1String(ggufTypeName(v->type))));
    const bool bothInt = v->array->elementType != GgufType::String && v->array->elementType != GgufType::Array
                         && elementType != GgufType::String && elementType != GgufType::Array
                         && ((v->array->elementType == GgufType::Float32 || v->array->elementType == GgufType::Float64)
                             == (elementType == GgufType::Float32 || elementType == GgufType::Float64));
    if (v->array->elementType != elementType && !bothInt)
        return Error(QStringLiteral("%1: metadata '%2' is an array of %3, expected %4")
                         .arg(m_path, QString::fromStdString(key), QLatin1String(ggufTypeName(v->array->elementType)),
                              QLatin1String(ggufTypeName(elementType))));
    return static_cast<const GgufArray*>(v->array.get());
}

std::string GgufFile::stringOr(const std::string& key, const std::string& fallback) const
{
    const GgufValue* v = find(key);
    return v && v->type == GgufType::String ? v->string : fallback;
}

int64_t GgufFile::integerOr(const std::string& key, int64_t fallback) const
{
    const GgufValue* v = find(key);
    return v && v->isInteger() ? v->integer : fallback;
}

double GgufFile::realOr(const std::string& key, double fallback) const
{
    const GgufValue* v = find(key);
    if (v && v->isFloat())
        return v->real;
    if (v && v->isInteger())
        return double(v->integer);
    return fallback;
}

bool GgufFile::boolOr(const std::string& key, bool fallback) const
{
    const GgufValue* v = find(key);
    return v && v->type == GgufType::Bool ? v->integer != 0 : fallback;
}

} // namespace bioforge::llm
