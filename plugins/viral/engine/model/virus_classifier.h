#pragma once

// VirNucPro's classifier: Linear(input → hidden) → BatchNorm1d (running
// statistics) → ReLU → (dropout, inactive) → Linear(hidden → classes) →
// softmax. Loaded from a safetensors file with the reference module's
// state_dict names (hidden_layer.*, bn1.*, output_layer.*) and a small JSON
// beside it (input_dim, hidden_dim, classes, positive_class, batch_norm_eps):
// never from a pickled .pth (docs/viral.md shows the one-time conversion).

#include "model/host_tensor.h"
#include "util/expected.h"

#include <QString>
#include <QStringList>

#include <memory>
#include <vector>

namespace bioforge::viral {

struct ClassifierSpec {
    int64_t inputDim = 0;
    int64_t hiddenDim = 0;
    QStringList classes;    // index = class id; VirNucPro: ["others", "virus"]
    int positiveClass = 1;  // the "viral" class
    double batchNormEps = 1e-5;
    QString note;           // free text; "random weights …" marks a test model (classifier_writer.h)
    int chunkLength = 0;    // "chunk_length": the chunk length in bases it was trained on; 0 = not said

    static core::Expected<ClassifierSpec> fromFile(const QString& path);
    // The spec of the weights file `weights`: <same folder>/<same base name>.json.
    static QString pathFor(const QString& weights);
    // A classifier written with random weights (a test or demo model): its calls mean nothing.
    bool randomWeights() const { return note.contains(QLatin1String("random weights")); }
};

class VirusClassifier {
public:
    // `weights`: the .safetensors file; its spec is `<same name>.json`.
    static core::Expected<std::unique_ptr<VirusClassifier>> load(const QString& weights);
    ~VirusClassifier();

    const ClassifierSpec& spec() const;
    // features: rows of inputDim floats → class probabilities, rows of classes.size().
    core::Expected<std::vector<std::vector<float>>> probabilities(const std::vector<std::vector<float>>& features) const;

private:
    struct Impl;
    explicit VirusClassifier(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> m_impl;
};

} // namespace bioforge::viral
