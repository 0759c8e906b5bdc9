// A model's config.json as the viral encoders read it (the first byte picks
// ESM-2's EsmConfig or DNABERT-S's BertConfig keys). Invariants: an error
// names the file; a configuration that is accepted is one the model can be
// built from — every dimension positive, the hidden size split into whole
// heads (ESM-2: of an even size, for the rotary embedding), normalisation
// epsilons finite and positive, token-type count at least 1, special token
// ids inside the vocabulary (or -1 for none).

#include "fuzz_support.h"
#include "model/dnabert_config.h"
#include "model/esm2_config.h"

#include <cmath>

using namespace bioforge;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    const bool esm = size > 0 && data[0] % 2 == 0;
    const QString path = fuzz::writeInput(size > 0 ? data + 1 : data, size > 0 ? size - 1 : 0, "-config.json");
    if (esm) {
        auto c = viral::Esm2Config::fromFile(path);
        if (!c) {
            fuzz::requireNamesFile(c.error().message(), path);
            return 0;
        }
        fuzz::require(c->vocabSize > 0 && c->hidden > 0 && c->layers > 0 && c->heads > 0 && c->intermediate > 0, "a dimension that is not positive");
        fuzz::require(c->hidden % c->heads == 0 && c->headSize() % 2 == 0, "heads that do not split the hidden size evenly");
        fuzz::require(std::isfinite(c->layerNormEps) && c->layerNormEps > 0, "a layer-norm epsilon that is not a positive number");
        fuzz::require(c->maskTokenId >= -1 && c->maskTokenId < c->vocabSize, "a mask token id outside the vocabulary");
        fuzz::require(c->padTokenId >= -1 && c->padTokenId < c->vocabSize, "a padding token id outside the vocabulary");
    } else {
        auto c = viral::DnabertConfig::fromFile(path);
        if (!c) {
            fuzz::requireNamesFile(c.error().message(), path);
            return 0;
        }
        fuzz::require(c->vocabSize > 0 && c->hidden > 0 && c->layers > 0 && c->heads > 0 && c->intermediate > 0, "a dimension that is not positive");
        fuzz::require(c->hidden % c->heads == 0, "heads that do not split the hidden size");
        fuzz::require(std::isfinite(c->layerNormEps) && c->layerNormEps > 0, "a layer-norm epsilon that is not a positive number");
        fuzz::require(c->typeVocabSize >= 1, "no token types");
        const auto slopes = viral::alibiSlopes(c->heads);
        fuzz::require(int64_t(slopes.size()) == c->heads, "an ALiBi slope count that differs from the heads");
    }
    return 0;
}
