#pragma once

// The shape of an ESM-2 model, from a Hugging Face `config.json`
// (EsmConfig keys). Nothing about the model is a constant in code.

#include "util/expected.h"

#include <QString>

#include <cstdint>

namespace bioforge::viral {

struct Esm2Config {
    int64_t vocabSize = 0;
    int64_t hidden = 0;
    int64_t layers = 0;
    int64_t heads = 0;
    int64_t intermediate = 0;
    double layerNormEps = 1e-5;
    bool tokenDropout = true;
    bool embLayerNormBefore = false;
    int64_t maskTokenId = -1;
    int64_t padTokenId = -1;

    int64_t headSize() const { return hidden / heads; }
    static core::Expected<Esm2Config> fromFile(const QString& path);
};

} // namespace bioforge::viral
