#pragma once

// Reading the numeric fields of a model's config.json with errors that name
// the file and the key.

#include "util/expected.h"

#include <QJsonObject>
#include <QString>
#include <QStringList>

namespace bioforge::viral {

// Bounds on a transformer's shape, far above any published ESM-2 or DNABERT
// model (ESM-2 15B: 5120 wide, 48 layers, 40 heads, 20480 intermediate), so
// that a corrupt configuration is refused before anything is sized from it.
struct ShapeLimits {
    static constexpr int64_t kVocab = int64_t(1) << 24;
    static constexpr int64_t kHidden = int64_t(1) << 16;
    static constexpr int64_t kLayers = 1024;
    static constexpr int64_t kHeads = 1024;
    static constexpr int64_t kIntermediate = int64_t(1) << 18;
};

class ConfigJson {
public:
    static core::Expected<ConfigJson> read(const QString& path);

    // A required positive integer, at most `max` (an error names the key and the bound).
    core::Expected<int64_t> positive(const char* key, int64_t max = 1000000000) const;
    // The five Hugging Face keys of a transformer's shape (vocab_size, hidden_size,
    // num_hidden_layers, num_attention_heads, intermediate_size), each required
    // and within ShapeLimits.
    core::Status transformerShape(int64_t& vocab, int64_t& hidden, int64_t& layers, int64_t& heads, int64_t& intermediate) const;
    // An optional positive, finite number (an epsilon) with a default; present but
    // not such a number is an error naming the key.
    core::Expected<double> positiveNumber(const char* key, double fallback) const;
    // An optional index into a list of `count` entries, with a default; present but not a
    // whole number from 0 to count - 1 is an error naming the key (never the default).
    core::Expected<int64_t> index(const char* key, int64_t fallback, int64_t count) const;
    // An optional number / boolean with a default.
    double number(const char* key, double fallback) const;
    bool flag(const char* key, bool fallback) const;
    int64_t integer(const char* key, int64_t fallback) const;
    QString text(const char* key, const QString& fallback) const;
    QStringList texts(const char* key) const; // an array of strings (empty when absent)
    bool has(const char* key) const { return m_object.contains(QLatin1String(key)); }
    const QString& path() const { return m_path; }

private:
    QString m_path;
    QJsonObject m_object;
};

} // namespace bioforge::viral
