#pragma once

// Splits text into words before byte-pair encoding, by the pre-tokenizer's
// regular expression (GPT-2, LLaMA-3, Qwen2, StarCoder), with the same
// results as those expressions (and as llama.cpp) give; each word comes back
// byte-level encoded (GPT-2's byte -> printable character mapping).

#include "tokenizer/vocab.h"

#include <string>
#include <vector>

namespace bioforge::llm {

std::vector<std::string> preTokenize(const std::string& text, PreTokenizer pre);

} // namespace bioforge::llm
