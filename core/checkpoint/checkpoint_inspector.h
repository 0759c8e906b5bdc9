#pragma once

// What the checkpoint inspector (GUI dock and `bioforge inspect`) shows of a
// run's checkpoint folder: each entry's manifest, whether every file's
// checksum verifies, the JSON state, and each tensor's dtype, shape, size and
// statistics (min, max, mean, std, NaN and Inf counts).

#include <QJsonObject>
#include <QList>
#include <QString>

#include <vector>

namespace bioforge::core {

class SafetensorsReader;
struct TensorInfo;

struct TensorStats {
    QString name;
    QString dtype;
    std::vector<qint64> shape; // dimensions, outermost first (TensorInfo::shape)
    QString shapeText() const; // "[8, 131, 64]"
    qint64 bytes = 0;
    qint64 elements = 0;
    bool numeric = false; // false for dtypes without a float view
    double min = 0, max = 0, mean = 0, std = 0;
    qint64 nanCount = 0, infCount = 0;
};

struct CheckpointEntryReport {
    QString key;
    QString created;
    int jobSchema = 0;
    bool verified = false;
    QString error;
    QJsonObject manifest;
    QJsonObject state;
    QList<TensorStats> tensors;
    QString tensorFile; // path of the entry's safetensors file, if any
};

class CheckpointInspector {
public:
    static QList<CheckpointEntryReport> inspect(const QString& checkpointDir);
    static TensorStats stats(const SafetensorsReader& reader, const TensorInfo& info);
    // Counts per bin over [lo, hi] of the finite values.
    static std::vector<double> histogram(const std::vector<float>& values, int bins, double* lo, double* hi);
};

} // namespace bioforge::core
