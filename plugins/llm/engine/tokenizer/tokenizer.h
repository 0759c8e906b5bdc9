#pragma once

// Text <-> token ids for a vocabulary: special tokens are split out first
// (control tokens only when parseSpecial is set, user-defined ones always),
// then SentencePiece-style or byte-level BPE encoding; BOS/EOS follow the
// vocabulary's rules when addSpecial is set. Ids equal llama.cpp's.

#include "tokenizer/vocab.h"

#include <memory>
#include <string>
#include <vector>

namespace bioforge::llm {

class Tokenizer {
public:
    explicit Tokenizer(std::shared_ptr<const Vocab> vocab) : m_vocab(std::move(vocab)) {}

    const Vocab& vocab() const { return *m_vocab; }
    std::vector<TokenId> tokenize(const std::string& text, bool addSpecial, bool parseSpecial) const;

    // The bytes a token stands for (control tokens only when `special`).
    std::string piece(TokenId token, bool special) const;
    // Joins pieces; drops the leading space SentencePiece adds when removeLeadingSpace.
    std::string detokenize(const std::vector<TokenId>& tokens, bool special, bool removeLeadingSpace = true) const;

private:
    struct Fragment {
        TokenId token; // kNoToken for text
        size_t offset;
        size_t length;
    };
    std::vector<Fragment> partition(const std::string& text, bool parseSpecial) const;

    std::shared_ptr<const Vocab> m_vocab;
};

} // namespace bioforge::llm
