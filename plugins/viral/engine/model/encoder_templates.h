#pragma once

// The files around an encoder's weights, made without any download, so that
// test and demo encoders can be synthesized anywhere (a fresh install, the
// .deb, CI without the shared fixtures): a Hugging Face config.json at a given shape,
// ESM-2's vocab.txt (the 33-token alphabet of fair-esm's
// esm.data.Alphabet.from_architecture("ESM-1b"), which HF EsmTokenizer
// ships), and, for DNABERT-S, a small BPE tokenizer.json over A, C, G, T
// (every 2-mer, then every 4-mer of 2-mers) in the layout of the official
// tokenizer.json. The DNA tokenizer is NOT DNABERT-S's 4096-token one: it is
// for test models only, whose outputs mean nothing.

#include "util/expected.h"

#include <QString>

namespace bioforge::viral {

// Writes config.json (vocab_size filled in, shape left for the synthesizer) and vocab.txt.
core::Status writeEsm2Template(const QString& folder);
// Writes config.json, tokenizer.json, tokenizer_config.json, special_tokens_map.json.
core::Status writeDnabertTemplate(const QString& folder);

} // namespace bioforge::viral
