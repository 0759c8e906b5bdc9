#pragma once

// Reading the numeric fields of a model's config.json with errors that name
// the file and the key.

#include "util/expected.h"

#include <QJsonObject>
#include <QString>
#include <QStringList>

namespace bioforge::viral {

class ConfigJson {
public:
    static core::Expected<ConfigJson> read(const QString& path);

    // A required positive integer.
    core::Expected<int64_t> positive(const char* key) const;
    // An optional number / boolean with a default.
    double number(const char* key, double fallback) const;
    bool flag(const char* key, bool fallback) const;
    int64_t integer(const char* key, int64_t fallback) const;
    QString text(const char* key, const QString& fallback) const;
    QStringList texts(const char* key) const; // an array of strings (empty when absent)
    const QString& path() const { return m_path; }

private:
    QString m_path;
    QJsonObject m_object;
};

} // namespace bioforge::viral
