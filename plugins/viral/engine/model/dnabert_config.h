#pragma once

// The shape of a DNABERT-2 / DNABERT-S model (BERT with ALiBi and a gated
// feed-forward), from its `config.json`.

#include "util/expected.h"

#include <QString>

#include <cstdint>
#include <vector>

namespace bioforge::viral {

struct DnabertConfig {
    int64_t vocabSize = 0;
    int64_t hidden = 0;
    int64_t layers = 0;
    int64_t heads = 0;
    int64_t intermediate = 0;
    int64_t typeVocabSize = 2;
    double layerNormEps = 1e-12;

    int64_t headSize() const { return hidden / heads; }
    static core::Expected<DnabertConfig> fromFile(const QString& path);
};

// The ALiBi slope of each head as DNABERT-2's code computes them: for a power
// of two n, start = 2^(−8/n) and slope_h = start^(h+1); otherwise the slopes
// of the largest power of two below n, then every other slope of twice that
// many heads (12 heads: 1/2 … 1/256, then 2^−0.5, 2^−1.5, 2^−2.5, 2^−3.5).
std::vector<double> alibiSlopes(int64_t heads);

} // namespace bioforge::viral
